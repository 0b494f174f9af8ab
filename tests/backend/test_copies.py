"""Near-copy measures: distance to closest record, NN spacing, rates."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.neighbors import NearestNeighbors

from imblearn_gan.backend.copies import (
    closest_record_distances,
    near_copy_mask,
    near_copy_rate,
    nn_distance_scale,
    nn_distance_threshold,
)


def random_points(n, d=4, seed=0):
    return np.random.RandomState(seed).normal(size=(n, d))


@pytest.mark.parametrize("chunk_size", [3, 1024])
def test_closest_record_distances_match_sklearn(chunk_size):
    # Setup
    train = random_points(120, seed=0)
    new = random_points(40, seed=1)
    expected, _ = NearestNeighbors(n_neighbors=1).fit(train).kneighbors(new)

    # Run
    dist = closest_record_distances(new, train, chunk_size=chunk_size)

    # Assert
    assert dist.shape == (40,)
    assert dist.dtype == np.float64
    assert_allclose(dist, expected[:, 0], rtol=1e-5, atol=1e-5)


def test_exact_copies_are_at_distance_zero_in_float32():
    # Setup: rows far from the origin, where |q|^2 - 2 q.r + |r|^2 loses
    # precision in float32; copies must still come out at exactly 0
    train = (random_points(50, seed=2) * 3 + 40).astype(np.float32)

    # Run
    dist = closest_record_distances(torch.as_tensor(train[:10]), torch.as_tensor(train))

    # Assert
    assert np.all(dist == 0.0)


def test_closest_record_distances_of_no_rows():
    # Run / Assert
    assert closest_record_distances(np.zeros((0, 3)), random_points(5, d=3)).shape == (0,)


def test_nn_distance_scale_is_the_median_nn_distance_of_distinct_rows():
    # Setup: a 1-D grid with spacing 1 and one isolated row at 20; every
    # row is duplicated (duplicates must not pull the scale to 0)
    grid = np.r_[np.arange(10.0), 20.0][:, None]
    train = np.r_[grid, grid]

    # Run
    scale = nn_distance_scale(train)
    largest = nn_distance_scale(train, quantile=1.0)

    # Assert
    assert scale == pytest.approx(1.0)
    assert largest == pytest.approx(11.0)  # the isolated row
    assert nn_distance_threshold(train, 0.25) == pytest.approx(0.25)


def test_nn_distance_scale_estimates_large_tables_from_a_subset_of_queries():
    # Setup: 6,000 distinct rows, more than max_queries, with a duplicate
    train = random_points(6000, seed=3)
    train = np.r_[train, train[:1]]
    dist, _ = NearestNeighbors(n_neighbors=2).fit(train[:6000]).kneighbors(train[:6000])
    exact = np.median(dist[:, 1])

    # Run
    estimate = nn_distance_scale(train, max_queries=1000)
    all_rows = nn_distance_scale(train, max_queries=10_000)

    # Assert: every row searched gives the exact median; 1,000 queries of
    # 6,000 come within a few percent of it, and the subset is fixed
    assert all_rows == pytest.approx(exact, rel=1e-5)
    assert estimate == pytest.approx(exact, rel=0.05)
    assert estimate != all_rows
    assert nn_distance_scale(train, max_queries=1000) == estimate


def test_nn_distance_scale_of_one_distinct_row_is_zero():
    # Run / Assert
    assert nn_distance_scale(np.ones((4, 2))) == 0.0


def test_near_copy_rate_on_a_constructed_case():
    # Setup: grid rows with spacing 1; 6 new rows copy a training row or sit
    # 0.1 from one (near-copies at threshold 0.25), 4 sit at cell centres
    # (0.707 from every grid row)
    train = np.array([[i, j] for i in range(5) for j in range(5)], dtype=float)
    copies = train[[0, 7, 12]]
    close = train[[3, 9, 20]] + np.array([0.1, 0.0])
    centres = np.array([[0.5, 0.5], [1.5, 2.5], [3.5, 3.5], [2.5, 0.5]])
    new = np.r_[copies, close, centres]
    threshold = nn_distance_threshold(train, 0.25)

    # Run
    mask = near_copy_mask(new, train, threshold)
    rate = near_copy_rate(new, train, threshold)

    # Assert
    assert threshold == pytest.approx(0.25)
    assert mask.tolist() == [True] * 6 + [False] * 4
    assert rate == pytest.approx(0.6)
    assert near_copy_rate(np.zeros((0, 2)), train, threshold) == 0.0
