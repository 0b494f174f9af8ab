"""Property-based tests (hypothesis) over all five samplers.

Random shapes, label types, class counts and ``sampling_strategy`` values,
for each input layout (float32, float64 and int64 arrays; a DataFrame with
a categorical column for the samplers that accept one). For every draw: the output has the shape and
class counts ``sampling_strategy`` asks for, the input is never modified,
dtypes are kept, and generated categorical values are ones seen in ``X``.
``max_examples`` is small and ``deadline=None`` so the suite stays fast.
"""

from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from imblearn.utils import check_sampling_strategy
from numpy.testing import assert_array_equal
from sklearn.base import clone

from tests._fast import fast_samplers

pd = pytest.importorskip("pandas")

SAMPLERS = fast_samplers()
SETTINGS = settings(max_examples=5, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tables(draw, layout):
    """``(X, y)``: 2-3 classes of 3-30 rows, 1-4 numeric columns and int or
    str labels. ``layout``: the dtype of an array, or "frame" for a
    DataFrame with a category or object column besides float columns."""
    counts = draw(st.lists(st.integers(3, 30), min_size=2, max_size=3))
    n_features = draw(st.integers(1, 4))
    dtype = np.float64 if layout == "frame" else np.dtype(layout)
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    y = np.repeat(np.arange(len(counts)), counts)
    X = (3 * rng.normal(size=(y.size, n_features)) + 2 * y[:, None]).astype(dtype)
    if draw(st.booleans()):
        y = np.array(["alpha", "beta", "gamma"])[y]
    if layout == "frame":
        X = pd.DataFrame(X, columns=[f"x{j}" for j in range(n_features)])
        values = rng.choice(["red", "green", "blue"], size=len(y))
        kind = draw(st.sampled_from(["category", "object"]))
        X["color"] = pd.Series(values, dtype=kind)
    return X, y


@st.composite
def strategies(draw, y, sampling_type):
    """A valid ``sampling_strategy`` for ``y``: a string, a dict or a float."""
    counts = Counter(y.tolist())
    classes = sorted(counts)
    kind = draw(st.sampled_from(["string", "dict", "float"]))
    if kind == "float" and len(classes) == 2:
        n_min, n_max = min(counts.values()), max(counts.values())
        low = min(1.0, 1.01 * (n_min + 1) / n_max)
        return draw(st.floats(low, 1.0))
    if kind == "dict":
        chosen = draw(st.lists(st.sampled_from(classes), min_size=1, unique=True))
        if sampling_type == "over-sampling":
            top = max(counts.values())
            return {c: draw(st.integers(counts[c], top + 10)) for c in chosen}
        return {c: draw(st.integers(1, counts[c])) for c in chosen}
    names = {"over-sampling": ["auto", "minority", "not majority", "all"],
             "under-sampling": ["auto", "majority", "not minority", "all"]}[sampling_type]
    return draw(st.sampled_from(names))


def _copy(X):
    return X.copy(deep=True) if hasattr(X, "iloc") else X.copy()


def _assert_unchanged(X, X_before, y, y_before):
    if hasattr(X, "iloc"):
        pd.testing.assert_frame_equal(X, X_before)
    else:
        assert_array_equal(X, X_before)
        assert X.dtype == X_before.dtype
    assert_array_equal(y, y_before)


def _expected_counts(sampler, y):
    counts = Counter(y.tolist())
    target = check_sampling_strategy(sampler.sampling_strategy, y, sampler._sampling_type)
    if sampler._sampling_type == "over-sampling":
        return {c: n + target.get(c, 0) for c, n in counts.items()}
    return {c: target.get(c, n) for c, n in counts.items()}


def _cases():
    for sampler in SAMPLERS:
        layouts = ["float32", "float64", "int64"]
        if sampler.__sklearn_tags__().input_tags.string:  # accepts categorical columns
            layouts.append("frame")
        for layout in layouts:
            yield pytest.param(sampler, layout, id=f"{type(sampler).__name__}-{layout}")


@pytest.mark.parametrize(("sampler", "layout"), list(_cases()))
@SETTINGS
@given(data=st.data())
def test_output_matches_sampling_strategy_and_input_is_untouched(sampler, layout, data):
    # Setup
    X, y = data.draw(tables(layout))
    sampler = clone(sampler)
    if sampler._sampling_type in ("over-sampling", "under-sampling"):
        sampler.set_params(sampling_strategy=data.draw(strategies(y, sampler._sampling_type)))
    X_before, y_before = _copy(X), y.copy()
    event(f"{X_before.shape[1]} columns, labels {y.dtype.kind}, "
          f"strategy {type(sampler.sampling_strategy).__name__}")

    # Run
    X_res, y_res = sampler.fit_resample(X, y)

    # Assert: shape, counts, dtypes
    assert len(X_res) == len(y_res) and X_res.shape[1] == X.shape[1]
    after = Counter(np.asarray(y_res).tolist())
    if sampler._sampling_type == "clean-sampling":
        assert all(after[c] <= n for c, n in Counter(y.tolist()).items())
        assert set(after) <= set(y.tolist())
    else:
        assert after == _expected_counts(sampler, y)
    if hasattr(X, "iloc"):
        pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    else:
        assert X_res.dtype == X.dtype
    assert len(sampler.sample_weight_) == len(y_res)
    # the input is never modified
    _assert_unchanged(X, X_before, y, y_before)
    # generated (or kept) categorical values were all seen in X
    if hasattr(X, "iloc"):
        assert set(X_res["color"].astype(str)) <= set(X["color"].astype(str))
    if sampler._sampling_type == "over-sampling":
        assert np.all(np.isfinite(np.asarray(X_res.select_dtypes("number")
                                             if hasattr(X_res, "iloc") else X_res,
                                             dtype=np.float64)))
