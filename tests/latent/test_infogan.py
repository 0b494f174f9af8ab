"""InfoGAN: the code is recoverable from generated rows, predictions, pipelines."""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from imblearn_gan.latent import InfoGAN
from tests.latent._fast import FAST_SETTINGS


def _matched_accuracy(labels, codes, k):
    """Accuracy of the codes after the best one-to-one matching to labels."""
    counts = np.zeros((k, k))
    np.add.at(counts, (codes, labels), 1)
    rows, cols = linear_sum_assignment(-counts)
    return counts[rows, cols].sum() / len(labels)


@pytest.fixture(scope="module")
def digits_012():
    return load_digits(n_class=3, return_X_y=True)


@pytest.fixture(scope="module")
def fitted(digits_012):
    X, _ = digits_012
    return InfoGAN(n_categories=3, n_continuous=1, epochs=30, random_state=0,
                   device="cpu").fit(X)


def test_category_is_recoverable_from_generated_rows(fitted):
    # Setup: 100 rows of each category, noise and continuous code drawn
    categories = np.repeat(np.arange(3), 100)

    # Run
    rows = fitted.generate(categories, random_state=0)

    # Assert: Q reads back the category it was generated with (1/3 by chance)
    assert (fitted.predict(rows) == categories).mean() > 0.9
    assert fitted.history_[-1]["code_accuracy"] > 0.9


def test_categories_follow_the_digits_without_labels(fitted, digits_012):
    # Setup: digits 0, 1 and 2, fitted without their labels
    X, y = digits_012

    # Run
    codes = fitted.predict(X)

    # Assert: after matching categories to digits, far above chance (about
    # 0.33; seeds 0-2 give 0.81-0.89)
    assert _matched_accuracy(y, codes, 3) > 0.7


def test_predictions_and_codes_agree(fitted, digits_012):
    # Setup
    X, _ = digits_012

    # Run
    codes, proba, labels = fitted.transform(X), fitted.predict_proba(X), fitted.predict(X)

    # Assert
    assert codes.shape == (len(X), 4)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_array_equal(codes[:, :3], proba)
    np.testing.assert_array_equal(labels, proba.argmax(1))
    assert fitted.get_feature_names_out().tolist() == [f"infogan{i}" for i in range(4)]


def test_inverse_transform_uses_the_argmax_category(fitted):
    # Setup: a soft category code and the one-hot of its argmax
    soft = np.array([[0.2, 0.5, 0.3, 0.4]])
    hard = np.array([[0.0, 1.0, 0.0, 0.4]])

    # Run / Assert
    np.testing.assert_array_equal(fitted.inverse_transform(soft),
                                  fitted.inverse_transform(hard))
    np.testing.assert_array_equal(fitted.inverse_transform(hard),
                                  fitted.generate([1], continuous=[[0.4]]))


def test_without_categorical_code_predict_is_unavailable(digits_012):
    # Setup
    X, _ = digits_012
    infogan = InfoGAN(**{**FAST_SETTINGS["InfoGAN"], "n_categories": 0}).fit(X)

    # Run / Assert
    assert infogan.transform(X).shape == (len(X), 1)
    with pytest.raises(AttributeError, match="n_categories=0"):
        infogan.predict(X)


@pytest.mark.parametrize("kwargs, match", [
    ({"categories": [0, 3]}, r"range\(3\)"),
    ({"categories": [0.5]}, r"range\(3\)"),
    ({"categories": [0, 1], "continuous": [[0.0, 1.0]]}, r"continuous must have shape \(2, 1\)"),
    ({"categories": [0], "noise": [0.0, 1.0, 2.0]}, r"noise must have shape \(1, 16\)"),
])
def test_generate_rejects_bad_codes(fitted, kwargs, match):
    # Run / Assert
    with pytest.raises(ValueError, match=match):
        fitted.generate(**kwargs)


def test_in_a_pipeline_before_a_classifier(digits_012):
    # Setup
    X, y = digits_012
    pipe = make_pipeline(InfoGAN(**FAST_SETTINGS["InfoGAN"]), LogisticRegression())

    # Run
    pipe.fit(X[::2], y[::2])

    # Assert
    assert pipe.predict(X[1::2]).shape == (len(X[1::2]),)
    assert set(pipe.predict(X[1::2])) <= {0, 1, 2}


@pytest.mark.slow
def test_digits_categories_match_digits_above_a_floor():
    # Setup: the ten digits, no labels, default settings
    X, y = load_digits(return_X_y=True)

    # Run
    codes = InfoGAN(random_state=0, device="cpu").fit(X).predict(X)

    # Assert: a floor well above chance (0.1); k-means on the pixels is the
    # stronger baseline here (the latent user guide page has the figures)
    assert _matched_accuracy(y, codes, 10) > 0.45
