"""GANOverSampler and VAEOverSampler against ctgan's CTGAN and TVAE.

``SmallFitResample``
    ``fit_resample`` of the default sampler (only ``random_state=0``,
    ``device="cpu"`` and ``n_threads`` set) on ``make_classification(1000,
    n_features=10, weights=[0.9], random_state=0)``. No peer runs this, so it
    is reported without a ratio.
``MixedFit``
    ``fit`` on a 10,000 x 20 mixed table (``common.make_mixed``: 15 numeric
    and 5 ``category`` columns, label with 10% positives), 10 epochs,
    ``batch_size=500``, every other parameter at its default.
    ``ctgan.CTGAN(epochs=10, batch_size=500)`` and ``ctgan.TVAE(...)`` fit the
    same table with the label as one more column, all six categorical ones
    in ``discrete_columns``; ours get the label as ``y``. CTGAN and TVAE run
    with ``enable_gpu=False`` and our samplers with ``device="cpu"``: the
    suite measures the CPU.

Threads (parameter ``threads``; the quick subset runs 1, the full suite 1
and 2): ours get ``n_threads=threads``; for every implementation the setup
calls ``torch.set_num_threads(threads)`` and limits the BLAS / OpenMP pools
to ``threads`` with threadpoolctl (CTGAN's and TVAE's data transformer fits
Gaussian mixtures with scikit-learn and numpy). One thing no setting limits:
their ``DataTransformer.transform`` runs ``joblib.Parallel(n_jobs=-1)`` over
the columns, in loky worker processes on every core (started by the warm-up,
reused by the timed fit); those workers' memory is not in the peer's peak.

Seeds: ours ``random_state=0``. CTGAN and TVAE have no seed parameter; the
setup seeds numpy's and torch's global generators with 0 and calls their
``set_random_state(0)``.

Each process warms up once, untimed, with a 1-epoch fit of the same
implementation on the first 1,000 rows (the timed fit must not pay lazy
imports such as ``torch._dynamo``, which torch's optimizers load on their
first step).
"""

import warnings

import ctgan
import numpy as np
import torch

import imblearn_gan

from .common import (
    _Benchmark,
    cached,
    limit_threads,
    make_mixed,
    make_small,
    reset_peak_rss,
    warm_up_once,
)

BATCH_SIZE = 500
EPOCHS = 10
LABEL = "label"


def build(implementation, threads, **params):
    """A fresh model; ``params`` go to its constructor."""
    if implementation in ("GANOverSampler", "VAEOverSampler"):
        cls = getattr(imblearn_gan, implementation)
        return cls(random_state=0, device="cpu", n_threads=threads, **params)
    model = getattr(ctgan, implementation)(enable_gpu=False, **params)
    model.set_random_state(0)
    return model


def fit_args(implementation, X, y):
    """``(X, y)`` for ours; ``(table with the label, discrete columns)`` for ctgan's."""
    if implementation in ("GANOverSampler", "VAEOverSampler"):
        return X, y
    table = X.assign(**{LABEL: y})
    discrete = [c for c in X.columns if str(X[c].dtype) == "category"] + [LABEL]
    return table, discrete


def seed_globals(seed=0):
    np.random.seed(seed)
    torch.manual_seed(seed)


class SmallFitResample(_Benchmark):
    """Default ``fit_resample`` on 1,000 x 10 (ours only)."""

    params = (("GANOverSampler", "VAEOverSampler"), (1, 2))
    param_names = ("implementation", "threads")

    def setup(self, implementation, threads):
        self.limits = limit_threads(threads)
        self.X, self.y = cached("small", make_small)
        warm_up_once(("small", implementation), lambda: build(
            implementation, threads, epochs=1).fit_resample(self.X, self.y))
        self.sampler = build(implementation, threads)
        reset_peak_rss()

    def teardown(self, implementation, threads):
        self.limits.restore_original_limits()

    def time_fit_resample(self, implementation, threads):
        self.sampler.fit_resample(self.X, self.y)

    def peakmem_fit_resample(self, implementation, threads):
        self.sampler.fit_resample(self.X, self.y)


class MixedFit(_Benchmark):
    """``fit``, 10 epochs at batch 500, on the 10,000 x 20 mixed table."""

    params = (("GANOverSampler", "CTGAN", "VAEOverSampler", "TVAE"), (1, 2))
    param_names = ("implementation", "threads")

    def setup(self, implementation, threads):
        warnings.simplefilter("ignore")  # ctgan's and rdt's deprecation notices
        self.limits = limit_threads(threads)
        X, y = cached("mixed", make_mixed)
        small = fit_args(implementation, X.iloc[:1000], y[:1000])
        warm_up_once(("mixed", implementation), lambda: build(
            implementation, threads, epochs=1, batch_size=BATCH_SIZE).fit(*small))
        self.args = fit_args(implementation, X, y)
        self.model = build(implementation, threads, epochs=EPOCHS, batch_size=BATCH_SIZE)
        seed_globals(0)
        reset_peak_rss()

    def teardown(self, implementation, threads):
        self.limits.restore_original_limits()

    def time_fit(self, implementation, threads):
        self.model.fit(*self.args)

    def peakmem_fit(self, implementation, threads):
        self.model.fit(*self.args)
