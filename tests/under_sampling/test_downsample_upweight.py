"""Contracts and properties of DownsampleUpweight."""

import warnings
from collections import Counter

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline as imblearn_make_pipeline
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from imblearn_gan import DownsampleUpweight
from imblearn_gan.exceptions import InputError, WeightsDroppedWarning
from imblearn_gan.pipeline import make_pipeline


def make_data(counts, n_features=3, seed=0):
    """Gaussian classes; column 0 is the row index (to follow rows)."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(y.size, n_features)) + y[:, None]
    X[:, 0] = np.arange(y.size)
    return X, y


# -- counts and weights --------------------------------------------------------


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {0: 40, 1: 40, 2: 40}),
        ({"factor": 4}, {0: 75, 1: 30, 2: 40}),
        ({"factor": 7}, {0: 43, 1: 17, 2: 40}),  # 300/7 = 42.86, 120/7 = 17.14
        ({"factor": 4, "sampling_strategy": "majority"}, {0: 75, 1: 120, 2: 40}),
        ({"sampling_strategy": {0: 100, 1: 60}}, {0: 100, 1: 60, 2: 40}),
        ({"sampling_strategy": "majority"}, {0: 40, 1: 120, 2: 40}),
    ],
    ids=["auto", "factor4", "factor7", "factor-majority", "dict", "majority"],
)
def test_counts_and_exact_weight_sums(params, expected):
    # Setup
    X, y = make_data([300, 120, 40])
    sampler = DownsampleUpweight(random_state=0, **params)

    # Run
    _, y_res = sampler.fit_resample(X, y)

    # Assert: counts, and each class's weights sum exactly to its original size
    assert Counter(y_res.tolist()) == expected
    for label, n_original in Counter(y.tolist()).items():
        assert sampler.sample_weight_[y_res == label].sum() == pytest.approx(
            n_original, rel=1e-12
        )
    # so the weighted class prior is the original one
    shares = np.bincount(y_res, weights=sampler.sample_weight_) / len(y)
    assert_allclose(shares, np.bincount(y) / len(y), rtol=1e-12)
    # only the classes that lost rows are up-weighted, by n_c / k_c
    original = Counter(y.tolist())
    assert sampler.upweight_ == {
        k: original[k] / v for k, v in expected.items() if v != original[k]
    }


def test_default_keeps_every_minority_row_with_weight_one():
    # Setup
    X, y = make_data([300, 120, 40])

    # Run
    sampler = DownsampleUpweight(random_state=0)
    _, y_res = sampler.fit_resample(X, y)

    # Assert: "auto" = not minority, as imbalanced-learn's under-samplers
    assert sampler.sampling_strategy == "auto"
    assert sorted(sampler.sampling_strategy_) == [0, 1]
    assert_array_equal(sampler.sample_indices_[y_res == 2], np.flatnonzero(y == 2))
    assert_array_equal(sampler.sample_weight_[y_res == 2], 1.0)


def test_rows_follow_sample_indices_in_original_order():
    # Setup
    X, y = make_data([200, 30])

    # Run
    sampler = DownsampleUpweight(factor=5, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)

    # Assert
    indices = sampler.sample_indices_
    assert np.all(np.diff(indices) > 0)
    assert_array_equal(X_res, X[indices])
    assert_array_equal(y_res, y[indices])
    assert_array_equal(sampler.sample_weight_, np.where(y_res == 0, 200 / 40, 1.0))
    assert sampler.upweight_ == {0: 5.0}


def test_incoming_weights_are_multiplied_in():
    # Setup
    X, y = make_data([200, 30])
    weights = np.random.RandomState(1).uniform(0.5, 2.0, size=len(y))

    # Run
    sampler = DownsampleUpweight(factor=4, random_state=0)
    _, y_res = sampler.fit_resample(X, y, sample_weight=weights)

    # Assert
    kept = sampler.sample_indices_
    assert_allclose(sampler.sample_weight_, weights[kept] * np.where(y_res == 0, 4.0, 1.0))


def test_weighted_mean_is_unbiased_over_random_draws():
    # Setup: the weighted mean of a feature over the kept rows estimates the
    # mean over all rows (Horvitz-Thompson); the unweighted one is biased
    X, y = make_data([400, 40])
    feature = X[:, 1]
    target = feature.mean()
    estimates, naive = [], []

    # Run
    for seed in range(300):
        sampler = DownsampleUpweight(factor=10, random_state=seed)
        X_res, _ = sampler.fit_resample(X, y)
        w = sampler.sample_weight_
        estimates.append(np.sum(w * X_res[:, 1]) / w.sum())
        naive.append(X_res[:, 1].mean())

    # Assert: within 4 standard errors; the naive mean is far off
    estimates = np.array(estimates)
    stderr = estimates.std() / np.sqrt(len(estimates))
    assert abs(estimates.mean() - target) < 4 * stderr
    assert abs(np.mean(naive) - target) > 0.2


def test_same_random_state_same_rows_and_different_seeds_differ():
    # Setup
    X, y = make_data([200, 30])

    # Run
    first = DownsampleUpweight(random_state=3).fit(X, y)
    a = DownsampleUpweight(random_state=3)
    a.fit_resample(X, y)
    b = DownsampleUpweight(random_state=3)
    b.fit_resample(X, y)
    c = DownsampleUpweight(random_state=4)
    c.fit_resample(X, y)

    # Assert: another seed draws another subsample of the majority, sharing
    # about as many rows as two independent draws (30 * 30 / 200 = 4.5)
    assert first.sampling_strategy_ == {0: 30}
    assert_array_equal(a.sample_indices_, b.sample_indices_)
    majority_a, majority_c = (s.sample_indices_[s.sample_indices_ < 200] for s in (a, c))
    assert len(majority_a) == len(majority_c) == 30
    assert len(np.intersect1d(majority_a, majority_c)) <= 12


def test_dataframe_and_sparse_input():
    # Setup
    pd = pytest.importorskip("pandas")
    X, y = make_data([100, 20])
    frame = pd.DataFrame(X, columns=["id", "a", "b"])
    frame["color"] = pd.Categorical(np.where(y == 0, "red", "blue"))

    # Run
    X_frame, y_frame = DownsampleUpweight(random_state=0).fit_resample(frame, pd.Series(y))
    X_sparse, _ = DownsampleUpweight(random_state=0).fit_resample(sparse.csr_matrix(X), y)

    # Assert
    assert isinstance(X_frame, pd.DataFrame) and list(X_frame.columns) == list(frame.columns)
    assert X_frame["color"].dtype == "category"
    assert Counter(y_frame.tolist()) == {0: 20, 1: 20}
    assert sparse.issparse(X_sparse) and X_sparse.shape == (40, 3)


# -- bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "params, fit_kwargs, match",
    [
        ({"factor": 0.5}, {}, "'factor' parameter of DownsampleUpweight must be"),
        ({"factor": "ten"}, {}, "'factor' parameter"),
        ({"factor": 2, "sampling_strategy": 0.5}, {}, "factor and a float, dict"),
        ({"factor": 2, "sampling_strategy": {0: 10}}, {}, "factor and a float, dict"),
        ({}, {"sample_weight": np.ones(5)}, "sample_weight has 5 values but X has 230"),
        ({}, {"sample_weight": -np.ones(230)}, "must be non-negative"),
        ({}, {"sample_weight": np.ones((230, 2))}, "must be 1-D"),
        ({}, {"sample_weight": np.r_[np.nan, np.ones(229)]}, "NaN or infinity"),
        ({}, {"sample_weight": np.zeros(230)}, "zero for every row"),
    ],
)
def test_bad_input_raises_value_error_naming_the_problem(params, fit_kwargs, match):
    # Setup
    X, y = make_data([200, 30])

    # Run / Assert
    with pytest.raises(ValueError, match=match):
        DownsampleUpweight(**params).fit_resample(X, y, **fit_kwargs)


def test_weight_errors_are_input_errors():
    X, y = make_data([200, 30])
    with pytest.raises(InputError):
        DownsampleUpweight().fit_resample(X, y, sample_weight=np.ones(3))


# -- the warning when weights are dropped --------------------------------------


def test_plain_imblearn_pipeline_warns_on_each_fit():
    # Setup
    X, y = make_data([200, 30])
    pipe = imblearn_make_pipeline(DownsampleUpweight(random_state=0), LogisticRegression())

    # Run / Assert: once per fit
    for _ in range(2):
        with pytest.warns(WeightsDroppedWarning, match="imblearn_gan.pipeline.Pipeline") \
                as record:
            pipe.fit(X, y)
        assert len([w for w in record if w.category is WeightsDroppedWarning]) == 1


def test_no_warning_from_the_package_pipeline_or_direct_calls():
    # Setup
    X, y = make_data([200, 30])

    # Run / Assert
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DownsampleUpweight(random_state=0).fit_resample(X, y)
        make_pipeline(DownsampleUpweight(random_state=0), LogisticRegression()).fit(X, y)


# -- the draw: uniform, and the same for any blocking --------------------------


def test_rows_are_drawn_uniformly_across_blocks():
    # Setup: 300,000 rows (5 draw blocks of 65,536), classes interleaved
    rng = np.random.RandomState(0)
    y = (rng.uniform(size=300_000) < 0.1).astype(int)
    X = np.arange(len(y))[:, None]

    # Run
    sampler = DownsampleUpweight(factor=10, random_state=0)
    _, y_res = sampler.fit_resample(X, y)

    # Assert: the kept majority rows spread evenly over 10 position bins
    # (multinomial: each bin within 5 standard deviations of its share)
    kept = sampler.sample_indices_[y_res == 0]
    majority = np.flatnonzero(y == 0)
    bins = np.linspace(0, len(y), 11)
    expected = np.histogram(majority, bins)[0] / len(majority) * len(kept)
    observed = np.histogram(kept, bins)[0]
    assert len(kept) == round(len(majority) / 10)
    assert np.all(np.abs(observed - expected) < 5 * np.sqrt(expected))


@pytest.fixture(scope="module")
def large():
    """150,000 rows of 3 classes in random order (3 draw blocks); weights."""
    rng = np.random.RandomState(2)
    y = rng.choice(3, size=150_000, p=[0.85, 0.1, 0.05])
    X = np.column_stack([np.arange(len(y)), rng.normal(size=len(y))])
    return X, y, rng.uniform(0.5, 2.0, size=len(y))


@pytest.mark.parametrize("params", [{}, {"factor": 7}, {"sampling_strategy": {0: 5_000,
                                                                                1: 999}},
                                    {"sampling_strategy": "majority"}])
@pytest.mark.parametrize("chunks", [25_000, (40_000, 65_537, 44_463), "unknown"])
def test_dask_array_keeps_the_same_rows_as_in_memory(large, params, chunks):
    # Setup
    da = pytest.importorskip("dask.array")
    import dask

    X, y, w = large
    memory = DownsampleUpweight(random_state=0, **params)
    X_mem, y_mem = memory.fit_resample(X, y, sample_weight=w)
    rows = 20_000 if chunks == "unknown" else chunks
    lazy_inputs = [da.from_array(v, chunks=(rows,) + v.shape[1:]) for v in (X, y, w)]
    if chunks == "unknown":
        mask = da.from_array(np.ones(len(y), dtype=bool), chunks=20_000)
        lazy_inputs = [v[mask] for v in lazy_inputs]

    # Run
    with dask.config.set(scheduler="synchronous"):
        lazy = DownsampleUpweight(random_state=0, **params)
        X_res, y_res = lazy.fit_resample(*lazy_inputs[:2], sample_weight=lazy_inputs[2])
        assert isinstance(X_res, da.Array)
        X_res, y_res, indices, weights = dask.compute(X_res, y_res, lazy.sample_indices_,
                                                      lazy.sample_weight_)

    # Assert: the same rows and weights; the same counts and factors
    assert_array_equal(X_res, X_mem)
    assert_array_equal(y_res, y_mem)
    assert_array_equal(indices, memory.sample_indices_)
    assert_array_equal(weights, memory.sample_weight_)
    assert lazy.sampling_strategy_ == memory.sampling_strategy_
    assert lazy.upweight_ == memory.upweight_


def test_dask_dataframe_keeps_the_same_rows_and_passes_any_column(large, tmp_path):
    # Setup: a parquet dataset of 3 files, with a string and a datetime column
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    dd = pytest.importorskip("dask.dataframe")
    import dask

    X, y, w = large
    frame = pd.DataFrame({"id": X[:, 0].astype(int), "x": X[:, 1],
                          "name": np.where(y == 0, "a", "b"),
                          "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(X[:, 0], "s")})
    frame["label"], frame["w"] = y, w
    for i, rows in enumerate(np.array_split(np.arange(len(y)), 3)):
        frame.iloc[rows].to_parquet(tmp_path / f"part-{i}.parquet")
    columns = ["id", "x", "name", "when"]
    memory = DownsampleUpweight(factor=5, random_state=0)
    X_mem, _ = memory.fit_resample(frame[columns], frame["label"], sample_weight=frame["w"])

    # Run
    source = dd.read_parquet(str(tmp_path))
    with dask.config.set(scheduler="synchronous"):
        lazy = DownsampleUpweight(factor=5, random_state=0)
        X_res, y_res = lazy.fit_resample(source[columns], source["label"],
                                         sample_weight=source["w"])
        assert isinstance(X_res, dd.DataFrame) and isinstance(lazy.sample_weight_, dd.Series)
        sample = X_res.assign(label=y_res, weight=lazy.sample_weight_).compute()

    # Assert: the same rows, columns and dtypes; labels and weights aligned
    assert list(X_res.columns) == columns
    pd.testing.assert_frame_equal(sample[columns].reset_index(drop=True),
                                  X_mem.reset_index(drop=True), check_dtype=False)
    assert_array_equal(sample["label"].to_numpy(), y[memory.sample_indices_])
    assert_array_equal(sample["weight"].to_numpy(), memory.sample_weight_)


@pytest.mark.parametrize("params, match", [
    ({"sampling_strategy": 0.5}, "can be a float only when the type of target is binary"),
    ({"sampling_strategy": {0: 10**6}}, "under-sampling"),
    ({"sampling_strategy": {9: 10}}, "not present in the data"),
])
def test_dask_bad_strategies_fail_as_in_memory(large, params, match):
    # Setup
    da = pytest.importorskip("dask.array")
    X, y, _ = large

    # Run / Assert: the same errors, before anything is computed from X
    with pytest.raises(ValueError, match=match):
        DownsampleUpweight(**params).fit_resample(X, y)
    with pytest.raises(ValueError, match=match):
        DownsampleUpweight(**params).fit_resample(da.from_array(X, chunks=(50_000, 2)),
                                                  da.from_array(y, chunks=50_000))


def test_dask_inputs_split_differently_are_an_error(large):
    # Setup
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y, _ = large
    frame = dd.from_pandas(pd.DataFrame(X, columns=["a", "b"]), npartitions=3)
    labels = dd.from_pandas(pd.Series(y), npartitions=2)

    # Run / Assert
    with pytest.raises(InputError, match="3 partitions and y has 2"):
        DownsampleUpweight().fit_resample(frame, labels)
    with pytest.raises(InputError, match="not a DataFrame"):
        DownsampleUpweight().fit_resample(frame, labels.to_frame())
