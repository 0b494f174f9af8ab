"""Shared by the metrics: tables as DataFrames and one common encoding.

Every metric compares tables with the same columns (real, synthetic,
held-out). They are read as DataFrames (an ndarray's columns are named
0, 1, ...) and, where a metric needs vectors, encoded together by one
:class:`~imblearn_gan.backend.TabularEncoder`: numeric columns standardised,
categorical columns one-hot. The encoder is fitted on the union of the
tables, so every category of every table has a column.
"""

import numpy as np

from ..backend import TabularEncoder
from ..exceptions import InputError


def as_frame(X, name):
    """A DataFrame view of ``X`` (2-D array or DataFrame) with at least one row."""
    import pandas as pd

    if hasattr(X, "iloc") and hasattr(X, "columns"):
        frame = X.reset_index(drop=True)
    else:
        array = np.asarray(X)
        if array.ndim != 2:
            raise InputError(
                f"{name} must be a 2-D array or a DataFrame. Got an array with "
                f"{array.ndim} dimension(s) instead."
            )
        frame = pd.DataFrame(array)
    if frame.shape[0] < 1:
        raise InputError(f"{name} has 0 rows; at least 1 is required.")
    return frame


def as_frames(**tables):
    """``as_frame`` for each table; all must have the same columns."""
    frames = {name: as_frame(X, name) for name, X in tables.items()}
    first_name, first = next(iter(frames.items()))
    for name, frame in frames.items():
        if frame.shape[1] != first.shape[1]:
            raise InputError(
                f"{name} has {frame.shape[1]} columns but {first_name} has "
                f"{first.shape[1]}; the tables must have the same columns."
            )
        frame.columns = first.columns
    return list(frames.values())


def fit_encoder(frames):
    """A TabularEncoder ("auto" column kinds, standard scaling) fitted on
    the union of ``frames``."""
    import pandas as pd

    union = pd.concat(frames, ignore_index=True)
    return TabularEncoder("auto", "standard").fit(union)


def encode(frames, encoder=None):
    """Encode each frame (float64) with ``encoder``, fitted on all of them
    when not given."""
    encoder = fit_encoder(frames) if encoder is None else encoder
    return [encoder.transform(frame).astype(np.float64) for frame in frames]
