"""Chunked exact k-nearest neighbours against scikit-learn's NearestNeighbors."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neighbors import NearestNeighbors

from imblearn_gan.backend.neighbors import (
    exact_sq_distances,
    kneighbors,
    nearest_candidates,
    rank_ties,
    same_class_neighbors,
)


def random_points(n, d=4, seed=0):
    # continuous random data: distance ties have probability zero
    return np.random.RandomState(seed).normal(size=(n, d))


@pytest.mark.parametrize("chunk_size", [7, 64, 2048])
def test_kneighbors_matches_sklearn(chunk_size):
    # Setup
    reference = random_points(150, seed=0)
    query = random_points(60, seed=1)
    expected_dist, expected_index = (
        NearestNeighbors(n_neighbors=5).fit(reference).kneighbors(query)
    )

    # Run
    dist, index = kneighbors(
        torch.as_tensor(query), torch.as_tensor(reference), 5, chunk_size=chunk_size
    )

    # Assert
    assert dist.shape == index.shape == (60, 5)
    assert_allclose(dist.numpy(), expected_dist, rtol=1e-6, atol=1e-6)
    for row in range(60):
        assert set(index[row].tolist()) == set(expected_index[row].tolist())


@pytest.mark.parametrize(
    "n_reference, expected_rows", [(100, 1024), (3000, 349), (2**20, 16), (2**21, 16)]
)
def test_automatic_block_stays_within_the_cache_budget(n_reference, expected_rows):
    from imblearn_gan.backend.neighbors import BLOCK_ENTRIES, _rows_per_block

    rows = _rows_per_block(None, n_reference)
    assert rows == expected_rows
    assert rows * n_reference <= BLOCK_ENTRIES or rows == 16
    assert _rows_per_block(7, n_reference) == 7  # an explicit size is kept


def test_kneighbors_automatic_blocks_give_the_same_neighbours():
    # Setup: 3,000 references, so the automatic block (349 rows) differs
    # from the 1,024-row one and the last block is ragged
    points = torch.as_tensor(random_points(3000, d=6, seed=3), dtype=torch.float32)

    # Run
    auto = kneighbors(points, points, 5, exclude_self=True)
    fixed = kneighbors(points, points, 5, chunk_size=1024, exclude_self=True)

    # Assert: the same indices and distances, bit for bit
    assert torch.equal(auto[1], fixed[1]) and torch.equal(auto[0], fixed[0])


@pytest.mark.parametrize("chunk_size", [5, 2048])
def test_kneighbors_exclude_self_matches_sklearn(chunk_size):
    # Setup: sklearn's kneighbors() without X leaves each point out
    points = random_points(90, seed=2)
    expected_dist, expected_index = (
        NearestNeighbors(n_neighbors=4).fit(points).kneighbors()
    )
    tensor = torch.as_tensor(points)

    # Run
    dist, index = kneighbors(tensor, tensor, 4, chunk_size=chunk_size, exclude_self=True)

    # Assert
    assert_allclose(dist.numpy(), expected_dist, rtol=1e-6, atol=1e-6)
    for row in range(90):
        assert row not in index[row].tolist()
        assert set(index[row].tolist()) == set(expected_index[row].tolist())


def test_kneighbors_without_exclude_self_finds_the_point_itself():
    # Setup
    tensor = torch.as_tensor(random_points(30))

    # Run
    dist, index = kneighbors(tensor, tensor, 1, chunk_size=8)

    # Assert
    assert_array_equal(index[:, 0].numpy(), np.arange(30))
    assert_allclose(dist[:, 0].numpy(), 0.0, atol=1e-6)


def test_kneighbors_caps_k_at_the_number_of_candidates():
    # Setup
    tensor = torch.as_tensor(random_points(4))

    # Run
    _, index_all = kneighbors(tensor, tensor, 10)
    _, index_others = kneighbors(tensor, tensor, 10, exclude_self=True)

    # Assert
    assert index_all.shape == (4, 4)
    assert index_others.shape == (4, 3)


def test_kneighbors_float32():
    # Setup: queries apart from the reference (the |q|^2 - 2 q.r + |r|^2
    # expansion is not meant to resolve distances near 0 in float32)
    reference = random_points(80, seed=3).astype(np.float32)
    query = random_points(20, seed=7).astype(np.float32)
    expected_dist, _ = NearestNeighbors(n_neighbors=3).fit(reference).kneighbors(query)

    # Run
    dist, _ = kneighbors(torch.as_tensor(query), torch.as_tensor(reference), 3,
                         chunk_size=6)

    # Assert
    assert dist.dtype == torch.float32
    assert_allclose(dist.numpy(), expected_dist, rtol=1e-4, atol=1e-4)


def test_same_class_neighbors_stay_in_class_and_skip_the_row_itself():
    # Setup: classes interleaved, so global and local indices differ
    points = random_points(120, seed=4)
    labels = np.random.RandomState(5).randint(0, 3, size=120)

    # Run
    table = same_class_neighbors(
        torch.as_tensor(points), torch.as_tensor(labels), 4, chunk_size=9
    )

    # Assert
    assert table.shape == (120, 4)
    table = table.numpy()
    for row in range(120):
        assert np.all(labels[table[row]] == labels[row])
        assert row not in table[row]
    # and they are the nearest rows of the class
    for label in range(3):
        members = np.flatnonzero(labels == label)
        _, local = NearestNeighbors(n_neighbors=4).fit(points[members]).kneighbors()
        for position, row in enumerate(members):
            assert set(table[row]) == set(members[local[position]])


def test_same_class_neighbors_small_classes():
    # Setup: a class of 3 rows asked for 5 neighbours, a class of one row
    points = torch.as_tensor(random_points(10, seed=6))
    labels = torch.as_tensor([0, 0, 0, 0, 0, 0, 1, 1, 1, 2])

    # Run
    table = same_class_neighbors(points, labels, 5).numpy()

    # Assert: the small class cycles through its other rows, never itself
    for row in (6, 7, 8):
        assert set(table[row]) == {6, 7, 8} - {row}
    # a class of one row is its own neighbour (the only one it has)
    assert_array_equal(table[9], [9] * 5)


def test_approximate_neighbors_are_near_and_linear():
    # Setup: 6,000 rows of 10 standardised features; leaves of 256 rows, so
    # each tree has 32 leaves and the candidates cross leaf borders only
    # through the other trees
    from imblearn_gan.backend.neighbors import approximate_neighbors

    points = torch.as_tensor(random_points(6000, d=10, seed=8), dtype=torch.float32)

    # Run
    table = approximate_neighbors(points, 5, leaf_rows=256).numpy()

    # Assert: five distinct rows, never the row itself
    assert table.shape == (6000, 5)
    assert not np.any(table == np.arange(6000)[:, None])
    assert all(len(set(row)) == 5 for row in table)
    # near: against the exact search, most neighbours found and the mean
    # distance to the five found barely above the exact one
    exact_dist, exact_index = NearestNeighbors(n_neighbors=5).fit(points).kneighbors()
    found = np.linalg.norm(points.numpy()[table] - points.numpy()[:, None], axis=2)
    recall = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(table, exact_index)])
    ratio = np.median(found.mean(1) / exact_dist.mean(1))
    assert recall > 0.6, recall
    assert 1.0 <= ratio < 1.05, ratio
    # a random table would be far off: the search is doing the work
    rand = np.random.RandomState(0).randint(0, 6000, size=(6000, 5))
    rand_ratio = np.median(np.linalg.norm(points.numpy()[rand] - points.numpy()[:, None],
                                          axis=2).mean(1) / exact_dist.mean(1))
    assert rand_ratio > 2


def test_large_classes_take_the_approximate_search(monkeypatch):
    # Setup: the exact limit lowered so that a 3,000-row class exceeds it
    import imblearn_gan.backend.neighbors as neighbors

    monkeypatch.setattr(neighbors, "EXACT_CLASS_ROWS", 1000)
    monkeypatch.setattr(neighbors, "LEAF_ROWS", 256)
    points = random_points(3200, d=6, seed=9)
    labels = np.r_[np.zeros(3000, dtype=int), np.ones(200, dtype=int)]
    calls = []
    approximate = neighbors.approximate_neighbors
    monkeypatch.setattr(neighbors, "approximate_neighbors",
                        lambda X, k: calls.append(len(X)) or approximate(X, k, leaf_rows=256))

    # Run
    table = neighbors.same_class_neighbors(
        torch.as_tensor(points), torch.as_tensor(labels), 4).numpy()

    # Assert: only the large class was approximated; rows stay in their class
    assert calls == [3000]
    assert np.all(labels[table] == labels[:, None])
    assert not np.any(table == np.arange(3200)[:, None])
    small = np.flatnonzero(labels == 1)
    _, local = NearestNeighbors(n_neighbors=4).fit(points[small]).kneighbors()
    for position, row in enumerate(small):
        assert set(table[row]) == set(small[local[position]])


# -- nearest_candidates / rank_ties: the exact whole-dataset search ---------

def all_sq_distances(X):
    everyone = np.arange(len(X))
    return exact_sq_distances(X, everyone, np.tile(everyone, (len(X), 1)))


@pytest.mark.parametrize("algorithm", ["kd_tree", "brute"])
@pytest.mark.parametrize("scale", [1.0, 1e3])
def test_nearest_candidates_are_exact_and_bounded(algorithm, scale):
    # Setup: continuous rows far from the origin (large norms stress the
    # low-precision scores) plus duplicated rows
    rng = np.random.RandomState(0)
    X = rng.normal(size=(700, 20)) * scale + 5 * scale
    X[600:] = X[:100]
    full = all_sq_distances(X)

    # Run
    blocks = list(nearest_candidates(X, 5, algorithm=algorithm, chunk_size=64))

    # Assert
    proven = []
    for rows, dist2, index, lower in blocks:
        assert_array_equal(dist2, np.take_along_axis(full[rows], index, 1))
        assert np.all(np.diff(dist2, axis=1) >= 0)
        for i, row in enumerate(rows):
            others = np.setdiff1d(np.arange(len(X)), index[i])
            # the proven bound holds
            assert full[row, others].min() >= lower[i]
            # where the bound proves it, the two nearest are the true ones
            if dist2[i, 1] < lower[i]:
                assert_array_equal(dist2[i, :2], np.sort(full[row])[:2])
        distinct = dist2[:, 0] < dist2[:, 1]
        proven.extend(dist2[distinct, 1] < lower[distinct])
    # and it proves (almost) every row whose two nearest differ
    assert np.mean(proven) > 0.9


def test_brute_candidates_bound_proves_most_rows():
    # Setup
    X = np.random.RandomState(1).normal(size=(3000, 50))

    # Run
    proven = sum(int(np.sum(dist2[:, 1] < lower)) for _, dist2, _, lower in
                 nearest_candidates(X, 8, algorithm="brute", chunk_size=256))

    # Assert: low precision only rarely needs the exact fallback
    assert proven >= 0.99 * 3000


def test_rank_ties_lists_every_tied_row():
    # Setup: integer grid -> many equal distances
    rng = np.random.RandomState(2)
    X = rng.randint(0, 3, size=(300, 3)).astype(float)
    full = all_sq_distances(X)
    rows = np.array([0, 17, 299])

    # Run
    ties = rank_ties(X, rows, 2, chunk_size=2, ref_block=50)

    # Assert
    for row, (index, dist2) in zip(rows, ties):
        cut = np.sort(full[row])[1]
        assert_array_equal(np.sort(index), np.flatnonzero(full[row] <= cut))
        assert_array_equal(dist2, full[row, index])
        assert np.all(np.diff(dist2) >= 0)
