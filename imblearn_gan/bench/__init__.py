"""Cross-validated comparison of resamplers (``python -m imblearn_gan.bench``)."""

from ._runner import SAMPLERS, CLASSIFIERS, METRICS, run_benchmark, summarize

__all__ = ["CLASSIFIERS", "METRICS", "SAMPLERS", "run_benchmark", "summarize"]
