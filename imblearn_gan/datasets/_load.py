"""Loaders of the bundled datasets."""

from importlib import resources

import numpy as np

from ..exceptions import InputError

_SKLEARN = {
    "digits-3": "scikit-learn digits, '3' (minority) vs the rest, made 1:10",
    "breast-cancer": "scikit-learn breast cancer, malignant (minority) made 1:9",
}


def _csv_names():
    folder = resources.files(__package__) / "data"
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".csv"))


def list_datasets():
    """Names accepted by :func:`load_dataset`, the scikit-learn ones first."""
    return list(_SKLEARN) + _csv_names()


def _subsample_minority(X, y, ratio, seed=0):
    """Keep all majority rows and ``n_majority / ratio`` minority rows."""
    rng = np.random.RandomState(seed)
    minority = np.flatnonzero(y == 1)
    n_keep = max(2, int(round((y == 0).sum() / ratio)))
    keep = np.sort(np.concatenate([np.flatnonzero(y == 0),
                                   rng.choice(minority, n_keep, replace=False)]))
    return X[keep], y[keep]


def load_dataset(name, as_frame=False):
    """Load a bundled imbalanced binary problem (minority label 1).

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`.
    as_frame : bool, default=False
        Return a pandas DataFrame (needed for the categorical columns of
        ``abalone9-18``, ``car-vgood`` and ``kr-vs-k-zero-vs-fifteen``) instead
        of a float array; with ``False`` those datasets raise.

    Returns
    -------
    X : ndarray or DataFrame, y : ndarray of int
    """
    if name in _SKLEARN:
        from sklearn.datasets import load_breast_cancer, load_digits

        if name == "digits-3":
            data = load_digits()
            X, y = data.data, (data.target == 3).astype(int)
            X, y = _subsample_minority(X, y, ratio=10)
            columns = [f"pixel_{i}" for i in range(X.shape[1])]
        else:
            data = load_breast_cancer()
            X, y = data.data, (data.target == 0).astype(int)  # 0 is malignant
            X, y = _subsample_minority(X, y, ratio=9)
            columns = [str(c) for c in data.feature_names]
        if as_frame:
            import pandas as pd

            X = pd.DataFrame(X, columns=columns)
        return X, y
    if name not in _csv_names():
        raise InputError(f"Unknown dataset {name!r}. Available: {list_datasets()}.")
    import pandas as pd

    path = resources.files(__package__) / "data" / f"{name}.csv"
    with resources.as_file(path) as file:
        frame = pd.read_csv(file)
    y = frame.pop("label").to_numpy().astype(int)
    if as_frame:
        for column in frame.columns:
            if frame[column].dtype == object:
                frame[column] = frame[column].astype("category")
        return frame, y
    if any(frame[c].dtype == object for c in frame.columns):
        raise InputError(
            f"Dataset {name!r} has categorical columns; load it with as_frame=True."
        )
    return frame.to_numpy(dtype=np.float64), y
