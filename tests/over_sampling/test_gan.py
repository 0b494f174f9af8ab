"""Contracts and properties of GANOverSampler.

Every sampler is built with explicit fast settings (``FAST``): the defaults
of ``epochs``, ``learning_rate`` and ``anchor`` are tuned for quality and may
change, so no test relies on them.
"""

from collections import Counter

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.neighbors import NearestNeighbors

from imblearn_gan import GANOverSampler
from imblearn_gan.backend.steps import GANConfig, GANStep, capped_decay
from imblearn_gan.datasets import make_waves
from tests._fast import FAST_GAN

pd = pytest.importorskip("pandas")

FAST = FAST_GAN


def make_sampler(**params):
    return GANOverSampler(**{**FAST, **params})


def make_blobs(counts, n_features=3, seed=0, dtype=np.float64):
    """Gaussian classes, class ``k`` centred at ``2 * k`` on every feature."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(y.size, n_features)) + 2.0 * y[:, None]
    return X.astype(dtype), y


def make_mixed_frame(n_samples=120, seed=0):
    """A DataFrame with float, int, bool, category and object columns."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n_samples),
            "count": rng.randint(0, 10, size=n_samples).astype(np.int64),
            "flag": rng.rand(n_samples) > 0.5,
            "color": pd.Categorical(rng.choice(["red", "green", "blue"], n_samples)),
            "city": rng.choice(["Paris", "Oslo", "Lima"], n_samples).astype(object),
        }
    )
    y = pd.Series(np.r_[np.zeros(n_samples - 30, int), np.ones(30, int)], name="target")
    return X, y


# -- class counts ------------------------------------------------------------


@pytest.mark.parametrize(
    "sampling_strategy, expected",
    [
        ("auto", {0: 100, 1: 100, 2: 100}),
        ("not majority", {0: 100, 1: 100, 2: 100}),
        ("minority", {0: 100, 1: 40, 2: 100}),
        ({1: 60, 2: 80}, {0: 100, 1: 60, 2: 80}),
        (lambda y: {1: 50}, {0: 100, 1: 50, 2: 20}),
    ],
    ids=["auto", "not-majority", "minority", "dict", "callable"],
)
def test_class_counts_match_sampling_strategy_multiclass(sampling_strategy, expected):
    # Setup
    X, y = make_blobs([100, 40, 20])
    sampler = make_sampler(sampling_strategy=sampling_strategy)

    # Run
    X_res, y_res = sampler.fit_resample(X, y)

    # Assert
    assert Counter(y_res.tolist()) == expected
    assert X_res.shape == (len(y_res), X.shape[1])
    # the original rows come first, unchanged
    assert_array_equal(X_res[: len(X)], X)
    assert_array_equal(y_res[: len(y)], y)


def test_class_counts_float_sampling_strategy():
    # Setup
    X, y = make_blobs([100, 20])
    sampler = make_sampler(sampling_strategy=0.5)

    # Run
    _, y_res = sampler.fit_resample(X, y)

    # Assert: minority grown to 0.5 x majority
    assert Counter(y_res.tolist()) == {0: 100, 1: 50}
    assert sampler.sampling_strategy_ == {1: 30}


def test_string_labels():
    # Setup
    X, y = make_blobs([60, 20])
    labels = np.array(["common", "rare"])[y]

    # Run
    X_res, y_res = make_sampler().fit_resample(X, labels)

    # Assert
    assert Counter(y_res.tolist()) == {"common": 60, "rare": 60}
    assert y_res.dtype == labels.dtype


# -- dtypes and layout -------------------------------------------------------


def test_mixed_dataframe_round_trip():
    # Setup
    X, y = make_mixed_frame()
    n = len(X)

    # Run
    X_res, y_res = make_sampler().fit_resample(X, y)

    # Assert: same layout and dtypes, original rows first
    assert isinstance(X_res, pd.DataFrame)
    assert isinstance(y_res, pd.Series) and y_res.name == "target"
    assert list(X_res.columns) == list(X.columns)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    pd.testing.assert_frame_equal(X_res.iloc[:n], X)
    assert Counter(y_res.tolist()) == {0: 90, 1: 90}

    new = X_res.iloc[n:]
    # categorical values are all seen in training
    for column in ["color", "city", "flag"]:
        assert set(new[column]) <= set(X[column]), column
    assert new["flag"].dtype == bool
    # the int column stays integral and numeric values stay in the training range
    assert new["count"].dtype == np.int64
    for column in ["num", "count"]:
        assert new[column].min() >= X[column].min(), column
        assert new[column].max() <= X[column].max(), column
    assert np.all(np.isfinite(new["num"]))


def test_object_array_with_strings_round_trip():
    # Setup: string columns of an object array are categorical under "auto"
    rng = np.random.RandomState(0)
    X = np.empty((80, 3), dtype=object)
    X[:, 0] = rng.normal(size=80)
    X[:, 1] = rng.choice(["a", "b", "c"], 80)
    X[:, 2] = rng.randint(0, 5, 80)
    y = np.r_[np.zeros(60, int), np.ones(20, int)]

    # Run
    sampler = make_sampler()
    X_res, _ = sampler.fit_resample(X, y)

    # Assert
    assert X_res.dtype == object
    assert X_res.shape == (120, 3)
    assert_array_equal(sampler.encoder_.categorical_columns_, [1])
    assert set(X_res[80:, 1]) <= {"a", "b", "c"}


# -- categorical_features ----------------------------------------------------


def test_categorical_features_by_index_for_arrays():
    # Setup: column 2 holds codes {0, 5, 10}; as numbers it could decode to 3
    X, y = make_blobs([80, 20])
    X[:, 2] = np.random.RandomState(1).choice([0.0, 5.0, 10.0], size=len(X))

    # Run
    sampler = make_sampler(categorical_features=[2])
    X_res, _ = sampler.fit_resample(X, y)

    # Assert
    assert_array_equal(sampler.encoder_.categorical_columns_, [2])
    categorical_spans = [s for s in sampler.encoder_.spans_ if s.kind == "categorical"]
    assert [(s.column, s.width) for s in categorical_spans] == [(2, 3)]
    assert set(X_res[len(X) :, 2]) <= {0.0, 5.0, 10.0}


@pytest.mark.parametrize("spec", [["code"], [1]], ids=["by-name", "by-index"])
def test_categorical_features_for_dataframes(spec):
    # Setup
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"x": rng.normal(size=100), "code": rng.choice([0, 5, 10], size=100)}
    )
    y = np.r_[np.zeros(80, int), np.ones(20, int)]

    # Run
    sampler = make_sampler(categorical_features=spec)
    X_res, _ = sampler.fit_resample(X, y)

    # Assert
    assert_array_equal(sampler.encoder_.categorical_columns_, [1])
    assert X_res["code"].dtype == X["code"].dtype
    assert set(X_res["code"].iloc[100:]) <= {0, 5, 10}


def test_categorical_features_none_treats_everything_as_numeric():
    # Setup
    X, y = make_mixed_frame()
    X = X[["num", "count"]]

    # Run
    sampler = make_sampler(categorical_features=None).fit(X, y)

    # Assert
    assert sampler.encoder_.categorical_columns_.size == 0
    assert all(span.kind == "numeric" for span in sampler.encoder_.spans_)


@pytest.mark.parametrize(
    "spec, match",
    [(["nope"], "'nope'"), ([7], "index 7")],
    ids=["unknown-name", "index-out-of-range"],
)
def test_categorical_features_errors(spec, match):
    # Setup
    X, y = make_mixed_frame()

    # Run / Assert
    with pytest.raises(ValueError, match=match):
        make_sampler(categorical_features=spec).fit_resample(X, y)


def test_categorical_feature_name_needs_a_dataframe():
    # Setup
    X, y = make_blobs([30, 10])

    # Run / Assert
    with pytest.raises(ValueError, match="'a'.*neither a column index nor a column name"):
        make_sampler(categorical_features=["a"]).fit_resample(X, y)


def test_non_numeric_column_declared_numeric_is_an_error():
    # Setup: a string column with categorical_features=None
    X, y = make_mixed_frame()

    # Run / Assert
    with pytest.raises(ValueError, match="'color'.*categorical_features"):
        make_sampler(categorical_features=None).fit_resample(X, y)


# -- reproducibility ---------------------------------------------------------


@pytest.mark.parametrize("anchor", ["segment", None])
def test_same_random_state_same_output(anchor):
    # Setup
    X, y = make_blobs([80, 20, 15])
    first = make_sampler(anchor=anchor)
    second = make_sampler(anchor=anchor)

    # Run
    X_a, y_a = first.fit_resample(X, y)
    X_b, y_b = first.fit_resample(X, y)  # same instance, refitted
    X_c, y_c = second.fit_resample(X, y)  # a fresh instance

    # Assert
    assert_array_equal(X_a, X_b)
    assert_array_equal(X_a, X_c)
    assert_array_equal(y_a, y_c)
    assert _same_history(first.history_, second.history_)


def _same_history(a, b):
    drop = {"dur"}
    return [{k: v for k, v in r.items() if k not in drop} for r in a] == [
        {k: v for k, v in r.items() if k not in drop} for r in b
    ]


def test_same_random_state_same_mixed_dataframe():
    # Setup
    X, y = make_mixed_frame()

    # Run
    X_a, _ = make_sampler().fit_resample(X, y)
    X_b, _ = make_sampler().fit_resample(X, y)

    # Assert
    pd.testing.assert_frame_equal(X_a, X_b)


def test_sample_without_random_state_continues_the_stream():
    # Setup
    X, y = make_blobs([80, 20])
    sampler = make_sampler().fit(X, y)

    # Run
    X_a = sampler.sample(10, y=1)
    X_b = sampler.sample(10, y=1)

    # Assert
    assert not np.allclose(X_a, X_b)


# -- fit then sample -----------------------------------------------------------


def test_fit_then_sample_array():
    # Setup
    X, y = make_blobs([80, 20, 15], dtype=np.float32)

    # Run
    sampler = make_sampler().fit(X, y)
    X_new = sampler.sample(7, y=2)

    # Assert
    assert X_new.shape == (7, X.shape[1])
    assert X_new.dtype == np.float32
    assert np.all(np.isfinite(X_new))
    assert_array_equal(sampler.classes_, [0, 1, 2])
    assert_array_equal(sampler.class_counts_, [80, 20, 15])
    assert len(sampler.history_) == FAST["epochs"]


def test_fit_then_sample_dataframe():
    # Setup
    X, y = make_mixed_frame()
    sampler = make_sampler().fit(X, y)

    # Run
    X_new = sampler.sample(9, y=1)

    # Assert
    assert isinstance(X_new, pd.DataFrame)
    assert X_new.shape == (9, X.shape[1])
    pd.testing.assert_series_equal(X_new.dtypes, X.dtypes)
    assert set(X_new["color"]) <= set(X["color"])


def test_sample_defaults_to_the_smallest_class():
    # Setup
    X, y = make_blobs([80, 20, 15])
    sampler = make_sampler().fit(X, y)

    # Run
    X_default = sampler.sample(5, random_state=0)
    X_smallest = sampler.sample(5, y=2, random_state=0)

    # Assert
    assert_array_equal(X_default, X_smallest)


def test_sample_with_an_array_of_labels():
    # Setup
    X, y = make_blobs([80, 20, 15])
    sampler = make_sampler().fit(X, y)
    labels = np.array([0, 2, 1, 2, 0, 1, 1])

    # Run
    X_mixed = sampler.sample(len(labels), y=labels, random_state=0)
    X_same = sampler.sample(4, y=np.full(4, 1), random_state=0)
    X_scalar = sampler.sample(4, y=1, random_state=0)

    # Assert: one row per label; an array of one label matches the scalar form
    assert X_mixed.shape == (len(labels), X.shape[1])
    assert np.all(np.isfinite(X_mixed))
    assert_array_equal(X_same, X_scalar)


def test_sample_with_an_array_of_labels_dataframe():
    # Setup
    X, y = make_mixed_frame()
    sampler = make_sampler().fit(X, y)

    # Run
    X_new = sampler.sample(5, y=np.array([1, 0, 1, 1, 0]), random_state=0)

    # Assert
    assert list(X_new.columns) == list(X.columns)
    assert list(X_new.index) == list(range(5))


def test_sample_unknown_label():
    # Setup
    X, y = make_blobs([80, 20])
    sampler = make_sampler().fit(X, y)

    # Run / Assert
    with pytest.raises(ValueError, match="Unknown class 7"):
        sampler.sample(3, y=7)
    with pytest.raises(ValueError, match="Unknown class 7"):
        sampler.sample(3, y=[0, 7, 1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_samples=-1), "non-negative int"),
        (dict(n_samples=2.5), "non-negative int"),
        (dict(n_samples=3, y=[0, 1]), "3 labels"),
    ],
)
def test_sample_bad_arguments(kwargs, match):
    # Setup
    X, y = make_blobs([80, 20])
    sampler = make_sampler().fit(X, y)

    # Run / Assert
    with pytest.raises(ValueError, match=match):
        sampler.sample(**kwargs)


def test_sample_before_fit():
    # Run / Assert
    with pytest.raises(NotFittedError):
        make_sampler().sample(3, y=0)


# -- history -------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["wgan-gp", "bce"])
def test_history_has_one_record_per_epoch(loss):
    # Setup
    X, y = make_blobs([80, 20])

    # Run
    sampler = make_sampler(loss=loss, epochs=3).fit(X, y)

    # Assert
    assert len(sampler.history_) == 3
    assert [record["epoch"] for record in sampler.history_] == [1, 2, 3]
    for record in sampler.history_:
        assert {"g_loss", "d_loss", "d_real", "d_fake"} <= set(record)
        assert all(np.isfinite(value) for value in record.values())
        if loss == "bce":
            assert 0.0 <= record["d_real"] <= 1.0
            assert 0.0 <= record["d_fake"] <= 1.0


# -- options ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        dict(pac=2),
        dict(pac=3, loss="bce"),
        dict(pac=3, n_neighbors=3),
        dict(instance_noise=0.1),
        dict(feature_matching=1.0),
        dict(aux_classifier_weight=1.0),
        dict(anchor="segment", n_neighbors=3),
        dict(anchor=None),
        dict(numeric_encoding="standard"),
        dict(numeric_encoding="quantile"),
        dict(numeric_encoding="mode"),
        dict(numeric_encoding="mode", anchor=None, loss="bce"),
    ],
    ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items()),
)
def test_options_fit_and_produce_finite_rows(params):
    # Setup: 151 rows, so the last minibatch is odd (PacGAN pads it)
    X, y = make_mixed_frame(n_samples=151)

    # Run
    sampler = make_sampler(**params)
    X_res, y_res = sampler.fit_resample(X, y)

    # Assert
    assert Counter(y_res.tolist()) == {0: 121, 1: 121}
    new = X_res.iloc[len(X) :]
    assert np.all(np.isfinite(new[["num", "count"]].to_numpy(dtype=float)))
    assert set(new["color"]) <= set(X["color"])
    assert set(new["city"]) <= set(X["city"])
    for column in ["num", "count"]:
        assert X[column].min() <= new[column].min() <= new[column].max() <= X[column].max()


@pytest.mark.parametrize("n_rows", [257, 65])
def test_fit_when_one_row_is_left_for_the_last_batch(n_rows):
    # Setup: batch_size 256 (or 64) leaves a single row, which batch norm
    # cannot train on; the loop folds it into the previous batch
    X, y = make_blobs([n_rows - 20, 20])

    # Run
    X_res, y_res = make_sampler(batch_size=n_rows - 1).fit_resample(X, y)

    # Assert
    assert Counter(y_res.tolist()) == {0: n_rows - 20, 1: n_rows - 20}
    assert np.all(np.isfinite(X_res))


def test_n_threads_is_restored():
    # Setup
    X, y = make_blobs([80, 20])
    before = torch.get_num_threads()

    # Run
    make_sampler(n_threads=1).fit_resample(X, y)

    # Assert
    assert torch.get_num_threads() == before


# -- scikit-learn integration ----------------------------------------------------


def imbalanced_problem():
    """400 rows, 23 in the minority: plain logistic regression predicts the
    majority too often (balanced accuracy 0.63 over 3 folds)."""
    return make_classification(
        n_samples=400, n_features=4, n_informative=2, n_redundant=0,
        class_sep=1.0, weights=[0.95], random_state=0,
    )


def plain_score(X, y, cv):
    """Mean balanced accuracy of logistic regression without resampling."""
    return cross_validate(LogisticRegression(), X, y, cv=cv,
                          scoring="balanced_accuracy")["test_score"].mean()


def test_grid_search_over_a_gan_parameter():
    from imblearn.pipeline import Pipeline

    # Setup
    X, y = imbalanced_problem()
    cv = StratifiedKFold(3)
    pipe = Pipeline([("gan", make_sampler()), ("clf", LogisticRegression())])
    grid = GridSearchCV(
        pipe, {"gan__loss": ["wgan-gp", "bce"]}, cv=cv, scoring="balanced_accuracy",
    )

    # Run
    grid.fit(X, y)

    # Assert: every candidate ran on every fold and beat the plain classifier
    results = grid.cv_results_
    assert [p["gan__loss"] for p in results["params"]] == ["wgan-gp", "bce"]
    for fold in range(3):
        assert np.all(np.isfinite(results[f"split{fold}_test_score"]))
    assert np.all(results["mean_test_score"] > plain_score(X, y, cv) + 0.05)
    assert grid.best_estimator_.named_steps["gan"].loss in {"wgan-gp", "bce"}
    assert grid.predict(X).shape == y.shape


# -- bad input ---------------------------------------------------------------------


def _bad_inputs():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 2))
    y = np.r_[np.zeros(15, int), np.ones(5, int)]
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    X_inf = X.copy()
    X_inf[4, 0] = np.inf
    frame = pd.DataFrame({"x": X[:, 0], "color": ["r", "g"] * 10})
    frame_nan_cat = frame.assign(
        color=pd.Categorical(["r", "g"] * 9 + [None, "r"])
    )
    frame_dates = frame.assign(when=pd.date_range("2020-01-01", periods=20))
    return {
        "nan": (X_nan, y, "NaN"),
        "inf": (X_inf, y, "infinity"),
        "single-class": (X, np.zeros(20, int), "more than 1 class"),
        "one-row-class": (X, np.r_[np.zeros(19, int), 1], "Class 1 has 1 sample"),
        "one-row-class-str": (
            X, np.array(["common"] * 19 + ["rare"]), "Class 'rare' has 1 sample"
        ),
        "no-rows": (np.empty((0, 2)), np.empty(0, int), "0 sample"),
        "no-rows-frame": (frame.iloc[:0], np.empty(0, int), "0 sample"),
        "3d": (X.reshape(20, 2, 1), y, "dim 3"),
        "1d": (X[:, 0], y, "Expected 2D array"),
        "lengths": (X, y[:-1], "inconsistent numbers of samples"),
        "nan-categorical-frame": (frame_nan_cat, y, "missing values.*'color'"),
        "nan-object-frame": (
            frame.assign(color=["r", "g"] * 9 + [None, "r"]), y, "missing values.*'color'"
        ),
        "nan-numeric-frame": (
            frame.assign(x=np.r_[X[:19, 0], np.nan]), y, "NaN in column 'x'"
        ),
        "datetime-frame": (frame_dates, y, "'when'.*datetime"),
    }


def test_sample_generates_only_training_categories():
    # Setup: a category present only in the majority class may still be drawn
    # for the minority, but never a category absent from training
    X, y = make_mixed_frame()
    X.loc[y == 0, "city"] = "Paris"

    # Run
    X_new = make_sampler().fit(X, y).sample(50, y=1, random_state=0)

    # Assert
    assert set(X_new["city"]) <= {"Paris", "Oslo", "Lima"}


# -- quality -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "params",
    [
        dict(loss="bce", anchor=None),
        dict(loss="bce", anchor="segment"),
        dict(loss="wgan-gp", anchor="segment"),
        dict(loss="wgan-gp", anchor=None, n_critic=5),
    ],
    ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items()),
)
def test_generated_minority_rows_resemble_the_minority(params):
    # Setup: minority centred at +3, majority at -3, in 2-D
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-3, 1, size=(400, 2)), rng.normal(3, 1, size=(40, 2))]
    y = np.r_[np.zeros(400, int), np.ones(40, int)]
    sampler = make_sampler(
        epochs=120, learning_rate=1e-3, generator_widths=(32,), critic_widths=(32,),
        **{"n_critic": 2, **params},
    )

    # Run
    X_res, _ = sampler.fit_resample(X, y)

    # Assert
    new = X_res[len(X) :]
    assert new.shape == (360, 2)
    minority_mean, majority_mean = X[y == 1].mean(0), X[y == 0].mean(0)
    assert np.linalg.norm(new.mean(0) - minority_mean) < 1.0
    closer = np.linalg.norm(new - minority_mean, axis=1) < np.linalg.norm(
        new - majority_mean, axis=1
    )
    assert closer.mean() >= 0.8


def make_wide_and_spiky(n_samples=300, seed=0):
    """Column 0 spans hundreds (far from 0, which float32 distances in raw
    units must survive), column 1 is standard normal but for one outlier:
    which rows are neighbours depends on how columns are scaled."""
    rng = np.random.RandomState(seed)
    X = np.c_[rng.uniform(1e6, 1e6 + 500, n_samples), rng.normal(size=n_samples)]
    X[0, 1] = 100.0
    y = (rng.rand(n_samples) < 0.3).astype(int)
    return X, y


def scaled_for_neighbors(X, scaling):
    """What neighbor_scaling means, written out for a numeric array."""
    if scaling == "standard":
        return (X - X.mean(0)) / X.std(0)
    if scaling == "minmax":
        return (X - X.min(0)) / (X.max(0) - X.min(0))
    return X


def assert_neighbors_in(M, y, table, k):
    """``table`` holds each row's k nearest same-class rows in metric ``M``
    (compared by distance, so ties may take either row)."""
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        dist, _ = NearestNeighbors(n_neighbors=k + 1).fit(M[members]).kneighbors(M[members])
        chosen = np.linalg.norm(M[table[members]] - M[members][:, None], axis=2)
        np.testing.assert_allclose(np.sort(chosen, 1), dist[:, 1:], atol=1e-4)
        assert np.all(y[table[members]] == label)


@pytest.mark.parametrize("scaling", ["minmax", "standard", None])
def test_neighbor_scaling_sets_the_metric_of_the_anchor_neighbors(scaling):
    # Setup
    X, y = make_wide_and_spiky()
    sampler = make_sampler(n_neighbors=3, epochs=1, neighbor_scaling=scaling)

    # Run
    table = sampler.fit(X, y).neighbors_

    # Assert: the neighbours are the nearest in that metric, and the metrics
    # disagree on this table (so the check can tell them apart)
    assert_neighbors_in(scaled_for_neighbors(X, scaling), y, table, 3)
    other = "minmax" if scaling == "standard" else "standard"
    with pytest.raises(AssertionError):
        assert_neighbors_in(scaled_for_neighbors(X, other), y, table, 3)


@pytest.mark.parametrize("pac", [2, 3])
def test_packs_hold_rows_of_one_anchor(pac):
    # Setup: a GAN step over a fitted sampler's networks; a minibatch of 7
    # anchors, each with 3 same-class rows as its neighbours
    X, y = make_blobs([60, 20], n_features=3)
    sampler = make_sampler(pac=pac, epochs=1).fit(X, y)
    Z = torch.as_tensor(sampler.train_encoded_)
    labels = torch.as_tensor(sampler.train_labels_)
    neighbors = torch.stack([
        torch.nonzero(labels == label).flatten()[:3] for label in labels.tolist()
    ])
    config = GANConfig(pac=pac)
    step = GANStep(sampler.generator_, sampler.critic_, sampler.encoder_.spans_, 2, config,
                   torch.Generator().manual_seed(0), 1e-3, pool=Z)
    rows = torch.tensor([3, 70, 11, 65, 40, 2, 79])

    # Run
    real, y_step, cond, anchor = step._unpack((Z[rows], labels[rows], neighbors[rows]))

    # Assert: ceil(7 / pac) anchors of the batch, in order, pac times each;
    # each pack shares its anchor and label, and its real points are
    # different draws of that anchor's kernel
    keep = -(-7 // pac)
    assert_array_equal(anchor.numpy(), Z[rows[:keep]].repeat_interleave(pac, 0).numpy())
    assert_array_equal(y_step.numpy(), labels[rows[:keep]].repeat_interleave(pac).numpy())
    assert_array_equal(cond[:, 2:].numpy(), anchor.numpy())
    packs = real.reshape(keep, pac, -1)
    assert not torch.allclose(packs[:, 0], packs[:, 1])
    # every real point lies on a segment from its anchor to one of its neighbours
    ends = Z[neighbors[rows[:keep]].repeat_interleave(pac, 0)]  # (n, k, d)
    direction = ends - anchor[:, None]
    t = ((real - anchor)[:, None] * direction).sum(2) / (direction**2).sum(2)
    gap = (anchor[:, None] + t.clamp(0, 1)[..., None] * direction - real[:, None]).norm(dim=2)
    assert gap.min(1).values.max() < 1e-5


def test_ema_decay_averages_the_generator_over_its_updates():
    # Setup: a GAN step with decay 0.5 over a fresh generator
    X, y = make_blobs([60, 20], n_features=3)
    sampler = make_sampler(epochs=1).fit(X, y)
    Z = torch.as_tensor(sampler.train_encoded_, dtype=torch.float32)
    labels = torch.as_tensor(sampler.train_labels_)
    neighbors = torch.stack([
        torch.nonzero(labels == label).flatten()[:3] for label in labels.tolist()
    ])
    generator = sampler.generator_.train()
    start = {k: v.clone() for k, v in generator.state_dict().items()}
    step = GANStep(generator, sampler.critic_.train(), sampler.encoder_.spans_, 2,
                   GANConfig(ema_decay=0.5, noise_dim=sampler.noise_dim),
                   torch.Generator().manual_seed(0), 1e-2, pool=Z)
    batch = (Z[:32], labels[:32], neighbors[:32])

    # Run: two generator updates
    step(batch, 0)
    after_one = {k: v.clone() for k, v in generator.state_dict().items()}
    step(batch, 0)

    # Assert: average = 0.25 start + 0.25 after one update + 0.5 after two,
    # for weights and batch-norm statistics alike
    average = step.generator_average.state_dict()
    live = generator.state_dict()
    for key, value in average.items():
        if not value.is_floating_point():
            continue
        expected = 0.25 * start[key] + 0.25 * after_one[key] + 0.5 * live[key]
        torch.testing.assert_close(value, expected)
    assert not torch.allclose(average["head.weight"], live["head.weight"])


def test_ema_decay_samples_from_the_average():
    # Setup
    X, y = make_blobs([60, 20], n_features=3)

    # Run: 30 epochs of 2 minibatches, 60 updates (decay 0.9, capped to 5/6)
    last = make_sampler(epochs=30, ema_decay=0.0).fit(X, y)
    averaged = make_sampler(epochs=30, ema_decay=0.9).fit(X, y)

    # Assert: same training (same seed), a different generator is kept
    assert [r["g_loss"] for r in last.history_] == [r["g_loss"] for r in averaged.history_]
    assert not torch.allclose(last.generator_.head.weight, averaged.generator_.head.weight)
    assert np.isfinite(averaged.sample(50, y=1)).all()


def test_short_runs_generate_from_the_last_iterate():
    # Setup: 2 epochs of 2 minibatches, 4 updates: the capped decay is 0
    X, y = make_blobs([60, 20], n_features=3)

    # Run
    averaged = make_sampler(ema_decay=0.99).fit(X, y)
    last = make_sampler(ema_decay=0.0).fit(X, y)

    # Assert: the same generator (an uncapped 0.99 average of 4 updates
    # would be nearly the untrained start), and the sampler says so
    assert torch.equal(averaged.generator_.head.weight, last.generator_.head.weight)
    assert averaged.ema_decay_ == last.ema_decay_ == 0.0


@pytest.mark.parametrize(
    "params, match",
    [({"critic_widths": ()}, "'critic_widths' parameter.*non-empty tuple of positive ints"),
     ({"critic_widths": (64, 0)}, "'critic_widths' parameter"),
     ({"generator_widths": ("wide",)}, "'generator_widths' parameter.*positive ints"),
     ({"generator_widths": (True,)}, "'generator_widths' parameter")],
)
def test_bad_widths_name_the_parameter(params, match):
    # Setup
    X, y = make_blobs([60, 20], n_features=3)

    # Run / Assert: a clear ValueError, not torch's IndexError or TypeError
    with pytest.raises(ValueError, match=match):
        make_sampler(**params).fit_resample(X, y)


def test_no_generator_hidden_layer_is_allowed():
    # Setup: widths () make the generator one linear map (the critic needs a layer)
    X, y = make_blobs([60, 20], n_features=3)

    # Run
    X_res, y_res = make_sampler(generator_widths=()).fit_resample(X, y)

    # Assert
    assert X_res.shape == (120, 3) and np.isfinite(X_res).all()
    assert np.bincount(y_res).tolist() == [60, 60]


def test_ema_decay_records_the_decay_used():
    # Setup: 20 epochs of 2 minibatches, 40 updates: the horizon is capped at 4
    X, y = make_blobs([60, 20], n_features=3)

    # Run
    sampler = make_sampler(ema_decay=0.99, epochs=20).fit(X, y)

    # Assert
    assert sampler.ema_decay_ == pytest.approx(1 - 10 / 40)


@pytest.mark.parametrize(
    "decay, updates, expected",
    [(0.99, 1000, 0.99), (0.99, 5000, 0.99), (0.99, 100, 0.9), (0.99, 10, 0.0),
     (0.99, 4, 0.0), (0.0, 100, 0.0), (0.9, 60, 1 - 1 / 6)],
)
def test_ema_horizon_is_capped_at_a_tenth_of_the_updates(decay, updates, expected):
    assert capped_decay(decay, updates) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("network, expected", [
    ("mlp", ((64, 128), (128, 64))),
    ("lstm", ((32,), (32,))),
    ("gru", ((32,), (32,))),
])
def test_auto_widths_depend_on_the_network(network, expected):
    # Setup / Run
    sampler = GANOverSampler(network=network)

    # Assert: "auto" resolves per network; explicit widths are kept
    assert sampler._widths() == expected
    assert GANOverSampler(network=network, generator_widths=[8], critic_widths=(4, 2))._widths() \
        == ((8,), (4, 2))


@pytest.mark.parametrize("network, expected, other", [("mlp", 2, 3), ("gru", 3, 2)])
def test_auto_critic_updates_depend_on_the_network(network, expected, other):
    # Setup: a table for the MLP, series for the recurrent network
    if network == "mlp":
        X, y = make_classification(n_samples=120, n_features=4, weights=[0.8], random_state=0)
    else:
        X, y = make_waves(n_samples=66, imbalance=10, n_steps=8, random_state=0)

    def fit(n_critic):
        sampler = make_sampler(network=network, n_critic=n_critic)
        return sampler, sampler.fit_resample(X, y)[0]

    # Run
    auto, X_auto = fit("auto")
    _, X_expected = fit(expected)
    _, X_other = fit(other)

    # Assert: "auto" trains exactly as the network's number, not as the other
    assert auto._n_critic() == expected
    assert_array_equal(X_auto, X_expected)
    assert not np.array_equal(X_auto, X_other)
