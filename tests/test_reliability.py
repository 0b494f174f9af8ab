"""Reliability of all five samplers: bad input, determinism, persistence,
parallel use, interruption and numerical faults (docs/reliability.md).

Every test runs for every sampler that ``tests._fast.fast_samplers()``
finds; ``test_all_five_samplers_present`` fails when one is missing, so no
sampler is skipped silently. Bad input must give a ``ValueError`` whose
message names the problem, or a correct result (checked by
``check_result``): never a torch traceback, never a silent wrong shape.
"""

import os
import pickle
import re
from collections import Counter

import joblib
import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.utils.validation import check_is_fitted
from torch.optim.optimizer import register_optimizer_step_post_hook

import imblearn_gan
from imblearn_gan.backend import loop
from imblearn_gan.base import BaseGenerativeOverSampler
from imblearn_gan.exceptions import TrainingDivergedError
from tests._fast import ALL_SAMPLERS, fast_samplers

pd = pytest.importorskip("pandas")

SAMPLERS = fast_samplers()
NEURAL = [s for s in SAMPLERS if isinstance(s, BaseGenerativeOverSampler)]


def _id(sampler):
    return type(sampler).__name__


each_sampler = pytest.mark.parametrize("sampler", SAMPLERS, ids=_id)
each_neural = pytest.mark.parametrize("sampler", NEURAL, ids=_id)


def make_data(counts, n_features=3, seed=0):
    """Gaussian classes, class ``k`` centred at ``2 * k`` on every feature."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    return rng.normal(size=(y.size, n_features)) + 2.0 * y[:, None], y


def is_over(sampler):
    return sampler._sampling_type == "over-sampling"


def check_result(sampler, X, y, X_res, y_res):
    """The output is a correct resampling of ``X, y`` for ``sampler``."""
    X_arr, X_res_arr = np.asarray(X), np.asarray(X_res)
    y_arr, y_res_arr = np.asarray(y), np.asarray(y_res)
    before, after = Counter(y_arr.tolist()), Counter(y_res_arr.tolist())
    assert X_res_arr.ndim == 2 and X_res_arr.shape == (len(y_res_arr), X_arr.shape[1])
    assert y_res_arr.dtype == y_arr.dtype
    if is_over(sampler):
        expected = {c: n + sampler.sampling_strategy_.get(c, 0) for c, n in before.items()}
        assert after == expected
        assert_array_equal(X_res_arr[: len(X_arr)], X_arr)  # originals first, unchanged
    else:
        assert set(after) <= set(before)
        assert all(after[c] <= before[c] for c in after)
        kept = sampler.sample_indices_
        assert_array_equal(X_res_arr, X_arr[kept])
        assert_array_equal(y_res_arr, y_arr[kept])
    if X_res_arr.dtype.kind in "biuf" and np.all(np.isfinite(X_arr.astype(float))):
        assert np.all(np.isfinite(X_res_arr.astype(np.float64)))
    weights = sampler.sample_weight_
    assert weights.dtype == np.float64 and weights.shape == (len(y_res_arr),)


def error_or_result(sampler, X, y, pattern):
    """``fit_resample`` raises a ValueError matching ``pattern`` or gives a
    correct result; returns the exception (or None)."""
    try:
        X_res, y_res = sampler.fit_resample(X, y)
    except ValueError as error:
        assert re.search(pattern, str(error), flags=re.IGNORECASE), str(error)
        return error
    check_result(sampler, X, y, X_res, y_res)
    return None


def fitted_attributes(sampler):
    return sorted(k for k in vars(sampler) if k.endswith("_") and not k.startswith("__"))


def test_all_five_samplers_present():
    # Assert: every sampler of the package is exported and tested here
    missing = [name for name in ALL_SAMPLERS if not hasattr(imblearn_gan, name)]
    assert not missing, f"not exported by imblearn_gan: {missing}"
    assert sorted(_id(s) for s in SAMPLERS) == sorted(ALL_SAMPLERS)


# -- bad input -------------------------------------------------------------------


@each_sampler
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_nan_and_inf_are_named_or_kept(sampler, bad):
    # Setup
    X, y = make_data([40, 20])
    X[3, 1] = bad
    sampler = clone(sampler)

    # Run / Assert: a sampler whose tags allow NaN only selects rows and
    # returns them as they are; any other names the problem
    if not sampler.__sklearn_tags__().input_tags.allow_nan:
        with pytest.raises(ValueError, match=r"NaN|infinity|inf"):
            sampler.fit_resample(X, y)
        return
    X_res, y_res = sampler.fit_resample(X, y)
    check_result(sampler, X, y, X_res, y_res)


@each_sampler
def test_single_class_is_named(sampler):
    # Setup
    X, y = make_data([40])

    # Run / Assert
    with pytest.raises(ValueError, match=r"class"):
        clone(sampler).fit_resample(X, y)


@each_sampler
@pytest.mark.parametrize("n_small", [1, 2])
def test_class_with_one_or_two_rows(sampler, n_small):
    # Setup
    X, y = make_data([60, n_small])
    sampler = clone(sampler)

    # Run
    error = error_or_result(sampler, X, y, r"class\W*1\b")

    # Assert: the neural over-samplers' rule (docs/reliability.md): 2 rows
    # are enough, 1 row raises naming the class
    if isinstance(sampler, BaseGenerativeOverSampler):
        assert (error is not None) == (n_small == 1)


@each_sampler
def test_zero_rows(sampler):
    # Run / Assert
    with pytest.raises(ValueError, match=r"0 sample|0 rows|empty|at least 1|minimum"):
        clone(sampler).fit_resample(np.zeros((0, 3)), np.zeros(0, dtype=int))


@each_sampler
def test_one_feature(sampler):
    # Setup
    X, y = make_data([60, 20], n_features=1)
    sampler = clone(sampler)

    # Run
    X_res, y_res = sampler.fit_resample(X, y)

    # Assert
    check_result(sampler, X, y, X_res, y_res)


@each_sampler
def test_constant_columns(sampler):
    # Setup: one constant column among varying ones, and a table of constants
    X, y = make_data([60, 20])
    X[:, 1] = 7.0
    sampler = clone(sampler)

    # Run
    X_res, y_res = sampler.fit_resample(X, y)
    X_flat, y_flat = clone(sampler).fit_resample(np.full_like(X, 3.0), y)

    # Assert: constants stay constant
    check_result(sampler, X, y, X_res, y_res)
    assert np.all(X_res[:, 1] == 7.0)
    assert np.all(X_flat == 3.0) and len(X_flat) == len(y_flat)


@each_sampler
def test_3d_X_is_named(sampler):
    # Run / Assert
    with pytest.raises(ValueError, match=r"2D|2-D|dim"):
        clone(sampler).fit_resample(np.zeros((40, 3, 2)), np.repeat([0, 1], 20))


@each_sampler
def test_mismatched_lengths_are_named(sampler):
    # Setup
    X, y = make_data([40, 20])

    # Run / Assert
    with pytest.raises(ValueError, match=r"inconsistent|number of (samples|rows)|length"):
        clone(sampler).fit_resample(X, y[:-5])


@each_sampler
def test_string_labels(sampler):
    # Setup
    X, y = make_data([60, 20])
    labels = np.array(["common", "rare"])[y]
    sampler = clone(sampler)

    # Run
    X_res, y_res = sampler.fit_resample(X, labels)

    # Assert
    check_result(sampler, X, labels, X_res, y_res)
    assert set(np.asarray(y_res).tolist()) == {"common", "rare"}


@each_sampler
def test_datetime_column_is_named_or_kept(sampler):
    # Setup
    X, y = make_data([40, 20])
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["when"] = pd.date_range("2024-01-01", periods=len(y), freq="D")
    sampler = clone(sampler)

    # Run
    try:
        X_res, _ = sampler.fit_resample(frame, y)
    except ValueError as error:
        # Assert: the message names the column or the dtype
        assert re.search(r"when|datetime", str(error)), str(error)
        return
    assert list(X_res.columns) == list(frame.columns)
    pd.testing.assert_series_equal(X_res.dtypes, frame.dtypes)
    assert set(X_res["when"]) <= set(frame["when"])


@each_sampler
def test_mixed_object_column_is_named_or_kept(sampler):
    # Setup: one object column holding strings, ints and floats
    X, y = make_data([40, 20])
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["mixed"] = pd.Series(["x", 1, 2.5] * 20, dtype=object)
    sampler = clone(sampler)

    # Run
    try:
        X_res, y_res = sampler.fit_resample(frame, y)
    except ValueError as error:
        # Assert
        assert re.search(r"mixed|object|string|numeric|type", str(error)), str(error)
        return
    assert list(X_res.columns) == list(frame.columns)
    assert set(map(str, X_res["mixed"])) <= {"x", "1", "2.5"}
    assert len(X_res) == len(y_res)


@each_sampler
def test_very_large_values(sampler):
    # Setup: a column in units of 1e30
    X, y = make_data([60, 20])
    X[:, 0] *= 1e30
    sampler = clone(sampler)

    # Run
    error = error_or_result(sampler, X, y, r"large|overflow|scale|finite|inf")

    # Assert: a result stays within the column's range
    if error is None and is_over(sampler):
        X_res, _ = sampler.fit_resample(X, y)
        assert np.abs(X_res[:, 0]).max() <= np.abs(X[:, 0]).max()


def test_tomek_pruner_with_very_large_values_matches_imblearn():
    # Setup: a column in units of 1e30 (its squares overflow float32)
    from imblearn.under_sampling import TomekLinks

    X, y = make_data([60, 20])
    X[:, 0] *= 1e30
    sampler = next((s for s in SAMPLERS if _id(s) == "TomekPruner"), None)
    if sampler is None:
        pytest.fail("TomekPruner is not exported")
    sampler, reference = clone(sampler), TomekLinks()

    # Run
    sampler.fit_resample(X, y)
    reference.fit_resample(X, y)

    # Assert: the same links as imbalanced-learn's float64 search
    assert_array_equal(sampler.sample_indices_, reference.sample_indices_)


@each_sampler
def test_extreme_imbalance(sampler):
    # Setup: 1 : 10,000 (20,000 rows against 2)
    X, y = make_data([20_000, 2], n_features=2)
    sampler = clone(sampler)
    if "batch_size" in sampler.get_params():
        sampler.set_params(batch_size=2048)  # keep the test fast; same code path

    # Run
    X_res, y_res = sampler.fit_resample(X, y)

    # Assert
    check_result(sampler, X, y, X_res, y_res)


@each_sampler
def test_bad_sample_weight_is_named(sampler):
    # Setup
    X, y = make_data([40, 20])

    # Run / Assert
    with pytest.raises(ValueError, match=r"sample_weight"):
        clone(sampler).fit_resample(X, y, sample_weight=np.ones(len(y) - 1))
    with pytest.raises(ValueError, match=r"sample_weight"):
        clone(sampler).fit_resample(X, y, sample_weight=-np.ones(len(y)))


# -- determinism and persistence --------------------------------------------------


def _resample(sampler, X, y):
    return clone(sampler).fit_resample(X, y)


@each_sampler
def test_same_random_state_same_output_across_pickle(sampler):
    # Setup
    X, y = make_data([60, 20])
    restored = pickle.loads(pickle.dumps(clone(sampler)))

    # Run
    X_a, y_a = _resample(sampler, X, y)
    X_b, y_b = _resample(sampler, X, y)
    X_c, y_c = _resample(restored, X, y)

    # Assert
    assert_array_equal(X_a, X_b)
    assert_array_equal(y_a, y_b)
    assert_array_equal(X_a, X_c)
    assert_array_equal(y_a, y_c)


@each_sampler
def test_fitted_sampler_round_trips_through_joblib(sampler, tmp_path):
    # Setup
    X, y = make_data([60, 20])
    sampler = clone(sampler)
    sampler.fit_resample(X, y)
    path = tmp_path / "sampler.joblib"

    # Run
    joblib.dump(sampler, path)
    loaded = joblib.load(path)

    # Assert: same fitted state; generators sample identically
    assert fitted_attributes(loaded) == fitted_attributes(sampler)
    assert_array_equal(loaded.sample_weight_, sampler.sample_weight_)
    if hasattr(sampler, "sample"):
        assert_array_equal(loaded.sample(15, y=1, random_state=3),
                           sampler.sample(15, y=1, random_state=3))


@each_neural
def test_model_trained_on_gpu_samples_on_cpu_only_machine(sampler, monkeypatch):
    # Setup: a sampler "trained on a GPU" (device_ says cuda), loaded where
    # CUDA is absent and any move to a CUDA device fails
    X, y = make_data([60, 20])
    sampler = clone(sampler).fit(X, y)
    expected = sampler.sample(10, y=1, random_state=0)
    sampler.device_ = torch.device("cuda", 0)
    payload = pickle.dumps(sampler)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)

    def no_cuda(*args, **kwargs):
        raise AssertionError("sample() touched CUDA")

    monkeypatch.setattr(torch.Tensor, "cuda", no_cuda)

    # Run
    loaded = pickle.loads(payload)
    rows = loaded.sample(10, y=1, random_state=0)

    # Assert: every fitted tensor lives on the CPU and the rows are the same
    for value in vars(loaded).values():
        if isinstance(value, torch.nn.Module):
            assert {p.device.type for p in value.parameters()} <= {"cpu"}
    assert_array_equal(rows, expected)


def torch_threads_scorer(estimator, X, y):
    """A "score": torch's intra-op thread count where the fold runs."""
    return float(torch.get_num_threads())


@each_sampler
def test_grid_search_parallel_is_deterministic_and_not_oversubscribed(sampler):
    # Setup
    from imblearn_gan.pipeline import make_pipeline

    X, y = make_data([90, 30])
    pipe = make_pipeline(clone(sampler), LogisticRegression(max_iter=500))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    grid = {"logisticregression__C": [0.1, 1.0]}
    scoring = {"auc": "roc_auc", "threads": torch_threads_scorer}

    # Run
    serial = GridSearchCV(pipe, grid, cv=cv, scoring=scoring, refit="auc", n_jobs=1).fit(X, y)
    parallel = GridSearchCV(pipe, grid, cv=cv, scoring=scoring, refit="auc",
                            n_jobs=2).fit(X, y)

    # Assert: same scores in two workers as in one process
    for key in ("split0_test_auc", "split2_test_auc", "mean_test_auc"):
        assert_array_equal(parallel.cv_results_[key], serial.cv_results_[key])
    # each of the 2 workers runs torch on at most its share of the cores
    share = max(1, os.cpu_count() // 2)
    assert parallel.cv_results_["mean_test_threads"].max() <= share


# -- interruption and numerical faults -------------------------------------------


def _interrupt_in_epoch(monkeypatch, epoch=2):
    """KeyboardInterrupt when the training loop starts epoch ``epoch``."""
    real, calls = loop._batches, []

    def interrupting(order, batch_size):
        calls.append(1)
        if len(calls) == epoch:
            raise KeyboardInterrupt
        return real(order, batch_size)

    monkeypatch.setattr(loop, "_batches", interrupting)
    return calls


@each_neural
@pytest.mark.parametrize("refit", [False, True], ids=["fresh", "refit"])
def test_keyboard_interrupt_leaves_sampler_unfitted(sampler, refit, monkeypatch):
    # Setup
    X, y = make_data([60, 20])
    sampler = clone(sampler).set_params(epochs=3)
    if refit:
        sampler.fit_resample(X, y)
        assert fitted_attributes(sampler)
    _interrupt_in_epoch(monkeypatch)

    # Run
    with pytest.raises(KeyboardInterrupt):
        sampler.fit_resample(X, y)

    # Assert: no fitted attribute survives, not even the old ones
    assert fitted_attributes(sampler) == []
    with pytest.raises(NotFittedError):
        check_is_fitted(sampler)
    with pytest.raises(NotFittedError):
        sampler.sample(3, y=1)


def test_keyboard_interrupt_in_the_pilot_leaves_loss_proportional_unfitted(monkeypatch):
    # Setup: LossProportionalSampler trains a pilot model (not the shared loop)
    if not hasattr(imblearn_gan, "LossProportionalSampler"):
        pytest.fail("LossProportionalSampler is not exported")
    from imblearn_gan.under_sampling import _loss_proportional

    X, y = make_data([60, 20])
    sampler = next(s for s in SAMPLERS if _id(s) == "LossProportionalSampler")
    sampler = clone(sampler)
    sampler.fit_resample(X, y)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_loss_proportional, "fit_pilot", interrupted)

    # Run
    with pytest.raises(KeyboardInterrupt):
        sampler.fit_resample(X, y)

    # Assert: as for the neural samplers, nothing half-fitted is left
    assert fitted_attributes(sampler) == []


@each_neural
def test_training_continues_normally_after_an_interrupt(sampler, monkeypatch):
    # Setup
    X, y = make_data([60, 20])
    sampler = clone(sampler)
    expected = _resample(sampler, X, y)
    _interrupt_in_epoch(monkeypatch, epoch=1)
    with pytest.raises(KeyboardInterrupt):
        sampler.fit_resample(X, y)
    monkeypatch.undo()

    # Run
    X_res, y_res = sampler.fit_resample(X, y)

    # Assert
    assert_array_equal(X_res, expected[0])
    assert_array_equal(y_res, expected[1])


@pytest.fixture
def nan_weights_after_each_step():
    """Every optimiser step leaves NaN weights (an exploding update)."""

    def poison(optimizer, args, kwargs):
        with torch.no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    param.fill_(float("nan"))

    handle = register_optimizer_step_post_hook(poison)
    yield
    handle.remove()


@each_neural
def test_diverging_training_raises_and_leaves_no_fit(sampler, nan_weights_after_each_step):
    # Setup
    X, y = make_data([60, 20])
    sampler = clone(sampler)

    # Run / Assert
    with pytest.raises(TrainingDivergedError, match="diverged.*learning_rate"):
        sampler.fit_resample(X, y)
    assert fitted_attributes(sampler) == []


@each_neural
def test_huge_learning_rate_never_returns_nan_rows(sampler):
    # Setup
    X, y = make_data([60, 20])
    sampler = clone(sampler).set_params(learning_rate=1e6)

    # Run / Assert: either a clear error or finite rows
    try:
        X_res, y_res = sampler.fit_resample(X, y)
    except TrainingDivergedError as error:
        assert "diverged" in str(error)
        return
    check_result(sampler, X, y, X_res, y_res)


@each_neural
def test_sample_from_a_corrupted_generator_raises(sampler):
    # Setup: weights that became NaN after fit (e.g. edited by hand)
    X, y = make_data([60, 20])
    sampler = clone(sampler).fit(X, y)
    for value in vars(sampler).values():
        if isinstance(value, torch.nn.Module):
            with torch.no_grad():
                for param in value.parameters():
                    param.fill_(float("nan"))

    # Run / Assert
    with pytest.raises(TrainingDivergedError, match="NaN"):
        sampler.sample(5, y=1)
