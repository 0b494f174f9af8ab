"""Loaders of the bundled datasets, of user CSV files and of imbalanced-learn's
``fetch_datasets`` collection."""

import csv
from importlib import resources
from pathlib import Path

import numpy as np

from ..exceptions import InputError
from ..utils._compat import imblearn_dataset_names

_SKLEARN = {
    "digits-3": "scikit-learn digits, '3' (minority) vs the rest, made 1:10",
    "breast-cancer": "scikit-learn breast cancer, malignant (minority) made 1:9",
    "wine-2": "scikit-learn wine, cultivar 2 (minority) vs the rest, made 1:8",
}


def _csv_names():
    folder = resources.files(__package__) / "data"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".csv"))


def list_datasets():
    """Names of the bundled datasets, which :func:`load_dataset` loads offline.

    Three problems derived from scikit-learn's datasets come first, then the
    KEEL problems shipped as CSV files, in alphabetical order.

    Returns
    -------
    names : list of str

    See Also
    --------
    load_dataset : Load one of them.
    list_fetchable_datasets : imbalanced-learn's collection (downloaded).

    Examples
    --------
    >>> from imblearn_gan.datasets import list_datasets
    >>> names = list_datasets()
    >>> len(names), names[:3]
    (18, ['digits-3', 'breast-cancer', 'wine-2'])
    """
    return list(_SKLEARN) + _csv_names()


def list_fetchable_datasets():
    """Names of imbalanced-learn's ``fetch_datasets`` collection.

    :func:`load_dataset` and :func:`fetch_dataset` download them once (into
    scikit-learn's data home) and then load them from the cache.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> from imblearn_gan.datasets import list_fetchable_datasets
    >>> "ecoli" in list_fetchable_datasets()
    True
    """
    return imblearn_dataset_names()


def _subsample_minority(X, y, ratio, seed=0):
    """Keep all majority rows and ``n_majority / ratio`` minority rows."""
    rng = np.random.RandomState(seed)
    minority = np.flatnonzero(y == 1)
    n_keep = max(2, round((y == 0).sum() / ratio))
    keep = np.sort(np.concatenate([np.flatnonzero(y == 0),
                                   rng.choice(minority, n_keep, replace=False)]))
    return X[keep], y[keep]


def _load_sklearn(name):
    from sklearn.datasets import load_breast_cancer, load_digits, load_wine

    if name == "digits-3":
        data = load_digits()
        X, y = _subsample_minority(data.data, (data.target == 3).astype(int), ratio=10)
        return X, y, [f"pixel_{i}" for i in range(X.shape[1])]
    if name == "wine-2":
        data = load_wine()
        X, y = _subsample_minority(data.data, (data.target == 2).astype(int), ratio=8)
        return X, y, [str(c) for c in data.feature_names]
    data = load_breast_cancer()
    X, y = _subsample_minority(data.data, (data.target == 0).astype(int), ratio=9)  # 0: malignant
    return X, y, [str(c) for c in data.feature_names]


def load_dataset(name, as_frame=False):
    """Load an imbalanced binary problem (minority label 1).

    Parameters
    ----------
    name : str
        One of :func:`list_datasets` (bundled, offline), ``"csv:PATH:TARGET"``
        for a CSV file with a header whose column ``TARGET`` holds the two
        classes (the rarer becomes 1), a series problem (``"waves:RATIO"``:
        :func:`make_waves` with ``imbalance=RATIO``; ``"aeon:NAME:RATIO"``:
        :func:`load_series`, needs aeon; both seeded with 0), or a name of
        :func:`list_fetchable_datasets` (imbalanced-learn's collection,
        downloaded once into scikit-learn's data home; also ``imblearn:NAME``).
    as_frame : bool, default=False
        Return a pandas DataFrame (needed for the categorical columns of
        ``abalone9-18``, ``car-vgood`` and ``kr-vs-k-zero-vs-fifteen``) instead
        of a float array; with ``False`` those datasets raise.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features) or DataFrame
        The features (float64 array, or a DataFrame with ``as_frame=True``).
    y : ndarray of shape (n_samples,)
        0 for the majority class, 1 for the minority class.

    See Also
    --------
    list_datasets : The bundled names.
    load_csv : Load a CSV file.

    Examples
    --------
    >>> from collections import Counter
    >>> from imblearn_gan.datasets import load_dataset
    >>> X, y = load_dataset("wine-2")
    >>> X.shape, Counter(y.tolist())
    ((146, 13), Counter({0: 130, 1: 16}))
    """
    if name.startswith("csv:"):
        return load_csv(*_split_csv_spec(name), as_frame=as_frame)
    if name.startswith(("waves:", "aeon:")):
        X, y = _load_series_spec(name)
        return _as_frame(X) if as_frame else X, y
    if name.startswith("imblearn:") or name in list_fetchable_datasets():
        X, y = fetch_dataset(name.removeprefix("imblearn:"))
        return _as_frame(X) if as_frame else X, y
    if name in _SKLEARN:
        X, y, columns = _load_sklearn(name)
        if as_frame:
            import pandas as pd

            X = pd.DataFrame(X, columns=columns)
        return X, y
    if name not in _csv_names():
        raise InputError(
            f"Unknown dataset {name!r}. Available offline: {list_datasets()}; "
            "a CSV file as 'csv:PATH:TARGET'; or, online, one of imbalanced-learn's "
            f"{list_fetchable_datasets()}."
        )
    path = resources.files(__package__) / "data" / f"{name}.csv"
    with resources.as_file(path) as file:
        return load_csv(file, "label", as_frame=as_frame, name=name)


def _load_series_spec(spec):
    """``waves:RATIO`` -> ``make_waves(imbalance=RATIO, random_state=0)``;
    ``aeon:NAME:RATIO`` -> ``load_series(NAME, RATIO)`` (seed 0)."""
    from ._series import load_series, make_waves

    kind, _, rest = spec.partition(":")
    name, _, ratio = rest.rpartition(":") if kind == "aeon" else ("", "", rest)
    try:
        ratio = float(ratio)
    except ValueError:
        ratio = None
    if ratio is None or (kind == "aeon" and not name):
        raise InputError(
            "A series dataset is written 'waves:RATIO' or 'aeon:NAME:RATIO' (the "
            f"majority:minority ratio, e.g. 'aeon:GunPoint:10'). Got {spec!r} instead."
        )
    if kind == "waves":
        return make_waves(imbalance=ratio, random_state=0)
    return load_series(name, ratio)


def _split_csv_spec(spec):
    """``csv:PATH:TARGET`` -> ``(PATH, TARGET)``; PATH may itself hold colons."""
    path, sep, target = spec[len("csv:"):].rpartition(":")
    if not sep or not path or not target:
        raise InputError(
            f"A CSV dataset is written 'csv:PATH:TARGET' (the file and its class "
            f"column). Got {spec!r} instead."
        )
    return path, target


def load_csv(path, target, as_frame=False, name=None):
    """Load a CSV file with a header; ``target`` names the binary class column.

    The rarer of the two classes becomes 1 (with equal counts, the value that
    sorts last as text). Text columns become categorical (with
    ``as_frame=True``); with ``as_frame=False`` they raise.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    target : str
        The column holding the two classes; it is removed from ``X``.
    as_frame : bool, default=False
        Return a pandas DataFrame instead of a float array.
    name : str, default=None
        The dataset's name in error messages (the path by default).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features) or DataFrame
        The other columns.
    y : ndarray of shape (n_samples,)
        1 for the rarer class, 0 for the other.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from imblearn_gan.datasets import load_csv
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "pets.csv"
    ...     _ = path.write_text("weight,kind\\n4.0,cat\\n30.5,dog\\n3.5,cat\\n")
    ...     X, y = load_csv(path, "kind")
    >>> X.tolist(), y.tolist()
    ([[4.0], [30.5], [3.5]], [0, 1, 0])
    """
    name = name or str(path)
    if not Path(path).is_file():
        raise InputError(f"CSV file {str(path)!r} not found.")
    try:
        import pandas as pd
    except ImportError:
        if as_frame:
            raise ImportError(
                "as_frame=True needs pandas: pip install 'imblearn-gan[pandas]'"
            ) from None
        return _load_numeric_csv(path, target, name)
    frame = pd.read_csv(path)
    if target not in frame.columns:
        raise InputError(
            f"Column {target!r} not in {name!r}; its columns are {list(frame.columns)}."
        )
    y = _binary_target(frame.pop(target).to_numpy(), target, name)
    # text columns: dtype object (pandas 2) or str (pandas 3); both have kind "O"
    text = [c for c in frame.columns if frame[c].dtype.kind == "O"]
    if as_frame:
        for column in text:
            frame[column] = frame[column].astype("category")
        return frame, y
    if text:
        raise _categorical_error(name)
    return frame.to_numpy(dtype=np.float64), y


def _load_numeric_csv(path, target, name):
    """``load_csv`` without pandas: numeric columns only (``csv`` module)."""
    with open(path, newline="") as file:
        header, *rows = list(csv.reader(file))
    if target not in header:
        raise InputError(f"Column {target!r} not in {name!r}; its columns are {header}.")
    table = np.array(rows, dtype=object).reshape(len(rows), len(header))
    column = header.index(target)
    y = _binary_target(table[:, column].astype(str), target, name)
    try:
        X = np.delete(table, column, axis=1).astype(np.float64)
    except ValueError:
        raise _categorical_error(name) from None
    return X, y


def _categorical_error(name):
    return InputError(
        f"Dataset {name!r} has categorical columns; load it with as_frame=True."
    )


def _binary_target(column, target, name):
    column = np.asarray(column).astype(str)
    values, counts = np.unique(column, return_counts=True)
    if len(values) != 2:
        raise InputError(
            f"The benchmark needs a binary target; column {target!r} of {name!r} "
            f"has {len(values)} classes ({list(values[:10])}). Merge the classes "
            "into two first (e.g. the class of interest vs the rest)."
        )
    if counts[0] == counts[1]:
        minority = values[1]
    else:
        minority = values[np.argmin(counts)]
    return (column == minority).astype(int)


def fetch_dataset(name):
    """Load one dataset of imbalanced-learn's ``fetch_datasets`` collection.

    The first call downloads it into scikit-learn's data home; later calls
    read the cache. Its minority label (1 there) stays 1, -1 becomes 0.

    Parameters
    ----------
    name : str
        One of :func:`list_fetchable_datasets`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The features, float64.
    y : ndarray of shape (n_samples,)
        1 for the minority class, 0 for the others.

    Raises
    ------
    InputError
        For an unknown name, or when the download fails (no network).

    Examples
    --------
    >>> from imblearn_gan.datasets import fetch_dataset
    >>> X, y = fetch_dataset("ecoli")  # doctest: +SKIP
    >>> X.shape, int(y.sum())  # doctest: +SKIP
    ((336, 7), 35)
    """
    from imblearn.datasets import fetch_datasets

    if name not in list_fetchable_datasets():
        raise InputError(
            f"Unknown imbalanced-learn dataset {name!r}; choose from "
            f"{list_fetchable_datasets()}."
        )
    try:
        bunch = fetch_datasets(filter_data=(name,))[name]
    except OSError as exc:  # URLError is an OSError: offline, proxy, DNS
        raise InputError(
            f"Could not download imbalanced-learn's dataset {name!r} ({exc}). "
            "The collection is fetched once and then cached in scikit-learn's data "
            "home; without a network use the bundled datasets "
            f"({', '.join(list_datasets()[:4])}, ...) or 'csv:PATH:TARGET'."
        ) from exc
    return np.asarray(bunch.data, dtype=np.float64), (bunch.target == 1).astype(int)


def _as_frame(X):
    import pandas as pd

    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
