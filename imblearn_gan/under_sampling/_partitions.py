"""dask input of the selection samplers, as aligned row partitions.

LossProportionalSampler and DownsampleUpweight take dask arrays and dask
DataFrames and work partition by partition. :class:`Partitions` pairs the
partitions of ``X``, ``y`` and ``sample_weight`` (delayed objects; nothing
is computed when it is built), counts rows and classes in one pass over
``y`` (partition sizes may be unknown until then: after a boolean filter, or
for a DataFrame read from parquet), gathers a few rows by global index to
the client (the pilot's), and assembles per-partition selections into lazy
outputs. Rows, labels and weights of an output partition come from one task,
and for DataFrames from one dask DataFrame, so they cannot fall out of step.

Row ``i`` is the ``i``-th row of the concatenated partitions, as in
``X.compute()``: the same numbering as the in-memory path.
"""

import numpy as np

from ..exceptions import InputError

_FAN_IN = 16  # partial results combined per task of a reduction tree
# the columns a DataFrame selection carries beside X's (dropped from X_res)
RESERVED = {"y": "__imblearn_gan_y__", "sample_weight": "__imblearn_gan_sample_weight__",
            "keep_probability": "__imblearn_gan_keep_probability__",
            "sample_indices": "__imblearn_gan_sample_indices__"}


def is_dask(obj):
    return type(obj).__module__.split(".")[0] == "dask"


def _dask_dataframe(obj):
    """``dask.dataframe`` when ``obj`` is one of its collections, else None."""
    if not (is_dask(obj) and hasattr(obj, "divisions")):
        return None
    import dask.dataframe as dd

    return dd


def _is_frame(obj):
    dd = _dask_dataframe(obj)
    return dd is not None and isinstance(obj, dd.DataFrame)


def _is_series(obj):
    dd = _dask_dataframe(obj)
    return dd is not None and isinstance(obj, dd.Series)


def _co_aligned(X, y, sample_weight):
    """Are ``y`` (and dask weights) columns of the same dask DataFrame as ``X``
    (the same partitions, modulo blockwise operations)?"""
    if not _is_series(y) or (is_dask(sample_weight) and not _is_series(sample_weight)):
        return False
    try:
        from dask.dataframe.api import are_co_aligned
    except ImportError:  # dask before dask-expr: pair the partitions in order
        return False
    series = [y] + ([sample_weight] if _is_series(sample_weight) else [])
    return all(are_co_aligned(X.expr, s.expr) for s in series)


def _project(frame, columns):
    return frame[columns]


def reduce_tree(tasks, combine):
    """One delayed result of ``combine`` applied in a tree (``_FAN_IN`` per node)."""
    import dask

    tasks = list(tasks)
    while True:  # at least once: a single partition's result is combined too
        tasks = [dask.delayed(combine)(tasks[i:i + _FAN_IN])
                 for i in range(0, len(tasks), _FAN_IN)]
        if len(tasks) == 1:
            return tasks[0]


class Partitions:
    """``X``, ``y`` and ``sample_weight`` of a sampler as aligned partitions.

    Attributes (after :meth:`count`): ``lengths`` and ``offsets`` (rows and
    first global row of each partition), ``classes`` and ``counts``.
    """

    def __init__(self, X, y, sample_weight, *, owner):
        import dask.array as da

        self.owner = owner
        self._fetched = None
        self.frame = _is_frame(X)
        self.y_series = _is_series(y)
        self.y_meta = y._meta if self.y_series else None
        self.y_dtype = getattr(y, "dtype", None)
        self.weighted = sample_weight is not None
        if self.frame:
            self.meta = X._meta
            self.n_features, self.dtype, self.known = len(X.columns), None, None
            if _co_aligned(X, y, sample_weight):
                self._from_one_frame(X, y, sample_weight)
                return
            # other sources: their logical partitions, paired in order (the
            # optimizer could regroup each one's partitions in its own way)
            self.x_parts = list(X.to_delayed(optimize_graph=False))
        else:
            if not is_dask(X):  # an in-memory X with a dask y: split it as y is
                chunks = getattr(y, "chunks", ((np.nan,),))[0]
                if any(np.isnan(c) for c in chunks):
                    raise InputError(
                        "With an in-memory X, a dask y needs known chunk sizes; pass X "
                        "as a dask array or DataFrame split like y."
                    )
                X = da.from_array(np.asarray(X), chunks=(chunks, -1))
            if X.ndim != 2:
                raise InputError(f"A dask X must be 2-D. Got X.ndim={X.ndim}.")
            X = X.rechunk({1: -1})  # whole rows per partition
            self.meta, self.n_features, self.dtype = None, X.shape[1], X.dtype
            self.x_parts = list(X.to_delayed().ravel())
            known = X.chunks[0]
            self.known = None if any(np.isnan(c) for c in known) else known
        self.y_parts, self._y_memory = self._vector(y, "y")
        self.w_parts, self._w_memory = self._vector(sample_weight, "sample_weight")

    def _from_one_frame(self, X, y, sample_weight):
        """X, y and the weights as columns of one dask DataFrame: one expression,
        so the optimizer reads and groups their partitions alike."""
        import dask
        import dask.dataframe as dd

        self._check_reserved()
        columns = [X, y.rename(RESERVED["y"])]
        if _is_series(sample_weight):
            columns.append(sample_weight.rename(RESERVED["sample_weight"]))
        parts = dd.concat(columns, axis=1).to_delayed()
        self.x_parts = [dask.delayed(_project)(p, list(X.columns)) for p in parts]
        self.y_parts = [dask.delayed(_project)(p, RESERVED["y"]) for p in parts]
        self._y_memory = None
        self.w_parts, self._w_memory = None, None
        if len(columns) == 3:
            self.w_parts = [dask.delayed(_project)(p, RESERVED["sample_weight"]) for p in parts]
        elif sample_weight is not None:
            self.w_parts, self._w_memory = self._vector(sample_weight, "sample_weight")

    def _check_reserved(self):
        clash = set(RESERVED.values()) & set(map(str, self.meta.columns))
        if clash:
            raise InputError(f"X has columns reserved by {self.owner}: {sorted(clash)}.")

    def _vector(self, v, what):
        """Partitions of a 1-D input (dask, or in memory: split after :meth:`count`)."""
        if v is None:
            return None, None
        if not is_dask(v):
            v = np.asarray(v) if what == "y" else np.asarray(v, dtype=np.float64)
            if v.ndim > 1:
                raise InputError(f"{what} must be 1-D. Got shape {v.shape}.")
            return None, v
        if _is_frame(v):
            raise InputError(f"{what} must be a dask Series or 1-D array, not a DataFrame.")
        if not _is_series(v):
            if v.ndim != 1:
                raise InputError(f"{what} must be 1-D. Got shape {v.shape}.")
            lengths = v.chunks[0]
            if self.known is not None and not any(np.isnan(c) for c in lengths) \
                    and tuple(lengths) != tuple(self.known):
                if sum(lengths) != sum(self.known):
                    raise InputError(
                        f"X and {what} have different numbers of rows: {sum(self.known)} "
                        f"and {sum(lengths)}."
                    )
                v = v.rechunk((self.known,))
        parts = list(v.to_delayed(optimize_graph=False)) if _is_series(v) else \
            list(v.to_delayed().ravel())
        if len(parts) != len(self.x_parts):
            raise InputError(
                f"X has {len(self.x_parts)} partitions and {what} has {len(parts)}; they "
                "must be split alike (e.g. columns of one dask DataFrame, or arrays with "
                "the same row chunks)."
            )
        return parts, None

    # -- the first pass ---------------------------------------------------------

    def count(self):
        """Rows per partition and class counts (one pass over ``y``)."""
        import dask

        if self.y_parts is None and self.known is not None:
            lengths = np.asarray(self.known, dtype=np.int64)
        elif self.y_parts is None:
            lengths = np.asarray(dask.compute(*[dask.delayed(len)(x) for x in self.x_parts]),
                                 dtype=np.int64)
        else:
            lengths = None
        summaries = None
        if self.y_parts is not None or self.w_parts is not None:
            n = len(self.x_parts)
            summaries = dask.compute(*[
                dask.delayed(_summary)(None if self.y_parts is None else self.y_parts[i],
                                       None if self.w_parts is None else self.w_parts[i])
                for i in range(n)
            ])
        if lengths is None:
            lengths = np.array([s["rows"] for s in summaries], dtype=np.int64)
        if self.known is not None and not np.array_equal(lengths, self.known):
            raise InputError("X and y have partitions of different lengths.")
        self.lengths = lengths
        self.offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        self.n_rows = int(lengths.sum())
        if self.y_parts is None:
            self._split_memory("y", self._y_memory)
            labels, counts = np.unique(self._y_memory, return_counts=True)
        else:
            labels, counts = _merge_counts([(s["labels"], s["counts"]) for s in summaries])
        if self.w_parts is None and self._w_memory is not None:
            self._split_memory("sample_weight", self._w_memory)
        elif self.w_parts is not None:
            _check_weight_summaries(summaries, lengths)
        self.classes, self.counts = labels, counts
        _check_labels(labels)
        return labels, counts

    def _split_memory(self, what, v):
        import dask.array as da

        if what == "sample_weight" and v.ndim == 0:
            v = np.full(self.n_rows, float(v))
        if what == "sample_weight":
            _check_weights(v)
        if len(v) != self.n_rows:
            raise InputError(
                f"{what} has {len(v)} values but X has {self.n_rows} rows; give one per row."
            )
        parts = list(da.from_array(v, chunks=(tuple(self.lengths),)).to_delayed().ravel())
        if what == "y":
            self.y_parts, self.y_dtype = parts, v.dtype
        else:
            self.w_parts = parts

    # -- per-partition tasks ----------------------------------------------------

    def tasks(self, fn, *args, x=True, w=False):
        """``fn([x_i,] y_i, [w_i,] offset_i, n_i, *args)`` per partition (delayed)."""
        import dask

        out = []
        for i, (offset, n) in enumerate(zip(self.offsets, self.lengths)):
            head = [self.x_parts[i]] if x else []
            head.append(self.y_parts[i])
            if w:
                head.append(None if self.w_parts is None else self.w_parts[i])
            out.append(dask.delayed(fn)(*head, int(offset), int(n), *args))
        return out

    def fetch(self, rows):
        """X rows, labels and weights (or None) of the sorted global indices
        ``rows``, in one pass; the last fetch is kept (the pilot asks for the
        labels of its rows, then for the rows and their weights)."""
        import dask

        rows = np.asarray(rows, dtype=np.int64)
        if self._fetched is not None and np.array_equal(self._fetched[0], rows):
            return self._fetched[1]
        which = np.searchsorted(self.offsets, rows, side="right") - 1
        tasks = []
        for i in np.unique(which):
            w = None if self.w_parts is None else self.w_parts[i]
            tasks.append(dask.delayed(_take_rows)(self.x_parts[i], self.y_parts[i], w,
                                                  rows[which == i] - self.offsets[i],
                                                  int(self.lengths[i])))
        parts = dask.compute(*tasks)
        fetched = (np.concatenate([p[0] for p in parts]) if parts
                   else np.empty((0, self.n_features)),
                   np.concatenate([p[1] for p in parts]) if parts else np.empty(0),
                   None if self.w_parts is None else
                   np.concatenate([p[2] for p in parts]).astype(np.float64))
        self._fetched = (rows, fetched)
        return fetched

    def rows(self, rows):
        """The rows ``rows`` (sorted global indices) of X, as one array."""
        return self.fetch(rows)[0]

    def labels(self, rows):
        return self.fetch(rows)[1]

    def weights(self, rows):
        return self.fetch(rows)[2]

    def rows_of_class(self, label):
        """Global indices of every row of class ``label``."""
        import dask

        tasks = [dask.delayed(_rows_of)(y, label, int(a))
                 for y, a in zip(self.y_parts, self.offsets)]
        return np.concatenate(dask.compute(*tasks))

    # -- lazy outputs -----------------------------------------------------------

    def assemble(self, picks, extras):
        """Lazy ``X_res, y_res`` and ``{name: lazy values}`` from per-partition picks.

        Each pick is a delayed ``(x_kept, y_kept, {name: ndarray})``; ``extras``
        maps the names to their dtypes. DataFrame input gives one dask
        DataFrame whose projections are the outputs (co-aligned Series);
        arrays give dask arrays of unknown chunk sizes.
        """
        if self.frame:
            return self._assemble_frame(picks, extras)
        import dask.array as da

        X_res = da.concatenate([da.from_delayed(p[0], (np.nan, self.n_features), self.dtype)
                                for p in picks])
        if self.y_series:
            import dask.dataframe as dd

            y_res = dd.from_delayed([p[1] for p in picks], meta=self.y_meta,
                                    verify_meta=False)
        else:
            y_res = da.concatenate([da.from_delayed(p[1], (np.nan,), self.y_dtype)
                                    for p in picks])
        values = {name: da.concatenate([da.from_delayed(p[2][name], (np.nan,), dtype)
                                        for p in picks])
                  for name, dtype in extras.items()}
        return X_res, y_res, values

    def _assemble_frame(self, picks, extras):
        import dask
        import dask.dataframe as dd
        import pandas as pd

        self._check_reserved()
        y_dtype = self.y_meta.dtype if self.y_series else self.y_dtype
        meta = self.meta.assign(**{RESERVED["y"]: pd.Series([], dtype=y_dtype)},
                                **{RESERVED[n]: pd.Series([], dtype=t) for n, t in extras.items()})
        names = [RESERVED[n] for n in extras]
        frame = dd.from_delayed([dask.delayed(_as_frame)(p, list(extras), names) for p in picks],
                                meta=meta, verify_meta=False)
        X_res = frame[list(self.meta.columns)]
        y_res = frame[RESERVED["y"]]
        y_res = y_res.rename(self.y_meta.name) if self.y_series else y_res.to_dask_array()
        values = {n: frame[RESERVED[n]].rename(n) for n in extras}
        return X_res, y_res, values


def matrix(x, n_rows, numeric=True):
    """A partition of X as a 2-D array (``n_rows`` checked: sizes may be unknown)."""
    if len(x) != n_rows:
        raise InputError(
            f"A partition of X has {len(x)} rows and the matching partition of y "
            f"{n_rows}; X and y must be split alike."
        )
    if hasattr(x, "iloc"):
        return x.to_numpy() if numeric else x
    return np.asarray(x)


def _summary(y, w):
    out = {}
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1:
            raise InputError(f"y must be 1-D. Got a partition of shape {y.shape}.")
        out["rows"] = len(y)
        out["labels"], out["counts"] = np.unique(y, return_counts=True)
    if w is not None:
        w = np.asarray(w, dtype=np.float64)
        out["rows"] = len(w) if y is None else out["rows"]
        out["w_rows"] = len(w)
        out["w_finite"] = bool(np.isfinite(w).all())
        out["w_min"] = float(w.min()) if len(w) else 0.0
        out["w_positive"] = bool(np.any(w > 0))
    return out


def _merge_counts(pairs):
    labels = np.concatenate([p[0] for p in pairs])
    counts = np.concatenate([p[1] for p in pairs])
    classes, inverse = np.unique(labels, return_inverse=True)
    return classes, np.bincount(inverse.ravel(), weights=counts).astype(np.int64)


def _check_labels(classes):
    if classes.dtype.kind == "f" and not np.all(np.isfinite(classes) & (classes == np.round(classes))):
        raise InputError("y must hold class labels; got continuous values.")
    if len(classes) < 2:
        raise InputError("The target 'y' needs to have more than 1 class. Got 1 class.")


def _check_weights(w):
    if not np.all(np.isfinite(w)):
        raise InputError("sample_weight contains NaN or infinity.")
    if np.any(w < 0):
        raise InputError(f"sample_weight must be non-negative. Got minimum {w.min():g}.")
    if len(w) and not np.any(w > 0):
        raise InputError("sample_weight is zero for every row; no row would count.")


def _check_weight_summaries(summaries, lengths):
    if any(s["w_rows"] != n for s, n in zip(summaries, lengths)):
        raise InputError("sample_weight and y have partitions of different lengths.")
    if not all(s["w_finite"] for s in summaries):
        raise InputError("sample_weight contains NaN or infinity.")
    low = min(s["w_min"] for s in summaries)
    if low < 0:
        raise InputError(f"sample_weight must be non-negative. Got minimum {low:g}.")
    if not any(s["w_positive"] for s in summaries):
        raise InputError("sample_weight is zero for every row; no row would count.")


def _take_rows(x, y, w, local, n_rows):
    values = (matrix(x, n_rows)[local], np.asarray(y)[local])
    return values + ((None,) if w is None else (np.asarray(w)[local],))


def _rows_of(y, label, offset):
    return np.flatnonzero(np.asarray(y) == label) + offset


def take(v, keep):
    """Rows ``keep`` of a partition (a pandas object keeps its index)."""
    return v.iloc[keep] if hasattr(v, "iloc") else np.asarray(v)[keep]


def _as_frame(pick, names, columns):
    x_kept, y_kept, values = pick
    out = x_kept.copy(deep=False)
    out[RESERVED["y"]] = np.asarray(y_kept)
    for name, column in zip(names, columns):
        out[column] = values[name]
    return out

