"""Keep probabilities of loss-proportional sampling: scores, lambda, draws.

Everything here works on one block of rows at a time (a chunk of an ndarray
or a dask partition), so the in-memory and the dask paths share it, and
nothing depends on where the blocks begin or end:

- :func:`row_scores`: per-row score of the pilot's probabilities (computed
  in float64, stored as float32); rows of classes that are not subsampled
  get ``+inf`` (kept with p = 1).
- :func:`solve_lambda`: the ``lambda`` with ``sum_i min(1, max(p_min,
  lambda * score_i)) == target``, from per-block summaries only (histograms
  of the scores on a grid of candidate lambdas, then the few rows whose
  breakpoints are still ambiguous). The summaries are exact (integer counts,
  exact sums of the float32 scores, ``_exact_sum``), so ``lambda`` is a
  function of the multiset of scores: the same for any blocking.
- :func:`select_block`: the keep draws. Uniform draws come from one stream per
  block of ``DRAW_BLOCK`` global rows, keyed by ``(seed, block)``, so the
  selection is the same whatever the chunking (chunked, unchunked, any dask
  partitioning).
"""

import numpy as np

from ._exact_sum import exact_sums, merge, prefix_totals, total

PROBA_CLIP = 1e-7  # probabilities are clipped to [1e-7, 1]: finite log-loss
LOSS_FLOOR = 1e-12  # every score is positive, so lambda is finite
DRAW_BLOCK = 1 << 16
_GRID = 256  # candidate lambdas per summary pass
_EXACT_ROWS = 1 << 16  # gather the ambiguous rows once this few remain
_MAX_PASSES = 12


def row_scores(proba, codes, targeted, *, design="loss", loss="log_loss", x_norm=None):
    """Score of each row (float32); ``+inf`` where the class is not subsampled.

    ``design="loss"``: ``loss="log_loss"`` gives ``-log p_true``,
    ``"squared_error"`` the Brier score ``sum_k (p_k - [k == true])^2``.
    ``"local-case-control"``: ``1 - p_true`` (``|y - p(x)|`` for two
    classes). ``"gradient-norm"``: ``||p - e_true|| * x_norm``, the norm of
    the log-loss gradient of a linear model (``x_norm = ||(1, x)||``). All
    are floored at ``LOSS_FLOOR``.
    """
    p_true = proba[np.arange(len(codes)), codes]
    if design == "local-case-control":
        values = 1.0 - p_true
    elif design == "loss" and loss == "log_loss":
        values = -np.log(np.clip(p_true, PROBA_CLIP, 1.0))
    else:
        values = np.einsum("ij,ij->i", proba, proba) - 2.0 * p_true + 1.0
        if design == "gradient-norm":
            values = np.sqrt(np.maximum(values, 0.0)) * x_norm
    values = np.maximum(values, LOSS_FLOOR).astype(np.float32)
    values[~targeted[codes]] = np.inf
    return values


def loss_stats(losses):
    """(finite count, exact finite sum, finite min, finite max) of one block."""
    finite = losses[np.isfinite(losses)]
    if finite.size == 0:
        return 0, exact_sums(finite), np.inf, -np.inf
    return finite.size, exact_sums(finite), float(finite.min()), float(finite.max())


def combine_stats(stats):
    """:func:`loss_stats` of several blocks as one."""
    stats = list(stats)
    return (sum(s[0] for s in stats), merge([s[1] for s in stats]),
            min(s[2] for s in stats), max(s[3] for s in stats))


def histogram(losses, edges):
    """Counts and exact score sums per bin ``(e[j-1], e[j]]`` (bins 0 .. len(edges))."""
    index = np.searchsorted(edges, losses, side="left")
    n_bins = len(edges) + 1
    counts = np.bincount(index, minlength=n_bins)
    finite = np.isfinite(losses)
    return counts, exact_sums(losses[finite], index[finite], n_bins)


def combine_histograms(parts):
    parts = list(parts)
    return np.sum([p[0] for p in parts], axis=0), merge([p[1] for p in parts])


def in_ranges(losses, ranges):
    """Distinct scores inside any of the intervals ``(lo, hi]``, with counts
    (ties, e.g. of an uninformative pilot, stay one value)."""
    mask = np.zeros(losses.shape, dtype=bool)
    for lo, hi in ranges:
        mask |= (losses > lo) & (losses <= hi)
    values, counts = np.unique(losses[mask], return_counts=True)
    return values.astype(np.float64), counts


def combine_values(parts):
    """:func:`in_ranges` of several blocks: sorted distinct values, summed counts
    (the same arrays whatever the blocks)."""
    parts = list(parts)
    values = np.concatenate([p[0] for p in parts])
    counts = np.concatenate([p[1] for p in parts])
    distinct, inverse = np.unique(values, return_inverse=True)
    return distinct, np.bincount(inverse, weights=counts, minlength=distinct.size).astype(
        np.int64)


def keep_probability(losses, lam, p_min):
    """``min(1, max(p_min, lam * loss))``; ``+inf`` losses give 1."""
    if np.isinf(lam):
        return np.ones(losses.shape)
    return np.minimum(1.0, np.maximum(p_min, lam * losses.astype(np.float64)))


def uniforms(seed, start, stop):
    """Uniform draws of global rows ``start .. stop - 1`` (chunking-invariant)."""
    parts = []
    for block in range(start // DRAW_BLOCK, (stop - 1) // DRAW_BLOCK + 1):
        stream = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, block])))
        lo = max(start - block * DRAW_BLOCK, 0)
        hi = min(stop - block * DRAW_BLOCK, DRAW_BLOCK)
        parts.append(stream.random(hi)[lo:])  # the stream's first draws are its rows'
    return np.concatenate(parts) if parts else np.empty(0)


def select_block(losses, lam, p_min, seed, offset):
    """Keep draws of one block starting at global row ``offset``.

    Returns the local indices of the kept rows, their keep probabilities and
    ``(rows at p = 1, subsampled rows at p_min, exact score sum of the rows
    in between, subsampled rows at 1)``, from which the expected sample size
    is ``n_one + p_min * n_min + lam * sum``.
    """
    p = keep_probability(losses, lam, p_min)
    keep = np.flatnonzero(uniforms(seed, offset, offset + len(losses)) < p)
    subsampled = np.isfinite(losses)
    at_min, at_one = p <= p_min, p >= 1.0
    middle = ~(at_min | at_one)
    stats = (int(np.count_nonzero(at_one)), int(np.count_nonzero(subsampled & at_min)),
             exact_sums(losses[middle]), int(np.count_nonzero(subsampled & at_one)))
    return keep, p[keep], stats


def combine_selections(stats):
    """The ``stats`` of :func:`select_block` over several blocks."""
    stats = list(stats)
    return (sum(s[0] for s in stats), sum(s[1] for s in stats),
            merge([s[2] for s in stats]), sum(s[3] for s in stats))


def _expected_sizes(lams, edges, c_cum, s_cum, p_min, n_rows):
    """``f(lambda)`` at grid points whose thresholds are edges of the histogram."""
    iu = np.searchsorted(edges, 1.0 / lams)  # edges hold these values exactly
    iv = np.searchsorted(edges, p_min / lams)
    at_one = n_rows - c_cum[iu]
    return at_one + p_min * c_cum[iv] + lams * (s_cum[iu] - s_cum[iv])


def _bracket(summarize, n_rows, l_min, l_max, target, p_min):
    """Narrow ``[lo, hi]`` around the solution with histogram passes.

    Returns ``lo, hi``, the fixed part ``(n at 1, n at p_min, middle score
    sum)`` of ``f`` on the bracket and the ambiguous score ranges.
    """
    lo, hi = p_min / l_max, 1.0 / l_min
    for _ in range(_MAX_PASSES):
        lams = np.unique(np.geomspace(lo, hi, _GRID))
        lams[0], lams[-1] = lo, hi
        edges = np.unique(np.concatenate([1.0 / lams, p_min / lams]))
        counts, sums = summarize(edges)
        c_cum = np.cumsum(counts)
        f = _expected_sizes(lams, edges, c_cum, prefix_totals(sums, len(counts)), p_min,
                            n_rows)
        j = int(np.clip(np.searchsorted(f, target, side="right") - 1, 0, len(lams) - 2))
        lo, hi = lams[j], lams[j + 1]
        fixed, ranges, n_ambiguous = _split(lo, hi, edges, c_cum, sums, p_min, n_rows)
        if n_ambiguous <= _EXACT_ROWS or hi <= lo * (1 + 1e-12):
            break
    return lo, hi, fixed, ranges


def _split(lo, hi, edges, c_cum, sums, p_min, n_rows):
    """Rows whose keep probability is fixed on ``[lo, hi]`` and the rest."""

    def upto(value):  # bin of the edge ``value``: rows <= value are in bins 0 .. i
        return int(np.searchsorted(edges, value))

    def count(a, b):  # rows in (a, b], both edges
        return c_cum[upto(b)] - c_cum[upto(a)]

    n_at_one = n_rows - c_cum[upto(1.0 / lo)]
    n_at_min = c_cum[upto(p_min / hi)]
    if p_min / lo < 1.0 / hi:  # certainly in the middle: (p_min/lo, 1/hi]
        middle = total(sums, upto(p_min / lo) + 1, upto(1.0 / hi))
        ranges = [(p_min / hi, p_min / lo), (1.0 / hi, 1.0 / lo)]
    else:
        middle, ranges = 0.0, [(p_min / hi, 1.0 / lo)]
    n_ambiguous = sum(count(a, b) for a, b in ranges)
    return (n_at_one, n_at_min, middle), ranges, n_ambiguous


def solve_lambda(summarize, gather, n_rows, l_min, l_max, target, p_min):
    """Solve ``sum_i min(1, max(p_min, lam * l_i)) == target`` for ``lam``.

    Parameters
    ----------
    summarize : callable ``edges -> (counts, sums)``
        :func:`histogram` over all blocks (:func:`combine_histograms`).
    gather : callable ``ranges -> (values, counts)``
        :func:`in_ranges` over all blocks (:func:`combine_values`).
    n_rows : int
        All rows (``+inf`` scores included).
    l_min, l_max : float
        Smallest and largest finite score.
    target : float
        Expected number of kept rows, all rows included.
    p_min : float

    Returns
    -------
    float
        ``inf`` when every row is kept.
    """
    if target >= n_rows or l_max < l_min:  # keep everything (or nothing to subsample)
        return np.inf
    lo, hi, (n_one, n_min, middle), ranges = _bracket(
        summarize, n_rows, l_min, l_max, target, p_min)
    values, counts = gather(ranges)

    def f(lam):
        ambiguous = counts @ np.minimum(1.0, np.maximum(p_min, lam * values))
        return n_one + p_min * n_min + lam * middle + ambiguous

    points = np.concatenate([[lo, hi], 1.0 / values, p_min / values])
    points = np.unique(points[(points >= lo) & (points <= hi)])
    left, right = 0, len(points) - 1  # f(points[left]) <= target <= f(points[right])
    while right - left > 1:
        mid = (left + right) // 2
        left, right = (mid, right) if f(points[mid]) <= target else (left, mid)
    a, b = points[left], points[right]
    fa, fb = f(a), f(b)
    if fb <= fa:
        return float(b)
    return float(a + (target - fa) * (b - a) / (fb - fa))  # f is linear on [a, b]
