"""TomekPruner: imblearn's TomekLinks on the shared exact neighbour search."""

import numbers
from typing import ClassVar

import numpy as np
import torch
from imblearn.under_sampling.base import BaseCleaningSampler
from sklearn import get_config
from sklearn.neighbors import KDTree
from sklearn.utils._param_validation import Interval, StrOptions

from ..backend import TabularEncoder, resolve_device, torch_threads
from ..backend.neighbors import (
    exact_sq_distances,
    fast_low_precision,
    nearest_candidates,
    rank_ties,
    release_freed_memory,
)
from ..utils._compat import _openmp_effective_n_threads, _safe_indexing
from ..utils._docstring import Substitution
from ..utils._validation import check_mixed_X_y, check_sample_weight
from ..utils._weights import SampleWeightMixin

# scikit-learn's NearestNeighbors(algorithm="auto") uses brute force above
# this many features (and for n_samples <= 5 with 2 neighbours)
_SKLEARN_TREE_MAX_FEATURES = 15
_CANDIDATES = {"kd_tree": 3, "brute": 3}
# up to this many rows the tree keeps within twice the data's memory where
# brute force's per-row bookkeeping does not (100,000 x 10: 13.7 vs 17.3 MiB
# beyond 7.6 MiB of data; at 200,000 x 10 both do, 25.2 vs 28.3 MiB):
# benchmarks/results/tomek_speed.md
_TREE_MAX_ROWS = 150_000
# chunk_size="auto": tiles of 1,024 rows on the CPU; on CUDA of 16,384 rows
# (H200, benchmarks/results/gpu.md: 1M x 10 in 7.4 s with 0.7 GiB of GPU
# memory, against 11.9 s with 4,096-row tiles and 6.5 s, 2.6 GiB, with
# 32,768-row ones; 100k x 10 in 0.57 s against 1.9 s with 1,024-row tiles)
_CPU_CHUNK, _CUDA_CHUNK = 256, 4096


@Substitution(sampling_strategy=BaseCleaningSampler._sampling_strategy_docstring)
class TomekPruner(SampleWeightMixin, BaseCleaningSampler):
    """Remove Tomek links: imblearn's ``TomekLinks``, faster and for mixed data.

    Two rows of different classes that are each other's nearest neighbour
    form a Tomek link; the member whose class ``sampling_strategy`` selects
    is removed. On numeric data the rows removed are exactly those of
    ``imblearn.under_sampling.TomekLinks`` (same ``sample_indices_``),
    including its choices among duplicate rows and equidistant neighbours.

    Parameters
    ----------
    {sampling_strategy}

    categorical_features : "auto", array-like of int or str, or None, \
default="auto"
        Columns compared as categories. ``"auto"`` uses pandas dtypes
        (category, object, string, bool) and, for object arrays, the
        non-numeric columns; indices or names select columns; ``None``
        treats every column as numeric.

    categorical_weight : float, default=1.0
        What a categorical mismatch adds to the squared distance. The metric
        is Euclidean on the numeric columns as given (not rescaled) plus
        ``categorical_weight`` per categorical column whose values differ
        (a one-hot code scaled by ``sqrt(categorical_weight / 2)``).

    algorithm : {{"auto", "kd_tree", "brute"}}, default="auto"
        Neighbour search. ``"kd_tree"``: ``scipy.spatial.cKDTree`` on the
        CPU; ``"brute"``: chunked torch matmuls on ``device`` in low
        precision, re-ranked exactly in float64. ``"auto"`` takes the tree
        on the CPU up to 15 (encoded) features, except above 150,000 rows
        where bfloat16 matmuls are fast (CPUs with AMX), and brute force
        otherwise (always on CUDA). The tree is the leaner on small tables,
        brute force the faster. Both are exact: rows whose
        order is not proven are re-measured.

    device : "auto", "cpu", "cuda" or "cuda:N", default="auto"
        Where brute force runs; ``"auto"`` picks CUDA when available.

    n_threads : int or None, default=1
        Threads of the search (torch intra-op threads and tree workers).
        ``None`` keeps torch's setting. Brute force runs one worker thread
        per row of tiles (each with one torch thread), robust to a busy core.
        One large search may use every core; 1 is safe under
        ``GridSearchCV(n_jobs=...)`` (see the TomekPruner guide).

    chunk_size : int or "auto", default="auto"
        Brute force works on tiles of ``4 * chunk_size`` by
        ``4 * chunk_size`` rows, so memory is bounded by
        ``16 * chunk_size**2`` scores per thread (plus a few numbers per
        row), never ``n x n``. ``"auto"``: 256 on the CPU (where tiles also
        shrink on small tables, to keep memory within the data's), 4096 on
        CUDA, where each tile costs a few kernel launches and small tiles
        leave the GPU idle (see the TomekPruner guide); there tiles are
        also capped at half the free GPU memory.

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes whose linked rows are removed (values: their row counts).
    sample_indices_ : ndarray of shape (n_new_samples,)
        Indices of the rows kept.
    sample_weight_ : ndarray of shape (n_new_samples,)
        Incoming ``sample_weight`` of the kept rows (1.0 without weights).
    nearest_neighbors_ : ndarray of shape (n_samples,)
        Each row's nearest other row, as ``TomekLinks`` sees it (column 1 of
        ``NearestNeighbors(n_neighbors=2).kneighbors(X)``), for every row
        that can be in a link; -1 for rows of the largest class that no row
        of another class has as its nearest neighbour (not searched when the
        other classes hold at most a quarter of the rows).
    algorithm_ : str
        The search used, ``"kd_tree"`` or ``"brute"``.
    device_ : torch.device
        The device the search ran on (``device`` resolved).
    n_rechecked_ : int
        Rows whose neighbours were re-measured exactly (ties, or candidate
        orders the fast search could not prove).
    n_features_in_ : int
        Number of features of ``X``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    See Also
    --------
    imblearn.under_sampling.TomekLinks : The reference implementation.
    imblearn_gan.GANOverSampler : Over-sample; combine both in a pipeline.

    Notes
    -----
    imblearn takes column 1 of ``kneighbors(X)`` with the row itself among
    the candidates. With a duplicate row, column 1 can be the row itself
    (no link) or its twin, depending on scikit-learn's order among equal
    distances (KD-tree visit order up to 15 features, reference index order
    in brute force). TomekPruner resolves such rows exactly as scikit-learn
    does: rows with ties go to the same ``KDTree`` query, or to an exact
    replay of the brute-force heap. Ties are those of float64 arithmetic:
    for brute force (more than 15 features) bit-identical results hold when
    the squared distances are exact (e.g. integer or dyadic values) or have
    no near-ties, as in continuous data.

    References
    ----------
    .. [1] Tomek, I., "Two modifications of CNN," IEEE Transactions on Systems,
       Man, and Cybernetics, vol. 6, pp. 769-772, 1976.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from imblearn_gan import TomekPruner
    >>> X, y = make_classification(n_classes=2, class_sep=2,
    ... weights=[0.1, 0.9], n_informative=3, n_redundant=1, flip_y=0,
    ... n_features=20, n_clusters_per_class=1, n_samples=1000, random_state=10)
    >>> X_res, y_res = TomekPruner().fit_resample(X, y)
    >>> print('Resampled dataset shape %s' % Counter(y_res.tolist()))
    Resampled dataset shape Counter({{1: 897, 0: 100}})
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseCleaningSampler._parameter_constraints,
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "categorical_weight": [Interval(numbers.Real, 0, None, closed="neither")],
        "algorithm": [StrOptions({"auto", "kd_tree", "brute"})],
        "device": [str, torch.device],
        "n_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "chunk_size": [Interval(numbers.Integral, 16, None, closed="left"),
                       StrOptions({"auto"})],
    }

    def __init__(self, *, sampling_strategy="auto", categorical_features="auto",
                 categorical_weight=1.0, algorithm="auto", device="auto",
                 n_threads=1, chunk_size="auto"):
        super().__init__(sampling_strategy=sampling_strategy)
        self.categorical_features = categorical_features
        self.categorical_weight = categorical_weight
        self.algorithm = algorithm
        self.device = device
        self.n_threads = n_threads
        self.chunk_size = chunk_size

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = True  # categorical string columns
        tags.input_tags.allow_nan = False
        tags.sampler_tags.sample_indices = True
        return tags

    def _check_X_y(self, X, y):
        return check_mixed_X_y(self, X, y)

    def _fit_resample(self, X, y, sample_weight=None):
        # no weights: none materialised (a full array of ones is a tenth of
        # the data's memory at 10 features)
        weights = None if sample_weight is None else check_sample_weight(sample_weight, len(y))
        Z, dtype = self._encode(X)
        device = resolve_device(self.device)
        algorithm = self._search_algorithm(Z.shape, device)
        # scikit-learn's OpenMP threads as the caller has them: torch_threads
        # below may change them (both libraries can share one OpenMP runtime)
        sklearn_threads = _openmp_effective_n_threads()
        with torch_threads(self.n_threads if device.type == "cpu" else None):
            nearest, n_rechecked = self._nearest_other(
                Z, y, dtype, algorithm, device, sklearn_threads)
        links = tomek_links(y, nearest, list(self.sampling_strategy_))
        self.sample_indices_ = np.flatnonzero(~links)
        self.sample_weight_ = (np.ones(len(self.sample_indices_)) if weights is None
                               else weights[self.sample_indices_])
        self.nearest_neighbors_ = nearest
        self.algorithm_, self.n_rechecked_ = algorithm, n_rechecked
        self.device_ = device
        release_freed_memory()  # the search's buffers, before the copy of X
        return (_safe_indexing(X, self.sample_indices_),
                _safe_indexing(y, self.sample_indices_))

    def _encode(self, X):
        """float64 matrix of the metric, and the dtype scikit-learn would see."""
        numeric_array = not hasattr(X, "iloc") and X.dtype.kind in "iuf"
        if numeric_array and (self.categorical_features is None
                              or isinstance(self.categorical_features, str)):
            # plain numbers: no encoder, no copy of float64 C-ordered data
            return np.ascontiguousarray(X, dtype=np.float64), X.dtype
        encoder = TabularEncoder(self.categorical_features).fit(X)
        if len(encoder.categorical_columns_) == 0:
            Z = X.to_numpy(dtype=np.float64) if hasattr(X, "iloc") else X
            dtype = X.to_numpy().dtype if hasattr(X, "iloc") else X.dtype
            return np.ascontiguousarray(Z, dtype=np.float64), dtype
        columns = [X.iloc[:, j].to_numpy() if hasattr(X, "iloc") else X[:, j]
                   for j in range(X.shape[1])]
        scale = np.sqrt(self.categorical_weight / 2)  # two one-hot cells differ
        parts = []
        for col, values in zip(encoder.columns_, columns):
            if col.kind == "categorical":
                parts.append(encoder.one_hot(col, values).astype(np.float64) * scale)
            else:
                parts.append(np.asarray(values, dtype=np.float64)[:, None])
        return np.ascontiguousarray(np.hstack(parts)), np.dtype(np.float64)

    def _search_algorithm(self, shape, device):
        if self.algorithm != "auto":
            return self.algorithm
        # brute force in bfloat16 beats the tree even at 10 features where
        # the matmul is fast (AMX, CUDA), but its fixed buffers and per-row
        # bookkeeping outweigh a small table: benchmarks/results/tomek_speed.md
        n_samples, n_features = shape
        few = n_features <= _SKLEARN_TREE_MAX_FEATURES
        prefer_tree = not fast_low_precision(device) or n_samples <= _TREE_MAX_ROWS
        return "kd_tree" if device.type == "cpu" and few and prefer_tree else "brute"

    def _chunk_size(self, device):
        if self.chunk_size != "auto":
            return self.chunk_size
        return _CUDA_CHUNK if device.type == "cuda" else _CPU_CHUNK

    def _nearest_other(self, Z, y, dtype, algorithm, device, sklearn_threads):
        """Column 1 of scikit-learn's ``kneighbors`` for every row that can be
        in a Tomek link (-1 for the others) and the number of rows re-checked.

        A link joins two classes, so one of its rows is outside the largest
        class. When those rows are few (at most a quarter), only they are
        searched, then the rows of the largest class that they point to:
        whether a pointed-to row points back decides the link. Otherwise
        every row is searched (the symmetric scan is then the cheaper).
        """
        _, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
        largest = np.argmax(counts)
        outside = np.flatnonzero(codes != largest)
        if 4 * len(outside) > len(y):
            return self._search(Z, None, dtype, algorithm, device, sklearn_threads)
        nearest = np.full(Z.shape[0], -1, dtype=np.intp)
        found, n_rechecked = self._search(Z, outside, dtype, algorithm, device,
                                          sklearn_threads)
        nearest[outside] = found
        pointed = np.unique(found)
        pointed = pointed[codes[pointed] == largest]
        if pointed.size:
            found, more = self._search(Z, pointed, dtype, algorithm, device, sklearn_threads)
            nearest[pointed] = found
            n_rechecked += more
        return nearest, n_rechecked

    def _search(self, Z, queries, dtype, algorithm, device, sklearn_threads):
        """Column 1 of scikit-learn's ``kneighbors`` for the rows ``queries``
        (sorted; None: every row), and the number of rows re-checked."""
        n_threads = torch.get_num_threads() if self.n_threads is None else self.n_threads
        rows_all = np.arange(Z.shape[0]) if queries is None else queries
        nearest = np.empty(Z.shape[0], dtype=np.intp)
        unsure = []
        blocks = nearest_candidates(
            Z, _CANDIDATES[algorithm], algorithm=algorithm, chunk_size=self._chunk_size(device),
            device=device, n_threads=n_threads, queries=queries,
        )
        for rows, dist2, index, lower in blocks:
            if dist2.shape[1] < 3:  # fewer than 3 rows: pad
                dist2 = np.pad(dist2, ((0, 0), (0, 3 - dist2.shape[1])),
                               constant_values=np.inf)
            clear = (dist2[:, 0] < dist2[:, 1]) & (dist2[:, 1] < dist2[:, 2])
            clear &= dist2[:, 1] < lower
            nearest[rows[clear]] = index[clear, 1]
            unsure.append(rows[~clear])
        unsure = np.concatenate(unsure)
        if unsure.size:
            nearest[unsure] = sklearn_tie_order(Z, dtype, unsure, device,
                                                sklearn_threads)
        return nearest[rows_all], int(unsure.size)


def tomek_links(y, nearest, classes):
    """Rows of ``classes`` that form a Tomek link (vectorised
    ``TomekLinks.is_tomek``); ``nearest`` is -1 for rows not searched."""
    searched = nearest >= 0
    partner = np.where(searched, nearest, 0)
    mutual = searched & searched[partner] & (nearest[partner] == np.arange(len(y)))
    return np.isin(y, classes) & (y[partner] != y) & mutual


def sklearn_tie_order(Z, dtype, rows, device, sklearn_threads):
    """Column 1 of ``NearestNeighbors(n_neighbors=2).fit(Z).kneighbors(Z)``
    for ``rows``, with scikit-learn's order among equal distances
    (``sklearn_threads``: its OpenMP threads, which set its brute-force order)."""
    n, d = Z.shape
    if d <= _SKLEARN_TREE_MAX_FEATURES and n // 2 > 2:
        # the same tree NearestNeighbors builds: the same visit order
        tree = KDTree(Z, leaf_size=30, metric="euclidean")
        return tree.query(Z[rows], k=2, return_distance=False)[:, 1]
    if dtype not in (np.float32, np.float64):
        return _pairwise_order(Z, rows)
    streams = _argkmin_threads(n, sklearn_threads)
    ties = rank_ties(Z, rows, 2, device=device)
    return np.array([_heap_choice(index, dist2, streams) for index, dist2 in ties])


def _argkmin_threads(n, n_threads):
    """Start of each thread's reference range in scikit-learn's ArgKmin, or
    None when every query sees the references in index order."""
    chunk = min(n, get_config().get("pairwise_dist_chunk_size", 256))
    if 4 * chunk * n_threads < n:
        return None  # parallel_on_X: one heap per query, filled in index order
    n_chunks = -(-n // chunk)
    team = min(n_chunks, n_threads)
    # OpenMP static schedule: contiguous blocks of chunks, the first
    # n_chunks % team threads taking one more
    q, r = divmod(n_chunks, team)
    starts = [t * q + min(t, r) for t in range(team)]
    return np.array(starts) * chunk


def _heap_choice(index, dist2, streams):
    """Replay scikit-learn's size-2 max-heap on the rows at or within the
    second distance (``index`` sorted by distance, then index).

    A heap keeps the first row of the smallest distance at the bottom and
    the next one on top; its final sort swaps them only when the top is
    strictly farther. Column 1 is so the second row in (distance, arrival)
    order, or the first when both distances are equal.
    """
    if streams is not None:  # parallel_on_Y: per-thread heaps, merged in order
        thread = np.searchsorted(streams, index, side="right") - 1
        parts = []
        for t in np.unique(thread):
            members = np.flatnonzero(thread == t)[:2]
            parts.extend(members[::-1])  # heap array order: top, bottom
        index, dist2 = index[parts], dist2[parts]
        order = np.argsort(dist2, kind="stable")
        index, dist2 = index[order], dist2[order]
    return index[0] if dist2[0] == dist2[1] else index[1]


def _pairwise_order(Z, rows):
    """Integer or bool X: scikit-learn ranks full distance rows with
    ``np.argpartition`` then ``np.argsort``; replay both on exact rows."""
    out = np.empty(len(rows), dtype=np.intp)
    everyone = np.arange(Z.shape[0])
    for i, row in enumerate(rows):
        dist = np.sqrt(exact_sq_distances(Z, np.array([row]), everyone[None, :]))
        top = np.argpartition(dist, 1, axis=1)[:, :2]
        top = top[:, np.argsort(dist[0, top[0]])]
        out[i] = top[0, 1]
    return out
