"""Input checks shared by the samplers: clear errors, no torch tracebacks."""

import numbers

import numpy as np
from imblearn.utils import check_target_type
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils._param_validation import InvalidParameterError

from ..exceptions import InputError
from ._compat import validate_data


def _is_dataframe(X):
    return hasattr(X, "iloc") and hasattr(X, "dtypes")


def check_mixed_X_y(estimator, X, y):
    """Validate X and y for a sampler that accepts categorical columns.

    DataFrames pass through, sparse columns made dense (the encoder reads
    their dtypes; it reports NaN per column); everything else becomes a 2-D array, numeric
    where possible, object otherwise. Returns ``X, y, binarize_y``.
    """
    y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
    if _is_dataframe(X):
        if X.shape[0] < 1 or X.shape[1] < 1:
            raise InputError(
                f"Found array with {X.shape[0]} sample(s) and {X.shape[1]} "
                "feature(s) while at least 1 of each is required."
            )
        X = _densify_sparse_columns(X)
    else:
        X = check_array(X, dtype=None, accept_sparse=False, ensure_all_finite=True)
        if X.dtype.kind not in "biuf":
            X = _numeric_if_possible(X)
    check_consistent_length(X, y)
    validate_data(estimator, X=X, y=y, reset=True, skip_check_array=True)
    return X, y, binarize_y


def _densify_sparse_columns(X):
    """pandas sparse columns become dense (the networks need dense rows);
    imbalanced-learn's output conversion restores the sparse dtypes."""
    sparse = [str(dtype).startswith("Sparse") for dtype in X.dtypes]
    if not any(sparse):
        return X
    import pandas as pd

    columns = [
        X.iloc[:, j].sparse.to_dense() if is_sparse else X.iloc[:, j]
        for j, is_sparse in enumerate(sparse)
    ]
    return pd.concat(columns, axis=1)


def _numeric_if_possible(X):
    """An object array of numbers becomes float64; one with strings stays
    object (the encoder treats its string columns as categorical)."""
    if X.dtype.kind in "US" or any(isinstance(v, str) for v in X.ravel()):
        return X
    try:
        numeric = X.astype(np.float64)
    except (TypeError, ValueError):
        return X
    if not np.all(np.isfinite(numeric)):
        raise InputError("Input X contains NaN or infinity.")
    return numeric


def plain_label(label):
    """A numpy scalar label as a plain Python value (messages, dict keys)."""
    return label.item() if isinstance(label, np.generic) else label


def check_class_sizes(classes, counts, sampling_strategy, minimum, name):
    """Raise, naming the class, when a class to grow has fewer than ``minimum`` rows."""
    for label, n_new in sampling_strategy.items():
        n_rows = counts[np.searchsorted(classes, label)]
        if n_new > 0 and n_rows < minimum:
            label = plain_label(label)
            raise InputError(
                f"Class {label!r} has {n_rows} sample(s), but {name} needs at least "
                f"{minimum} samples of a class to generate new ones. Collect more "
                "samples, merge the class, or leave it out of sampling_strategy."
            )


def check_widths(estimator, name, allow_empty=True):
    """Raise, naming the parameter, unless ``estimator.<name>`` is a tuple or
    list of positive ints (hidden-layer widths; at least one unless
    ``allow_empty``). The declarative constraints check only the type."""
    widths = getattr(estimator, name)
    ok = all(isinstance(w, numbers.Integral) and not isinstance(w, bool) and w >= 1
             for w in widths)
    if not ok or (not widths and not allow_empty):
        kind = "a tuple of positive ints" if allow_empty else "a non-empty tuple of positive ints"
        raise InvalidParameterError(
            f"The {name!r} parameter of {type(estimator).__name__} must be {kind} "
            f"(hidden-layer widths). Got {widths!r} instead."
        )


def check_sample_weight(sample_weight, n_rows):
    """Validate ``sample_weight`` for ``n_rows`` rows; ones when ``None``.

    The semantics of scikit-learn's ``_check_sample_weight``, with errors that
    name the problem: returns a float64 1-D array of length ``n_rows`` whose
    values are finite, non-negative and not all zero. A scalar is broadcast.
    """
    if sample_weight is None:
        return np.ones(n_rows, dtype=np.float64)
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputError(f"sample_weight must be numeric. Got {error}.") from None
    if weights.ndim == 0:
        weights = np.full(n_rows, weights.item())
    if weights.ndim != 1:
        raise InputError(
            f"sample_weight must be 1-D (one weight per row). Got shape {weights.shape}."
        )
    if weights.shape[0] != n_rows:
        raise InputError(
            f"sample_weight has {weights.shape[0]} values but X has {n_rows} rows; "
            "give one weight per row."
        )
    if not np.all(np.isfinite(weights)):
        raise InputError("sample_weight contains NaN or infinity.")
    if np.any(weights < 0):
        raise InputError(
            f"sample_weight must be non-negative. Got minimum {weights.min():g}."
        )
    if n_rows and not np.any(weights > 0):
        raise InputError("sample_weight is zero for every row; no row would count.")
    return weights


def stack_rows(parts):
    """Stack row blocks: DataFrames with ``pd.concat`` (fresh index), arrays
    with ``np.concatenate``."""
    if hasattr(parts[0], "iloc"):
        import pandas as pd

        return pd.concat(parts, ignore_index=True)
    return np.concatenate(parts, axis=0)


def take_rows(X, order):
    """Rows ``order`` of an array or a DataFrame (fresh index)."""
    return X.iloc[order].reset_index(drop=True) if hasattr(X, "iloc") else X[order]
