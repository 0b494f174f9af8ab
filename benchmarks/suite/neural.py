"""GANOverSampler and VAEOverSampler against ctgan's CTGAN and TVAE.

``SmallFitResample``
    ``fit_resample`` of the default sampler (only ``random_state=0``,
    ``device="cpu"`` and ``n_threads`` set) on ``make_classification(1000,
    n_features=10, weights=[0.9], random_state=0)``. The peers do what the
    benchmark command's ``ctgan`` and ``tvae`` samplers do: ``ctgan.CTGAN()``
    and ``ctgan.TVAE()`` at their defaults (300 epochs, batch 500) fitted on the
    minority rows, then ``sample`` of as many rows as balance the classes
    (CTGAN and TVAE have no class-conditional interface).
``MixedFit``
    ``fit`` on a 10,000 x 20 mixed table (``common.make_mixed``: 15 numeric
    and 5 ``category`` columns, label with 10% positives), 10 epochs,
    ``batch_size=500``, every other parameter at its default.
    ``ctgan.CTGAN(epochs=10, batch_size=500)`` and ``ctgan.TVAE(...)`` fit the
    same table with the label as one more column, all six categorical ones
    in ``discrete_columns``; ours get the label as ``y``. CTGAN and TVAE run
    with ``enable_gpu=False`` and our samplers with ``device="cpu"``: the
    suite measures the CPU.

``RowsScaling``
    default ``fit_resample`` of GANOverSampler, VAEOverSampler and
    imbalanced-learn's ``SMOTE(random_state=0)`` on ``make_classification(n,
    n_features=10, weights=[0.9], random_state=0)`` for n from 1,000 to
    1,000,000 rows: how the cost grows with the rows. One thread for all
    (ours ``n_threads=1``, their default; BLAS / OpenMP pools limited to one
    thread).

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


def peer_fit_resample(model, X, y):
    """CTGAN / TVAE as an over-sampler: fit on the minority rows, sample the missing ones."""
    import pandas as pd

    minority = X[y == 1]
    model.fit(pd.DataFrame(minority, columns=[f"x{i}" for i in range(X.shape[1])]))
    return model.sample(int((y == 0).sum() - (y == 1).sum()))


class SmallFitResample(_Benchmark):
    """Default ``fit_resample`` on 1,000 x 10, against CTGAN and TVAE at their defaults."""

    params = (("GANOverSampler", "CTGAN", "VAEOverSampler", "TVAE"), (1, 2))
    param_names = ("implementation", "threads")

    def setup(self, implementation, threads):
        warnings.simplefilter("ignore")  # ctgan's and rdt's deprecation notices
        self.limits = limit_threads(threads)
        self.X, self.y = cached("small", make_small)
        warm_up_once(("small", implementation), lambda: self._run(build(
            implementation, threads, epochs=1)))
        self.sampler = build(implementation, threads)
        seed_globals(0)
        reset_peak_rss()

    def _run(self, sampler):
        if hasattr(sampler, "fit_resample"):
            return sampler.fit_resample(self.X, self.y)
        return peer_fit_resample(sampler, self.X, self.y)


    def time_fit_resample(self, implementation, threads):
        self._run(self.sampler)

    def peakmem_fit_resample(self, implementation, threads):
        self._run(self.sampler)


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


    def time_fit(self, implementation, threads):
        self.model.fit(*self.args)

    def peakmem_fit(self, implementation, threads):
        self.model.fit(*self.args)


def make_rows(n_rows):
    """``make_classification(n_rows, n_features=10, weights=[0.9], random_state=0)``."""
    from sklearn.datasets import make_classification

    return make_classification(n_rows, n_features=10, weights=[0.9], random_state=0)


class RowsScaling(_Benchmark):
    """Default ``fit_resample`` from 1,000 to 1,000,000 rows x 10, against SMOTE."""

    params = (("GANOverSampler", "VAEOverSampler", "SMOTE"),
              (1_000, 10_000, 100_000, 300_000, 1_000_000))
    param_names = ("implementation", "n_rows")
    repeat = (1, 1, 30.0)  # one sample: the large cases take minutes

    def setup(self, implementation, n_rows):
        self.limits = limit_threads(1)
        self.X, self.y = cached(("rows", n_rows), make_rows, n_rows)
        warm_up_once(("rows", implementation), lambda: self._build(
            implementation, epochs=1).fit_resample(self.X[:1000], self.y[:1000]))
        self.sampler = self._build(implementation)
        reset_peak_rss()

    @staticmethod
    def _build(implementation, **params):
        if implementation == "SMOTE":
            from imblearn.over_sampling import SMOTE

            return SMOTE(random_state=0)
        return build(implementation, 1, **params)

    def time_fit_resample(self, implementation, n_rows):
        self.sampler.fit_resample(self.X, self.y)

    def peakmem_fit_resample(self, implementation, n_rows):
        self.sampler.fit_resample(self.X, self.y)
