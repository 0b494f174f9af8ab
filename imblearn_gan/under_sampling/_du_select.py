"""DownsampleUpweight's draw, the same for any blocking of the rows.

A uniform sample of ``k_c`` of the ``n_c`` rows of class ``c`` (without
replacement) is drawn in two steps, as simple random sampling decomposes:

1. how many of the ``k_c`` come from each block of ``DRAW_BLOCK`` global rows:
   one multivariate hypergeometric draw over the blocks' counts of class
   ``c`` (on the client: one number per block);
2. which of the class's rows in a block: a uniform subset of their ranks
   ``0 .. n_cb - 1`` (in row order), from a stream keyed by ``(seed, block,
   class)``.

A partition needs only the counts of its blocks (and of the rows of those
blocks in earlier partitions) to know which of its rows are kept, so the
in-memory path (one partition) and any dask partitioning keep the same rows.
"""

import numbers

import numpy as np

from ..exceptions import InputError
from ..utils._validation import plain_label
from ._lps_select import DRAW_BLOCK


def block_counts(codes, offset, n_classes):
    """Rows per (global block, class) of rows ``offset ..``: sparse arrays
    ``(block, class, count)``."""
    if len(codes) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    first = offset // DRAW_BLOCK
    block = (offset + np.arange(len(codes))) // DRAW_BLOCK - first
    counts = np.bincount(block * n_classes + codes)
    present = np.flatnonzero(counts)
    return present // n_classes + first, present % n_classes, counts[present]


def dense_counts(entries, n_blocks, n_classes):
    """(n_blocks, n_classes) int64 totals from :func:`block_counts` of all partitions."""
    out = np.zeros((n_blocks, n_classes), dtype=np.int64)
    for block, code, count in entries:
        np.add.at(out, (block, code), count)
    return out


def allocate(seed, totals, kept):
    """Rows kept per (block, class): ``kept`` maps a class code to ``k_c``."""
    stream = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0])))
    alloc = totals.copy()
    for code in sorted(kept):
        alloc[:, code] = stream.multivariate_hypergeometric(
            totals[:, code], kept[code], method="marginals")
    return alloc


def plans(entries, totals, alloc, kept):
    """Per partition ``(block, class, rows of it in earlier partitions, n, k)``
    for its blocks of the down-sampled classes (arrays)."""
    seen = np.zeros_like(totals)
    down = np.zeros(totals.shape[1], dtype=bool)
    down[list(kept)] = True
    out = []
    for block, code, count in entries:
        before = seen[block, code]
        seen[block, code] += count
        mine = down[code]
        out.append((block[mine], code[mine], before[mine], totals[block[mine], code[mine]],
                    alloc[block[mine], code[mine]]))
    return out


def chosen_ranks(seed, block, code, n, k):
    """Boolean mask over the ranks ``0 .. n - 1``: ``k`` of them, uniformly."""
    stream = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 1, block,
                                                                         code])))
    mask = np.zeros(n, dtype=bool)
    mask[stream.choice(n, k, replace=False, shuffle=False)] = True
    return mask


def select_rows(codes, offset, plan, seed):
    """Local indices of the kept rows of rows ``offset ..`` (class ``codes``)."""
    keep = np.ones(len(codes), dtype=bool)
    for block, code, before, n, k in zip(*plan):
        if k == n:
            continue
        lo = max(int(block) * DRAW_BLOCK - offset, 0)
        hi = min((int(block) + 1) * DRAW_BLOCK - offset, len(codes))
        rows = lo + np.flatnonzero(codes[lo:hi] == code)
        keep[rows] = chosen_ranks(seed, int(block), int(code), int(n), int(k))[
            before:before + len(rows)]
    return np.flatnonzero(keep)


def draw_rows(codes, n_classes, seed, kept):
    """Indices of the kept rows of an in-memory ``y`` (class ``codes``): one partition."""
    entry = block_counts(codes, 0, n_classes)
    totals = dense_counts([entry], -(-len(codes) // DRAW_BLOCK), n_classes)
    plan = plans([entry], totals, allocate(seed, totals, kept), kept)[0]
    return select_rows(codes, 0, plan, seed)


def under_sampling_targets(strategy, classes, counts, y):
    """imbalanced-learn's under-sampling ``sampling_strategy_`` from class counts
    (for dask ``y``, whose counts are known but which is not in memory)."""
    stats = {plain_label(c): int(n) for c, n in zip(classes, counts)}
    minority = min(stats, key=stats.get)
    if callable(strategy):
        strategy = strategy(y)
    if isinstance(strategy, str):
        if strategy == "minority":
            raise InputError("'sampling_strategy'='minority' cannot be used with "
                             "under-sampler and clean-sampler.")
        majority = max(stats, key=stats.get)
        chosen = {"majority": [majority], "all": list(stats),
                  "not minority": [c for c in stats if c != minority],
                  "auto": [c for c in stats if c != minority],
                  "not majority": [c for c in stats if c != majority]}[strategy]
        return {c: stats[minority] for c in sorted(chosen)}
    if isinstance(strategy, numbers.Real):
        if len(stats) != 2:
            raise InputError('"sampling_strategy" can be a float only when the type of '
                             "target is binary. For multi-class, use a dict.")
        out = {c: int(stats[minority] / strategy) for c in stats if c != minority}
        if any(out[c] > stats[c] for c in out):
            raise InputError("The specified ratio required to generate new sample in the "
                             "majority class while trying to remove samples. Please "
                             "increase the ratio.")
        return out
    out = {}
    for label, n in sorted(dict(strategy).items()):
        if label not in stats:
            raise InputError(f"The {{{label!r}}} target class is/are not present in the data.")
        if n < 0 or n > stats[label]:
            raise InputError(
                f"sampling_strategy asks for {n} rows of class {label!r}, which has "
                f"{stats[label]}; with under-sampling it must be in [0, {stats[label]}]."
            )
        out[label] = int(n)
    return out
