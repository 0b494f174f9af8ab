"""TomekPruner against imbalanced-learn's TomekLinks.

``TomekFit``
    ``fit_resample`` on two overlapping Gaussian classes (``common.make_gaussian``:
    float64, about 10% minority shifted by 0.5) at 10k / 100k / 1M rows x 10 /
    50 features; the quick subset takes 10k and 100k rows.
    ``imblearn_gan.TomekPruner(n_threads=N_CORES, device="cpu")`` (every other
    parameter at its default, ``algorithm="auto"``) against
    ``imblearn.under_sampling.TomekLinks(n_jobs=-1)``: both use every core
    (2 on the reference machine). No thread pool is limited.
``TomekSameRows``
    ``track_same_rows``: 1 when both remove exactly the same rows
    (equal ``sample_indices_``), else 0, on the quick sizes.

Each process warms up once, untimed, on the first 2,000 rows: ours with
``algorithm="brute"`` and ``"kd_tree"`` (so whichever ``"auto"`` picks has
paid its first-call costs), TomekLinks as timed.

``timeout`` is 2 hours per benchmark: TomekLinks at 1M x 50 is brute force in
float64 (about 1e14 flops), some 30-60 minutes a fit on 2 cores. A benchmark
past its timeout is reported as not finished.
"""

import numpy as np
from imblearn import under_sampling

import imblearn_gan

from .common import (
    N_CORES,
    _Benchmark,
    cached,
    make_gaussian,
    reset_peak_rss,
    warm_up_once,
)

WARM_UP_ROWS = 2000


def build(implementation, **params):
    if implementation == "TomekPruner":
        return imblearn_gan.TomekPruner(n_threads=N_CORES, device="cpu", **params)
    return under_sampling.TomekLinks(n_jobs=-1)


def warm_up(implementation, X, y):
    if implementation == "TomekPruner":
        for algorithm in ("brute", "kd_tree"):
            build(implementation, algorithm=algorithm).fit_resample(X, y)
    else:
        build(implementation).fit_resample(X, y)


class TomekFit(_Benchmark):
    """``fit_resample`` on Gaussian two-class data."""

    params = (("TomekPruner", "TomekLinks"), (10_000, 100_000, 1_000_000), (10, 50))
    param_names = ("implementation", "n_rows", "n_features")
    timeout = 7200

    def setup(self, implementation, n_rows, n_features):
        self.X, self.y = cached((n_rows, n_features), make_gaussian, n_rows, n_features)
        warm_up_once(implementation, lambda: warm_up(
            implementation, self.X[:WARM_UP_ROWS], self.y[:WARM_UP_ROWS]))
        self.sampler = build(implementation)
        reset_peak_rss()

    def time_fit_resample(self, implementation, n_rows, n_features):
        self.sampler.fit_resample(self.X, self.y)

    def peakmem_fit_resample(self, implementation, n_rows, n_features):
        self.sampler.fit_resample(self.X, self.y)


class TomekSameRows:
    """1 when TomekPruner and TomekLinks keep the same rows, else 0."""

    params = ((10_000, 100_000), (10, 50))
    param_names = ("n_rows", "n_features")
    timeout = 900

    def setup(self, n_rows, n_features):
        self.X, self.y = make_gaussian(n_rows, n_features)

    def track_same_rows(self, n_rows, n_features):
        kept = []
        for implementation in ("TomekPruner", "TomekLinks"):
            sampler = build(implementation)
            sampler.fit_resample(self.X, self.y)
            kept.append(np.sort(sampler.sample_indices_))
        return int(np.array_equal(*kept))

    track_same_rows.unit = "same rows (1 = yes)"
