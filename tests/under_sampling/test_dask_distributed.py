"""The selection samplers on a dask.distributed LocalCluster with worker processes.

Two worker processes of one thread each, small data: the same rows as in memory,
the parquet -> cluster -> scikit-learn recipe, a clear error for a class the
pilot never saw, and a worker killed mid-run.
"""

import os

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from imblearn_gan import DownsampleUpweight, LossProportionalSampler
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
