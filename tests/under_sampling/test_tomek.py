"""TomekPruner: identical rows to imblearn's TomekLinks, mixed data, weights."""

from collections import Counter

import numpy as np
import pytest
from imblearn.under_sampling import TomekLinks
from numpy.testing import assert_array_equal
from sklearn.neighbors import NearestNeighbors

from imblearn_gan import TomekPruner
from imblearn_gan.exceptions import InputError
from imblearn_gan.under_sampling._tomek import _heap_choice, tomek_links

STRATEGIES = ["auto", "majority", "not minority", "not majority", "all"]


def random_dataset(seed):
    """Small datasets of every kind that makes TomekLinks' choices subtle:
    few integer values (duplicate rows, equidistant neighbours), integer
    dtype, continuous values; 1 to 20 features (KD-tree and brute force in
    scikit-learn); 2 to 4 classes; 3 to 300 rows."""
    rng = np.random.RandomState(seed)
    n = int(rng.choice([3, 4, 5, 6, 7, 20, 60, 150, 300]))
    d = int(rng.choice([1, 2, 3, 5, 15, 16, 20]))
    kind = seed % 4
    if kind == 0:
        X = rng.randint(0, 3, size=(n, d)).astype(np.float64)
    elif kind == 1:
        X = rng.randint(0, 4, size=(n, d))  # int64: scikit-learn's other brute path
    elif kind == 2:
        X = rng.normal(size=(n, d)).astype(np.float32)
    else:
        X = np.round(rng.normal(size=(n, d)), 1)  # decimals, with repeats
    y = rng.randint(0, rng.randint(2, 5), size=n)
    y[:2] = [0, 1]  # at least two classes
    return X, y


def _strategies(y):
    classes = np.unique(y)
    return STRATEGIES + [[classes[0]], list(classes[1:])]


@pytest.mark.parametrize("block", range(4))
def test_same_rows_as_imblearn_on_200_random_datasets(block):
    # Setup: 50 datasets per block; each with "all" and one of the other
    # sampling strategies in turn (the 7 forms appear ~28 times each)
    for seed in range(50 * block, 50 * (block + 1)):
        X, y = random_dataset(seed)
        for strategy in ("all", _strategies(y)[seed % 7]):
            expected = TomekLinks(sampling_strategy=strategy)
            expected.fit_resample(X, y)

            # Run
            pruner = TomekPruner(sampling_strategy=strategy, device="cpu")
            X_res, _ = pruner.fit_resample(X, y)

            # Assert
            assert_array_equal(pruner.sample_indices_, expected.sample_indices_,
                               err_msg=f"seed={seed} strategy={strategy!r}")
            assert_array_equal(X_res, X[expected.sample_indices_])


@pytest.mark.parametrize("n, d", [(3000, 20), (1500, 18), (2500, 4)])
def test_same_rows_as_imblearn_with_many_ties_in_larger_data(n, d):
    # Setup: binary features -> most rows have duplicates and equidistant
    # neighbours; n > 2048 exercises scikit-learn's parallel_on_X order,
    # n <= 2048 its per-thread heaps (parallel_on_Y)
    rng = np.random.RandomState(n)
    X = rng.randint(0, 2, size=(n, d)).astype(np.float64)
    y = rng.randint(0, 3, size=n)
    expected = TomekLinks(sampling_strategy="all")
    expected.fit_resample(X, y)

    # Run
    pruner = TomekPruner(sampling_strategy="all", device="cpu")
    pruner.fit_resample(X, y)

    # Assert
    assert pruner.n_rechecked_ > 0  # the tie machinery was needed
    assert_array_equal(pruner.sample_indices_, expected.sample_indices_)


@pytest.mark.parametrize("algorithm", ["kd_tree", "brute"])
def test_both_searches_agree_with_imblearn(algorithm):
    # Setup: continuous data, so the order is unambiguous whichever search
    rng = np.random.RandomState(3)
    for d in (3, 30):
        X = rng.normal(size=(4000, d))
        y = (rng.rand(4000) < 0.2).astype(int)

        # Run
        pruner = TomekPruner(algorithm=algorithm, device="cpu", chunk_size=128)
        pruner.fit_resample(X, y)

        # Assert
        assert pruner.algorithm_ == algorithm
        reference = TomekLinks()
        reference.fit_resample(X, y)
        assert_array_equal(pruner.sample_indices_, reference.sample_indices_)


# minority share 0.3: every row searched (symmetric tiles); 0.1: the
# minority's rows and the majority rows they point to (query tiles)
@pytest.mark.parametrize("share", [0.3, 0.1])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("d", [4, 24])
def test_brute_force_tiles_agree_with_imblearn(n_threads, d, share):
    # Setup: many small tiles (64 rows), duplicates across tiles, and data
    # far from the origin with clustered rows (close runner-up neighbours,
    # so the re-scan of unproven rows runs)
    rng = np.random.RandomState(d)
    centres = rng.normal(size=(40, d)) * 5
    X = centres[rng.randint(40, size=1500)] + rng.normal(size=(1500, d)) * 0.3 + 50
    X[1400:] = X[rng.randint(1400, size=100)]  # twins in other tiles
    y = (rng.rand(1500) < share).astype(int)

    # Run
    pruner = TomekPruner(algorithm="brute", device="cpu", chunk_size=16,
                         n_threads=n_threads)
    pruner.fit_resample(X, y)

    # Assert: the same rows as imblearn; the fast search proves every row
    # but those with a true tie among their three nearest (self included)
    reference = TomekLinks()
    reference.fit_resample(X, y)
    assert_array_equal(pruner.sample_indices_, reference.sample_indices_)
    from imblearn_gan.backend.neighbors import exact_sq_distances

    everyone = np.arange(len(X))
    full = np.sort(exact_sq_distances(X, everyone, np.tile(everyone, (len(X), 1))), 1)
    tied = (full[:, 0] == full[:, 1]) | (full[:, 1] == full[:, 2])
    searched = pruner.nearest_neighbors_ >= 0
    assert searched.mean() == 1.0 if share == 0.3 else searched.mean() < 0.25
    assert 0 < pruner.n_rechecked_ == tied[searched].sum()
    # (among exactly tied rows above 15 features, scikit-learn's own float64
    # rounding may order twins: a documented limit, so compared without them)
    expected = NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X)[1][:, 1]
    proven = searched & ~tied
    assert_array_equal(pruner.nearest_neighbors_[proven], expected[proven])


def test_auto_search_by_shape_and_device(monkeypatch):
    # Setup
    from imblearn_gan.backend.neighbors import fast_low_precision
    from imblearn_gan.under_sampling import _tomek

    rng = np.random.RandomState(0)
    y = np.r_[np.zeros(50), np.ones(10)].astype(int)
    narrow_X, wide_X = rng.normal(size=(60, 5)), rng.normal(size=(60, 20))

    # Run: a small table, then the same table counted as a large one
    narrow, wide = TomekPruner(device="cpu"), TomekPruner(device="cpu")
    narrow.fit_resample(narrow_X, y)
    wide.fit_resample(wide_X, y)
    monkeypatch.setattr(_tomek, "_TREE_MAX_ROWS", 59)
    large = TomekPruner(device="cpu")
    large.fit_resample(narrow_X, y)

    # Assert: the tree for few features on a small table (the leaner);
    # brute force for wide data, and for large tables where bfloat16 is fast
    assert narrow.algorithm_ == "kd_tree"
    assert wide.algorithm_ == "brute"
    assert large.algorithm_ == ("brute" if fast_low_precision("cpu") else "kd_tree")
    assert_array_equal(large.sample_indices_, narrow.sample_indices_)


def test_auto_chunk_size_and_tiles_by_device(monkeypatch):
    # Setup
    import torch

    from imblearn_gan.backend.neighbors import _tile_rows

    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    # 64 GiB of free GPU memory (mem_get_info needs a GPU: not asked here)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (2**36, 2**37))

    # Run / Assert: "auto" is 256 on the CPU and 4096 on CUDA; an int is kept
    assert TomekPruner()._chunk_size(cpu) == 256
    assert TomekPruner()._chunk_size(cuda) == 4096
    assert TomekPruner(chunk_size=64)._chunk_size(cuda) == 64
    # the CPU caps tiles by the table's memory (1M x 10: sqrt(5e6) rows);
    # CUDA only by the table's rows
    assert _tile_rows(1_000_000, 10, 4096, cpu) == 2236
    assert _tile_rows(1_000_000, 10, 4096, cuda) == 16384
    assert _tile_rows(5_000, 10, 4096, cuda) == 5_000
    assert _tile_rows(5_000, 10, 256, cpu) == 158
    # 4 bytes per tile entry within half the free memory: 2**15 rows at 8 GiB
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (2**33, 2**37))
    assert _tile_rows(1_000_000, 10, 65536, cuda) == 2**15


def test_nearest_neighbors_match_sklearn_column_one():
    # Setup
    rng = np.random.RandomState(0)
    X = rng.randint(0, 3, size=(200, 4)).astype(float)
    y = rng.randint(0, 2, size=200)
    expected = NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X)[1][:, 1]

    # Run
    pruner = TomekPruner(device="cpu")
    pruner.fit_resample(X, y)

    # Assert: with duplicates, some rows are their own column 1 (no link)
    assert_array_equal(pruner.nearest_neighbors_, expected)
    assert np.any(expected == np.arange(200))


@pytest.mark.parametrize("algorithm", ["kd_tree", "brute"])
def test_rows_of_the_largest_class_searched_only_when_pointed_to(algorithm):
    # Setup: three classes, the largest with 85% of the rows
    rng = np.random.RandomState(1)
    y = np.repeat([0, 1, 2], [1700, 200, 100])
    X = rng.normal(size=(2000, 6)) + 0.7 * y[:, None]

    # Run
    pruner = TomekPruner(algorithm=algorithm, sampling_strategy="all", device="cpu")
    pruner.fit_resample(X, y)

    # Assert: every row outside the largest class searched, and every row of
    # it that one of them points to; those neighbours are scikit-learn's
    nearest = pruner.nearest_neighbors_
    outside = y != 0
    pointed = np.zeros(len(y), bool)
    pointed[nearest[outside]] = True
    assert_array_equal(nearest >= 0, outside | pointed)
    assert 0.05 < (nearest >= 0).mean() < 0.3
    expected = NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X)[1][:, 1]
    assert_array_equal(nearest[nearest >= 0], expected[nearest >= 0])
    reference = TomekLinks(sampling_strategy="all")
    reference.fit_resample(X, y)
    assert_array_equal(pruner.sample_indices_, reference.sample_indices_)


def test_heap_choice_replays_equal_distances():
    # Setup: two rows at distance 0 (a duplicate), one farther
    index, dist2 = np.array([4, 9]), np.array([0.0, 0.0])

    # Run / Assert: index order -> the first; one heap per thread -> swapped
    assert _heap_choice(index, dist2, None) == 4
    assert _heap_choice(index, dist2, np.array([0])) == 9
    assert _heap_choice(np.array([4, 9]), np.array([0.0, 1.0]), None) == 9


def test_tomek_links_marks_mutual_pairs_of_selected_classes():
    # Setup: rows 0-1 mutual with different classes; 2 -> 3 not mutual
    y = np.array([0, 1, 0, 1, 1])
    nearest = np.array([1, 0, 3, 4, 3])

    # Run
    links = tomek_links(y, nearest, [1])

    # Assert
    assert_array_equal(links, [False, True, False, False, False])


def test_sample_weight_of_kept_rows():
    # Setup
    rng = np.random.RandomState(1)
    X = rng.normal(size=(300, 3))
    y = (rng.rand(300) < 0.3).astype(int)
    weights = rng.uniform(0.5, 2.0, size=300)

    # Run
    pruner = TomekPruner(device="cpu")
    _, y_res = pruner.fit_resample(X, y, sample_weight=weights)
    unweighted = TomekPruner(device="cpu")
    unweighted.fit_resample(X, y)

    # Assert
    assert pruner.sample_weight_.dtype == np.float64
    assert_array_equal(pruner.sample_weight_, weights[pruner.sample_indices_])
    assert_array_equal(unweighted.sample_weight_, np.ones(len(y_res)))
    assert len(y_res) < 300  # something was removed


def test_bad_sample_weight_is_a_clear_error():
    # Setup
    X, y = np.arange(20.0).reshape(10, 2), np.array([0, 1] * 5)

    # Run / Assert
    with pytest.raises(InputError, match="sample_weight has 3 values"):
        TomekPruner(device="cpu").fit_resample(X, y, sample_weight=[1, 2, 3])


def test_mixed_dataframe_metric_and_roundtrip():
    # Setup: one numeric column and one category. Row 0 and 1 are 0.5 apart
    # but of different colours (+1 squared); row 2 is 1.2 from row 0, same
    # colour -> row 0's nearest is row 1 (0.25 + 1 < 1.44)
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({
        "x": [0.0, 0.5, 1.2, 5.0, 5.2, 9.0],
        "colour": pd.Categorical(["red", "blue", "red", "red", "red", "blue"]),
    })
    y = pd.Series([0, 1, 0, 0, 1, 1], name="target")

    # Run
    pruner = TomekPruner(sampling_strategy="all", device="cpu")
    X_res, y_res = pruner.fit_resample(X, y)
    heavy = TomekPruner(sampling_strategy="all", categorical_weight=4.0, device="cpu")
    heavy.fit_resample(X, y)

    # Assert
    assert list(pruner.nearest_neighbors_[:2]) == [1, 0]
    assert_array_equal(pruner.sample_indices_, [2, 5])  # links 0-1 and 3-4
    assert isinstance(X_res, pd.DataFrame)
    assert list(X_res.columns) == ["x", "colour"]
    assert X_res["colour"].dtype == "category"
    assert isinstance(y_res, pd.Series)
    # a mismatch costing 4: row 0's nearest becomes row 2 (1.44 < 0.25 + 4)
    assert heavy.nearest_neighbors_[0] == 2


def test_categorical_features_by_index_on_object_array():
    # Setup
    X = np.array([[0.0, "a"], [0.1, "b"], [3.0, "a"], [3.1, "a"], [9.0, "b"]],
                 dtype=object)
    y = np.array([0, 1, 0, 1, 1])

    # Run
    pruner = TomekPruner(sampling_strategy="all", categorical_features=[1],
                         device="cpu")
    X_res, _ = pruner.fit_resample(X, y)

    # Assert: row 0's nearest is row 1 (0.01 + 1 for the letter < 9): a
    # link; rows 2-3 (0.01) too; row 4 is alone
    assert_array_equal(pruner.sample_indices_, [4])
    assert X_res.shape == (1, 2)


def test_bad_input_errors():
    # Setup
    X = np.array([[0.0, np.nan], [1.0, 2.0], [2.0, 1.0]])
    y = np.array([0, 1, 0])

    # Run / Assert
    with pytest.raises(ValueError, match="NaN"):
        TomekPruner(device="cpu").fit_resample(X, y)
    with pytest.raises(InputError, match="categorical_features contains index 5"):
        TomekPruner(categorical_features=[5], device="cpu").fit_resample(
            np.ones((4, 2)), np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="chunk_size"):
        TomekPruner(chunk_size=2).fit_resample(np.ones((4, 2)), np.array([0, 1, 0, 1]))


def test_docstring_example_counts():
    # Setup
    from sklearn.datasets import make_classification

    X, y = make_classification(n_classes=2, class_sep=2, weights=[0.1, 0.9],
                               n_informative=3, n_redundant=1, flip_y=0,
                               n_features=20, n_clusters_per_class=1,
                               n_samples=1000, random_state=10)

    # Run
    _, y_res = TomekPruner(device="cpu").fit_resample(X, y)

    # Assert: the counts of imblearn's own TomekLinks example
    assert Counter(y_res.tolist()) == {1: 897, 0: 100}
