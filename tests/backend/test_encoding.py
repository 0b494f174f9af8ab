"""TabularEncoder: layout, round trips, decoding of arbitrary network outputs."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from imblearn_gan.backend import Span, TabularEncoder
from imblearn_gan.backend.encoding import iter_spans

pd = pytest.importorskip("pandas")

ENCODINGS = ["standard", "quantile", "mode"]


def make_frame(n_samples=200, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame(
        {
            # bimodal, so "mode" finds more than one mode
            "num": np.r_[rng.normal(-4, 1, n_samples // 2), rng.normal(4, 0.5, n_samples - n_samples // 2)],
            "count": rng.randint(0, 20, n_samples).astype(np.int64),
            "flag": rng.rand(n_samples) > 0.3,
            "color": pd.Categorical(rng.choice(["red", "green", "blue"], n_samples)),
            "city": rng.choice(["Paris", "Oslo", "Lima", "Rome"], n_samples).astype(object),
        }
    )


# -- layout ------------------------------------------------------------------


@pytest.mark.parametrize("numeric_encoding", ENCODINGS)
def test_transform_width_is_the_sum_of_span_widths(numeric_encoding):
    # Setup
    X = make_frame()

    # Run
    encoder = TabularEncoder(numeric_encoding=numeric_encoding).fit(X)
    Z = encoder.transform(X)

    # Assert
    assert Z.dtype == np.float32
    assert Z.shape == (len(X), sum(span.width for span in encoder.spans_))
    assert encoder.n_encoded_ == Z.shape[1]
    assert all(isinstance(span, Span) for span in encoder.spans_)
    # every source column is covered, in order
    assert sorted({span.column for span in encoder.spans_}) == list(range(X.shape[1]))
    assert [span.column for span in encoder.spans_] == sorted(
        span.column for span in encoder.spans_
    )
    stops = [stop for _, _, stop in iter_spans(encoder.spans_)]
    assert stops[-1] == Z.shape[1]


@pytest.mark.parametrize("numeric_encoding", ENCODINGS)
def test_span_kinds_and_activations(numeric_encoding):
    # Setup
    X = make_frame()

    # Run
    encoder = TabularEncoder(numeric_encoding=numeric_encoding).fit(X)

    # Assert
    assert_array_equal(encoder.categorical_columns_, [2, 3, 4])
    by_column = {}
    for span in encoder.spans_:
        by_column.setdefault(span.column, []).append(span)
    for column, n_categories in [(2, 2), (3, 3), (4, 4)]:
        (span,) = by_column[column]
        assert (span.kind, span.width, span.activation) == (
            "categorical", n_categories, "softmax"
        )
    for column in [0, 1]:
        spans = by_column[column]
        if numeric_encoding == "mode":
            assert [(s.kind, s.activation) for s in spans] == [
                ("numeric", "tanh"), ("mode", "softmax")
            ]
            assert spans[0].width == 1 and spans[1].width >= 1
        else:
            assert [(s.kind, s.width, s.activation) for s in spans] == [
                ("numeric", 1, "linear")
            ]


def test_mode_finds_both_modes_of_a_bimodal_column():
    # Setup
    X = make_frame()[["num"]]

    # Run
    encoder = TabularEncoder(numeric_encoding="mode").fit(X)

    # Assert: the one-hot mode span has a column per mode, and the rows of the
    # two clusters are assigned different modes
    Z = encoder.transform(X)
    mode_block = Z[:, 1:]
    assert mode_block.shape[1] >= 2
    assert_allclose(mode_block.sum(axis=1), 1.0)
    assert not set(mode_block[:100].argmax(1)) & set(mode_block[100:].argmax(1))


# -- round trips -----------------------------------------------------------------


@pytest.mark.parametrize("numeric_encoding", ["standard", "quantile"])
def test_round_trip_numeric_exact(numeric_encoding):
    # Setup
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=300), rng.exponential(size=300), rng.uniform(-5, 5, 300)]

    # Run
    encoder = TabularEncoder(numeric_encoding=numeric_encoding).fit(X)
    X_back = encoder.inverse_transform(encoder.transform(X))

    # Assert (the encoded matrix is float32: compare at its precision),
    # including the minimum and maximum of every column
    assert X_back.dtype == X.dtype
    assert_allclose(X_back, X, rtol=1e-5, atol=1e-5)


def test_round_trip_numeric_mode_approximately():
    # Setup
    X = make_frame()[["num"]].to_numpy()

    # Run
    encoder = TabularEncoder(numeric_encoding="mode").fit(X)
    X_back = encoder.inverse_transform(encoder.transform(X))

    # Assert: within a small fraction of the column's spread
    assert_allclose(X_back, X, atol=0.05 * X.std())


@pytest.mark.parametrize("numeric_encoding", ENCODINGS)
def test_round_trip_categorical_exact(numeric_encoding):
    # Setup
    X = make_frame()

    # Run
    encoder = TabularEncoder(numeric_encoding=numeric_encoding).fit(X)
    X_back = encoder.inverse_transform(encoder.transform(X))

    # Assert
    assert list(X_back.columns) == list(X.columns)
    pd.testing.assert_series_equal(X_back.dtypes, X.dtypes)
    for column in ["flag", "color", "city", "count"]:
        pd.testing.assert_series_equal(X_back[column], X[column])


def test_round_trip_object_array_with_strings():
    # Setup
    X = np.array([[1.5, "a", 3], [2.5, "b", 4], [0.5, "a", 5], [3.0, "c", 3]], dtype=object)

    # Run
    encoder = TabularEncoder().fit(X)
    X_back = encoder.inverse_transform(encoder.transform(X))

    # Assert
    assert X_back.dtype == object
    assert_array_equal(encoder.categorical_columns_, [1])
    assert_array_equal(X_back[:, 1], X[:, 1])
    assert_allclose(X_back[:, [0, 2]].astype(float), X[:, [0, 2]].astype(float), atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_decoding_returns_the_input_dtype(dtype):
    # Setup
    X = np.random.RandomState(0).normal(size=(50, 3)).astype(dtype)

    # Run
    encoder = TabularEncoder().fit(X)
    X_back = encoder.inverse_transform(encoder.transform(X))

    # Assert
    assert X_back.dtype == dtype


# -- decoding arbitrary encoded matrices -------------------------------------------


@pytest.mark.parametrize("numeric_encoding", ENCODINGS)
def test_random_encoded_rows_decode_to_valid_rows(numeric_encoding):
    # Setup: what an untrained network could output, far outside the data
    X = make_frame()
    encoder = TabularEncoder(numeric_encoding=numeric_encoding).fit(X)
    Z = 10.0 * np.random.RandomState(1).normal(size=(500, encoder.n_encoded_))

    # Run
    X_new = encoder.inverse_transform(Z)

    # Assert
    assert X_new.shape == (500, X.shape[1])
    pd.testing.assert_series_equal(X_new.dtypes, X.dtypes)
    for column in ["flag", "color", "city"]:
        assert set(X_new[column]) <= set(X[column]), column
    assert X_new["flag"].dtype == bool
    for column in ["num", "count"]:
        assert np.all(np.isfinite(X_new[column]))
        assert X_new[column].min() >= X[column].min(), column
        assert X_new[column].max() <= X[column].max(), column


@pytest.mark.parametrize("numeric_encoding", ENCODINGS)
def test_integer_valued_columns_are_rounded(numeric_encoding):
    # Setup: a float column holding whole numbers, next to a real-valued one
    rng = np.random.RandomState(0)
    X = np.c_[rng.randint(0, 50, 200).astype(float), rng.normal(size=200)]
    encoder = TabularEncoder(numeric_encoding=numeric_encoding).fit(X)
    Z = rng.normal(size=(300, encoder.n_encoded_))

    # Run
    X_new = encoder.inverse_transform(Z)

    # Assert
    assert_array_equal(X_new[:, 0], np.round(X_new[:, 0]))
    assert not np.all(X_new[:, 1] == np.round(X_new[:, 1]))


@pytest.mark.parametrize("numeric_encoding", ["standard", "quantile"])
def test_decoding_clips_to_the_training_range(numeric_encoding):
    # Setup
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 3, size=(100, 2))
    encoder = TabularEncoder(numeric_encoding=numeric_encoding).fit(X)
    Z = np.array([[1e3, -1e3], [-1e3, 1e3]])

    # Run
    X_new = encoder.inverse_transform(Z)

    # Assert
    assert_allclose(X_new[0], [X[:, 0].max(), X[:, 1].min()])
    assert_allclose(X_new[1], [X[:, 0].min(), X[:, 1].max()])


def test_decoding_clips_to_the_training_range_mode():
    # Setup: the tanh value at its bound, for every mode
    X = make_frame()[["num"]].to_numpy()
    encoder = TabularEncoder(numeric_encoding="mode").fit(X)
    n_modes = encoder.n_encoded_ - 1
    Z = np.c_[np.tile([1.0, -1.0], n_modes), np.repeat(np.eye(n_modes), 2, axis=0)]

    # Run
    X_new = encoder.inverse_transform(Z)

    # Assert
    assert X_new.min() >= X.min()
    assert X_new.max() <= X.max()


def test_bool_columns_decode_to_bool():
    # Setup
    X = pd.DataFrame({"flag": [True, False, True, True], "x": [0.1, 0.2, 0.3, 0.4]})
    encoder = TabularEncoder().fit(X)

    # Run
    X_new = encoder.inverse_transform(np.random.RandomState(0).normal(size=(20, encoder.n_encoded_)))

    # Assert
    assert X_new["flag"].dtype == bool
    assert set(X_new["flag"]) <= {True, False}


# -- errors ------------------------------------------------------------------------


def test_unseen_category_is_an_error():
    # Setup
    X = make_frame()
    encoder = TabularEncoder().fit(X)
    X_other = X.copy()
    X_other["city"] = X_other["city"].replace("Rome", "Tokyo")

    # Run / Assert
    with pytest.raises(ValueError, match="'city' contains categories not seen during fit"):
        encoder.transform(X_other)


@pytest.mark.parametrize("numeric_encoding", ENCODINGS)
def test_nan_in_a_numeric_column_is_an_error(numeric_encoding):
    # Setup
    X = make_frame()
    X.loc[5, "num"] = np.nan

    # Run / Assert
    with pytest.raises(ValueError, match="NaN in column 'num'"):
        TabularEncoder(numeric_encoding=numeric_encoding).fit(X)


def test_nan_in_a_categorical_column_is_an_error():
    # Setup
    X = make_frame()
    X["city"] = X["city"].where(X.index != 3, None)

    # Run / Assert
    with pytest.raises(ValueError, match="missing values.*'city'"):
        TabularEncoder().fit(X)


def test_nan_in_an_array_is_an_error():
    # Setup
    X = np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 3.0]])

    # Run / Assert
    with pytest.raises(ValueError, match="NaN in column 0"):
        TabularEncoder().fit(X)


def test_wrong_number_of_columns_is_an_error():
    # Setup
    X = np.random.RandomState(0).normal(size=(10, 3))
    encoder = TabularEncoder().fit(X)

    # Run / Assert
    with pytest.raises(ValueError, match="2 columns.*fitted on 3"):
        encoder.transform(X[:, :2])


# -- the neighbour metric ----------------------------------------------------


def test_neighbor_space_standard_is_the_standard_encoding():
    # Setup
    X = make_frame()
    encoder = TabularEncoder().fit(X)

    # Run / Assert: the same float32 matrix, so neighbours are found as before
    assert_array_equal(encoder.neighbor_space(X, "standard"), encoder.transform(X))


def test_neighbor_space_scales_numeric_columns_and_weights_categories_as_smotenc():
    # Setup: numeric "num", "count"; categorical "flag", "color", "city"
    X = make_frame()
    encoder = TabularEncoder().fit(X)
    raw = X[["num", "count"]].to_numpy(float)
    lo, hi = raw.min(0), raw.max(0)

    # Run
    minmax = encoder.neighbor_space(X, "minmax")
    units = encoder.neighbor_space(X, None)

    # Assert: layout as transform's (flag 2, color 3, city 4 cells)
    assert minmax.shape == units.shape == (200, 2 + 2 + 3 + 4)
    assert_allclose(minmax[:, :2], (raw - lo) / (hi - lo), rtol=1e-6)
    assert_allclose(units[:, :2], raw - raw.mean(0), rtol=1e-5, atol=1e-5)  # centred
    for space, numeric in [(minmax, (raw - lo) / (hi - lo)), (units, raw)]:
        cell = np.median(numeric.std(0)) / 2
        one_hot = space[:, 2:]
        assert_allclose(np.unique(one_hot), [0.0, cell], rtol=1e-5)
        # each categorical column has exactly one hot cell per row
        assert_allclose(one_hot.sum(1), 3 * cell, rtol=1e-5)


def test_neighbor_space_all_categorical_uses_plain_one_hot():
    # Setup
    X = make_frame()[["color", "city"]]
    encoder = TabularEncoder().fit(X)

    # Run / Assert: no numeric column to take a scale from
    assert_array_equal(encoder.neighbor_space(X, "minmax"), encoder.transform(X))
