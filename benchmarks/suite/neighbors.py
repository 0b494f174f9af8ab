"""The same-class neighbour search of GANOverSampler and VAEOverSampler.

``SameClassNeighbors``: ``backend.neighbors.same_class_neighbors`` (5
neighbours) on ``make_classification(n, n_features=10, weights=[0.9],
random_state=0)``, standardised, float32, one torch thread. ``"approximate"``
is the default search (exact for classes of up to ``EXACT_CLASS_ROWS`` rows,
random-projection trees above); ``"exact"`` forces the exact chunked search
for every class (the search before the trees; skipped at 1M rows, where it
takes tens of minutes). ``track_recall``: the share of the exact five
neighbours found, and ``track_distance_ratio``: the median over rows of the
mean distance to the five found over the exact mean, both on 2,000 rows of the
larger class against an exact search of that class.
"""

import numpy as np
import torch

import imblearn_gan.backend.neighbors as neighbors

from .common import _Benchmark, cached, limit_threads, reset_peak_rss
from .neural import make_rows

K = 5
N_CHECK = 2_000


def standardised(n_rows):
    X, y = make_rows(n_rows)
    Z = torch.as_tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
    return Z, torch.as_tensor(y)


class SameClassNeighbors(_Benchmark):
    """Every row's 5 nearest rows of its class, 100k to 1M rows x 10."""

    params = (("approximate", "exact"), (100_000, 300_000, 1_000_000))
    param_names = ("implementation", "n_rows")
    repeat = (1, 1, 30.0)

    def setup(self, implementation, n_rows):
        if implementation == "exact" and n_rows > 300_000:
            raise NotImplementedError("exact search at 1M rows: tens of minutes")
        self.limits = limit_threads(1)
        self.Z, self.labels = cached(("neighbors", n_rows), standardised, n_rows)
        self.exact_limit = neighbors.EXACT_CLASS_ROWS
        if implementation == "exact":
            neighbors.EXACT_CLASS_ROWS = n_rows
        reset_peak_rss()

    def teardown(self, implementation, n_rows):
        if hasattr(self, "exact_limit"):  # not when setup skipped the case
            neighbors.EXACT_CLASS_ROWS = self.exact_limit
        super().teardown(implementation, n_rows)

    def _table(self):
        return neighbors.same_class_neighbors(self.Z, self.labels, K)

    def time_search(self, implementation, n_rows):
        self._table()

    def peakmem_search(self, implementation, n_rows):
        self._table()

    def _quality(self):
        table = self._table()
        members = torch.nonzero(self.labels == 0).squeeze(1)
        rows = members[torch.randperm(members.numel(),
                                      generator=torch.Generator().manual_seed(0))[:N_CHECK]]
        exact_dist, exact_local = neighbors.kneighbors(self.Z[rows], self.Z[members], K + 1)
        exact_dist, exact = exact_dist[:, 1:], members[exact_local[:, 1:]]  # not the row
        found = (self.Z[table[rows]] - self.Z[rows][:, None]).norm(dim=-1)
        recall = np.mean([len(set(a) & set(b)) / K
                          for a, b in zip(table[rows].tolist(), exact.tolist())])
        ratio = float((found.mean(1) / exact_dist.mean(1)).median())
        return recall, ratio

    def track_recall(self, implementation, n_rows):
        return self._quality()[0]

    track_recall.unit = "share of the exact neighbours found"

    def track_distance_ratio(self, implementation, n_rows):
        return self._quality()[1]

    track_distance_ratio.unit = "mean distance found / exact (median over rows)"
