"""PriorCorrectedClassifier: the prior it records and the log-loss it fixes."""

import warnings

import numpy as np
import pytest
import sklearn
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline as imblearn_make_pipeline
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from imblearn_gan import DownsampleUpweight, GANOverSampler
from imblearn_gan.calibration import PriorCorrectedClassifier, correct_prior
from imblearn_gan.datasets import load_dataset
from imblearn_gan.exceptions import InputError
from imblearn_gan.pipeline import make_pipeline
from tests._fast import FAST_GAN


def make_blobs(counts, seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    return rng.normal(size=(y.size, 2)) + 1.5 * y[:, None], y


@parametrize_with_checks([PriorCorrectedClassifier(LogisticRegression())])
def test_sklearn_compatible(estimator, check):
    # Run
    check(estimator)


# -- the correction itself -------------------------------------------------------


def test_correct_prior_binary_matches_the_closed_form():
    # Setup: p' = p r1 / (p r1 + (1 - p) r0), r = true / train prior
    p = np.array([0.1, 0.5, 0.9])
    r0, r1 = 0.9 / 0.5, 0.1 / 0.5

    # Run
    corrected = correct_prior(np.c_[1 - p, p], [0.9, 0.1], [0.5, 0.5])

    # Assert
    assert_allclose(corrected[:, 1], p * r1 / (p * r1 + (1 - p) * r0))
    assert_allclose(corrected.sum(axis=1), 1.0)


def test_correct_prior_multiclass_and_identity():
    # Setup
    proba = np.array([[0.2, 0.3, 0.5], [1 / 3, 1 / 3, 1 / 3]])

    # Run
    same = correct_prior(proba, [0.2, 0.3, 0.5], [0.2, 0.3, 0.5])
    moved = correct_prior(proba, [0.6, 0.3, 0.1], [1 / 3, 1 / 3, 1 / 3])

    # Assert
    assert_allclose(same, proba)
    assert_allclose(moved[1], [0.6, 0.3, 0.1])  # uniform rows take the new prior
    assert_allclose(moved[0], np.array([0.12, 0.09, 0.05]) / 0.26)


# -- the priors it records ---------------------------------------------------------


def test_priors_after_smote_multiclass():
    # Setup
    X, y = make_blobs([120, 50, 30])
    pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression())

    # Run
    model = PriorCorrectedClassifier(pipe).fit(X, y)

    # Assert
    assert_array_equal(model.classes_, [0, 1, 2])
    assert_allclose(model.train_prior_, [1 / 3] * 3)
    assert_allclose(model.prior_, [0.6, 0.25, 0.15])
    proba = model.predict_proba(X)
    assert_allclose(proba, correct_prior(model.estimator_.predict_proba(X),
                                         model.prior_, model.train_prior_))
    assert_array_equal(model.predict(X), np.argmax(proba, axis=1))


def test_true_prior_is_weighted_and_identity_when_weights_restore_it():
    # Setup
    X, y = make_blobs([150, 30])
    weights = np.where(y == 1, 2.0, 1.0)
    pipe = make_pipeline(DownsampleUpweight(random_state=0), LogisticRegression())

    # Run
    model = PriorCorrectedClassifier(pipe).fit(X, y, sample_weight=weights)

    # Assert: 150 : 60 on both sides, so probabilities are unchanged
    assert_allclose(model.prior_, [150 / 210, 60 / 210])
    assert_allclose(model.train_prior_, model.prior_)
    assert_allclose(model.predict_proba(X), model.estimator_.predict_proba(X))


def test_explicit_prior_and_plain_classifier():
    # Setup
    X, y = make_blobs([150, 30])

    # Run
    plain = PriorCorrectedClassifier(LogisticRegression()).fit(X, y)
    shifted = PriorCorrectedClassifier(LogisticRegression(), prior=[1, 1]).fit(X, y)

    # Assert: no resampling -> identity; a given prior is normalised
    assert_allclose(plain.train_prior_, [150 / 180, 30 / 180])
    assert_allclose(plain.predict_proba(X), plain.estimator_.predict_proba(X))
    assert_allclose(shifted.prior_, [0.5, 0.5])
    assert shifted.predict(X).sum() > plain.predict(X).sum()


@pytest.mark.parametrize(
    "estimator, prior, match",
    [
        (make_pipeline(SMOTE(), LogisticRegression()), [1, 2, 3], "one positive number per"),
        (make_pipeline(SMOTE(), LogisticRegression()), [1, -1], "one positive number per"),
        (imblearn_make_pipeline(SMOTE(), LogisticRegression()), "auto",
         "does not record the class prior"),
    ],
)
def test_bad_input(estimator, prior, match):
    X, y = make_blobs([150, 30])
    with pytest.raises(InputError, match=match):
        PriorCorrectedClassifier(estimator, prior=prior).fit(X, y)


def test_bad_parameters_are_validated():
    X, y = make_blobs([150, 30])
    with pytest.raises(ValueError, match="'estimator' parameter of PriorCorrectedClassifier"):
        PriorCorrectedClassifier(StandardScaler()).fit(X, y)


# -- the log-loss it fixes, on real data -------------------------------------------


def _log_losses(dataset, make_sampler, seed, opt_out=False):
    """Test log-loss of the pipeline and of its prior-corrected version."""
    X, y = load_dataset(dataset)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=seed)
    classifier = LogisticRegression(max_iter=2000)
    if opt_out:  # the classifier does not take DownsampleUpweight's weights
        classifier.set_fit_request(sample_weight=False)
    pipe = make_pipeline(StandardScaler(), make_sampler(seed), classifier)
    model = PriorCorrectedClassifier(pipe).fit(X_train, y_train)
    return (log_loss(y_test, model.estimator_.predict_proba(X_test)),
            log_loss(y_test, model.predict_proba(X_test)))


@pytest.mark.parametrize("dataset", ["ecoli3", "yeast4"])
@pytest.mark.parametrize(
    "make_sampler, opt_out, min_wins",
    [
        (lambda seed: SMOTE(random_state=seed), False, 5),
        # a 2-epoch GAN's rows are not the minority's distribution, which the
        # correction assumes: it wins on average, not on every split
        (lambda seed: GANOverSampler(**{**FAST_GAN, "random_state": seed}), False, 3),
        (lambda seed: DownsampleUpweight(random_state=seed), True, 5),
    ],
    ids=["smote", "gan", "downsample-unweighted"],
)
def test_correction_lowers_test_log_loss(dataset, make_sampler, opt_out, min_wins):
    # Setup / Run: five seeds, each a different split and sampler seed
    with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        losses = np.array([_log_losses(dataset, make_sampler, seed, opt_out)
                           for seed in range(5)])

    # Assert: lower on (nearly) every split, and by at least 10% on average
    raw, corrected = losses[:, 0], losses[:, 1]
    assert np.sum(corrected < raw) >= min_wins, losses
    assert corrected.mean() < 0.9 * raw.mean(), losses
