"""Cross-validated comparison of resamplers inside pipelines.

The ``imblearn-gan bench`` command (or ``python -m imblearn_gan.bench``) runs
:func:`benchmark`; :func:`compare` and :func:`summarize` turn its rows into mean
ranks and significance tests. See the 'Benchmark CLI' page of the
documentation.
"""

from ._runner import (
    ALL_METRICS,
    CLASSIFIERS,
    DIAGNOSTIC_METRICS,
    METRICS,
    SAMPLERS,
    BenchmarkResult,
    benchmark,
    register_sampler,
    run_benchmark,
)
from ._stats import compare, head_to_head, summarize

__all__ = ["ALL_METRICS", "CLASSIFIERS", "DIAGNOSTIC_METRICS", "METRICS", "SAMPLERS",
           "BenchmarkResult", "benchmark", "compare", "head_to_head", "register_sampler", "run_benchmark",
           "summarize"]
