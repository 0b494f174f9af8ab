"""Cross-validated comparison of resamplers (``imblearn-gan bench`` or
``python -m imblearn_gan.bench``; see ``docs/bench.md``)."""

from ._runner import (
           ALL_METRICS,
           CLASSIFIERS,
           DIAGNOSTIC_METRICS,
           METRICS,
           SAMPLERS,
           benchmark,
           run_benchmark,
)
from ._stats import compare, summarize

__all__ = ["ALL_METRICS", "CLASSIFIERS", "DIAGNOSTIC_METRICS", "METRICS", "SAMPLERS",
           "benchmark", "compare", "run_benchmark", "summarize"]
