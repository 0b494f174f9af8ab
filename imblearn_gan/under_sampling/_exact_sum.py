"""Exact sums of float32 scores, the same however the rows are blocked.

A float sum depends on the order of its terms, so per-block partial sums
combined over another blocking (another ``chunk_size``, other dask
partitions) differ in the last bits, and so would ``lambda_`` and the keep
probabilities. Here a positive, normal float32 value is an integer mantissa
``m < 2**24`` times ``2**(e - 150)`` (``e`` its biased exponent): the
mantissas are summed per exponent in integers, which is exact and
associative, and the total is rounded to float64 once, correctly (Python
integers). A block's summary is sparse: one entry per (key, exponent) that
occurs, so summaries of many partitions combine in any order, on the client
or in a tree on the workers.
"""

from typing import NamedTuple

import numpy as np

# float64 bincount sums of mantissas (< 2**24) are exact below 2**53, i.e. for
# up to 2**29 rows; blocks are cut at this many rows to be safe
_ROWS = 1 << 28
_EXP_BIAS = 150  # float32: value = mantissa * 2**(biased exponent - 127 - 23)


class ExactSums(NamedTuple):
    """Sparse exact sums: ``sum of key k = sum_i mantissa[i] * 2**(exponent[i] - 150)``
    over the entries ``i`` with ``key[i] == k`` (int64 arrays)."""

    key: np.ndarray
    exponent: np.ndarray
    mantissa: np.ndarray


def _empty():
    empty = np.zeros(0, dtype=np.int64)
    return ExactSums(empty, empty, empty)


def exact_sums(values, keys=None, n_keys=1):
    """Exact per-key sums of ``values`` (positive normal float32).

    Parameters
    ----------
    values : ndarray of float32
    keys : ndarray of int or None
        Key of each value in ``0 .. n_keys - 1`` (``None``: one key, 0).
    n_keys : int

    Returns
    -------
    ExactSums
    """
    values = np.ascontiguousarray(values, dtype=np.float32)
    if values.size == 0:
        return _empty()
    parts = []
    for a in range(0, values.size, _ROWS):
        bits = values[a:a + _ROWS].view(np.int32)
        exponent = bits >> 23  # sign bit 0: positive values
        mantissa = (bits & 0x7FFFFF) | 0x800000  # the implicit leading 1 (normal values)
        e_min = int(exponent.min())
        n_exp = int(exponent.max()) - e_min + 1
        bucket = exponent - e_min
        if keys is not None:
            bucket = keys[a:a + _ROWS].astype(np.int64) * n_exp + bucket
        sums = np.bincount(bucket, weights=mantissa, minlength=n_keys * n_exp)
        present = np.flatnonzero(sums)
        parts.append(ExactSums(present // n_exp, present % n_exp + e_min,
                               sums[present].astype(np.int64)))
    return parts[0] if len(parts) == 1 else merge(parts)


def merge(parts):
    """One ``ExactSums`` from several (of any blocks, in any order)."""
    parts = [p for p in parts if p.key.size]
    if not parts:
        return _empty()
    key = np.concatenate([p.key for p in parts])
    exponent = np.concatenate([p.exponent for p in parts])
    mantissa = np.concatenate([p.mantissa for p in parts])
    pairs, inverse = np.unique(np.stack([key, exponent]), axis=1, return_inverse=True)
    total = np.zeros(pairs.shape[1], dtype=np.int64)
    np.add.at(total, inverse.ravel(), mantissa)  # integers: exact in any order
    return ExactSums(pairs[0], pairs[1], total)


def _rounded(mantissas, exponents):
    """The correctly rounded float of ``sum_i m_i * 2**(e_i - 150)`` (Python ints)."""
    if not mantissas:
        return 0.0
    e0 = min(exponents)
    total = sum(m << (e - e0) for m, e in zip(mantissas, exponents))
    shift = e0 - _EXP_BIAS
    # int / int is correctly rounded in Python, however large the integers
    return float(total * 2**shift) if shift >= 0 else total / (1 << -shift)


def total(sums, first=0, last=None):
    """Correctly rounded sum of the keys ``first .. last`` (all keys by default)."""
    mine = sums.key >= first
    if last is not None:
        mine &= sums.key <= last
    return _rounded(sums.mantissa[mine].tolist(), sums.exponent[mine].tolist())


def prefix_totals(sums, n_keys):
    """Correctly rounded sums of the keys ``0 .. j``, for each ``j < n_keys``."""
    out = np.zeros(n_keys)
    if sums.key.size == 0:
        return out
    order = np.argsort(sums.key, kind="stable")
    keys = sums.key[order].tolist()
    mantissas, exponents = sums.mantissa[order].tolist(), sums.exponent[order].tolist()
    e0 = min(exponents)
    shift = e0 - _EXP_BIAS
    running, i = 0, 0
    for k in range(n_keys):
        while i < len(keys) and keys[i] == k:
            running += mantissas[i] << (exponents[i] - e0)
            i += 1
        out[k] = float(running * 2**shift) if shift >= 0 else running / (1 << -shift)
    return out
