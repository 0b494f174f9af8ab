"""LossProportionalSampler on dask arrays and DataFrames: per-partition work.

imbalanced-learn's ``fit_resample`` validates with ``check_array``, which
would load a dask array into memory, so ``LossProportionalSampler.fit_resample``
routes dask input here first (after ``_validate_params``). What reaches the
client: the rows and class counts per partition, the pilot rows
(``pilot_size`` of them, for training), exact per-partition score summaries
(reduced in a tree on the workers) and the few scores near the solved
thresholds. Scores are persisted on the workers (one float32 per row);
selection and outputs stay lazy. A task lost with its worker is recomputed
by dask from the same inputs, with the same result (every draw is keyed by
global row and seed).
"""

import numpy as np
from sklearn.utils import check_random_state

from ..backend import resolve_device, torch_threads
from ..exceptions import InputError
from ..utils._weights import warn_if_weights_dropped
from ._lps_pilot import class_codes, score_block
from ._lps_select import (
    combine_histograms,
    combine_selections,
    combine_stats,
    combine_values,
    histogram,
    in_ranges,
    loss_stats,
    select_block,
)
from ._partitions import Partitions, matrix, reduce_tree, take

_STRATEGIES = {"all", "majority", "not minority", "not majority", "auto"}
_EXTRAS = {"sample_weight": np.float64, "keep_probability": np.float64,
           "sample_indices": np.int64}


def fit_resample_dask(sampler, X, y, sample_weight=None):
    """``fit_resample`` for dask input; returns lazy ``X_res, y_res``."""
    import dask

    parts = Partitions(X, y, sample_weight, owner=type(sampler).__name__)
    if parts.frame:
        from ._loss_proportional import _check_numeric_columns

        _check_numeric_columns(parts.meta)
    elif parts.dtype.kind not in "biuf":
        raise InputError(f"A dask X must be numeric. Got dtype {parts.dtype}.")
    classes, counts = parts.count()
    targeted = _targeted_classes(sampler.sampling_strategy, classes, counts, y)
    sampler.sampling_strategy_ = {label: int(n) for label, n in zip(classes, counts)
                                  if targeted[np.searchsorted(classes, label)]}
    target, p_min = sampler._resolve_target(int(counts[targeted].sum()))
    rng = check_random_state(sampler.random_state)
    sampler.device_ = resolve_device(sampler.device)
    _set_feature_attributes(sampler, parts)
    with torch_threads(sampler.n_threads):  # the same pilot bits as in memory
        pilots = sampler._fit_pilots(
            rng, classes, counts,
            codes_at=lambda rows: class_codes(classes, parts.labels(rows)),
            rows_of_class=lambda code: parts.rows_of_class(classes[code]),
            gather=parts.rows, weights_at=parts.weights if parts.weighted else None,
        )
    kwargs = dask.delayed(sampler._score_kwargs(classes, targeted, pilots), pure=True)
    scores = dask.persist(*parts.tasks(_score, kwargs))  # scored once, kept on the workers
    (stats,) = dask.compute(reduce_tree([dask.delayed(loss_stats)(s) for s in scores],
                                        combine_stats))
    lam = sampler._solve(
        stats, parts.n_rows, target + int(counts[~targeted].sum()), p_min,
        summarize=lambda edges: _reduce(scores, histogram, edges, combine_histograms),
        gather=lambda ranges: _reduce(scores, in_ranges, ranges, combine_values),
    )
    seed = rng.randint(2**31 - 1)
    draws = [dask.delayed(select_block, nout=3)(s, lam, p_min, seed, int(a))
             for s, a in zip(scores, parts.offsets)]
    (totals,) = dask.compute(reduce_tree([d[2] for d in draws], combine_selections))
    picks = [dask.delayed(_pick, nout=3)(x, y_part, w, int(a), int(n), d[0], d[1])
             for (x, y_part, w, a, n), d in zip(_inputs(parts), draws)]
    X_res, y_res, values = parts.assemble(picks, _EXTRAS)
    sampler._set_selection(np.empty(0, dtype=np.int64), np.ones(0), None, totals)
    sampler.sample_indices_ = values["sample_indices"]
    sampler.keep_probability_ = values["keep_probability"]
    sampler.sample_weight_ = values["sample_weight"]
    warn_if_weights_dropped(sampler)
    return X_res, y_res


def _inputs(parts):
    for i, (a, n) in enumerate(zip(parts.offsets, parts.lengths)):
        yield (parts.x_parts[i], parts.y_parts[i],
               None if parts.w_parts is None else parts.w_parts[i], a, n)


def _set_feature_attributes(sampler, parts):
    sampler.n_features_in_ = parts.n_features
    if parts.frame:
        names = np.asarray(parts.meta.columns, dtype=object)
        if all(isinstance(c, str) for c in names):
            sampler.feature_names_in_ = names


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


def _score(x, y, offset, n_rows, kwargs):
    return score_block(matrix(x, n_rows), np.asarray(y), offset, check_finite=True, **kwargs)


def _reduce(blocks, fn, arg, combine):
    """``combine`` of ``fn(block, arg)`` over all partitions, reduced on the workers."""
    import dask

    (result,) = dask.compute(reduce_tree([dask.delayed(fn)(b, arg) for b in blocks], combine))
    return result


def _pick(x, y, w, offset, n_rows, keep, p):
    """Kept rows of one partition and their weights (``incoming / p``)."""
    matrix(x, n_rows, numeric=False)  # checks the length
    incoming = 1.0 if w is None else np.asarray(w, dtype=np.float64)[keep]
    values = {"sample_weight": incoming / p, "keep_probability": p,
              "sample_indices": keep.astype(np.int64) + offset}
    return take(x, keep), take(y, keep), values

