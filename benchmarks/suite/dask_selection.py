"""LossProportionalSampler in memory and on dask's threaded scheduler: time, and
whether both keep the same rows.

``DaskSelection``
    ``n_rows`` x 20 float32 rows generated in blocks of 250,000 by
    ``make_block`` (standard normal features, a logistic label with about 7%
    positives), each block a function of its index alone. In memory the blocks
    are concatenated into one array before the timed call; on dask each block is
    one partition, generated where it is computed (on the cluster: on the
    workers, so no data passes through the client).

    ``LossProportionalSampler(random_state=0, sampling_strategy="all",
    sample_size=0.1, n_threads=1, device="cpu").fit_resample(X, y)``, then, for
    dask, ``dask.compute`` of the kept rows, labels, weights and indices (the
    timed call includes it). Schedulers: ``in-memory``; ``threads`` (dask's
    threaded scheduler, 2 threads). ``track_same_rows``: 1 when the kept
    indices and weights equal the in-memory ones exactly. The quick subset
    takes 1M rows; the full suite adds 10M.

A ``dask.distributed`` cluster is not timed here: a ``LocalCluster`` started
inside asv's benchmark process (itself forked from asv's server) starts no
worker processes and the computation waits forever. The package's tests run
the same selection on a ``LocalCluster`` of worker processes
(``tests/under_sampling/test_dask_distributed.py``).
"""

import numpy as np

import imblearn_gan

from .common import _Benchmark

BLOCK = 250_000
N_FEATURES = 20
_COEF = (np.random.default_rng(12345).standard_normal(N_FEATURES) * 2
         / np.sqrt(N_FEATURES)).astype(np.float32)
_INTERCEPT = np.float32(-3.5)


def make_block(index, n_rows=BLOCK):
    """Block ``index``: ``(X, y)``, a function of the index alone."""
    rng = np.random.default_rng([2026, index])
    X = rng.standard_normal((n_rows, N_FEATURES), dtype=np.float32)
    p = 1 / (1 + np.exp(-(X @ _COEF + _INTERCEPT)))
    return X, (rng.random(n_rows) < p).astype(np.int64)


def _x_block(block_info=None):
    index = block_info[None]["chunk-location"][0]
    return make_block(index, block_info[None]["chunk-shape"][0])[0]


def _y_block(block_info=None):
    index = block_info[None]["chunk-location"][0]
    return make_block(index, block_info[None]["chunk-shape"][0])[1]


def in_memory(n_rows):
    blocks = [make_block(i, min(BLOCK, n_rows - start))
              for i, start in enumerate(range(0, n_rows, BLOCK))]
    return np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks])


def lazy(n_rows):
    import dask.array as da

    rows = tuple(min(BLOCK, n_rows - start) for start in range(0, n_rows, BLOCK))
    X = da.map_blocks(_x_block, chunks=(rows, (N_FEATURES,)), dtype=np.float32,
                      meta=np.empty((0, N_FEATURES), np.float32))
    y = da.map_blocks(_y_block, chunks=(rows,), dtype=np.int64, meta=np.empty(0, np.int64))
    return X, y


def sampler():
    return imblearn_gan.LossProportionalSampler(
        random_state=0, sampling_strategy="all", sample_size=0.1, n_threads=1, device="cpu")


def select(scheduler, X, y):
    """The kept ``(X, y, weights, indices)`` as numpy arrays."""
    model = sampler()
    X_res, y_res = model.fit_resample(X, y)
    if scheduler == "in-memory":
        return X_res, y_res, model.sample_weight_, model.sample_indices_
    import dask

    return dask.compute(X_res, y_res, model.sample_weight_, model.sample_indices_)


class DaskSelection(_Benchmark):
    """LossProportionalSampler on ``n_rows`` x 20 float32, in memory and on dask threads."""

    params = (("in-memory", "threads"), (1_000_000, 10_000_000))
    repeat = (1, 2, 20.0)  # each sample re-runs the setup (the data)
    param_names = ("implementation", "n_rows")

    def setup(self, implementation, n_rows):
        import dask

        if implementation == "in-memory":
            self.X, self.y = in_memory(n_rows)
        else:
            self.X, self.y = lazy(n_rows)
        if implementation == "threads":
            self.config = dask.config.set(scheduler="threads", num_workers=2)
        select(implementation, *(lazy(BLOCK) if implementation != "in-memory"
                                 else in_memory(BLOCK)))  # warm-up, untimed

    def teardown(self, implementation, n_rows):
        if implementation == "threads":
            self.config.__exit__(None, None, None)

    def time_fit_resample(self, implementation, n_rows):
        select(implementation, self.X, self.y)

    def track_same_rows(self, implementation, n_rows):
        _, _, weights, indices = select(implementation, self.X, self.y)
        _, _, ref_weights, ref_indices = select("in-memory", *in_memory(n_rows))
        return int(np.array_equal(indices, ref_indices) and np.array_equal(weights, ref_weights))

    track_same_rows.unit = "1 = same rows"
