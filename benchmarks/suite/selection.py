"""LossProportionalSampler and DownsampleUpweight against a full
LogisticRegression fit and imbalanced-learn's RandomUnderSampler.

``SelectionFit``
    On ``common.make_logistic``: ``n_rows`` x 20 float32 standard normal
    features and a logistic label (about 7% positives), built once per
    process in ``setup`` (1M rows: 84 MB; 10M rows: 840 MB). The quick subset
    takes 1M rows.

    - ``LossProportionalSampler(random_state=0, sampling_strategy="all",
      sample_size=0.1, n_threads=threads, device="cpu").fit_resample(X, y)``
    - ``DownsampleUpweight(random_state=0).fit_resample(X, y)``
    - ``LogisticRegression(max_iter=1000).fit(X, y)`` (lbfgs; it converges
      in about 10 iterations here, so the ceiling is never reached): the fit a
      user would otherwise run on every row
    - ``RandomUnderSampler(random_state=0).fit_resample(X, y)``

Threads (parameter ``threads``; the quick subset runs 1, the full suite 1 and
2): for every implementation the setup calls ``torch.set_num_threads`` and
limits every BLAS / OpenMP pool with threadpoolctl to ``threads``;
LossProportionalSampler also gets ``n_threads=threads``. DownsampleUpweight
and RandomUnderSampler are single-threaded numpy either way.

Each process warms up once, untimed, with the same call on the first
20,000 rows.
"""

from imblearn import under_sampling
from sklearn import linear_model

import imblearn_gan

from .common import (
    _Benchmark,
    cached,
    limit_threads,
    make_logistic,
    reset_peak_rss,
    warm_up_once,
)

WARM_UP_ROWS = 20_000


def build(implementation, threads):
    if implementation == "LossProportionalSampler":
        return imblearn_gan.LossProportionalSampler(
            random_state=0, sampling_strategy="all", sample_size=0.1, n_threads=threads,
            device="cpu")
    if implementation == "DownsampleUpweight":
        return imblearn_gan.DownsampleUpweight(random_state=0)
    if implementation == "LogisticRegression":
        return linear_model.LogisticRegression(max_iter=1000)
    return under_sampling.RandomUnderSampler(random_state=0)


def run(model, X, y):
    """The call timed: ``fit`` for the classifier, ``fit_resample`` for samplers."""
    if hasattr(model, "fit_resample"):
        return model.fit_resample(X, y)
    return model.fit(X, y)


class SelectionFit(_Benchmark):
    """One call on ``n_rows`` x 20 float32 rows."""

    params = (("LossProportionalSampler", "DownsampleUpweight", "LogisticRegression",
               "RandomUnderSampler"), (1_000_000, 10_000_000), (1, 2))
    param_names = ("implementation", "n_rows", "threads")

    def setup(self, implementation, n_rows, threads):
        self.limits = limit_threads(threads)
        self.X, self.y = cached(n_rows, make_logistic, n_rows)
        warm_up_once(implementation, lambda: run(
            build(implementation, threads), self.X[:WARM_UP_ROWS], self.y[:WARM_UP_ROWS]))
        self.model = build(implementation, threads)
        reset_peak_rss()


    def time_fit(self, implementation, n_rows, threads):
        run(self.model, self.X, self.y)

    def peakmem_fit(self, implementation, n_rows, threads):
        run(self.model, self.X, self.y)
