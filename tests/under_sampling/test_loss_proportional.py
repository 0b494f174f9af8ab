"""LossProportionalSampler: unbiased weights, exact targets, chunking, dask."""

import tracemalloc

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.tree import DecisionTreeClassifier

from imblearn_gan import LossProportionalSampler
from imblearn_gan.backend.pilot import fit_logistic_pilot
from imblearn_gan.exceptions import InputError
from imblearn_gan.under_sampling._lps_select import (
    combine_histograms,
    combine_values,
    histogram,
    in_ranges,
    keep_probability,
    row_scores,
    solve_lambda,
)

FAST = {"pilot_size": 2_000, "cross_fit": 2, "pilot_max_iter": 30, "device": "cpu",
        "random_state": 0}


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=4_000, n_features=6, n_informative=4,
                               weights=[0.9], flip_y=0.02, random_state=0)
    return X.astype(np.float32), y


def _brute_lambda(losses, target, p_min):
    """Bisection on lambda over all rows (the reference the fast solver must match)."""
    lo, hi = 0.0, 1e12
    for _ in range(200):
        mid = (lo + hi) / 2
        if keep_probability(losses, mid, p_min).sum() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _solve_in_blocks(losses, blocks, target, p_min):
    """solve_lambda with its summaries computed over the row blocks ``blocks``."""
    finite = losses[np.isfinite(losses)]
    return solve_lambda(
        lambda edges: combine_histograms(histogram(losses[b], edges) for b in blocks),
        lambda ranges: combine_values(in_ranges(losses[b], ranges) for b in blocks),
        len(losses), finite.min(), finite.max(), target, p_min)


@pytest.mark.parametrize("ties", [False, True])
def test_solve_lambda_matches_brute_force(ties):
    # Setup: 50,000 losses over 6 decades (or 3 tied values) and some +inf rows
    rng = np.random.RandomState(0)
    losses = np.exp(rng.uniform(-10, 3, 50_000)).astype(np.float32)
    if ties:
        losses = rng.choice(np.float32([0.01, 0.3, 2.0]), 50_000)
    losses[:500] = np.inf
    target, p_min = 6_000.0, 0.02

    # Run (summaries over 7 blocks, as the chunked path does)
    lam = _solve_in_blocks(losses, np.array_split(np.arange(len(losses)), 7), target, p_min)

    # Assert: the expected size is the target, and lambda is the brute-force one
    assert keep_probability(losses, lam, p_min).sum() == pytest.approx(target, rel=1e-9)
    assert lam == pytest.approx(_brute_lambda(losses, target, p_min), rel=1e-6)


def test_solve_lambda_is_the_same_bits_for_any_blocking():
    # Setup: 200,000 scores over 8 decades; blockings of many sizes, and shuffled
    rng = np.random.RandomState(1)
    losses = np.exp(rng.uniform(-12, 4, 200_000)).astype(np.float32)
    rows = np.arange(len(losses))
    blockings = [[rows], np.array_split(rows, 3), np.array_split(rows, 97),
                 [rows[a:a + 65_536] for a in range(0, len(rows), 65_536)]]
    shuffled = np.array_split(rows, 41)
    rng.shuffle(shuffled)  # partial results combined in another order
    blockings.append(shuffled)

    # Run
    lams = [_solve_in_blocks(losses, blocks, 20_000.0, 0.01) for blocks in blockings]

    # Assert: exact summaries give one lambda, to the last bit
    assert len(set(lams)) == 1, lams


@pytest.mark.parametrize("strategy", ["auto", "all"])
def test_weighted_mean_is_unbiased_monte_carlo(data, strategy):
    # Setup: a frozen pilot (no refit per seed); statistics tied to the loss
    X, y = data
    pilot = FrozenEstimator(LogisticRegression().fit(X[:1000], y[:1000]))
    truth = np.array([X[:, 0].mean(), y.mean()])
    estimates, naive = [], []

    # Run: 300 seeds; Horvitz-Thompson mean = sum(w * stat) / n
    for seed in range(300):
        sampler = LossProportionalSampler(pilot=pilot, cross_fit=None, sample_size=0.05,
                                          sampling_strategy=strategy, random_state=seed)
        X_res, y_res = sampler.fit_resample(X, y)
        stats = np.column_stack([X_res[:, 0], y_res])
        estimates.append(sampler.sample_weight_ @ stats / len(y))
        naive.append(stats.mean(axis=0))  # wrong weights: all equal
    estimates, naive = np.array(estimates), np.array(naive)

    # Assert: within 4 standard errors of the full-data value (the class share
    # is exact when the minority is kept whole: its rows have weight 1); the
    # unweighted mean (wrong weights) is far off, so the test can fail
    se = estimates.std(axis=0, ddof=1) / np.sqrt(len(estimates))
    assert np.all(np.abs(estimates.mean(axis=0) - truth) <= 4 * se + 1e-12)
    if strategy == "auto":
        np.testing.assert_allclose(estimates[:, 1], truth[1], rtol=1e-12)
    se_naive = naive.std(axis=0, ddof=1) / np.sqrt(len(naive))
    assert np.all(np.abs(naive.mean(axis=0) - truth) > 10 * se_naive)


def test_default_keeps_every_minority_row_with_weight_one(data):
    # Setup
    X, y = data

    # Run: the default, and the strategy it stands for
    default = LossProportionalSampler(**FAST)
    _, y_res = default.fit_resample(X, y)
    explicit = LossProportionalSampler(sampling_strategy="not minority", **FAST)
    explicit.fit_resample(X, y)

    # Assert: every minority row, p = 1, weight 1; a tenth of the majority
    # in expectation; the same rows as "not minority"
    assert default.sampling_strategy == "auto"
    assert list(default.sampling_strategy_) == [0]
    minority = np.flatnonzero(y == 1)
    np.testing.assert_array_equal(default.sample_indices_[y_res == 1], minority)
    np.testing.assert_array_equal(default.keep_probability_[y_res == 1], 1.0)
    np.testing.assert_array_equal(default.sample_weight_[y_res == 1], 1.0)
    assert default.target_size_ == pytest.approx(0.1 * np.sum(y == 0))
    assert default.expected_sample_size_ == pytest.approx(
        default.target_size_ + len(minority), rel=1e-9)
    np.testing.assert_array_equal(default.sample_indices_, explicit.sample_indices_)


def test_default_keeps_only_the_smallest_of_three_classes():
    # Setup: classes of 3,000, 1,000 and 300 rows
    X, y = make_classification(n_samples=4_300, n_classes=3, n_informative=4,
                               weights=[3000 / 4300, 1000 / 4300], flip_y=0, random_state=0)
    counts = np.bincount(y)

    # Run
    sampler = LossProportionalSampler(**FAST)
    _, y_res = sampler.fit_resample(X, y)

    # Assert: the two larger classes are subsampled to a tenth together
    smallest = int(np.argmin(counts))
    assert sorted(sampler.sampling_strategy_) == sorted(set(range(3)) - {smallest})
    assert np.sum(y_res == smallest) == counts[smallest]
    assert sampler.target_size_ == pytest.approx(0.1 * (len(y) - counts[smallest]))


@pytest.mark.parametrize("sample_size,strategy", [(0.1, "all"), (300, "all"),
                                                  (0.2, "majority")])
def test_expected_sample_size_meets_target(data, sample_size, strategy):
    # Setup
    X, y = data
    n_sub = len(y) if strategy == "all" else int(np.sum(y == 0))
    target = sample_size * n_sub if isinstance(sample_size, float) else sample_size

    # Run
    sampler = LossProportionalSampler(sample_size=sample_size, sampling_strategy=strategy,
                                      **FAST)
    X_res, _ = sampler.fit_resample(X, y)

    # Assert: exact in expectation; realised within 4 sd of a Poisson-binomial
    n_fixed = len(y) - n_sub
    assert sampler.target_size_ == pytest.approx(target)
    assert sampler.expected_sample_size_ == pytest.approx(target + n_fixed, rel=1e-9)
    assert abs(len(X_res) - n_fixed - target) < 4 * np.sqrt(target)


def test_minority_rows_kept_when_only_majority_is_subsampled(data):
    # Setup
    X, y = data
    weights = np.linspace(0.5, 2.0, len(y))

    # Run
    sampler = LossProportionalSampler(sampling_strategy="majority", **FAST)
    _, y_res = sampler.fit_resample(X, y, sample_weight=weights)

    # Assert: every minority row, with p = 1 and its own weight
    minority = np.flatnonzero(y == 1)
    kept = sampler.sample_indices_[y_res == 1]
    np.testing.assert_array_equal(kept, minority)
    np.testing.assert_array_equal(sampler.keep_probability_[y_res == 1], 1.0)
    np.testing.assert_allclose(sampler.sample_weight_[y_res == 1], weights[minority])
    assert np.sum(y_res == 0) < 0.2 * np.sum(y == 0)


def test_p_min_bounds_probabilities_and_weights(data):
    # Setup
    X, y = data

    # Run
    sampler = LossProportionalSampler(p_min=0.05, sample_size=0.1, **FAST)
    sampler.fit_resample(X, y)

    # Assert
    assert sampler.p_min_ == 0.05
    assert sampler.keep_probability_.min() >= 0.05
    assert sampler.sample_weight_.max() <= 1 / 0.05 + 1e-9
    assert sampler.n_at_p_min_ > 0


def test_incoming_weights_are_multiplied_in(data):
    # Setup
    X, y = data

    # Run
    sampler = LossProportionalSampler(**FAST)
    sampler.fit_resample(X, y, sample_weight=np.full(len(y), 3.0))

    # Assert
    np.testing.assert_allclose(sampler.sample_weight_, 3.0 / sampler.keep_probability_)


# a memorising tree's out-of-sample mean score: log-loss of its mistakes
# (-log 1e-7 each), its error rate (~4% here) for 1 - p(y | x)
@pytest.mark.parametrize("design, honest_score", [
    ("loss", 0.5), ("local-case-control", 0.02), ("gradient-norm", 0.1)])
def test_cross_fit_scores_pilot_rows_out_of_sample(data, design, honest_score):
    # Setup: a tree memorises its training rows (in-sample loss ~ 0)
    X, y = data
    tree = DecisionTreeClassifier(random_state=0)
    common = {"pilot": tree, "pilot_size": len(y), "random_state": 0, "design": design}

    # Run
    in_sample = LossProportionalSampler(cross_fit=None, **common)
    in_sample.fit_resample(X, y)
    crossed = LossProportionalSampler(cross_fit=4, **common)
    crossed.fit_resample(X, y)

    # Assert: scored by the pilot that saw them, every loss is at the floor, so
    # the sample of the subsampled (majority) class degenerates to a uniform
    # one; cross-fitted, losses are honest
    def majority_probabilities(sampler):
        return sampler.keep_probability_[y[sampler.sample_indices_] == 0]

    assert in_sample.pilot_loss_ < 1e-6
    assert np.ptp(majority_probabilities(in_sample)) < 1e-12
    assert crossed.pilot_loss_ > honest_score
    assert len(crossed.cross_fit_pilots_) == 4
    assert np.ptp(majority_probabilities(crossed)) > 0.5


def test_custom_pilot_with_string_labels(data):
    # Setup
    X, y = data
    labels = np.array(["common", "rare"])[y]
    pilot = LogisticRegression(max_iter=200)

    # Run
    sampler = LossProportionalSampler(pilot=pilot, **{**FAST, "cross_fit": 3})
    _, y_res = sampler.fit_resample(X, labels)

    # Assert: clones are fitted; the passed estimator is untouched
    assert set(y_res) == {"common", "rare"}
    assert list(sampler.pilot_.classes_) == ["common", "rare"]
    assert len(sampler.cross_fit_pilots_) == 3
    assert not hasattr(pilot, "coef_")


def test_chunked_equals_unchunked(data):
    # Setup
    X, y = data

    # Run
    small = LossProportionalSampler(chunk_size=333, **FAST)
    X_small, _ = small.fit_resample(X, y)
    whole = LossProportionalSampler(chunk_size=10**7, **FAST)
    X_whole, _ = whole.fit_resample(X, y)

    # Assert
    np.testing.assert_array_equal(small.sample_indices_, whole.sample_indices_)
    np.testing.assert_array_equal(small.sample_weight_, whole.sample_weight_)
    np.testing.assert_array_equal(X_small, X_whole)


@pytest.mark.slow
def test_float32_input_is_not_copied():
    # Setup: 200,000 x 20 float32 (16 MB); a float64 copy would be 32 MB
    rng = np.random.RandomState(0)
    X = rng.standard_normal((200_000, 20)).astype(np.float32)
    y = (X[:, 0] + rng.standard_normal(200_000) > 1.5).astype(int)
    sampler = LossProportionalSampler(pilot_size=5_000, cross_fit=2, chunk_size=20_000,
                                      device="cpu", random_state=0)
    # torch imports modules on the first optimizer step: not part of the fit
    LossProportionalSampler(**FAST).fit_resample(X[:2_000], y[:2_000])

    # Run
    tracemalloc.start()
    X_res, _ = sampler.fit_resample(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # Assert: the output (the minority and a tenth of the majority) + losses
    # (1/20 of X) + chunks; a copy of X would add X.nbytes
    assert X_res.dtype == np.float32
    assert peak < X_res.nbytes + 0.25 * X.nbytes, peak / X.nbytes


def test_squared_error_loss(data):
    # Setup
    X, y = data

    # Run
    log = LossProportionalSampler(design="loss", **FAST).fit(X, y)
    brier = LossProportionalSampler(design="loss", loss="squared_error", **FAST)
    brier.fit_resample(X, y)
    log.fit_resample(X, y)

    # Assert: another loss, other probabilities, the same target
    n_minority = int(np.sum(y == 1))
    assert brier.expected_sample_size_ == pytest.approx(0.1 * (len(y) - n_minority) + n_minority)
    assert brier.expected_sample_size_ == pytest.approx(log.expected_sample_size_)
    assert brier.lambda_ != pytest.approx(log.lambda_)


def test_torch_pilot_matches_sklearn_log_loss_and_stops(data):
    # Setup
    X, y = data

    # Run
    pilot = fit_logistic_pilot(X, y, 2, tol=1e-6, max_iter=500)
    reference = LogisticRegression(C=1e6, max_iter=1000).fit(X, y)

    # Assert: same log-loss as scikit-learn's lbfgs; stopped before max_iter
    ours = log_loss(y, pilot.predict_proba(X))
    assert ours == pytest.approx(log_loss(y, reference.predict_proba(X)), abs=1e-3)
    assert len(pilot.history) < 50


def test_weights_reach_the_final_estimator_in_pipeline(data):
    # Setup
    from imblearn_gan.pipeline import make_pipeline

    X, y = data
    seen = {}

    class Recorder(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            seen["w"] = sample_weight
            return super().fit(X, y, sample_weight=sample_weight)

    # Run
    pipe = make_pipeline(LossProportionalSampler(**FAST), Recorder())
    pipe.fit(X, y)

    # Assert
    np.testing.assert_array_equal(seen["w"], pipe[0].sample_weight_)


@pytest.mark.parametrize("params,message", [
    ({"sample_size": 0.005, "p_min": 0.01}, "Lower p_min or raise sample_size"),
    ({"sample_size": 10**6}, "asks for more rows"),
])
def test_targets_out_of_range(data, params, message):
    X, y = data
    with pytest.raises(InputError, match=message):
        LossProportionalSampler(**{**FAST, **params}).fit_resample(X, y)


@pytest.mark.parametrize("params", [{"p_min": 0.0}, {"p_min": 1.5},
                                    {"sample_size": 1.5}, {"loss": "hinge"},
                                    {"pilot": object()}, {"cross_fit": 1},
                                    {"design": "uniform"}])
def test_bad_parameters(data, params):
    X, y = data
    with pytest.raises(ValueError, match="parameter of LossProportionalSampler must"):
        LossProportionalSampler(**params).fit_resample(X, y)


def test_bad_input(data):
    X, y = data
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LossProportionalSampler(**FAST).fit_resample(bad, y)
    with pytest.raises(ValueError, match="class"):
        LossProportionalSampler(**FAST).fit_resample(X, np.zeros(len(y)))
    with pytest.raises(InputError, match="sample_weight"):
        LossProportionalSampler(**FAST).fit_resample(X, y, sample_weight=np.ones(3))
    # one row of a class: some fold pilot of a scikit-learn model would see one class
    single = np.zeros(len(y), dtype=int)
    single[7] = 1
    with pytest.raises(InputError, match="one class only"):
        LossProportionalSampler(pilot=LogisticRegression(), **FAST).fit_resample(X, single)


@pytest.fixture(scope="module")
def big():
    """60,000 rows (30x FAST's pilot_size), 5% positives, float32, and weights."""
    X, y = make_classification(n_samples=60_000, n_features=5, n_informative=3,
                               weights=[0.95], random_state=1)
    return X.astype(np.float32), y, np.linspace(0.5, 2.0, len(y))


def _lazy_results(sampler):
    import dask

    return dask.compute(sampler.sample_indices_, sampler.sample_weight_,
                        sampler.keep_probability_)


@pytest.mark.parametrize("chunks", [25_000, 100_000, (7_000, 30_001, 22_999), "unknown"])
def test_dask_keeps_the_same_rows_and_weights_as_in_memory(big, chunks):
    # Setup: the in-memory reference; partitions unrelated to chunk_size
    da = pytest.importorskip("dask.array")
    import dask

    X, y, w = big
    memory = LossProportionalSampler(**FAST)
    X_mem, y_mem = memory.fit_resample(X, y, sample_weight=w)
    if chunks == "unknown":  # row counts unknown until computed (a filter keeps all rows)
        X_lazy, y_lazy, w_lazy = (da.from_array(v, chunks=20_000) for v in (X, y, w))
        mask = da.from_array(np.ones(len(y), dtype=bool), chunks=20_000)
        X_lazy, y_lazy, w_lazy = X_lazy[mask], y_lazy[mask], w_lazy[mask]
        assert np.isnan(X_lazy.shape[0])
    else:
        X_lazy, y_lazy = da.from_array(X, chunks=(chunks, 2)), da.from_array(y, chunks=chunks)
        w_lazy = da.from_array(w, chunks=9_000)  # split otherwise: rechunked like X

    # Run (the synchronous scheduler; test_dask_distributed.py runs a cluster)
    with dask.config.set(scheduler="synchronous"):
        lazy = LossProportionalSampler(**FAST)
        X_res, y_res = lazy.fit_resample(X_lazy, y_lazy, sample_weight=w_lazy)
        assert isinstance(X_res, da.Array) and isinstance(lazy.sample_weight_, da.Array)
        X_res, y_res = dask.compute(X_res, y_res)
        indices, weights, proba = _lazy_results(lazy)

    # Assert: the same rows, weights and probabilities, to the last bit
    np.testing.assert_array_equal(X_res, X_mem)
    np.testing.assert_array_equal(y_res, y_mem)
    np.testing.assert_array_equal(indices, memory.sample_indices_)
    np.testing.assert_array_equal(weights, memory.sample_weight_)
    np.testing.assert_array_equal(proba, memory.keep_probability_)
    for name in ["lambda_", "pilot_loss_", "expected_sample_size_", "n_at_p_min_",
                 "n_at_one_"]:
        assert getattr(lazy, name) == getattr(memory, name), name


def test_dask_matches_in_memory_with_the_default_pilot_size():
    # Setup: more rows than the default pilot_size (100,000): pilot rows are
    # scored by the fold pilots, the others by pilot_; partitions cut through both
    da = pytest.importorskip("dask.array")
    import dask

    X, y = make_classification(n_samples=130_000, n_features=6, weights=[0.9],
                               random_state=3)
    X = X.astype(np.float32)
    memory = LossProportionalSampler(device="cpu", random_state=0)
    memory.fit_resample(X, y)

    # Run
    with dask.config.set(scheduler="synchronous"):
        lazy = LossProportionalSampler(device="cpu", random_state=0)
        lazy.fit_resample(da.from_array(X, chunks=(25_000, 6)), da.from_array(y, chunks=25_000))
        indices, weights, _ = _lazy_results(lazy)

    # Assert
    np.testing.assert_array_equal(indices, memory.sample_indices_)
    np.testing.assert_array_equal(weights, memory.sample_weight_)
    assert lazy.lambda_ == memory.lambda_


def test_dask_dataframe_from_parquet_matches_in_memory(big, tmp_path):
    # Setup: a parquet dataset of 4 files (partition sizes unknown to dask) and
    # the same rows as one pandas DataFrame
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    dd = pytest.importorskip("dask.dataframe")
    import dask

    X, y, w = big
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    frame["label"], frame["w"] = y, w
    for i, rows in enumerate(np.array_split(np.arange(len(y)), 4)):
        frame.iloc[rows].to_parquet(tmp_path / f"part-{i}.parquet")
    memory = LossProportionalSampler(**FAST)
    X_mem, _ = memory.fit_resample(frame.drop(columns=["label", "w"]), frame["label"],
                                   sample_weight=frame["w"])

    # Run
    lazy_frame = dd.read_parquet(str(tmp_path))
    with dask.config.set(scheduler="synchronous"):
        lazy = LossProportionalSampler(**FAST)
        X_res, y_res = lazy.fit_resample(lazy_frame.drop(columns=["label", "w"]),
                                         lazy_frame["label"],
                                         sample_weight=lazy_frame["w"])
        assert isinstance(X_res, dd.DataFrame) and isinstance(y_res, dd.Series)
        assert isinstance(lazy.sample_weight_, dd.Series)
        sample = X_res.assign(label=y_res, weight=lazy.sample_weight_).compute()

    # Assert: the same rows, labels and weights, aligned in one frame
    assert list(X_res.columns) == list(X_mem.columns)
    np.testing.assert_array_equal(sample[list(X_mem.columns)].to_numpy(), X_mem.to_numpy())
    np.testing.assert_array_equal(sample["label"].to_numpy(), y[memory.sample_indices_])
    np.testing.assert_array_equal(sample["weight"].to_numpy(), memory.sample_weight_)
    assert lazy.feature_names_in_.tolist() == list(X_mem.columns)


def test_dask_bad_input(data):
    da = pytest.importorskip("dask.array")
    X, y = data
    bad = X.copy()
    bad[5, 0] = np.inf
    sampler = LossProportionalSampler(**FAST)
    with pytest.raises(InputError, match="NaN or infinity"):
        sampler.fit_resample(da.from_array(bad, chunks=1000), da.from_array(y, chunks=1000))
    with pytest.raises(InputError, match="split alike"):  # X filtered, y not
        X_lazy = da.from_array(X, chunks=1000)
        sampler.fit_resample(X_lazy[X_lazy[:, 0] > 0], da.from_array(y, chunks=1000))


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs CUDA")
def test_cuda_pilot_matches_cpu(data):
    # Setup
    X, y = data

    # Run
    cpu = LossProportionalSampler(**FAST)
    cpu.fit_resample(X, y)
    gpu = LossProportionalSampler(**{**FAST, "device": "cuda"})
    gpu.fit_resample(X, y)

    # Assert: the same target; pilots agree to float32 precision
    assert gpu.expected_sample_size_ == pytest.approx(cpu.expected_sample_size_)
    assert gpu.pilot_loss_ == pytest.approx(cpu.pilot_loss_, rel=1e-3)


def test_integer_input_keeps_its_dtype_and_a_failed_fit_leaves_nothing(data):
    # Setup
    X, y = data
    X_int = np.round(X * 10).astype(np.int32)
    sampler = LossProportionalSampler(**FAST)

    # Run
    X_res, _ = sampler.fit_resample(X_int, y)
    kept = sampler.sample_indices_
    with pytest.raises(InputError):
        sampler.fit_resample(X, y, sample_weight=-np.ones(len(y)))

    # Assert: rows of X, not converted; the failed fit removed the old state
    assert X_res.dtype == np.int32
    np.testing.assert_array_equal(X_res, X_int[kept])
    assert [k for k in vars(sampler) if k.endswith("_")] == []


def test_non_numeric_dataframe_column_is_named(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X[:, :2], columns=["a", "b"])
    frame["when"] = pd.date_range("2024-01-01", periods=len(y), freq="h")
    with pytest.raises(InputError, match="when"):
        LossProportionalSampler(**FAST).fit_resample(frame, y)


# -- sampling designs ------------------------------------------------------------


def test_design_scores():
    # Setup: two rows, three classes; the second class is not subsampled
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    codes = np.array([0, 2])
    targeted = np.array([True, False, True])
    x_norm = np.array([2.0, 3.0])

    # Run
    scores = {design: row_scores(proba, codes, targeted, design=design, x_norm=x_norm)
              for design in ["loss", "local-case-control", "gradient-norm"]}

    # Assert: -log p_true; 1 - p_true; ||p - e_true|| * ||(1, x)||
    np.testing.assert_allclose(scores["loss"], -np.log([0.7, 0.6]), rtol=1e-6)
    np.testing.assert_allclose(scores["local-case-control"], [0.3, 0.4], rtol=1e-6)
    np.testing.assert_allclose(scores["gradient-norm"],
                               [np.sqrt(0.09 + 0.04 + 0.01) * 2, np.sqrt(0.01 + 0.09 + 0.16) * 3],
                               rtol=1e-6)
    assert scores["loss"].dtype == np.float32


@pytest.mark.parametrize("design", ["loss", "local-case-control", "gradient-norm"])
def test_every_design_gives_unbiased_weighted_estimates(data, design):
    # Setup: a frozen pilot (the same keep probabilities for every seed), every
    # class subsampled; statistics: the count of each class, the mean of a column
    X, y = data
    X, y = X[:2_500], y[:2_500]
    pilot = FrozenEstimator(LogisticRegression().fit(X[:1000], y[:1000]))
    truth = np.array([np.sum(y == 0), np.sum(y == 1), X[:, 1].mean()])

    # Run: 200 seeds; Horvitz-Thompson estimates (and naive ones: rows scaled by
    # n / n_kept, as if the sample were uniform)
    estimates, naive = [], []
    for seed in range(200):
        sampler = LossProportionalSampler(pilot=pilot, cross_fit=None, design=design,
                                          sampling_strategy="all", sample_size=0.1,
                                          random_state=seed)
        X_res, y_res = sampler.fit_resample(X, y)
        stats = np.column_stack([y_res == 0, y_res == 1, X_res[:, 1] / len(y)])
        estimates.append(sampler.sample_weight_ @ stats)
        naive.append(stats.sum(axis=0) * len(y) / len(y_res))
    estimates, naive = np.array(estimates), np.array(naive)

    # Assert: each estimate within 4 Monte-Carlo standard errors of the truth;
    # the naive estimates are not (the designs favour hard rows, so the test can fail)
    se = estimates.std(axis=0, ddof=1) / np.sqrt(len(estimates))
    assert np.all(np.abs(estimates.mean(axis=0) - truth) <= 4 * se), (estimates.mean(0), truth)
    se_naive = naive.std(axis=0, ddof=1) / np.sqrt(len(naive))
    assert np.any(np.abs(naive.mean(axis=0) - truth) > 10 * se_naive)


def _logistic_data(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n, 3))
    logit = X @ np.array([1.5, -2.0, 0.5]) - 3.0
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def _coefficient_se(model, X):
    """Standard errors of (intercept, coef) of an unweighted logistic fit on ``X``."""
    design = np.column_stack([np.ones(len(X)), X])
    p = model.predict_proba(X)[:, 1]
    return np.sqrt(np.diag(np.linalg.inv(design.T @ (design * (p * (1 - p))[:, None]))))


def test_local_case_control_correction_is_consistent():
    # Setup: 200,000 rows of a logistic model (about 16% positives); the
    # full-data fit is the target
    X, y = _logistic_data(200_000, seed=0)
    full = LogisticRegression(C=1e6, max_iter=1000).fit(X, y)

    # Run: the paper's sample (one pilot, keep probability proportional to
    # |y - p_pilot(x)|, nothing clipped), an unweighted fit on it, the correction
    sampler = LossProportionalSampler(design="local-case-control", sampling_strategy="all",
                                      cross_fit=None, pilot_size=5_000, p_min=1e-9,
                                      sample_size=0.03, device="cpu", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    sub = LogisticRegression(C=1e6, max_iter=1000).fit(X_res, y_res)
    corrected = sampler.correct_logistic(sub)

    # Assert: within 4 standard errors of the subsample fit (the estimator's
    # noise; the full fit's is far smaller) of the full-data coefficients, which
    # the uncorrected fit misses by far
    se = _coefficient_se(sub, X_res)
    ours = np.r_[corrected.intercept_, corrected.coef_.ravel()]
    target = np.r_[full.intercept_, full.coef_.ravel()]
    raw = np.r_[sub.intercept_, sub.coef_.ravel()]
    assert np.all(np.abs(ours - target) <= 4 * se), (ours, target, se)
    assert np.max(np.abs(raw - target) / se) > 20
    assert sampler.n_at_p_min_ == sampler.n_at_one_ == 0
    assert not hasattr(sub, "_corrected") and np.array_equal(sub.coef_.ravel(), raw[1:])


@pytest.mark.parametrize("params,message", [
    ({"design": "loss"}, "design='loss'"),
    ({"cross_fit": 2}, "cross_fit=2"),
    ({"p_min": 0.01}, "rows at p_min"),
    ({"sampling_strategy": "majority"}, "both subsampled"),
])
def test_local_case_control_correction_needs_the_papers_sample(params, message):
    # Setup
    X, y = _logistic_data(5_000, seed=1)
    base = {"design": "local-case-control", "sampling_strategy": "all", "cross_fit": None,
            "pilot_size": 2_000, "p_min": 1e-9, "sample_size": 0.05, "device": "cpu",
            "random_state": 0}
    sampler = LossProportionalSampler(**{**base, **params})
    X_res, y_res = sampler.fit_resample(X, y)
    sub = LogisticRegression().fit(X_res, y_res)

    # Run / Assert
    with pytest.raises(InputError, match=message):
        sampler.correct_logistic(sub)


@pytest.mark.parametrize("design", ["loss", "gradient-norm"])
def test_designs_keep_the_same_rows_on_dask(data, design):
    # Setup
    da = pytest.importorskip("dask.array")
    import dask

    X, y = data
    memory = LossProportionalSampler(design=design, **FAST)
    memory.fit_resample(X, y)

    # Run
    with dask.config.set(scheduler="synchronous"):
        lazy = LossProportionalSampler(design=design, **FAST)
        lazy.fit_resample(da.from_array(X, chunks=(1_100, 6)), da.from_array(y, chunks=1_100))
        indices, weights, _ = _lazy_results(lazy)

    # Assert
    np.testing.assert_array_equal(indices, memory.sample_indices_)
    np.testing.assert_array_equal(weights, memory.sample_weight_)
