"""The selection samplers on a dask.distributed LocalCluster with worker processes.

Two worker processes of one thread each, small data: the same rows as in memory,
the parquet -> cluster -> scikit-learn recipe (and xgboost.dask, when installed),
no partition of X computed in or brought to the client, a clear error for a class
the pilot never saw, and a worker killed mid-run.
"""

import os

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from imblearn_gan import DownsampleUpweight, LossProportionalSampler
from imblearn_gan.calibration import PriorCorrectedClassifier, correct_prior
from imblearn_gan.exceptions import InputError

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")  # parquet
dask = pytest.importorskip("dask")

FAST = {"pilot_size": 2_000, "cross_fit": 2, "pilot_max_iter": 30, "device": "cpu",
        "random_state": 0}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


@pytest.fixture(scope="module")
def data():
    """20,000 rows, 8% positives, float32, and incoming weights."""
    X, y = make_classification(n_samples=20_000, n_features=5, n_informative=3,
                               weights=[0.92], random_state=0)
    return X.astype(np.float32), y, np.linspace(0.5, 2.0, len(y))


def _unknown_sizes(values, rows):
    """A dask array of ``values`` whose partition sizes are unknown (NaN)."""
    lazy = da.from_array(values, chunks=(rows,) + values.shape[1:])
    return lazy[da.from_array(np.ones(len(values), dtype=bool), chunks=rows)]


class _Computed:
    """Records the size of every result ``dask.compute`` brings to the client."""

    def __init__(self, monkeypatch):
        self.sizes = []
        compute = dask.compute

        def recording(*args, **kwargs):
            results = compute(*args, **kwargs)
            self.sizes.append(dask.sizeof.sizeof(results))
            return results

        monkeypatch.setattr(dask, "compute", recording)


def test_loss_proportional_keeps_the_rows_of_the_in_memory_path(client, data, monkeypatch):
    # Setup: the in-memory reference; dask input with unknown partition sizes
    X, y, w = data
    memory = LossProportionalSampler(**FAST)
    X_mem, _ = memory.fit_resample(X, y, sample_weight=w)
    computed = _Computed(monkeypatch)

    # Run on the cluster
    lazy = LossProportionalSampler(**FAST)
    X_res, _ = lazy.fit_resample(_unknown_sizes(X, 3_000), _unknown_sizes(y, 3_000),
                                 sample_weight=_unknown_sizes(w, 3_000))
    brought = list(computed.sizes)
    X_res, indices, weights = dask.compute(X_res, lazy.sample_indices_, lazy.sample_weight_)

    # Assert: the same rows and weights, to the last bit; what came to the client
    # during the fit is small (the pilot rows are 2,000 x 5 float32 = 40 kB)
    np.testing.assert_array_equal(X_res, X_mem)
    np.testing.assert_array_equal(indices, memory.sample_indices_)
    np.testing.assert_array_equal(weights, memory.sample_weight_)
    assert lazy.lambda_ == memory.lambda_
    assert max(brought) < 0.25 * X.nbytes, brought
    assert sum(brought) < 0.5 * X.nbytes, brought


def test_downsample_upweight_keeps_the_rows_of_the_in_memory_path(client, data):
    # Setup
    X, y, w = data
    memory = DownsampleUpweight(factor=4, random_state=0)
    memory.fit_resample(X, y, sample_weight=w)

    # Run
    lazy = DownsampleUpweight(factor=4, random_state=0)
    lazy.fit_resample(da.from_array(X, chunks=(4_000, 5)), da.from_array(y, chunks=4_000),
                      sample_weight=da.from_array(w, chunks=4_000))
    indices, weights = dask.compute(lazy.sample_indices_, lazy.sample_weight_)

    # Assert
    np.testing.assert_array_equal(indices, memory.sample_indices_)
    np.testing.assert_array_equal(weights, memory.sample_weight_)


@pytest.mark.parametrize("sampler", [LossProportionalSampler(**FAST),
                                     DownsampleUpweight(factor=5, random_state=0)],
                         ids=["LossProportionalSampler", "DownsampleUpweight"])
def test_parquet_to_cluster_to_a_weighted_scikit_learn_fit(client, data, tmp_path, sampler,
                                                           monkeypatch):
    # Setup: a parquet dataset in 5 files, and the same rows in memory
    X, y, _ = data
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]).assign(label=y)
    for i, rows in enumerate(np.array_split(np.arange(len(y)), 5)):
        frame.iloc[rows].to_parquet(tmp_path / f"part-{i}.parquet")
    features = [c for c in frame.columns if c != "label"]
    reference = sampler.__class__(**sampler.get_params())
    reference.fit_resample(frame[features], frame["label"])

    # Run: select on the cluster (lazily), bring the weighted sample into memory, fit
    source = dd.read_parquet(str(tmp_path))
    computed = _Computed(monkeypatch)
    X_res, y_res = sampler.fit_resample(source[features], source["label"])
    brought = list(computed.sizes)
    assert isinstance(X_res, dd.DataFrame) and isinstance(sampler.sample_weight_, dd.Series)
    sample = X_res.assign(label=y_res, weight=sampler.sample_weight_).compute()
    model = LogisticRegression(max_iter=1000).fit(
        sample[features], sample["label"], sample_weight=sample["weight"])

    # Assert: the in-memory rows and weights; the weights restore the class counts
    np.testing.assert_array_equal(sample[features].to_numpy(), X[reference.sample_indices_])
    np.testing.assert_array_equal(sample["weight"].to_numpy(), reference.sample_weight_)
    weighted = sample.groupby("label")["weight"].sum()
    np.testing.assert_allclose(weighted, np.bincount(y), rtol=0.05)
    assert model.coef_.shape == (1, len(features))
    assert max(brought) < 0.25 * X.nbytes, brought  # the data stayed on the workers


def _labels_that_change(path, marker):
    """Labels read from ``path``; from the second read on, row 0 is of class 7."""
    labels = np.load(path)
    if os.path.exists(marker):
        labels[0] = 7
    else:
        open(marker, "w").close()
    return labels


@pytest.mark.parametrize("sampler", [LossProportionalSampler(**FAST),
                                     DownsampleUpweight(random_state=0)],
                         ids=["LossProportionalSampler", "DownsampleUpweight"])
def test_a_class_the_pilot_never_saw_is_a_clear_error(client, data, tmp_path, sampler):
    # Setup: y in 4 partitions whose labels change after the first pass (a
    # dataset rewritten while the sampler runs): partition 2 gains a class 7
    X, y, _ = data
    parts = []
    for i, rows in enumerate(np.array_split(np.arange(len(y)), 4)):
        path = tmp_path / f"y{i}.npy"
        np.save(path, y[rows])
        reader = _labels_that_change if i == 2 else (lambda p, m: np.load(p))
        parts.append(da.from_delayed(dask.delayed(reader)(str(path), str(tmp_path / f"m{i}")),
                                     (len(rows),), y.dtype))
    y_lazy = da.concatenate(parts)
    X_lazy = da.from_array(X, chunks=(y_lazy.chunks[0], 5))

    # Run / Assert: the error names the class, whichever worker found it
    with pytest.raises(InputError, match=r"y has the class\(es\) \[7\].*pilot never saw"):
        X_res, _ = sampler.fit_resample(X_lazy, y_lazy)
        X_res.compute()


def _weights_that_kill_once(path, armed):
    """Weights read from ``path``; once ``armed`` exists, the first worker that
    reads them dies (its process exits mid-task; its nanny starts a new one)."""
    if os.path.exists(armed) and not os.path.exists(armed + ".done"):
        try:
            distributed.get_worker()
        except ValueError:  # not in a worker
            return np.load(path)
        open(armed + ".done", "w").close()
        os._exit(1)
    return np.load(path)


@pytest.mark.slow
def test_a_worker_killed_mid_run_recovers_with_the_same_rows(client, data, tmp_path):
    # Setup: weights in 10 partitions, read by a function that can kill a worker
    X, y, w = data
    memory = LossProportionalSampler(**FAST)
    memory.fit_resample(X, y, sample_weight=w)
    armed = str(tmp_path / "armed")
    parts = []
    for i, rows in enumerate(np.array_split(np.arange(len(y)), 10)):
        np.save(tmp_path / f"w{i}.npy", w[rows])
        parts.append(da.from_delayed(
            dask.delayed(_weights_that_kill_once)(str(tmp_path / f"w{i}.npy"), armed),
            (len(rows),), np.float64))
    w_lazy = da.concatenate(parts)
    chunks = w_lazy.chunks[0]

    # Run: fit (the scores are persisted on both workers), then compute the
    # sample while a worker dies: its scores and its running task are lost, and
    # dask recomputes them on the workers it has
    lazy = LossProportionalSampler(**FAST)
    X_res, _ = lazy.fit_resample(da.from_array(X, chunks=(chunks, 5)),
                                 da.from_array(y, chunks=(chunks,)), sample_weight=w_lazy)
    open(armed, "w").close()
    X_res, indices, weights = dask.compute(X_res, lazy.sample_indices_, lazy.sample_weight_)

    # Assert: a worker did die, and the result is the in-memory one
    assert os.path.exists(armed + ".done")
    np.testing.assert_array_equal(indices, memory.sample_indices_)
    np.testing.assert_array_equal(weights, memory.sample_weight_)
    np.testing.assert_array_equal(X_res, X[memory.sample_indices_])


def _write_parquet(X, y, folder, n_files=5):
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]).assign(label=y)
    for i, rows in enumerate(np.array_split(np.arange(len(y)), n_files)):
        frame.iloc[rows].to_parquet(folder / f"part-{i}.parquet")
    return [c for c in frame.columns if c != "label"]


def test_recipe_with_xgboost_dask_and_prior_correction(client, data, tmp_path):
    # Setup: parquet partitions on disk; every class subsampled, so the sample's
    # class shares are far from the data's and only the weights restore them
    xgboost = pytest.importorskip("xgboost")
    dxgb = pytest.importorskip("xgboost.dask")
    X, y, _ = data
    features = _write_parquet(X, y, tmp_path)
    source = dd.read_parquet(str(tmp_path))
    sampler = LossProportionalSampler(**(FAST | {"sampling_strategy": "all"}))

    # Run: select on the cluster, keep the weighted sample there (persisted) and
    # bring one copy into memory
    X_res, y_res = sampler.fit_resample(source[features], source["label"])
    on_cluster = X_res.assign(label=y_res, weight=sampler.sample_weight_).persist()
    sample = on_cluster.compute()
    params = {"n_estimators": 30, "max_depth": 3, "learning_rate": 0.3, "tree_method": "hist",
              "nthread": 1, "random_state": 0}
    weighted = dxgb.DaskXGBClassifier(**params)
    weighted.client = client
    weighted.fit(on_cluster[features], on_cluster["label"], sample_weight=on_cluster["weight"])
    unweighted = dxgb.DaskXGBClassifier(**params)
    unweighted.client = client
    unweighted.fit(on_cluster[features], on_cluster["label"])
    p_weighted = np.asarray(weighted.predict_proba(source[features]).compute())
    p_unweighted = np.asarray(unweighted.predict_proba(source[features]).compute())
    local = xgboost.XGBClassifier(**params).fit(sample[features], sample["label"],
                                                sample_weight=sample["weight"])
    corrected_lr = PriorCorrectedClassifier(LogisticRegression(max_iter=1000)).fit(
        sample[features], sample["label"], sample_weight=sample["weight"])

    # Assert: the weights reach xgboost.dask (the unweighted fit learns the
    # sample's prior: about 0.4 positives against 0.08) and it fits what an
    # in-memory XGBClassifier fits on the computed sample
    true_share = y.mean()
    assert sample["label"].mean() > 3 * true_share
    assert abs(p_weighted[:, 1].mean() / true_share - 1) < 0.5
    assert p_unweighted[:, 1].mean() > 3 * true_share
    assert log_loss(y, p_weighted) < 0.5 * log_loss(y, p_unweighted)
    assert abs(log_loss(y, local.predict_proba(X)) - log_loss(y, p_weighted)) < 0.01
    # prior correction: with the weights the classifier already learned the true
    # prior (the correction is the identity); without them, correct_prior moves
    # the unweighted fit's probabilities to the weighted (true) prior
    weighted_prior = sample.groupby("label")["weight"].sum().to_numpy()
    weighted_prior = weighted_prior / weighted_prior.sum()
    np.testing.assert_allclose(weighted_prior, [1 - true_share, true_share], rtol=0.1)
    np.testing.assert_allclose(corrected_lr.train_prior_, corrected_lr.prior_)
    table = pd.DataFrame(X, columns=features)
    np.testing.assert_allclose(corrected_lr.predict_proba(table),
                               corrected_lr.estimator_.predict_proba(table))
    sample_prior = np.bincount(sample["label"]) / len(sample)
    p_corrected = correct_prior(p_unweighted, weighted_prior, sample_prior)
    assert abs(p_corrected[:, 1].mean() / true_share - 1) < 0.5
    assert log_loss(y, p_corrected) < 0.5 * log_loss(y, p_unweighted)


def _partition_on_a_worker(path):
    """A partition of X read from ``path``; raises when computed outside a worker."""
    try:
        distributed.get_worker()
    except ValueError:
        raise RuntimeError("a partition of X was computed in the client") from None
    return np.load(path)


class _Gathered:
    """Records the size of every result the client receives from the cluster."""

    def __init__(self, monkeypatch):
        self.sizes = []
        gather = distributed.Client.gather

        def recording(client, futures, *args, **kwargs):
            results = gather(client, futures, *args, **kwargs)
            self.sizes.append(dask.sizeof.sizeof(results))
            return results

        monkeypatch.setattr(distributed.Client, "gather", recording)


@pytest.mark.parametrize("sampler", [LossProportionalSampler(**FAST),
                                     DownsampleUpweight(factor=5, random_state=0)],
                         ids=["LossProportionalSampler", "DownsampleUpweight"])
def test_x_is_computed_only_on_the_workers(client, data, tmp_path, sampler, monkeypatch):
    # Setup: X in 8 partitions that fail when computed in the client process
    # (a local scheduler, np.asarray(X) or X.compute() outside the cluster)
    X, y, _ = data
    parts = []
    for i, rows in enumerate(np.array_split(np.arange(len(y)), 8)):
        np.save(tmp_path / f"x{i}.npy", X[rows])
        parts.append(da.from_delayed(
            dask.delayed(_partition_on_a_worker)(str(tmp_path / f"x{i}.npy")),
            (len(rows), X.shape[1]), X.dtype))
    X_lazy = da.concatenate(parts)
    y_lazy = da.from_array(y, chunks=(X_lazy.chunks[0],))
    with pytest.raises(RuntimeError, match="computed in the client"):
        X_lazy.compute(scheduler="sync")  # the guard works
    gathered = _Gathered(monkeypatch)

    # Run
    X_res, _ = sampler.fit_resample(X_lazy, y_lazy)
    during_fit = list(gathered.sizes)
    X_res = X_res.compute()

    # Assert: what the client received while fitting is small (the pilot rows
    # are 2,000 x 5 float32 = 40 kB; the data 400 kB), then the sample itself
    reference = sampler.__class__(**sampler.get_params())
    np.testing.assert_array_equal(X_res, reference.fit_resample(X, y)[0])
    assert during_fit and sum(during_fit) < 0.3 * X.nbytes, during_fit
    assert gathered.sizes[-1] >= X_res.nbytes


def test_a_class_in_one_partition_only_reaches_the_pilot(client, data):
    # Setup: a third class of 3 rows, all in the last of 8 partitions; a uniform
    # draw of 2,000 pilot rows of 20,000 misses all three 3 times in 4
    X, y, _ = data
    y = y.copy()
    y[-3:] = 2
    X_lazy = da.from_array(X, chunks=(2_500, 5))
    y_lazy = da.from_array(y, chunks=2_500)
    memory = LossProportionalSampler(**FAST)
    memory.fit_resample(X, y)

    # Run
    lazy = LossProportionalSampler(**FAST)
    _, y_res = lazy.fit_resample(X_lazy, y_lazy)
    y_res, indices = dask.compute(y_res, lazy.sample_indices_)

    # Assert: every pilot knows the class, its rows are kept (the minority under
    # "auto") and the rows are those of the in-memory path
    assert np.isin(np.arange(len(y) - 3, len(y)), lazy.pilot_rows_).all()
    for pilot in [lazy.pilot_, *lazy.cross_fit_pilots_]:
        assert pilot.predict_proba(X[-3:]).shape == (3, 3)
    assert (y_res == 2).sum() == 3
    np.testing.assert_array_equal(indices, memory.sample_indices_)
