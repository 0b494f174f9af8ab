"""The sample-weight protocol: validation, the generated-row rule, and how
GANOverSampler follows it (docs/weights.md)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from imblearn_gan import GANOverSampler
from imblearn_gan.exceptions import InputError
from imblearn_gan.utils._validation import check_sample_weight
from imblearn_gan.utils._weights import SampleWeightMixin, generated_weights
from tests._fast import FAST_GAN


def make_blobs(counts, seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    return rng.normal(size=(y.size, 2)) + 3.0 * y[:, None], y


# -- check_sample_weight ---------------------------------------------------------------


def test_check_sample_weight_values():
    assert_array_equal(check_sample_weight(None, 3), [1.0, 1.0, 1.0])
    assert_array_equal(check_sample_weight([1, 0, 2], 3), [1.0, 0.0, 2.0])
    assert_array_equal(check_sample_weight(2, 2), [2.0, 2.0])
    assert check_sample_weight([1, 2], 2).dtype == np.float64


@pytest.mark.parametrize(
    "weights, match",
    [
        ([1.0, 2.0], "has 2 values but X has 3 rows"),
        ([[1.0, 2.0, 3.0]], "must be 1-D"),
        ([1.0, -0.5, 1.0], "non-negative. Got minimum -0.5"),
        ([1.0, np.inf, 1.0], "NaN or infinity"),
        ([0.0, 0.0, 0.0], "zero for every row"),
        (["a", "b", "c"], "must be numeric"),
    ],
)
def test_check_sample_weight_errors(weights, match):
    with pytest.raises(InputError, match=match):
        check_sample_weight(weights, 3)


def test_generated_weights_are_class_means():
    # Setup
    weights = np.array([1.0, 3.0, 2.0, 4.0])
    y = np.array([0, 0, 1, 1])

    # Run / Assert
    assert_array_equal(generated_weights(weights, y, np.array([1, 0, 1])), [3.0, 2.0, 3.0])


def test_neural_samplers_follow_the_protocol():
    assert isinstance(GANOverSampler(), SampleWeightMixin)
    assert GANOverSampler._produces_weights is False


# -- GANOverSampler -----------------------------------------------------------------


def test_gan_kept_rows_keep_weights_generated_rows_get_class_mean():
    # Setup
    X, y = make_blobs([60, 20, 10])
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    sampler = GANOverSampler(**FAST_GAN)

    # Run
    _, y_res = sampler.fit_resample(X, y, sample_weight=weights)

    # Assert
    n = len(y)
    assert sampler.sample_weight_.shape == (len(y_res),)
    assert sampler.sample_weight_.dtype == np.float64
    assert_array_equal(sampler.sample_weight_[:n], weights)
    for label in (1, 2):
        new = y_res[n:] == label
        assert new.sum() == 60 - np.sum(y == label)
        assert_allclose(sampler.sample_weight_[n:][new], weights[y == label].mean())


def test_gan_without_weights_gives_ones_and_equal_weights_change_nothing():
    # Setup
    X, y = make_blobs([60, 20])

    # Run
    plain = GANOverSampler(**FAST_GAN)
    X_plain, _ = plain.fit_resample(X, y)
    equal = GANOverSampler(**FAST_GAN)
    X_equal, _ = equal.fit_resample(X, y, sample_weight=np.full(len(y), 2.5))

    # Assert: equal weights train and sample exactly as no weights
    assert_array_equal(plain.sample_weight_, np.ones(120))
    assert_array_equal(X_plain, X_equal)
    assert_array_equal(equal.sample_weight_, np.full(120, 2.5))


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_gan_rejects_bad_weights_before_training(method):
    X, y = make_blobs([60, 20])
    sampler = GANOverSampler(**FAST_GAN)
    with pytest.raises(InputError, match="sample_weight has 5 values but X has 80 rows"):
        getattr(sampler, method)(X, y, sample_weight=np.ones(5))
    assert not hasattr(sampler, "generator_")


def test_gan_unequal_weights_steer_training_and_anchors():
    # Setup: the minority has two far-apart clusters; weight 0 on one of them
    rng = np.random.RandomState(0)
    X_major = rng.normal(size=(80, 2))
    X_left = rng.normal(size=(20, 2)) * 0.3 + [-8.0, 8.0]
    X_right = rng.normal(size=(20, 2)) * 0.3 + [8.0, 8.0]
    X = np.vstack([X_major, X_left, X_right])
    y = np.repeat([0, 1], [80, 40])
    weights = np.r_[np.ones(80), np.zeros(20), np.ones(20)]

    # Run
    weighted = GANOverSampler(**FAST_GAN)
    X_w, _ = weighted.fit_resample(X, y, sample_weight=weights)
    plain = GANOverSampler(**FAST_GAN)
    X_p, _ = plain.fit_resample(X, y)

    # Assert: generated rows come from the right cluster only when weighted
    right_weighted = np.mean(X_w[120:, 0] > 0)
    right_plain = np.mean(X_p[120:, 0] > 0)
    assert right_weighted == 1.0
    assert 0.25 < right_plain < 0.75
    assert_array_equal(weighted.train_weights_, weights)
    assert plain.train_weights_ is None


def test_gan_balance_classes_keeps_sample_weights_for_anchors():
    # Setup: 90:10 classes, unequal weights
    X, y = make_blobs([90, 10])
    weights = np.linspace(0.5, 1.5, 100)

    # Run
    sampler = GANOverSampler(**FAST_GAN, balance_classes=True)
    X_res, y_res = sampler.fit_resample(X, y, sample_weight=weights)
    balanced = GANOverSampler(**FAST_GAN, balance_classes=True).fit(X, y)
    plain = GANOverSampler(**FAST_GAN).fit(X, y)

    # Assert: anchors are drawn by the sample weights alone; the class balance
    # changes training (a different history from the same seed)
    assert_array_equal(sampler.train_weights_, weights)
    assert np.bincount(y_res).tolist() == [90, 90]
    assert balanced.train_weights_ is None
    assert balanced.history_[-1]["g_loss"] != plain.history_[-1]["g_loss"]


def test_gan_fit_accepts_weights_then_samples_by_weight():
    # Setup (same two clusters)
    rng = np.random.RandomState(1)
    X = np.vstack([rng.normal(size=(60, 2)), rng.normal(size=(20, 2)) * 0.3 + [-8, 8],
                   rng.normal(size=(20, 2)) * 0.3 + [8, 8]])
    y = np.repeat([0, 1], [60, 40])
    weights = np.r_[np.ones(60), np.ones(20), np.zeros(20)]

    # Run
    sampler = GANOverSampler(**FAST_GAN).fit(X, y, sample_weight=weights)
    rows = sampler.sample(50, y=1)

    # Assert
    assert np.all(rows[:, 0] < 0)
