"""TabularEncoder: mixed numeric / categorical tables <-> float32 matrices.

The encoded matrix is a concatenation of *spans*. Each span is a block of
columns with one output activation, so networks, losses and decoding walk the
same list (:func:`iter_spans`) instead of hand-written cursors.

- numeric, ``"standard"``: one column, ``(x - mean) / std``, linear head;
- numeric, ``"quantile"``: one column, mapped to a standard normal through
  the empirical quantiles, linear head (decoding stays inside the data range);
- numeric, ``"mode"``: mode-specific normalisation (one Gaussian-mixture mode
  per peak, as in CTGAN): a tanh span with the value inside its mode and a
  softmax span with the mode;
- categorical: a one-hot softmax span over the categories seen in ``fit``.

Decoding restores the input layout: columns, names, dtypes, categories,
integer columns rounded, bool columns as bool, numeric values clipped to the
range seen in ``fit``.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri
from sklearn.mixture import GaussianMixture

from ..exceptions import InputError

_QUANTILE_EPS = 1e-3  # "quantile" normal scores lie within ndtri(1e-3) = -3.09 .. 3.09


@dataclass(frozen=True)
class Span:
    """A block of encoded columns with one activation.

    kind : {"numeric", "mode", "categorical"}
    width : number of encoded columns
    activation : {"linear", "tanh", "softmax"}
    column : index of the source column
    """

    kind: str
    width: int
    activation: str
    column: int


@dataclass
class _Column:
    name: object
    kind: str  # "numeric" or "categorical"
    dtype: object
    integer: bool = False
    lo: float = 0.0
    hi: float = 0.0
    mean: float = 0.0
    std: float = 1.0
    categories: np.ndarray = None
    quantiles: np.ndarray = None
    modes: dict = field(default_factory=dict)


def iter_spans(spans):
    """Yield ``(span, start, stop)`` for each span of an encoded matrix."""
    start = 0
    for span in spans:
        yield span, start, start + span.width
        start += span.width


def _is_pandas_df(X):
    return hasattr(X, "iloc") and hasattr(X, "dtypes") and hasattr(X, "columns")


def _column_is_categorical(values, dtype):
    """Decide a column's kind from its dtype (and object values)."""
    kind = getattr(dtype, "kind", "O")
    if kind == "b":
        return True
    if kind in "iuf":
        return False
    if kind in "mMc" or (kind == "V"):
        return None  # unsupported
    # object, string, category: categorical unless every value is a number
    if str(dtype) == "category" or any(isinstance(v, str) for v in values):
        return True
    try:
        np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return True
    return False


class TabularEncoder:
    """Encode a numeric or mixed table for a neural network, and decode it.

    Parameters
    ----------
    categorical_features : "auto", array-like of int or str, or None, default="auto"
        Columns to treat as categorical. ``"auto"`` uses pandas dtypes
        (category, object, string, bool) and, for object arrays, every column
        whose values are not all numbers. Indices or names select columns
        explicitly (names need a DataFrame). ``None`` treats every column
        as numeric.
    numeric_encoding : {"standard", "quantile", "mode"}, default="standard"
        How numeric columns are scaled; see the module docstring.
    max_modes : int, default=10
        Upper bound on Gaussian-mixture modes per column for ``"mode"``.
    random_state : int, default=0
        Seed of the Gaussian mixtures of ``"mode"``.

    Attributes
    ----------
    spans_ : list of Span
    n_encoded_ : int
        Width of the encoded matrix.
    categorical_columns_ : ndarray of int
        Indices of the columns treated as categorical.
    """

    def __init__(
        self,
        categorical_features="auto",
        numeric_encoding="standard",
        max_modes=10,
        random_state=0,
    ):
        self.categorical_features = categorical_features
        self.numeric_encoding = numeric_encoding
        self.max_modes = max_modes
        self.random_state = random_state

    # -- fit -------------------------------------------------------------
    def fit(self, X):
        """Learn each column's kind, scale, range and categories."""
        self.is_dataframe_ = _is_pandas_df(X)
        self.input_dtype_ = None if self.is_dataframe_ else np.asarray(X).dtype
        names, columns, dtypes = self._split_columns(X)
        categorical = self._categorical_mask(names, columns, dtypes)
        self.columns_ = []
        for j, (name, values, dtype) in enumerate(zip(names, columns, dtypes)):
            if categorical[j]:
                self.columns_.append(self._fit_categorical(name, values, dtype))
            else:
                self.columns_.append(self._fit_numeric(name, values, dtype))
        self.categorical_columns_ = np.flatnonzero(categorical)
        self.spans_ = self._make_spans()
        self.n_encoded_ = sum(span.width for span in self.spans_)
        return self

    def _split_columns(self, X):
        if self.is_dataframe_:
            names = list(X.columns)
            columns = [X.iloc[:, j].to_numpy() for j in range(X.shape[1])]
            dtypes = list(X.dtypes)
        else:
            X = np.asarray(X)
            names = list(range(X.shape[1]))
            columns = [X[:, j] for j in range(X.shape[1])]
            dtypes = [X.dtype] * X.shape[1]
        return names, columns, dtypes

    def _categorical_mask(self, names, columns, dtypes):
        n = len(names)
        spec = self.categorical_features
        if spec is None:
            mask = np.zeros(n, dtype=bool)
        elif isinstance(spec, str) and spec == "auto":
            mask = np.zeros(n, dtype=bool)
            for j in range(n):
                is_cat = _column_is_categorical(columns[j], dtypes[j])
                if is_cat is None:
                    raise InputError(
                        f"Column {names[j]!r} has dtype {dtypes[j]}, which the "
                        "encoder cannot model. Convert it to a number or a "
                        "category first (for datetimes, e.g. to a timestamp)."
                    )
                mask[j] = is_cat
        else:
            mask = np.zeros(n, dtype=bool)
            for item in np.atleast_1d(np.asarray(spec, dtype=object)):
                if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
                    if not -n <= item < n:
                        raise InputError(
                            f"categorical_features contains index {item}, but X "
                            f"has {n} columns."
                        )
                    mask[item] = True
                elif item in names:
                    mask[names.index(item)] = True
                else:
                    raise InputError(
                        f"categorical_features contains {item!r}, which is neither "
                        f"a column index nor a column name of X (columns: {names})."
                    )
        for j in np.flatnonzero(~mask):
            try:
                values = np.asarray(columns[j], dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise InputError(
                    f"Column {names[j]!r} holds non-numeric values but is not "
                    "declared categorical. Pass it in categorical_features."
                ) from exc
            if not np.all(np.isfinite(values)):
                what = "NaN" if np.isnan(values).any() else "infinity"
                raise InputError(
                    f"Input X contains {what} in column {names[j]!r}. The samplers "
                    "do not impute: remove or impute missing values first (e.g. "
                    "sklearn.impute.SimpleImputer)."
                )
        return mask

    def _fit_categorical(self, name, values, dtype):
        missing = [v is None or (isinstance(v, float) and np.isnan(v)) for v in values]
        if any(missing):
            raise InputError(
                f"Input X contains missing values (NaN/None) in categorical column "
                f"{name!r}. Fill them with their own category first."
            )
        try:
            categories = np.unique(values)
        except TypeError as exc:
            raise InputError(
                f"Categorical column {name!r} mixes types that cannot be ordered "
                f"({sorted({type(v).__name__ for v in values})}). Convert it to "
                "one type, e.g. with .astype(str)."
            ) from exc
        return _Column(name, "categorical", dtype, categories=categories)

    def _fit_numeric(self, name, values, dtype):
        values = np.asarray(values, dtype=np.float64)
        col = _Column(name, "numeric", dtype)
        col.lo, col.hi = float(values.min()), float(values.max())
        col.mean = float(values.mean())
        col.std = float(values.std()) or 1.0
        col.integer = getattr(dtype, "kind", "f") in "iu" or bool(
            np.all(values == np.round(values))
        )
        if self.numeric_encoding == "quantile":
            levels = np.linspace(0, 1, min(1000, values.size))
            col.quantiles = np.quantile(values, levels)
        elif self.numeric_encoding == "mode":
            col.modes = self._fit_modes(values)
        return col

    def _fit_modes(self, values):
        n_modes = int(min(self.max_modes, np.unique(values).size))
        x = values.reshape(-1, 1)
        gmm = GaussianMixture(
            n_components=n_modes, random_state=self.random_state, reg_covar=1e-6,
            max_iter=100,
        ).fit(x)
        keep = gmm.weights_ > 1e-3  # drop modes that own almost no rows
        return {
            "means": gmm.means_.ravel()[keep],
            "stds": np.sqrt(gmm.covariances_.ravel()[keep]),
            "weights": gmm.weights_[keep] / gmm.weights_[keep].sum(),
        }

    def _make_spans(self):
        spans = []
        for j, col in enumerate(self.columns_):
            if col.kind == "categorical":
                spans.append(Span("categorical", len(col.categories), "softmax", j))
            elif self.numeric_encoding == "mode":
                spans.append(Span("numeric", 1, "tanh", j))
                spans.append(Span("mode", len(col.modes["means"]), "softmax", j))
            else:
                spans.append(Span("numeric", 1, "linear", j))
        return spans

    # -- transform -------------------------------------------------------
    def transform(self, X):
        """Encode ``X`` into a float32 matrix of width ``n_encoded_``."""
        _, columns, _ = self._split_columns(X)
        if len(columns) != len(self.columns_):
            raise InputError(
                f"X has {len(columns)} columns; the encoder was fitted on "
                f"{len(self.columns_)}."
            )
        n = len(columns[0]) if columns else 0
        out = np.empty((n, self.n_encoded_), dtype=np.float32)
        for span, start, stop in iter_spans(self.spans_):
            col, values = self.columns_[span.column], columns[span.column]
            if span.kind == "categorical":
                out[:, start:stop] = self.one_hot(col, values)
            elif span.kind == "numeric":
                # "mode" returns the value and its mode one-hot (the next span)
                scaled = self._scale(col, values)
                out[:, start : start + scaled.shape[1]] = scaled
        return out

    def neighbor_space(self, X, scaling="minmax"):
        """float32 rows of ``X`` whose Euclidean distances define neighbours.

        ``scaling="standard"``: z-scored numeric columns and one-hot cells of
        1 (the encoded table itself when ``numeric_encoding="standard"``).
        ``"minmax"``: numeric columns scaled to [0, 1] by their training
        range; ``None``: numeric columns in their own units (centred, which
        leaves distances unchanged and keeps float32 distances exact enough
        for large offsets), as SMOTE sees them at the head of a pipeline.
        For these two, one-hot cells are half the median standard deviation
        of the scaled numeric columns (1 when there are none or it is 0): two
        different categories add half that median's square to a squared
        distance (SMOTENC adds the whole square, from the minority's median).
        """
        _, columns, _ = self._split_columns(X)
        parts = []
        for col, values in zip(self.columns_, columns):
            if col.kind == "categorical":
                parts.append(None)
                continue
            x = np.asarray(values, dtype=np.float64)
            if scaling == "standard":
                x = (x - col.mean) / col.std
            elif scaling == "minmax":
                x = (x - col.lo) / ((col.hi - col.lo) or 1.0)
            else:
                x = x - col.mean
            parts.append(x)
        numeric = [x for x in parts if x is not None]
        cell = 1.0
        if scaling != "standard" and numeric:
            cell = float(np.median([x.std() for x in numeric])) / 2 or 1.0
        out = [self.one_hot(col, values) * np.float32(cell) if x is None else
               x.astype(np.float32)[:, None]
               for col, values, x in zip(self.columns_, columns, parts)]
        return np.hstack(out)

    def one_hot(self, col, values):
        """float32 one-hot rows of ``values`` for ``col``, an entry of
        ``columns_`` (a categorical column); unseen categories raise
        ``InputError``. Also used by TomekPruner's categorical metric."""
        index = np.searchsorted(col.categories, values)
        index = np.clip(index, 0, len(col.categories) - 1)
        if not np.all(col.categories[index] == values):
            raise InputError(
                f"Column {col.name!r} contains categories not seen during fit."
            )
        return np.eye(len(col.categories), dtype=np.float32)[index]

    def _scale(self, col, values):
        x = np.asarray(values, dtype=np.float64)
        if self.numeric_encoding == "quantile":
            levels = np.linspace(0, 1, col.quantiles.size)
            u = np.interp(x, col.quantiles, levels)
            # squeeze [0, 1] into [eps, 1 - eps] rather than clip: the normal
            # scores stay finite and the extreme values still decode exactly
            u = _QUANTILE_EPS + (1 - 2 * _QUANTILE_EPS) * u
            return ndtri(u).reshape(-1, 1)
        if self.numeric_encoding == "mode":
            return self._scale_mode(col, x)
        return ((x - col.mean) / col.std).reshape(-1, 1)

    def _scale_mode(self, col, x):
        m, s, w = col.modes["means"], col.modes["stds"], col.modes["weights"]
        # most probable mode per value (CTGAN samples it; the argmax is stable)
        log_p = np.log(w) - np.log(s) - 0.5 * ((x[:, None] - m) / s) ** 2
        k = log_p.argmax(axis=1)
        alpha = np.clip((x - m[k]) / (4 * s[k]), -0.99, 0.99)
        # this returns two spans' worth of columns: value, then the mode one-hot
        return np.column_stack([alpha, np.eye(len(m))[k]])

    # -- inverse_transform ---------------------------------------------
    def inverse_transform(self, Z):
        """Decode an encoded matrix back to the input's layout and dtypes.

        Categorical spans are decoded by argmax, so only categories seen in
        ``fit`` come back.
        """
        Z = np.asarray(Z, dtype=np.float64)
        decoded = [None] * len(self.columns_)
        for span, start, stop in iter_spans(self.spans_):
            col = self.columns_[span.column]
            block = Z[:, start:stop]
            if span.kind == "categorical":
                decoded[span.column] = col.categories[block.argmax(axis=1)]
            elif span.kind == "numeric" and self.numeric_encoding != "mode":
                decoded[span.column] = self._unscale(col, block[:, 0])
            elif span.kind == "numeric":
                alpha = block[:, 0]
            else:  # mode span: decode the value with its mode
                k = block.argmax(axis=1)
                x = alpha * 4 * col.modes["stds"][k] + col.modes["means"][k]
                decoded[span.column] = self._restore_numeric(col, x)
        return self._assemble(decoded)

    def _unscale(self, col, z):
        if self.numeric_encoding == "quantile":
            levels = np.linspace(0, 1, col.quantiles.size)
            u = (ndtr(z) - _QUANTILE_EPS) / (1 - 2 * _QUANTILE_EPS)
            x = np.interp(u, levels, col.quantiles)  # clamps u outside [0, 1]
        else:
            x = z * col.std + col.mean
        return self._restore_numeric(col, x)

    @staticmethod
    def _restore_numeric(col, x):
        x = np.clip(x, col.lo, col.hi)
        return np.round(x) if col.integer else x

    def _assemble(self, decoded):
        if self.is_dataframe_:
            import pandas as pd

            data = {}
            for col, values in zip(self.columns_, decoded):
                data[col.name] = pd.Series(values).astype(col.dtype)
            return pd.DataFrame(data, columns=[c.name for c in self.columns_])
        n = len(decoded[0]) if decoded else 0
        out = np.empty((n, len(self.columns_)), dtype=self.input_dtype_)
        for j, values in enumerate(decoded):
            out[:, j] = values
        return out
