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
from imblearn_gan.under_sampling._lps_select import keep_probability, solve_lambda

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


@pytest.mark.parametrize("ties", [False, True])
def test_solve_lambda_matches_brute_force(ties):
    # Setup: 50,000 losses over 6 decades (or 3 tied values) and some +inf rows
    rng = np.random.RandomState(0)
    losses = np.exp(rng.uniform(-10, 3, 50_000)).astype(np.float32)
    if ties:
        losses = rng.choice(np.float32([0.01, 0.3, 2.0]), 50_000)
    losses[:500] = np.inf
    target, p_min = 6_000.0, 0.02
    finite = losses[np.isfinite(losses)]

    # Run (summaries over 7 blocks, as the chunked path does)
    blocks = np.array_split(losses, 7)
    from imblearn_gan.under_sampling._lps_select import histogram, in_ranges

    def summarize(edges):
        parts = [histogram(b, edges) for b in blocks]
        return sum(p[0] for p in parts), sum(p[1] for p in parts)

    def gather(ranges):
        parts = [in_ranges(b, ranges) for b in blocks]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    lam = solve_lambda(summarize, gather, len(losses), finite.min(), finite.max(),
                       target, p_min)

    # Assert: the expected size is the target, and lambda is the brute-force one
    assert keep_probability(losses, lam, p_min).sum() == pytest.approx(target, rel=1e-9)
    assert lam == pytest.approx(_brute_lambda(losses, target, p_min), rel=1e-6)


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


def test_cross_fit_scores_pilot_rows_out_of_sample(data):
    # Setup: a tree memorises its training rows (in-sample loss ~ 0)
    X, y = data
    tree = DecisionTreeClassifier(random_state=0)
    common = {"pilot": tree, "pilot_size": len(y), "random_state": 0}

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
    assert crossed.pilot_loss_ > 0.5
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
    log = LossProportionalSampler(**FAST).fit(X, y)
    brier = LossProportionalSampler(loss="squared_error", **FAST)
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
                                    {"pilot": object()}, {"cross_fit": 1}])
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


def test_dask_matches_in_memory(data):
    # Setup
    da = pytest.importorskip("dask.array")
    import dask

    X, y = data
    weights = np.linspace(1, 2, len(y))
    memory = LossProportionalSampler(**FAST)
    X_mem, y_mem = memory.fit_resample(X, y, sample_weight=weights)

    # Run: partitions unrelated to chunk_size, the local synchronous scheduler
    with dask.config.set(scheduler="synchronous"):
        lazy = LossProportionalSampler(**FAST)
        X_res, y_res = lazy.fit_resample(da.from_array(X, chunks=(700, 3)),
                                         da.from_array(y, chunks=900),
                                         sample_weight=da.from_array(weights, chunks=500))
        assert isinstance(X_res, da.Array) and isinstance(lazy.sample_weight_, da.Array)
        X_res, y_res, w_res = dask.compute(X_res, y_res, lazy.sample_weight_)

    # Assert: the same rows and weights as in memory
    np.testing.assert_array_equal(X_res, X_mem)
    np.testing.assert_array_equal(y_res, y_mem)
    np.testing.assert_allclose(w_res, memory.sample_weight_)
    assert lazy.lambda_ == pytest.approx(memory.lambda_)


def test_dask_bad_input(data):
    da = pytest.importorskip("dask.array")
    X, y = data
    bad = X.copy()
    bad[5, 0] = np.inf
    sampler = LossProportionalSampler(**FAST)
    with pytest.raises(InputError, match="NaN or infinity"):
        sampler.fit_resample(da.from_array(bad, chunks=1000), da.from_array(y, chunks=1000))
    with pytest.raises(InputError, match="unknown chunk sizes"):
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
