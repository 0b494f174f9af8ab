"""The weight-carrying Pipeline: exactly which weights reach which step.

Column 0 of every X is the row's index, so a recording step can tell which
input row each row it receives came from (generated rows come after the input
rows, as the protocol requires).
"""

import warnings

import numpy as np
import pytest
import sklearn
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline as ImblearnPipeline
from imblearn.under_sampling import ClusterCentroids, RandomUnderSampler, TomekLinks
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from imblearn_gan import DownsampleUpweight, GANOverSampler
from imblearn_gan.exceptions import InputError, WeightsDroppedWarning
from imblearn_gan.pipeline import Pipeline, make_pipeline
from tests._fast import FAST_GAN


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Records the rows and weights its fit receives; predicts the prior."""

    def fit(self, X, y, sample_weight=None):
        self.ids_ = np.asarray(X)[:, 0].copy()
        self.y_ = np.asarray(y).copy()
        self.weights_ = None if sample_weight is None else np.array(sample_weight)
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        shares = np.array([np.mean(self.y_ == c) for c in self.classes_])
        return np.tile(shares, (len(X), 1))

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class RecordingTransformer(TransformerMixin, BaseEstimator):
    """Identity transformer that records the weights its fit receives."""

    def fit(self, X, y=None, sample_weight=None):
        self.ids_ = np.asarray(X)[:, 0].copy()
        self.weights_ = None if sample_weight is None else np.array(sample_weight)
        return self

    def transform(self, X):
        return X


def make_data(counts=(60, 20), seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(y.size, 3)) + 2.0 * y[:, None]
    X[:, 0] = np.arange(y.size)  # the row id (also a feature: it moves SMOTE rows)
    weights = rng.uniform(0.5, 3.0, size=y.size)
    return X, y, weights


def class_means(weights, y):
    return {label: weights[y == label].mean() for label in np.unique(y)}


def assert_kept_then_generated(clf, weights, y):
    """Input rows first with their weights; generated rows get the class mean."""
    n = len(y)
    assert_array_equal(clf.ids_[:n], np.arange(n))
    assert_allclose(clf.weights_[:n], weights)
    means = class_means(weights, y)
    expected = [means[label] for label in clf.y_[n:]]
    assert_allclose(clf.weights_[n:], expected)
    assert len(clf.y_) > n  # something was generated


# -- without weights: nothing is passed, as in imbalanced-learn -----------------


@pytest.mark.parametrize(
    "sampler",
    [RandomUnderSampler(random_state=0), SMOTE(random_state=0), TomekLinks(),
     GANOverSampler(**FAST_GAN), None],
    ids=["rus", "smote", "tomek", "gan", "no-sampler"],
)
def test_no_weights_no_sample_weight_passed(sampler):
    # Setup
    X, y, _ = make_data()
    steps = [RecordingTransformer(), sampler, RecordingClassifier()]
    pipe = make_pipeline(*[s for s in steps if s is not None])

    # Run
    pipe.fit(X, y)

    # Assert
    assert pipe[0].weights_ is None
    assert pipe[-1].weights_ is None


def test_same_model_as_imblearn_pipeline_without_weights():
    # Setup
    X, y, _ = make_data()

    def steps():
        return [("scale", StandardScaler()), ("smote", SMOTE(random_state=0)),
                ("clf", LogisticRegression())]

    # Run
    ours = Pipeline(steps()).fit(X, y)
    theirs = ImblearnPipeline(steps()).fit(X, y)

    # Assert
    assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))


# -- incoming weights through imbalanced-learn's samplers -----------------------


@pytest.mark.parametrize(
    "sampler",
    [RandomUnderSampler(random_state=0), RandomOverSampler(random_state=0), TomekLinks()],
    ids=["rus", "ros", "tomek"],
)
def test_weights_follow_sample_indices(sampler):
    # Setup
    X, y, weights = make_data()
    pipe = make_pipeline(RecordingTransformer(), sampler, RecordingTransformer(),
                         RecordingClassifier())

    # Run
    pipe.fit(X, y, sample_weight=weights)

    # Assert: before the sampler, the input weights; after it, those of the kept rows
    assert_array_equal(pipe[0].weights_, weights)
    ids = pipe[-1].ids_.astype(int)
    assert_array_equal(ids, pipe[1].sample_indices_)
    assert_array_equal(pipe[-1].weights_, weights[ids])
    assert_array_equal(pipe[2].weights_, weights[ids])


def test_weights_through_smote_prefix_then_class_mean():
    # Setup
    X, y, weights = make_data()
    pipe = make_pipeline(SMOTE(random_state=0), RecordingClassifier())

    # Run
    pipe.fit(X, y, sample_weight=weights)

    # Assert
    assert_kept_then_generated(pipe[-1], weights, y)


def test_sampler_whose_rows_cannot_be_aligned_raises():
    # Setup: ClusterCentroids replaces the majority rows by centroids
    X, y, weights = make_data()
    pipe = make_pipeline(ClusterCentroids(random_state=0), RecordingClassifier())

    # Run / Assert: with weights it refuses; without, it works as in imblearn
    with pytest.raises(InputError, match="Cannot carry sample weights through ClusterCentroids"):
        pipe.fit(X, y, sample_weight=weights)
    pipe.fit(X, y)
    assert pipe[-1].weights_ is None


# -- the package's samplers ----------------------------------------------------


def test_gan_keeps_weights_and_gives_generated_rows_the_class_mean():
    # Setup
    X, y, weights = make_data()
    pipe = make_pipeline(GANOverSampler(**FAST_GAN), RecordingClassifier())

    # Run
    pipe.fit(X, y, sample_weight=weights)

    # Assert
    assert_kept_then_generated(pipe[-1], weights, y)
    assert_allclose(pipe[0].sample_weight_, pipe[-1].weights_)


def test_downsample_upweight_weights_reach_the_classifier():
    # Setup
    X, y, _ = make_data((120, 20))
    pipe = make_pipeline(RecordingTransformer(), DownsampleUpweight(random_state=0),
                         RecordingTransformer(), RecordingClassifier())

    # Run
    pipe.fit(X, y)

    # Assert: no weights before the sampler; 120/20 = 6 for kept majority rows after
    assert pipe[0].weights_ is None
    clf = pipe[-1]
    assert_array_equal(clf.weights_, np.where(clf.y_ == 0, 6.0, 1.0))
    assert_array_equal(pipe[2].weights_, clf.weights_)
    assert clf.weights_[clf.y_ == 0].sum() == 120


def test_downsample_upweight_multiplies_incoming_weights():
    # Setup
    X, y, weights = make_data((120, 20))
    pipe = make_pipeline(DownsampleUpweight(factor=4, random_state=0), RecordingClassifier())

    # Run
    pipe.fit(X, y, sample_weight=weights)

    # Assert
    clf = pipe[-1]
    ids = clf.ids_.astype(int)
    assert_allclose(clf.weights_, weights[ids] * np.where(clf.y_ == 0, 4.0, 1.0))


def test_weights_compose_through_two_samplers():
    # Setup: down-sample and up-weight, then SMOTE the minority up
    X, y, _ = make_data((120, 30))
    pipe = make_pipeline(DownsampleUpweight(factor=2, random_state=0),
                         SMOTE(random_state=0), RecordingClassifier())

    # Run
    pipe.fit(X, y)

    # Assert: 60 majority rows of weight 2, 30 minority of 1, 30 SMOTE rows of 1
    clf = pipe[-1]
    assert len(clf.y_) == 120
    assert_array_equal(clf.weights_, np.where(clf.y_ == 0, 2.0, 1.0))


def test_final_prior_is_the_weighted_prior_the_classifier_saw():
    # Setup
    X, y, _ = make_data((120, 20))

    # Run
    carried = make_pipeline(DownsampleUpweight(random_state=0), RecordingClassifier()).fit(X, y)
    smote = make_pipeline(SMOTE(random_state=0), RecordingClassifier()).fit(X, y)

    # Assert
    assert carried.final_prior_ == pytest.approx({0: 120 / 140, 1: 20 / 140})
    assert smote.final_prior_ == pytest.approx({0: 0.5, 1: 0.5})


# -- final estimators that cannot take weights, step-prefixed weights ---------------


def test_final_estimator_without_sample_weight():
    # Setup
    X, y, weights = make_data()
    pipe = make_pipeline(DownsampleUpweight(random_state=0), KNeighborsClassifier())

    # Run / Assert: produced weights are dropped with a warning, given ones raise
    with pytest.warns(WeightsDroppedWarning, match="KNeighborsClassifier"):
        pipe.fit(X, y)
    assert pipe.final_prior_ == pytest.approx({0: 0.5, 1: 0.5})
    with pytest.raises(InputError, match="does not accept sample_weight"):
        make_pipeline(SMOTE(), KNeighborsClassifier()).fit(X, y, sample_weight=weights)


def test_step_prefixed_sample_weight():
    # Setup
    X, y, weights = make_data()

    # Run / Assert: after a sampler it would be misaligned, so it raises
    with pytest.raises(InputError, match="Pass sample_weight=... to Pipeline.fit"):
        make_pipeline(SMOTE(), RecordingClassifier()).fit(
            X, y, recordingclassifier__sample_weight=weights)
    # without a sampler it is passed as in imblearn
    pipe = make_pipeline(StandardScaler(), RecordingClassifier())
    pipe.fit(X, y, recordingclassifier__sample_weight=weights)
    assert_array_equal(pipe[-1].weights_, weights)
    # but not together with Pipeline.fit's own sample_weight
    with pytest.raises(InputError, match="sample_weight was given twice"):
        pipe.fit(X, y, sample_weight=weights, recordingclassifier__sample_weight=weights)


def test_bad_sample_weight():
    X, y, _ = make_data()
    with pytest.raises(InputError, match="sample_weight has 3 values but X has 80 rows"):
        make_pipeline(SMOTE(), RecordingClassifier()).fit(X, y, sample_weight=[1, 2, 3])


def test_memory_caches_the_weights(tmp_path):
    # Setup
    X, y, weights = make_data()
    pipe = make_pipeline(RandomUnderSampler(random_state=0), RecordingClassifier(),
                         memory=str(tmp_path))

    # Run: the second fit loads the sampler step from the cache
    first = pipe.fit(X, y, sample_weight=weights)[-1].weights_.copy()
    second = pipe.fit(X, y, sample_weight=weights)[-1].weights_

    # Assert
    assert_array_equal(first, second)
    assert_array_equal(second, weights[pipe[-1].ids_.astype(int)])


def test_fit_transform_path_warns_that_weights_are_dropped():
    X, y, _ = make_data()
    pipe = make_pipeline(DownsampleUpweight(random_state=0), StandardScaler())
    with pytest.warns(WeightsDroppedWarning, match="fit_transform"):
        pipe.fit_transform(X, y)


# -- metadata routing: GridSearchCV and cross_validate ----------------------------


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def test_grid_search_routes_the_training_folds_weights(routing):
    # Setup
    X, y, weights = make_data()
    pipe = make_pipeline(RandomUnderSampler(random_state=0), RecordingClassifier())
    search = GridSearchCV(pipe, {"randomundersampler__replacement": [False, True]},
                          cv=StratifiedKFold(3), refit=True)

    # Run
    search.fit(X, y, sample_weight=weights)

    # Assert: the refitted model got the weights of the rows it kept
    clf = search.best_estimator_[-1]
    ids = clf.ids_.astype(int)
    assert_array_equal(clf.weights_, weights[ids])


def test_cross_validate_routes_weights_per_fold(routing):
    # Setup
    X, y, weights = make_data()
    pipe = make_pipeline(SMOTE(random_state=0), RecordingClassifier())
    cv = StratifiedKFold(3)

    # Run
    result = cross_validate(pipe, X, y, cv=cv, params={"sample_weight": weights},
                            return_estimator=True)

    # Assert: each fold's classifier got its training rows' weights, then the
    # class means of those rows for SMOTE's rows; scores are weighted accuracies
    for (train, test), fitted, score in zip(cv.split(X, y), result["estimator"],
                                            result["test_score"]):
        clf = fitted[-1]
        n = len(train)
        assert_array_equal(clf.ids_[:n], train)
        assert_allclose(clf.weights_[:n], weights[train])
        assert_allclose(clf.weights_[n:], weights[train][y[train] == 1].mean())
        majority = fitted.predict(X[test]) == y[test]
        assert score == pytest.approx(np.average(majority, weights=weights[test]))


def test_routing_opt_out_and_plain_fit(routing):
    # Setup
    X, y, weights = make_data((120, 20))
    opted_out = RecordingClassifier().set_fit_request(sample_weight=False)

    # Run
    pipe = make_pipeline(DownsampleUpweight(random_state=0), opted_out).fit(X, y)
    plain = make_pipeline(SMOTE(random_state=0), RecordingClassifier())
    plain.fit(X, y, sample_weight=weights)

    # Assert
    assert pipe[-1].weights_ is None
    assert pipe.final_prior_ == pytest.approx({0: 0.5, 1: 0.5})
    assert_kept_then_generated(plain[-1], weights, y)


def test_no_warning_from_grid_search_over_the_package_pipeline(routing):
    X, y, _ = make_data((120, 20))
    pipe = make_pipeline(DownsampleUpweight(random_state=0), LogisticRegression())
    with warnings.catch_warnings():
        warnings.simplefilter("error", WeightsDroppedWarning)
        GridSearchCV(pipe, {"downsampleupweight__factor": [2, 4]}, cv=3).fit(X, y)
