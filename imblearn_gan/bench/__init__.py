"""Cross-validated comparison of resamplers (``imblearn-gan bench`` or
``python -m imblearn_gan.bench``; see ``docs/bench.md``)."""

from ._runner import (
           ALL_METRICS,
           CLASSIFIERS,
           METRICS,
           SAMPLERS,
           benchmark,
           run_benchmark,
)
from ._stats import compare, summarize

__all__ = ["ALL_METRICS", "CLASSIFIERS", "METRICS", "SAMPLERS", "benchmark", "compare",
           "run_benchmark", "summarize"]
