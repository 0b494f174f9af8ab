"""Exact k-nearest neighbours in chunks, on any torch device.

Memory is bounded by ``chunk_size x n_reference`` distances: the full
``n x n`` matrix is never built.
"""

import ctypes
import functools
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from scipy.spatial import cKDTree

from .device import torch_threads

# distances per block: 2**20 floats (4 MiB) stay in cache between the matrix
# product that writes them and the top-k that reads them back; 1,024-row blocks
# against 9,000 references (37 MiB) do not, and were slower
BLOCK_ENTRIES = 2**20


def _rows_per_block(chunk_size, n_reference):
    if chunk_size is not None:
        return chunk_size
    return max(16, min(1024, BLOCK_ENTRIES // max(1, n_reference)))


def kneighbors(query, reference, k, *, chunk_size=None, exclude_self=False):
    """Indices and Euclidean distances of the ``k`` nearest reference rows.

    Parameters
    ----------
    query : tensor (n, d)
    reference : tensor (m, d)
    k : int
        Capped at the number of candidates.
    chunk_size : int or None
        Query rows per distance block; None: as many as keep a block within
        ``BLOCK_ENTRIES`` distances (16 to 1,024 rows). The block size can
        change the rounding of a block's products under some BLAS builds
        (a GPU's), and so how exact ties are broken.
    exclude_self : bool
        ``query`` is ``reference``: skip each row's own index.

    Returns
    -------
    distances, indices : tensors (n, k)
    """
    n_candidates = reference.shape[0] - int(exclude_self)
    k = max(0, min(k, n_candidates))
    dist_parts, index_parts = [], []
    ref_sq = (reference * reference).sum(1).unsqueeze(0)
    chunk_size = _rows_per_block(chunk_size, reference.shape[0])
    # one buffer for all blocks: a fresh multi-megabyte block each time costs
    # page faults, and inside fits the search time varied about threefold
    buffer = query.new_empty((min(chunk_size, query.shape[0]), reference.shape[0]))
    for start in range(0, query.shape[0], chunk_size):
        block = query[start : start + chunk_size]
        # |q - r|^2 = |q|^2 - 2 q.r + |r|^2; |q|^2 does not change a row's
        # ranking, so rank on |r|^2 - 2 q.r (one fused addmm) and add it back
        # to the k winners only
        scores = torch.addmm(ref_sq, block, reference.T, alpha=-2,
                             out=buffer[: block.shape[0]])
        if exclude_self:
            rows = torch.arange(block.shape[0], device=block.device)
            scores[rows, rows + start] = float("inf")
        values, index = torch.topk(scores, k, dim=1, largest=False)
        d2 = values + (block * block).sum(1, keepdim=True)
        dist_parts.append(d2.clamp_min(0).sqrt())
        index_parts.append(index)
    return torch.cat(dist_parts), torch.cat(index_parts)


# same-class neighbour tables: classes up to EXACT_CLASS_ROWS rows are searched
# exactly (cost grows with the square of the class); larger classes through
# random-projection trees with leaves of at most LEAF_ROWS rows (cost grows
# linearly), see approximate_neighbors
EXACT_CLASS_ROWS = 16384
LEAF_ROWS = 1024
N_TREES = 3


def same_class_neighbors(Z, labels, k, chunk_size=None):
    """For each row, ``k`` nearest rows of its own class (global indices).

    Exact for classes of at most ``EXACT_CLASS_ROWS`` rows; larger classes
    get :func:`approximate_neighbors`. A class with fewer than ``k + 1``
    rows cycles through the rows it has; a class of one row is its own
    neighbour.
    """
    table = torch.empty(Z.shape[0], k, dtype=torch.long, device=Z.device)
    for label in torch.unique(labels):
        members = torch.nonzero(labels == label).squeeze(1)
        if members.numel() == 1:
            table[members] = members[0]
            continue
        if members.numel() > EXACT_CLASS_ROWS and k < LEAF_ROWS // 4:
            local = approximate_neighbors(Z[members], k)
        else:
            _, local = kneighbors(Z[members], Z[members], k, chunk_size=chunk_size,
                                  exclude_self=True)
        repeat = -(-k // local.shape[1])  # ceil: cycle when the class is small
        table[members] = members[local.repeat(1, repeat)[:, :k]]
    return table


def approximate_neighbors(X, k, *, leaf_rows=LEAF_ROWS, n_trees=N_TREES, seed=0):
    """Indices of ``k`` near neighbours of every row of ``X`` (self excluded),
    in time linear in the number of rows.

    Each of ``n_trees`` random-projection trees splits the rows at the median
    of a random direction until every leaf has at most ``leaf_rows`` rows; an
    exact search inside each leaf gives ``k`` candidates per row and tree, and
    each row keeps the ``k`` nearest of its candidates. The directions come
    from a generator seeded with ``seed``: the table depends on the data
    only. On ten standardised features, about 70% of the exact neighbours are
    found, and the mean distance to the ``k`` found is 2-3% above the exact
    one (median over rows).
    """
    gen = torch.Generator().manual_seed(seed)
    found = []
    for _ in range(n_trees):
        table = torch.empty(X.shape[0], k, dtype=torch.long, device=X.device)
        for leaf in _projection_leaves(X, leaf_rows, gen):
            _, local = kneighbors(X[leaf], X[leaf], k, exclude_self=True)
            table[leaf] = leaf[local]
        found.append(table)
    return _nearest_of_candidates(X, torch.cat(found, dim=1), k)


def _projection_leaves(X, leaf_rows, gen):
    """Row indices split at the median of random projections, recursively,
    until each part has at most ``leaf_rows`` rows."""
    parts, leaves = [torch.arange(X.shape[0], device=X.device)], []
    while parts:
        rows = parts.pop()
        if rows.numel() <= leaf_rows:
            leaves.append(rows)
            continue
        direction = torch.randn(X.shape[1], generator=gen).to(X)
        half = rows.numel() // 2
        order = _median_split(X[rows] @ direction, half)
        parts += [rows[order[:half]], rows[order[half:]]]
    return leaves


def _median_split(values, half):
    """Positions of ``values`` with the ``half`` smallest first (in no
    particular order within each side): a linear-time partition on the CPU
    (numpy's introselect), a sort on other devices."""
    if values.device.type != "cpu":
        return torch.argsort(values, stable=True)
    return torch.from_numpy(np.argpartition(values.numpy(), half))


def _nearest_of_candidates(X, candidates, k):
    """Each row's ``k`` nearest among its candidate rows (duplicates
    removed)."""
    n, width = candidates.shape
    table = torch.empty(n, k, dtype=torch.long, device=X.device)
    step = max(256, 2**22 // (width * X.shape[1]))  # 16 MiB of gathered floats
    for start in range(0, n, step):
        rows = torch.arange(start, min(start + step, n), device=X.device)
        cand, _ = torch.sort(candidates[rows], dim=1)
        duplicate = torch.zeros_like(cand, dtype=torch.bool)
        duplicate[:, 1:] = cand[:, 1:] == cand[:, :-1]
        d2 = ((X[cand] - X[rows][:, None, :]) ** 2).sum(-1).masked_fill_(duplicate, float("inf"))
        table[rows] = torch.gather(cand, 1, torch.topk(d2, k, dim=1, largest=False)[1])
    return table


# -- whole-dataset search: every row's nearest rows, exact (Tomek links) ----
#
# ``nearest_candidates`` finds, for every row of X, ``k`` candidate rows with
# their exact squared distances and a proven lower bound on the distance of
# every other row; ``rank_ties`` lists, for a few rows, every row at or
# within their k-th smallest distance (ties included). The exact squared
# distances are float64 sums of squared differences, column by column: the
# arithmetic of scikit-learn's KD-tree.

_LOW_PRECISION = {torch.bfloat16: 2.0**-8, torch.float32: 2.0**-23}


def exact_sq_distances(X, rows, cols):
    """``sum_j (X[rows, j] - X[cols, j])**2`` in float64, column by column.

    ``rows`` has shape (m,), ``cols`` (m, k); returns (m, k).
    """
    acc = np.zeros(cols.shape, dtype=np.float64)
    for j in range(X.shape[1]):
        diff = X[rows, j][:, None] - X[cols, j]
        acc += diff * diff
    return acc


def nearest_candidates(X, k, *, algorithm, chunk_size=1024, device="cpu", n_threads=1,
                       queries=None):
    """Yield ``(rows, dist2, index, lower)`` per block of query rows.

    Every row of ``X`` (float64, C order), or only the rows ``queries``
    (sorted indices), is a query against all rows, itself included.
    ``index`` (m, k) are candidate rows sorted by ``(dist2, index)``,
    ``dist2`` their exact squared distances, and every row outside the
    candidates is at squared distance >= ``lower`` (m,).

    ``algorithm="kd_tree"`` queries ``scipy.spatial.cKDTree`` with
    ``n_threads`` workers; ``"brute"`` runs the chunked torch search below.
    """
    n = X.shape[0]
    k = min(k, n)
    if algorithm == "kd_tree":
        blocks = _tree_candidates(X, k, _tree_block(X.shape[0], chunk_size), n_threads,
                                  queries)
    else:
        blocks = _brute_candidates(X, k, chunk_size, torch.device(device), n_threads,
                                   queries)
    for rows, index, lower in blocks:
        dist2 = exact_sq_distances(X, rows, index)
        order = np.lexsort((index, dist2), axis=1)
        index = np.take_along_axis(index, order, 1)
        dist2 = np.take_along_axis(dist2, order, 1)
        if k == n:
            lower = np.full(len(rows), np.inf)  # every row is a candidate
        yield rows, dist2, index, lower


def _tree_block(n, chunk_size):
    """Query rows per cKDTree call: at most ``64 * chunk_size`` and an
    eighth of the table (the query copy and the results of one 16,384-row
    block outweighed the whole table at 10,000 rows)."""
    return max(chunk_size, min(64 * chunk_size, n // 8))


def _tree_candidates(X, k, block, n_threads, queries=None):
    tree = cKDTree(X, copy_data=False)
    # queries in the tree's leaf order: neighbouring queries visit the
    # same nodes (25% faster than index order at 200,000 x 10)
    order = tree.indices
    if queries is not None:
        order = order[np.isin(order, queries, assume_unique=True)]
    for start in range(0, len(order), block):
        rows = order[start : start + block]
        dist, index = tree.query(X[rows], k=k, workers=n_threads)
        index = np.asarray(index).reshape(len(rows), k)
        dist = np.asarray(dist).reshape(len(rows), k)
        # cKDTree rounds differently from the column-by-column sums: a
        # relative margin of 1e-9 covers it (both are float64)
        yield rows, index, dist[:, -1] ** 2 * (1 - 1e-9)


def fast_low_precision(device):
    """Whether ``device`` multiplies bfloat16 fast (CUDA, CPUs with AMX)."""
    device = torch.device(device)
    if device.type == "cuda":
        return True
    return bool(getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)())


def _low_precision_dtype(device):
    """bf16 where the hardware multiplies it fast (AMX CPUs, CUDA), else float32."""
    return torch.bfloat16 if fast_low_precision(device) else torch.float32


def _brute_candidates(X, k, chunk_size, device, n_threads, queries=None):
    """Chunked brute force over symmetric tiles; exact re-ranking later.

    Rows are centred and rounded to ``dtype`` (rounding error ``err`` per
    row, known exactly). ``A = [z, hi, lo, 1, 1]`` with ``hi + lo = |z|^2``
    and ``Q = [-2 z, 1, 1, hi, lo]`` give ``Q @ A.T = |q|^2 + |r|^2 - 2 q.r``,
    the squared distance, in one matmul.

    1. *Scan.* Rows are cut into blocks of ``4 * chunk_size``. Each tile
       (block i, block j >= i) is computed once: its row minima are block
       j's best score for the rows of i, its column minima block i's best
       for the rows of j (the distance is symmetric: half the work). Per
       row only the three best (score, block) pairs are kept, so memory is
       O(n), never a score per tile.
    2. *Re-rank.* Each row is re-scored in float32 against its two best
       blocks; the ``k - 1`` nearest there (itself excluded) are its
       candidates. Every other row is farther than the k-th of those
       scores or than the third block's minimum (both less a proven
       rounding margin): ``lower`` is the smaller.
    3. *Collect.* Rows whose nearest neighbour that bound does not prove
       (a few percent) are scanned again, keeping every row whose score
       could be within the neighbour's exact distance; those are ranked
       exactly, which proves every row without a true tie.

    With ``queries``, only those rows are scanned, each against every
    row (tiles of query rows by reference rows, no symmetry): cheaper than
    the symmetric scan while they are under about half of the rows.
    """
    dtype = _low_precision_dtype(device)
    AT, norm2, err = _rounded_rows(X, dtype, device)
    release_freed_memory()  # here and below: what each phase freed
    n, d = X.shape
    size = _tile_rows(n, d, chunk_size, device)
    n_blocks = -(-n // size)
    parallel = n_threads > 1 and device.type == "cpu"
    everyone = np.arange(n) if queries is None else np.asarray(queries)
    with ThreadPoolExecutor(n_threads if parallel else 1) as pool, \
            torch_threads(1 if parallel else None):
        if queries is None:
            best_vals, best_blocks = _scan_tiles(AT, d, size, n_blocks, pool)
        else:
            best_vals, best_blocks = _scan_query_tiles(AT, d, size, everyone, pool)
        # copies: views would keep the (n, 3) lists alive
        third = best_vals[:, 2].cpu().numpy().copy()  # third block's minimum
        targets = best_blocks[:, :2].cpu().numpy().copy()
        del best_vals, best_blocks
        release_freed_memory()
        vals, index = _rerank(X, targets, k, size, pool, device)
        del targets
        release_freed_memory()
        lower = np.empty(n)
        unsure = []
        for start in range(0, len(everyone), _ROW_BLOCK):  # no n-sized temporaries
            rows = everyone[start : start + _ROW_BLOCK]
            lower[rows] = np.minimum(
                vals[rows, k - 1].astype(np.float64) * (1 - 1e-9),
                _score_lower_bound(third[rows], norm2, err, rows, dtype, d))
            if k > 1:
                # rows whose nearest neighbour the bound does not prove
                nn = exact_sq_distances(X, rows, index[rows, :1])[:, 0]
                open_ = nn >= lower[rows]
                unsure.append((rows[open_], nn[open_]))
        del vals, third
        release_freed_memory()
        if k > 1:
            # scan them again, collecting every row the scores cannot rule out
            unsure, nn = (np.concatenate(part) for part in zip(*unsure))
            if unsure.size:
                _collect(X, AT, unsure, nn, index, lower,
                         (norm2, err, dtype, d), size, pool)
            del nn, unsure
    del AT, norm2, err
    release_freed_memory()
    step = 64 * chunk_size
    for start in range(0, len(everyone), step):
        rows = everyone[start : start + step]
        yield rows, np.hstack([rows[:, None], index[rows, : k - 1]]), lower[rows]


def _tile_rows(n, d, chunk_size, device):
    """Rows per tile: ``4 * chunk_size``. Each worker's buffers (a bfloat16
    tile and a float32 half tile) take ``4 * size**2`` bytes. On the CPU
    tiles shrink on small tables, where those buffers would outweigh the
    data: at most half of it over both threads. On CUDA the buffers are GPU
    memory and a GPU needs large tiles to be fast, so the table's rows and
    half the free GPU memory cap them instead."""
    if device.type == "cuda":
        free = torch.cuda.mem_get_info(device)[0]
        return int(max(128, min(4 * chunk_size, n, np.sqrt(free / 2 / 4))))
    return int(max(128, min(4 * chunk_size, np.sqrt(n * d / 2))))


_ROW_BLOCK = 65536  # rows per step of the O(n) bookkeeping


def release_freed_memory():
    """Give freed heap memory back to the operating system (glibc only).

    glibc keeps freed blocks of up to 32 MB in its heaps (one per thread that
    allocated), where later arrays of other sizes, and every array over 32 MB
    (a fresh ``mmap`` region), cannot reuse them. Without a trim between the
    search's phases their freed buffers add up in the resident set. A trim returns only free
    pages, so it is called once per phase, never per tile.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


def _collect(X, AT, rows, nn, index, lower, error, size, pool):
    """Re-scan ``rows`` against every row, keeping each reference whose
    low-precision score could be within the nearest neighbour's exact
    squared distance ``nn``; re-rank them exactly and update ``index``
    (n, k) and ``lower`` in place."""
    norm2, err, dtype, d = error
    n, k = X.shape[0], index.shape[1]
    u_out, extra, shift = _score_margins(norm2, err, rows, dtype, d)
    # the score above which _score_lower_bound proves a distance > nn
    thr = ((np.sqrt(nn) * (1 + 1e-9) + shift) ** 2 + extra) / (1 - u_out)
    thr = thr * (1 + 1e-3) + 1e-30
    bits = _BITS[dtype]
    query = size  # rows per re-scan block

    buffers = threading.local()

    def block(start):
        if not hasattr(buffers, "scores"):
            buffers.scores = torch.empty(query * size, dtype=AT.dtype, device=AT.device)
        sub = rows[start : start + query]
        t = torch.as_tensor(thr[start : start + query], device=AT.device)
        rounded = t.to(dtype)
        key = (rounded.view(bits).to(torch.int64) + (rounded.double() < t).long()).to(bits)
        Q = _query_rows(AT, torch.as_tensor(sub, device=AT.device), d)
        hits_r, hits_c = [], []
        for ref in range(0, n, size):
            scores = _mm_into(buffers.scores, Q, AT[:, ref : ref + size]).view(bits)
            # hits are rare: find their rows by the minimum first
            some = torch.nonzero(scores.amin(1) <= key).squeeze(1)
            if some.numel() == 0:
                continue
            r, c = torch.nonzero(scores[some] <= key[some, None], as_tuple=True)
            hits_r.append(some[r].cpu().numpy())
            hits_c.append(c.cpu().numpy() + ref)
        if not hits_r:
            return start, np.empty(0, np.intp), np.empty(0, np.intp)
        return start, np.concatenate(hits_r), np.concatenate(hits_c)

    for start, r, c in pool.map(block, range(0, len(rows), query)):
        sub = rows[start : start + query]
        # collected rows and the earlier candidates, without the row itself
        pos = np.concatenate([r, np.repeat(np.arange(len(sub)), k)])
        col = np.concatenate([c, index[sub].ravel()])
        keep = col != sub[pos]
        pos, col = np.unique(np.stack([pos[keep], col[keep]]), axis=1)
        d2 = exact_sq_distances(X, sub[pos], col[:, None])[:, 0]
        order = np.lexsort((col, d2, pos))
        pos, col, d2 = pos[order], col[order], d2[order]
        rank = np.arange(len(pos)) - np.searchsorted(pos, pos)
        chosen = rank < k - 1
        index[sub[pos[chosen]], rank[chosen]] = col[chosen]
        kth = np.full(len(sub), np.inf)
        kth[pos[rank == k - 1]] = d2[rank == k - 1]
        # anything not collected scores above thr: farther than its bound
        proven = _score_lower_bound(thr[start : start + query], norm2, err, sub, dtype, d)
        lower[sub] = np.minimum(kth, proven)


def _max_sq_norm(X, mean, block=1024):
    """``max_i |X_i - mean|^2`` without a centred copy of ``X``."""
    best = 0.0
    for start in range(0, X.shape[0], block):
        best = max(best, float(((X[start : start + block] - mean) ** 2).sum(1).max()))
    return best


def _query_rows(AT, rows, d):
    """``Q = [-2 z, 1, 1, hi, lo]`` for ``rows`` (a slice or indices; see above)."""
    Q = AT[:, rows].T.contiguous()
    if Q.data_ptr() == AT.data_ptr():
        Q = Q.clone()
    Q[:, :d] *= -2  # exact: a power of two
    Q[:, d + 2 :] = Q[:, d : d + 2]  # the query's own hi, lo
    Q[:, d : d + 2] = 1
    return Q


def _scan_tiles(AT, d, size, n_blocks, pool):
    """Per row, the three smallest block minima of the low-precision scores
    (itself excluded) and their blocks: ``(vals, blocks)``, (n, 3) each,
    sorted; ``inf`` and ``-1`` where there are fewer blocks.

    One list per row, shared by the worker threads: a lock per block of rows
    guards the updates (a tile's column side updates another block's rows),
    so memory does not grow with the thread count.
    """
    n = AT.shape[1]
    vals, blocks, thread_buffers = _scan_state(AT, size, n_blocks)
    locks = [threading.Lock() for _ in range(n_blocks)]

    def tile_row(i):
        tile, row_mins_buffer = thread_buffers()  # reused by each of its rows of tiles
        lo, hi = i * size, min(n, (i + 1) * size)
        Q = _query_rows(AT, slice(lo, hi), d)
        # the row side of this row of tiles: one minimum per tile, ranked once
        row_mins = row_mins_buffer[: (n_blocks - i) * (hi - lo)].view(n_blocks - i, hi - lo)
        for j in range(i, n_blocks):
            jlo, jhi = j * size, min(n, (j + 1) * size)
            scores = _mm_into(tile, Q, AT[:, jlo:jhi])
            if j == i:
                scores.diagonal().fill_(float("inf"))  # a row is not its own neighbour
            bits = scores.view(row_mins.dtype)
            torch.amin(bits, 1, out=row_mins[j - i])
            if j != i:  # the same tile seen from block j's rows
                mins = _from_bits(bits.amin(0), AT.dtype)
                with locks[j]:
                    _push(vals[jlo:jhi], blocks[jlo:jhi], mins, i)
        # ranked on the bit patterns (see _from_bits; negatives sort first)
        top, pos = torch.topk(row_mins.T, min(3, n_blocks - i), dim=1,
                              largest=False, sorted=True)
        top = _from_bits(top, AT.dtype)
        with locks[i]:
            for col in range(top.shape[1]):
                _push(vals[lo:hi], blocks[lo:hi], top[:, col], pos[:, col].int() + i)

    list(pool.map(tile_row, range(n_blocks)))
    return vals, blocks


def _scan_state(AT, size, n_blocks):
    """The scans' per-row lists ``(vals, blocks)``, (n, 3) of ``inf`` and ``-1``,
    and a function giving each worker thread its own reused buffers: a tile
    of ``size`` x ``size`` scores and ``n_blocks * size`` row minima."""
    n = AT.shape[1]
    vals = torch.full((n, 3), float("inf"), device=AT.device)
    blocks = torch.full((n, 3), -1, dtype=torch.int32, device=AT.device)
    local = threading.local()

    def thread_buffers():
        if not hasattr(local, "buffers"):
            local.buffers = (
                torch.empty(size * size, dtype=AT.dtype, device=AT.device),
                torch.empty(n_blocks * size, dtype=_BITS[AT.dtype], device=AT.device))
        return local.buffers

    return vals, blocks, thread_buffers


def _scan_query_tiles(AT, d, size, queries, pool):
    """:func:`_scan_tiles` for the rows ``queries`` only (sorted): each
    block of ``size`` query rows against every block of rows. ``(vals,
    blocks)`` are (n, 3) as there, ``inf`` and ``-1`` on the other rows."""
    n = AT.shape[1]
    n_blocks = -(-n // size)
    vals, blocks, thread_buffers = _scan_state(AT, size, n_blocks)
    top_k = min(3, n_blocks)

    def query_block(start):
        tile, row_mins_buffer = thread_buffers()
        rows = queries[start : start + size]
        own_rows = torch.as_tensor(rows, device=AT.device)
        Q = _query_rows(AT, own_rows, d)
        row_mins = row_mins_buffer[: n_blocks * len(rows)].view(n_blocks, len(rows))
        for j in range(n_blocks):
            jlo, jhi = j * size, min(n, (j + 1) * size)
            scores = _mm_into(tile, Q, AT[:, jlo:jhi])
            mine = np.flatnonzero((rows >= jlo) & (rows < jhi))
            if mine.size:  # a row is not its own neighbour
                scores[mine, rows[mine] - jlo] = float("inf")
            torch.amin(scores.view(row_mins.dtype), 1, out=row_mins[j])
        # ranked on the bit patterns (see _from_bits); query blocks share no rows
        top, pos = torch.topk(row_mins.T, top_k, dim=1, largest=False, sorted=True)
        vals[own_rows, :top_k] = _from_bits(top, AT.dtype)
        blocks[own_rows, :top_k] = pos.int()

    list(pool.map(query_block, range(0, len(queries), size)))
    return vals, blocks


def _mm_into(buffer, a, b):
    """``a @ b`` written into the front of a flat ``buffer``: one allocation
    per thread, not one per tile (repeated large allocations make glibc keep
    freed memory: 2.4 GB at 1M x 10 in a version without these buffers)."""
    out = buffer[: a.shape[0] * b.shape[1]].view(a.shape[0], b.shape[1])
    return torch.mm(a, b, out=out)


def _from_bits(low, dtype):
    """Minima taken on the bit patterns of ``dtype`` scores, as float32.

    Minima run on the bit patterns (much faster than a bf16 ``amin``):
    non-negative floats order like their bits. A negative minimum (a
    rounding artefact of near-duplicate rows) reads as ``-inf``: the order
    of negative bit patterns is reversed, so no bound is claimed.
    """
    return low.view(dtype).float().masked_fill_(low < 0, float("-inf"))


def _push(vals, blocks, new, block):
    """Insert minima ``new`` of blocks ``block`` (an int, or one per row)
    into the sorted (m, 3) lists in place."""
    cand = torch.cat([vals, new[:, None]], 1)
    if isinstance(block, int):
        block = torch.full_like(blocks[:, 0], block)
    ids = torch.cat([blocks, block[:, None].to(blocks.dtype)], 1)
    top, pos = torch.topk(cand, 3, dim=1, largest=False, sorted=True)
    vals.copy_(top)
    blocks.copy_(ids.gather(1, pos))


def _rerank(X, targets, k, size, pool, device):
    """For every row, its ``k - 1`` nearest rows (itself excluded) among the
    blocks in ``targets`` (n, 2) ndarray, by float32 score; and a lower bound on the
    squared distance of every other row of those blocks (the k-th score,
    less its rounding margin). Returns ``(vals, index)``, (n, k) each: the
    k smallest scores less the margin (column k - 1 is the bound) and their
    rows."""
    n, d = X.shape
    mean = X.mean(axis=0)
    scale = _max_sq_norm(X, mean) + float(mean @ mean)
    # float32 rounding of the centred rows and of |q|^2 + |r|^2 - 2 q.r
    # (terms up to 4 * scale, (d + 2)-term sums), with a factor-2 margin
    margin = 8 * (d + 4) * 2.0**-24 * (4 * scale + 1.0)
    vals = np.full((n, k), np.inf, dtype=np.float32)  # bounds: rounded down below
    index = np.zeros((n, k), dtype=np.int32 if n < 2**31 else np.intp)
    buffers = threading.local()
    step = max(1, size // 2)  # rows re-scored at once: a size / 2 x size buffer

    def block(task):
        b, rows = task
        if not hasattr(buffers, "d2"):
            buffers.d2 = torch.empty(step * size, device=device)
        lo, hi = b * size, min(n, (b + 1) * size)
        Q = torch.as_tensor(X[rows] - mean, dtype=torch.float32, device=device)
        R = torch.as_tensor(X[lo:hi] - mean, dtype=torch.float32, device=device)
        d2 = _mm_into(buffers.d2, Q, R.T).mul_(-2).add_((R * R).sum(1))
        d2 += (Q * Q).sum(1, keepdim=True)
        own = torch.as_tensor(rows, device=device)
        mine = torch.nonzero((own >= lo) & (own < hi)).squeeze(1)
        d2[mine, own[mine] - lo] = float("inf")
        if d2.shape[1] < k:
            d2 = torch.nn.functional.pad(d2, (0, k - d2.shape[1]), value=float("inf"))
        top, col = torch.topk(d2, k, dim=1, largest=False, sorted=True)
        top = top.double().cpu().numpy() - margin
        # float32 keeps a valid lower bound only when rounded down
        top = np.nextafter(top.astype(np.float32), np.float32(-np.inf), dtype=np.float32)
        col = col.cpu().numpy() + lo
        # merge with the row's other block (tasks of one pass share no rows)
        both_v = np.hstack([vals[rows], top])
        both_i = np.hstack([index[rows], col])
        pick = np.argsort(both_v, axis=1, kind="stable")[:, :k]
        vals[rows] = np.take_along_axis(both_v, pick, 1)
        index[rows] = np.take_along_axis(both_i, pick, 1)

    n_blocks = -(-n // size)
    for column in targets.T:  # a row's best block, then its second best
        # rows grouped by target block (a stable sort), cut into tasks
        order = np.argsort(column, kind="stable").astype(index.dtype)
        bounds = np.searchsorted(column[order], np.arange(n_blocks + 1))
        tasks = [(b, order[start : min(start + step, bounds[b + 1])])
                 for b in range(n_blocks)
                 for start in range(bounds[b], bounds[b + 1], step)]
        list(pool.map(block, tasks))
        del order, tasks
    return vals, index


def _rounded_rows(X, dtype, device, block=256):
    """``A.T`` for ``A = [z, hi, lo, 1, 1]`` in ``dtype`` (z: centred rows; stored
    transposed, so a reference block is a contiguous-row slice that the
    matmul reads fastest), the squared norms of the rounded rows and each
    row's rounding error norm (float32, rounded up: they only enter error
    margins)."""
    n, d = X.shape
    mean = X.mean(axis=0)
    AT = torch.ones(d + 4, n, dtype=dtype, device=device)
    norm2, err = np.empty(n, np.float32), np.empty(n, np.float32)
    for start in range(0, n, block):
        z = torch.as_tensor(X[start : start + block] - mean, device=device)
        zr = z.to(dtype)
        back = zr.double()
        sq = (back * back).sum(1)
        hi = sq.to(dtype)
        lo = (sq - hi.double()).to(dtype)
        AT[: d + 2, start : start + block] = torch.cat([zr, hi[:, None], lo[:, None]],
                                                       1).T
        norm2[start : start + block] = _round_up(sq.cpu().numpy())
        err[start : start + block] = _round_up((z - back).norm(dim=1).cpu().numpy())
    return AT, norm2, err


def _round_up(values):
    """float64 -> float32, never below the value (one ulp up, conservative).
    Beyond float32's range the result is ``inf``, still an upper bound (such
    rows already overflow the bfloat16 scores and are re-checked exactly)."""
    with np.errstate(over="ignore"):
        return np.nextafter(values.astype(np.float32), np.float32(np.inf))


_BITS = {torch.bfloat16: torch.int16, torch.float16: torch.int16,
         torch.float32: torch.int32}


def _score_margins(norm2, err, rows, dtype, d):
    """How far a low-precision score of ``rows`` can sit from the exact
    squared distance: ``(u_out, extra, shift)`` with exact distance >=
    ``sqrt(score - u_out |score| - extra) - shift``.

    ``u_out`` is the output rounding, ``extra`` the float32 accumulation
    error and the hi/lo split of the two norms, ``shift`` the rounding of
    the two rows themselves (triangle inequality).
    """
    u_out = _LOW_PRECISION[dtype]
    r_max2, e_max = float(norm2.max()), float(err.max())
    gamma = 2 * (d + 4) * 2.0**-24  # float32 accumulation, with margin
    q_norm2 = norm2[rows].astype(np.float64)
    split_err = 4 * u_out**2 * r_max2  # |z|^2 - hi - lo, query and reference
    acc_err = gamma * (2 * np.sqrt(q_norm2) * np.sqrt(r_max2) + 2 * r_max2 + 2 * q_norm2)
    return u_out, acc_err + split_err, err[rows].astype(np.float64) + e_max


def _score_lower_bound(kth, norm2, err, rows, dtype, d):
    """Squared distance below which no row scoring ``>= kth`` can lie
    (``inf`` for ``inf``; 0, no bound, for ``-inf``)."""
    kth = np.asarray(kth, dtype=np.float64)
    u_out, extra, shift = _score_margins(norm2, err, rows, dtype, d)
    finite = np.where(np.isfinite(kth), kth, 0.0)
    d2 = finite - u_out * np.abs(finite) - extra
    dist = np.sqrt(np.maximum(d2, 0)) - shift
    # centring rounds too (relative 1e-16): a margin of 1e-9
    bound = np.maximum(dist, 0) ** 2 * (1 - 1e-9)
    return np.where(np.isposinf(kth), np.inf, bound)


def rank_ties(X, rows, k, *, chunk_size=256, device="cpu", ref_block=16384):
    """For each of ``rows``: every row whose exact squared distance is at most
    its ``k``-th smallest (itself included, ties included).

    Returns a list of ``(index, dist2)`` arrays sorted by ``(dist2, index)``.
    A float64 matmul ranks all rows (two passes over reference blocks: the
    k-th distance, then the rows within its error margin); those few are
    re-measured exactly.
    """
    device = torch.device(device)
    mean = X.mean(axis=0)
    margin = 2e-9 * (_max_sq_norm(X, mean) + float(mean @ mean) + 1.0)
    out = []
    for start in range(0, len(rows), chunk_size):
        block = np.asarray(rows[start : start + chunk_size])
        Q = torch.as_tensor(X[block] - mean, device=device)
        best = torch.full((len(block), k), float("inf"), dtype=torch.float64,
                          device=device)
        found = [[] for _ in block]
        for phase in ("kth", "collect"):
            for ref_start in range(0, X.shape[0], ref_block):
                R = torch.as_tensor(X[ref_start : ref_start + ref_block] - mean,
                                    device=device)
                d2 = torch.addmm((R * R).sum(1), Q, R.T, alpha=-2)
                d2 += (Q * Q).sum(1, keepdim=True)
                if phase == "kth":  # running k smallest values per row
                    best = torch.topk(torch.cat([best, d2], dim=1), k, dim=1,
                                      largest=False).values
                else:
                    r, c = torch.nonzero(d2 <= best[:, -1:] + margin, as_tuple=True)
                    for i, j in zip(r.tolist(), (c + ref_start).tolist()):
                        found[i].append(j)
        for row, cand in zip(block, found):
            out.append(_exact_ties(X, row, np.array(cand), k))
    return out


def _exact_ties(X, row, cand, k):
    exact = exact_sq_distances(X, np.array([row]), cand[None, :])[0]
    cut = np.sort(exact)[min(k, len(exact)) - 1]
    keep = exact <= cut
    order = np.lexsort((cand[keep], exact[keep]))
    return cand[keep][order], exact[keep][order]
