"""LossProportionalSampler on dask arrays: per-partition work on the cluster.

imbalanced-learn's ``fit_resample`` validates with ``check_array``, which
would load a dask array into memory, so ``LossProportionalSampler.fit_resample``
routes dask input here first (after ``_validate_params``). What reaches the
client: the class labels and counts, the pilot rows (``pilot_size`` of them,
for training), per-partition loss summaries (small histograms) and the few
losses near the solved thresholds. Scores, selection and the output stay
dask arrays; the losses are persisted (one float32 per row, on the workers).
"""

import numpy as np
from sklearn.utils import check_random_state

from ..backend import resolve_device
from ..exceptions import InputError
from ..utils._weights import warn_if_weights_dropped
from ._lps_pilot import score_block
from ._lps_select import histogram, in_ranges, loss_stats, select_block

_STRATEGIES = {"all", "majority", "not minority", "not majority", "auto"}


def fit_resample_dask(sampler, X, y, sample_weight=None):
    """``fit_resample`` for dask input; returns dask ``X_res, y_res``."""
    import dask
    import dask.array as da

    X, y, weights = _check_dask_inputs(da, X, y, sample_weight)
    classes, counts = (np.asarray(v) for v in dask.compute(*da.unique(y, return_counts=True)))
    if len(classes) < 2:
        raise InputError("The target 'y' needs to have more than 1 class. Got 1 class.")
    targeted = _targeted_classes(sampler.sampling_strategy, classes, counts, y)
    sampler.sampling_strategy_ = {label: int(n) for label, n in zip(classes, counts)
                                  if targeted[np.searchsorted(classes, label)]}
    target, p_min = sampler._resolve_target(int(counts[targeted].sum()))
    rng = check_random_state(sampler.random_state)
    sampler.device_ = resolve_device(sampler.device)
    sampler.n_features_in_ = X.shape[1]
    pilots = sampler._fit_pilots(
        rng, classes, counts, None if weights is None else _Gather(weights),
        codes_at=lambda rows: np.searchsorted(classes, y[rows].compute()),
        rows_of_class=lambda code: da.flatnonzero(y == classes[code]).compute(),
        gather=lambda rows: np.asarray(X[rows].compute()),
    )
    offsets = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).astype(int)
    kwargs = dask.delayed(sampler._score_kwargs(classes, targeted, pilots), pure=True)
    parts = zip(X.to_delayed().ravel(), y.to_delayed().ravel(), offsets)
    losses = [dask.delayed(_score)(xb, yb, int(a), kwargs) for xb, yb, a in parts]
    losses = dask.persist(*losses)  # scored once, kept on the workers
    stats = dask.compute(*[dask.delayed(loss_stats)(lb) for lb in losses])
    lam = sampler._solve(
        stats, X.shape[0], target + int(counts[~targeted].sum()), p_min,
        summarize=lambda edges: _reduce(dask, losses, histogram, edges, np.sum),
        gather=lambda ranges: _reduce(dask, losses, in_ranges, ranges, np.concatenate),
    )
    seed = rng.randint(2**31 - 1)
    return _select(da, dask, sampler, X, y, weights, losses, offsets, lam, p_min, seed)


class _Gather:
    """Pilot-row weights of a dask weight vector: ``w[rows]`` computes them."""

    def __init__(self, weights):
        self.weights = weights

    def __getitem__(self, rows):
        return np.asarray(self.weights[rows].compute(), dtype=np.float64)


def _check_dask_inputs(da, X, y, sample_weight):
    X, y = da.asarray(X), da.asarray(y)
    if X.ndim != 2 or y.ndim != 1:
        raise InputError(
            f"A dask X must be 2-D and y 1-D. Got X.ndim={X.ndim}, y.ndim={y.ndim}."
        )
    if any(np.isnan(c) for c in X.chunks[0]) or any(np.isnan(c) for c in y.chunks[0]):
        raise InputError(
            "The dask arrays have unknown chunk sizes; call X.compute_chunk_sizes() "
            "(and on y) first."
        )
    if X.shape[0] != y.shape[0]:
        raise InputError(
            f"X and y have different numbers of rows: {X.shape[0]} and {y.shape[0]}."
        )
    if X.dtype.kind not in "biuf":
        raise InputError(f"A dask X must be numeric. Got dtype {X.dtype}.")
    X = X.rechunk({1: -1})  # whole rows per partition
    y = y.rechunk((X.chunks[0],))
    weights = None
    if sample_weight is not None:
        weights = da.asarray(sample_weight).astype(np.float64).rechunk((X.chunks[0],))
        if weights.shape != y.shape:
            raise InputError(
                f"sample_weight has shape {weights.shape}; expected ({y.shape[0]},)."
            )
    return X, y, weights


def _targeted_classes(strategy, classes, counts, y):
    """Boolean mask over ``classes``: imbalanced-learn's cleaning semantics."""
    if callable(strategy):
        strategy = list(strategy(y))
    if isinstance(strategy, str):
        if strategy not in _STRATEGIES:
            raise InputError(f"Unknown sampling_strategy {strategy!r}.")
        majority, minority = np.argmax(counts), np.argmin(counts)
        keep_out = {"all": [], "majority": None, "not minority": [minority],
                    "auto": [minority], "not majority": [majority]}[strategy]
        if keep_out is None:
            return np.arange(len(classes)) == majority
        return ~np.isin(np.arange(len(classes)), keep_out)
    unknown = [c for c in strategy if c not in set(classes.tolist())]
    if unknown:
        raise InputError(f"sampling_strategy names classes {unknown} that are not in y.")
    return np.isin(classes, strategy)


def _score(X, y, offset, kwargs):
    return score_block(np.asarray(X), np.asarray(y), offset, check_finite=True, **kwargs)


def _reduce(dask, blocks, fn, arg, combine):
    """Apply ``fn(block, arg)`` per partition; combine the small results."""
    results = dask.compute(*[dask.delayed(fn)(b, arg) for b in blocks])
    return tuple(combine([r[i] for r in results], axis=0) for i in range(2))


def _select(da, dask, sampler, X, y, weights, losses, offsets, lam, p_min, seed):
    """Lazy per-partition selection; sets the fitted attributes."""
    picks = [dask.delayed(select_block, nout=3)(lb, lam, p_min, seed, int(a))
             for lb, a in zip(losses, offsets)]
    stats = dask.compute(*[s for _, _, s in picks])
    w_parts = weights.to_delayed().ravel() if weights is not None else [None] * len(picks)
    out = {"X": [], "y": [], "index": [], "p": [], "w": []}
    for xb, yb, wb, (keep, p, _), a in zip(X.to_delayed().ravel(), y.to_delayed().ravel(),
                                           w_parts, picks, offsets):
        out["X"].append(da.from_delayed(dask.delayed(_take)(xb, keep),
                                        (np.nan, X.shape[1]), X.dtype))
        out["y"].append(da.from_delayed(dask.delayed(_take)(yb, keep), (np.nan,), y.dtype))
        out["index"].append(da.from_delayed(keep + int(a), (np.nan,), np.int64))
        out["p"].append(da.from_delayed(p, (np.nan,), np.float64))
        out["w"].append(da.from_delayed(dask.delayed(_weight)(wb, keep, p),
                                        (np.nan,), np.float64))
    sampler._set_selection(np.empty(0), np.ones(0), None, list(stats))
    sampler.sample_indices_ = da.concatenate(out["index"])
    sampler.keep_probability_ = da.concatenate(out["p"])
    sampler.sample_weight_ = da.concatenate(out["w"])
    warn_if_weights_dropped(sampler)
    return da.concatenate(out["X"]), da.concatenate(out["y"])


def _take(block, keep):
    return np.asarray(block)[keep]


def _weight(weights, keep, p):
    return (1.0 if weights is None else np.asarray(weights)[keep]) / p

