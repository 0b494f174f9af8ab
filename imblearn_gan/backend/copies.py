"""Near-copies: how close synthetic rows come to the training rows.

A generator that memorises returns (near-)copies of training rows. These
functions measure it in the encoded space of :class:`TabularEncoder` (numeric
columns scaled, categories one-hot), on any torch device, through the chunked
exact search of :func:`neighbors.kneighbors` (memory bounded by
a block of query rows x ``n_train``, never an ``n x n`` matrix).

- :func:`closest_record_distances`: each synthetic row's distance to its
  closest training row (DCR, "distance to closest record").
- :func:`nn_distance_scale`: the training rows' own typical spacing, a
  quantile of each distinct row's distance to its nearest other row.
- :func:`nn_distance_threshold`: ``ratio`` x that scale, the distance below
  which a synthetic row counts as a near-copy.
- :func:`near_copy_rate`: the fraction of synthetic rows below it.

Inputs may be numpy arrays or torch tensors; results are numpy / floats.
"""

import numpy as np
import torch

from .neighbors import kneighbors


def _as_tensor(Z, device=None):
    if isinstance(Z, torch.Tensor):
        return Z if device is None else Z.to(device)
    return torch.as_tensor(np.asarray(Z, dtype=np.float32), device=device)


def closest_record_distances(Z_new, Z_train, *, chunk_size=None):
    """Euclidean distance of each new row to its closest training row.

    Parameters
    ----------
    Z_new : array-like or tensor of shape (n_new, d)
        Synthetic rows, encoded.
    Z_train : array-like or tensor of shape (n_train, d)
        Training rows, encoded the same way.
    chunk_size : int or None, default=None
        New rows per distance block; None: as many as keep a block of
        distances cache-sized (see :func:`neighbors.kneighbors`).

    Returns
    -------
    distances : ndarray of shape (n_new,), float64
        0 for an exact copy of a training row.
    """
    reference = _as_tensor(Z_train)
    query = _as_tensor(Z_new, reference.device).to(reference.dtype)
    if query.shape[0] == 0:
        return np.zeros(0)
    _, index = kneighbors(query, reference, 1, chunk_size=chunk_size)
    return _exact_distances(query, reference, index)


def _exact_distances(query, reference, index):
    # kneighbors ranks on |q|^2 - 2 q.r + |r|^2, where an exact copy can come
    # out at ~1e-3 in float32: recompute the winner's distance directly
    diff = query.double() - reference[index[:, 0]].double()
    return diff.norm(dim=1).cpu().numpy()


def nn_distance_scale(Z_train, *, quantile=0.5, chunk_size=None, max_queries=4096,
                      max_pairs=2**30):
    """The training rows' typical spacing: a quantile of NN distances.

    Each *distinct* row's distance to its nearest other distinct row
    (duplicates are merged first, so a table with repeated rows still gets
    a positive scale); ``quantile=0.5`` is the median. Above
    ``max_queries`` distinct rows, the quantile is estimated from that many
    rows (a fixed random subset, searched against every row), so the cost
    grows linearly with the rows instead of quadratically; above
    ``max_pairs / max_queries`` rows, from ``max_pairs / n`` rows (at least
    1,024), so it stops growing.

    Parameters
    ----------
    Z_train : array-like or tensor of shape (n_train, d)
    quantile : float in [0, 1], default=0.5
    chunk_size : int or None, default=None
    max_queries : int, default=4096
    max_pairs : int, default=2**30

    Returns
    -------
    scale : float
        0.0 when there are fewer than two distinct rows.
    """
    distinct = _distinct_rows(_as_tensor(Z_train))
    n = distinct.shape[0]
    if n < 2:
        return 0.0
    max_queries = min(max_queries, max(1024, max_pairs // n))
    if n <= max_queries:
        query = distinct
        _, index = kneighbors(distinct, distinct, 1, chunk_size=chunk_size, exclude_self=True)
    else:
        # a seeded subset of its own: the sampler's random stream is not touched
        pick = torch.randperm(n, generator=torch.Generator().manual_seed(0))[:max_queries]
        pick = pick.to(distinct.device)
        query = distinct[pick]
        _, index = kneighbors(query, distinct, 2, chunk_size=chunk_size)
        # the nearest row that is not the query itself
        index = torch.where(index[:, :1] == pick[:, None], index[:, 1:], index[:, :1])
    return float(np.quantile(_exact_distances(query, distinct, index), quantile))


def _distinct_rows(Z):
    """The distinct rows of ``Z``: torch's row-wise unique on a GPU; on the
    CPU numpy's unique over whole rows as raw bytes (about 4x faster at a
    million rows), after ``+ 0.0`` so that -0.0 and 0.0 are one value."""
    if Z.device.type != "cpu":
        return torch.unique(Z, dim=0)
    rows = np.ascontiguousarray((Z + 0.0).numpy())
    as_bytes = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))
    _, first = np.unique(as_bytes.ravel(), return_index=True)
    return torch.from_numpy(rows[np.sort(first)])


def nn_distance_threshold(Z_train, ratio, *, quantile=0.5, chunk_size=None):
    """``ratio`` x :func:`nn_distance_scale`: the near-copy distance.

    A synthetic row closer than this to a training row is a near-copy: it is
    nearer to that row than ``ratio`` times the typical distance between two
    training rows (``ratio=0.5``, ``quantile=0.5``: half the median spacing).
    """
    return ratio * nn_distance_scale(Z_train, quantile=quantile, chunk_size=chunk_size)


def near_copy_mask(Z_new, Z_train, threshold, *, chunk_size=None):
    """True for each new row closer than ``threshold`` to a training row."""
    return closest_record_distances(Z_new, Z_train, chunk_size=chunk_size) < threshold


def near_copy_rate(Z_new, Z_train, threshold, *, chunk_size=None):
    """Fraction of new rows closer than ``threshold`` to a training row
    (0.0 for no new rows)."""
    mask = near_copy_mask(Z_new, Z_train, threshold, chunk_size=chunk_size)
    return float(mask.mean()) if mask.size else 0.0
