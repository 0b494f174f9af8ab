"""imblearn_gan.metrics: fidelity, utility and privacy numbers on known cases."""

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import InvalidParameterError

from imblearn_gan import GANOverSampler
from imblearn_gan.exceptions import InputError
from imblearn_gan.metrics import (
    classifier_two_sample_auc,
    correlation_difference,
    distance_to_closest_record,
    marginal_distances,
    memorization_scores,
    quality_report,
    utility_scores,
)
from tests._fast import FAST_GAN

pd = pytest.importorskip("pandas")


def normal(n, shift=0.0, n_features=3, seed=0):
    return np.random.RandomState(seed).normal(shift, 1.0, size=(n, n_features))


def imbalanced(seed=0):
    """Two Gaussian classes, 240:40, class 1 shifted by 1."""
    rng = np.random.RandomState(seed)
    y = np.r_[np.zeros(240, int), np.ones(40, int)]
    X = rng.normal(size=(280, 3)) + 1.0 * y[:, None]
    return train_test_split(X, y, stratify=y, test_size=0.25, random_state=0)


# -- fidelity: classifier two-sample test --------------------------------------


def test_c2st_identical_distributions_is_near_one_half():
    # Run: two independent draws of the same Gaussian
    auc = classifier_two_sample_auc(normal(300, seed=1), normal(300, seed=2), random_state=0)

    # Assert
    assert 0.4 < auc < 0.6


def test_c2st_shifted_distributions_is_near_one():
    # Run
    auc = classifier_two_sample_auc(normal(300, seed=1), normal(300, 3.0, seed=2),
                                    random_state=0)

    # Assert
    assert auc > 0.98


def test_c2st_sees_a_difference_in_spread_with_the_default_classifier():
    # Setup: same mean, 4x the standard deviation (a linear model is blind here)
    real, wide = normal(300, seed=1), 4.0 * normal(300, seed=2)

    # Run
    default = classifier_two_sample_auc(real, wide, random_state=0)
    linear = classifier_two_sample_auc(real, wide, classifier=LogisticRegression(),
                                       random_state=0)

    # Assert
    assert default > 0.85
    assert linear < 0.65


def test_c2st_of_copies_is_far_below_one_half():
    # Setup: the synthetic rows are the real rows, repeated
    real = normal(100, seed=1)

    # Run
    auc = classifier_two_sample_auc(real, np.tile(real, (5, 1)), random_state=0)

    # Assert: a held-out real row's copy sits in the training folds as "synthetic"
    assert auc < 0.35


def test_c2st_is_reproducible_and_needs_two_rows_per_sample():
    # Run / Assert
    a = classifier_two_sample_auc(normal(50, seed=1), normal(50, 1.0, seed=2), random_state=3)
    b = classifier_two_sample_auc(normal(50, seed=1), normal(50, 1.0, seed=2), random_state=3)
    assert a == b
    with pytest.raises(InputError, match="at least 2 real and 2 synthetic"):
        classifier_two_sample_auc(normal(50), normal(1))


# -- fidelity: marginals ---------------------------------------------------------


def test_ks_is_zero_for_identical_and_small_for_same_distribution():
    # Run
    same = marginal_distances(normal(500, seed=1), normal(500, seed=1))
    close = marginal_distances(normal(2000, seed=1), normal(2000, seed=2))

    # Assert
    assert list(same.statistic) == ["ks"] * 3
    assert_allclose(same.value, 0.0)
    assert close.value.max() < 0.06


def test_ks_of_a_known_shift():
    # Setup: 0..9 against 5..14: the CDFs differ by 0.5 at most
    x = np.arange(10.0).reshape(-1, 1)

    # Run
    result = marginal_distances(x, x + 5)

    # Assert
    assert result.value.tolist() == [0.5]


def test_tv_of_known_categorical_distributions():
    # Setup: p = (1/2 red, 1/2 blue, 0 green), q = (1/4, 1/4, 1/2): TV = 1/2
    real = pd.DataFrame({"c": ["red", "red", "blue", "blue"], "x": [1.0, 2, 3, 4]})
    fake = pd.DataFrame({"c": ["red", "blue", "green", "green"], "x": [1.0, 2, 3, 4]})

    # Run
    result = marginal_distances(real, fake).set_index("column")

    # Assert
    assert result.loc["c", "statistic"] == "tv" and result.loc["c", "kind"] == "categorical"
    assert result.loc["c", "value"] == pytest.approx(0.5)
    assert result.loc["x", "statistic"] == "ks" and result.loc["x", "value"] == 0.0


def test_tv_of_disjoint_categories_is_one_and_bool_is_categorical():
    # Setup
    real = pd.DataFrame({"flag": [True, True], "c": pd.Categorical(["a", "a"])})
    fake = pd.DataFrame({"flag": [False, False], "c": pd.Categorical(["b", "b"])})

    # Run
    result = marginal_distances(real, fake)

    # Assert
    assert list(result.statistic) == ["tv", "tv"]
    assert_allclose(result.value, 1.0)


def test_metrics_reject_mismatched_columns_and_bad_params():
    # Run / Assert
    with pytest.raises(InputError, match="same columns"):
        marginal_distances(normal(10), normal(10, n_features=2))
    with pytest.raises(InputError, match="2-D"):
        marginal_distances(np.zeros((2, 2, 2)), normal(2))
    with pytest.raises(InputError, match="0 rows"):
        distance_to_closest_record(normal(0), normal(5))
    with pytest.raises(InvalidParameterError, match="norm"):
        correlation_difference(normal(10), normal(10), norm="max")


# -- fidelity: correlations ------------------------------------------------------


def test_correlation_difference_of_a_known_case():
    # Setup: correlation +1 in the real table, -1 in the synthetic one
    x = np.arange(10.0)
    real, fake = np.c_[x, x], np.c_[x, -x]

    # Run / Assert: one pair differing by 2; the full matrix has it twice
    assert correlation_difference(real, fake) == pytest.approx(2.0)
    assert correlation_difference(real, fake, norm="frobenius") == pytest.approx(np.sqrt(8))
    assert correlation_difference(real, real) == pytest.approx(0.0)


def test_correlation_difference_of_independent_vs_correlated_draws():
    # Setup: rho = 0.8 between the two columns, against independent columns
    rng = np.random.RandomState(0)
    a, b = rng.normal(size=(2, 5000))
    real = np.c_[a, 0.8 * a + 0.6 * b]

    # Run
    result = correlation_difference(real, np.c_[a, b])

    # Assert
    assert result == pytest.approx(0.8, abs=0.03)


def test_correlation_difference_with_a_constant_column_is_finite():
    # Setup
    x = np.arange(10.0)
    real, fake = np.c_[x, np.ones(10)], np.c_[x, x]

    # Run / Assert: the constant column has no correlation (0); fake's is 1
    assert correlation_difference(real, fake) == pytest.approx(1.0)


# -- privacy ---------------------------------------------------------------------


def test_exact_copies_have_dcr_zero_and_copy_share_one():
    # Setup
    train = normal(100, seed=1)

    # Run
    scores = memorization_scores(train, train[::3], normal(50, seed=2))

    # Assert
    assert scores["exact_copy_share"] == 1.0
    assert scores["near_copy_share"] == 1.0
    assert scores["dcr_synthetic_median"] == 0.0 and scores["dcr_synthetic_p5"] == 0.0
    assert scores["dcr_median_ratio"] == 0.0
    assert scores["exact_holdout_share"] == 0.0  # fresh rows copy nothing
    assert memorization_scores(train, train[:5], train[5:9])["exact_holdout_share"] == 1.0
    assert_allclose(distance_to_closest_record(train[:7], train), 0.0)


def test_fresh_draws_are_no_closer_than_holdout_rows():
    # Run: synthetic rows drawn from the real distribution, like the held-out ones
    scores = memorization_scores(normal(200, seed=1), normal(200, seed=2), normal(200, seed=3))

    # Assert
    assert scores["exact_copy_share"] == 0.0
    assert scores["near_copy_share"] < 0.05
    assert 0.8 < scores["dcr_median_ratio"] < 1.25


def test_near_copies_are_counted_and_lower_the_ratio():
    # Setup: training rows plus noise of 1% of their spacing
    train = normal(200, seed=1)
    jittered = train + 0.001 * normal(200, seed=4)

    # Run
    scores = memorization_scores(train, jittered, normal(200, seed=3))

    # Assert
    assert scores["exact_copy_share"] == 0.0
    assert scores["near_copy_share"] == 1.0
    assert scores["dcr_median_ratio"] < 0.05
    assert np.isnan(memorization_scores(train, jittered)["dcr_p5_ratio"])


def test_dcr_of_a_known_distance_in_standardised_units():
    # Setup: one column; union {0, 2, 1} has std sqrt(2/3)
    train, query = np.array([[0.0], [2.0]]), np.array([[1.0]])

    # Run
    dcr = distance_to_closest_record(query, train)

    # Assert: distance 1 in raw units, 1 / std in the encoding
    assert dcr == pytest.approx(1.0 / np.sqrt(2 / 3), rel=1e-6)


def test_dcr_counts_a_different_category_as_sqrt_two():
    # Setup
    train = pd.DataFrame({"c": ["a", "b"], "x": [0.0, 0.0]})
    query = pd.DataFrame({"c": ["c"], "x": [0.0]})

    # Run / Assert (x is constant: std 1 by convention, no contribution)
    assert distance_to_closest_record(query, train) == pytest.approx(np.sqrt(2))


# -- utility ---------------------------------------------------------------------


def test_utility_of_faithful_and_of_mislabelled_synthetic_rows():
    # Setup
    X_tr, X_te, y_tr, y_te = imbalanced()
    rng = np.random.RandomState(1)
    good = rng.normal(size=(200, 3)) + 1.0  # new class-1 rows from the true law
    bad = rng.normal(size=(200, 3))  # class-0 rows labelled 1

    # Run
    faithful = utility_scores(X_tr, y_tr, good, np.ones(200, int), X_te, y_te)
    wrong = utility_scores(X_tr, y_tr, bad, np.ones(200, int), X_te, y_te)

    # Assert
    assert faithful["tstr_roc_auc"] > 0.85
    assert abs(faithful["tstr_roc_auc"] - faithful["trtr_roc_auc"]) < 0.05
    # balancing helps the 6:1 problem; a wrong class law hurts it
    assert faithful["augmented_balanced_accuracy"] > faithful["trtr_balanced_accuracy"] + 0.15
    assert wrong["tstr_roc_auc"] < faithful["tstr_roc_auc"] - 0.15
    assert wrong["tstr_balanced_accuracy"] < faithful["tstr_balanced_accuracy"] - 0.2


def test_utility_baseline_does_not_depend_on_the_synthetic_rows():
    # Setup
    X_tr, X_te, y_tr, y_te = imbalanced()
    rng = np.random.RandomState(2)

    # Run: two very different synthetic samples
    near = utility_scores(X_tr, y_tr, rng.normal(1, 1, (50, 3)), np.ones(50, int), X_te, y_te)
    far = utility_scores(X_tr, y_tr, rng.normal(9, 5, (50, 3)), np.ones(50, int), X_te, y_te)

    # Assert
    assert near["trtr_roc_auc"] == pytest.approx(far["trtr_roc_auc"], abs=1e-9)
    assert near["trtr_balanced_accuracy"] == far["trtr_balanced_accuracy"]


def test_utility_names_a_length_mismatch():
    X_tr, X_te, y_tr, y_te = imbalanced()
    with pytest.raises(InputError, match="X_test has 70 rows but y_test has 69"):
        utility_scores(X_tr, y_tr, X_tr[:5], y_tr[:5], X_te, y_te[:-1])


# -- quality_report --------------------------------------------------------------


def _wide(report):
    return report.set_index(["class", "metric"]).value


def test_quality_report_for_smote():
    # Setup
    X_tr, X_te, y_tr, y_te = imbalanced()

    # Run
    report = quality_report(SMOTE(random_state=0), X_tr, y_tr, X_te, y_te, random_state=0)

    # Assert
    assert list(report.columns) == ["class", "group", "metric", "value"]
    assert set(report["class"]) == {1, "all"}
    values = _wide(report)
    assert values[1, "n_synthetic"] == 150 and values[1, "n_train"] == 30
    assert values[1, "n_holdout"] == 10
    assert values[1, "exact_copy_share"] == 0.0
    assert 0.0 <= values[1, "ks_max"] <= 1.0 and "tv_mean" not in values[1]
    assert report.value.notna().sum() >= len(report) - 1


def test_quality_report_sees_random_oversampling_copies():
    # Setup
    X_tr, X_te, y_tr, y_te = imbalanced()

    # Run
    report = quality_report(RandomOverSampler(random_state=0), X_tr, y_tr, X_te, y_te,
                            random_state=0)

    # Assert: every new row copies a training row
    values = _wide(report)
    assert values[1, "exact_copy_share"] == 1.0
    assert values[1, "dcr_synthetic_median"] == 0.0


def test_quality_report_with_a_fitted_gan_on_a_mixed_frame():
    # Setup
    rng = np.random.RandomState(0)
    n = 200
    X = pd.DataFrame({"x": rng.normal(size=n),
                      "c": pd.Categorical(rng.choice(["a", "b", "c"], n))})
    y = np.r_[np.zeros(160, int), np.ones(40, int)]
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)
    gan = GANOverSampler(**FAST_GAN).fit(X_tr, y_tr)

    # Run
    report = quality_report(gan, X_tr, y_tr, X_te, y_te, random_state=0)
    again = quality_report(gan, X_tr, y_tr, X_te, y_te, random_state=0)

    # Assert: drawn with sample(), as many rows as sampling_strategy_ asks
    values = _wide(report)
    assert values[1, "n_synthetic"] == gan.sampling_strategy_[1] == 90
    assert 0.0 <= values[1, "tv_max"] <= 1.0 and 0.0 <= values[1, "ks_max"] <= 1.0
    assert 0.0 <= values[1, "c2st_auc"] <= 1.0
    pd.testing.assert_frame_equal(report, again)


def test_quality_report_rejects_an_under_sampler():
    X_tr, X_te, y_tr, y_te = imbalanced()
    with pytest.raises(InputError, match="needs an over-sampler"):
        quality_report(RandomUnderSampler(random_state=0), X_tr, y_tr, X_te, y_te)
