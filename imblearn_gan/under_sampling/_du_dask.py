"""DownsampleUpweight on dask arrays and DataFrames: per-partition work.

Two passes over ``y`` (rows and class counts per partition, then class
counts per block of ``DRAW_BLOCK`` global rows) and a small plan on the
client (``_du_select``); ``X`` is read only when the result is computed.
Any dtype passes through (rows are only selected).
"""

import numpy as np

from ..utils._weights import warn_if_weights_dropped
from ._du_select import (
    allocate,
    block_counts,
    dense_counts,
    plans,
    select_rows,
    under_sampling_targets,
)
from ._lps_dask import _set_feature_attributes
from ._lps_pilot import class_codes
from ._lps_select import DRAW_BLOCK
from ._partitions import Partitions, matrix, take

_EXTRAS = {"sample_weight": np.float64, "sample_indices": np.int64}


def fit_resample_dask(sampler, X, y, sample_weight=None):
    """``fit_resample`` for dask input; returns lazy ``X_res, y_res``."""
    import dask

    parts = Partitions(X, y, sample_weight, owner=type(sampler).__name__)
    classes, counts = parts.count()
    sampler.sampling_strategy_ = under_sampling_targets(sampler.sampling_strategy, classes,
                                                        counts, y)
    kept = sampler._kept_counts(classes, counts)
    seed, kept_codes = sampler._draw_plan(classes, counts, kept)
    entries = dask.compute(*parts.tasks(_block_counts, classes, x=False))
    totals = dense_counts(entries, -(-parts.n_rows // DRAW_BLOCK), len(classes))
    alloc = allocate(seed, totals, kept_codes)
    upweight = sampler._set_counts(classes, counts, kept)
    picks = [dask.delayed(_pick, nout=3)(x, y_part, w, int(a), int(n), classes, plan, seed,
                                         upweight)
             for x, y_part, w, a, n, plan in zip(
                 parts.x_parts, parts.y_parts,
                 parts.w_parts or [None] * len(parts.x_parts), parts.offsets, parts.lengths,
                 plans(entries, totals, alloc, kept_codes))]
    X_res, y_res, values = parts.assemble(picks, _EXTRAS)
    _set_feature_attributes(sampler, parts)
    sampler.sample_indices_ = values["sample_indices"]
    sampler.sample_weight_ = values["sample_weight"]
    warn_if_weights_dropped(sampler)
    return X_res, y_res


def _block_counts(y, offset, n_rows, classes):
    return block_counts(class_codes(classes, np.asarray(y)), offset, len(classes))


def _pick(x, y, w, offset, n_rows, classes, plan, seed, upweight):
    """Kept rows of one partition and their weights."""
    matrix(x, n_rows, numeric=False)  # checks the length
    codes = class_codes(classes, np.asarray(y))
    keep = select_rows(codes, offset, plan, seed)
    incoming = 1.0 if w is None else np.asarray(w, dtype=np.float64)[keep]
    values = {"sample_weight": incoming * upweight[codes[keep]],
              "sample_indices": keep.astype(np.int64) + offset}
    return take(x, keep), take(y, keep), values
