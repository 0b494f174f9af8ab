"""Exact k-nearest neighbours in chunks, on any torch device.

Memory is bounded by ``chunk_size x n_reference`` distances: the full
``n x n`` matrix is never built.
"""

import torch


def kneighbors(query, reference, k, *, chunk_size=1024, exclude_self=False):
    """Indices and Euclidean distances of the ``k`` nearest reference rows.

    Parameters
    ----------
    query : tensor (n, d)
    reference : tensor (m, d)
    k : int
        Capped at the number of candidates.
    chunk_size : int
        Query rows per distance block.
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
    for start in range(0, query.shape[0], chunk_size):
        block = query[start : start + chunk_size]
        # |q - r|^2 = |q|^2 - 2 q.r + |r|^2; |q|^2 does not change a row's
        # ranking, so rank on |r|^2 - 2 q.r (one fused addmm) and add it back
        # to the k winners only
        scores = torch.addmm(ref_sq, block, reference.T, alpha=-2)
        if exclude_self:
            rows = torch.arange(block.shape[0], device=block.device)
            scores[rows, rows + start] = float("inf")
        values, index = torch.topk(scores, k, dim=1, largest=False)
        d2 = values + (block * block).sum(1, keepdim=True)
        dist_parts.append(d2.clamp_min(0).sqrt())
        index_parts.append(index)
    return torch.cat(dist_parts), torch.cat(index_parts)


def same_class_neighbors(Z, labels, k, chunk_size=1024):
    """For each row, ``k`` nearest rows of its own class (global indices).

    A class with fewer than ``k + 1`` rows cycles through the rows it has; a
    class of one row is its own neighbour.
    """
    table = torch.empty(Z.shape[0], k, dtype=torch.long, device=Z.device)
    for label in torch.unique(labels):
        members = torch.nonzero(labels == label).squeeze(1)
        if members.numel() == 1:
            table[members] = members[0]
            continue
        _, local = kneighbors(Z[members], Z[members], k, chunk_size=chunk_size,
                              exclude_self=True)
        repeat = -(-k // local.shape[1])  # ceil: cycle when the class is small
        table[members] = members[local.repeat(1, repeat)[:, :k]]
    return table
