"""Prior correction: undo the class-prior shift that resampling causes.

A classifier fitted on resampled data learns the resampled class prior
``pi_train`` instead of the true one ``pi_true``, so its probabilities are
biased (SMOTE to 1:1 doubles or more the minority probabilities). Bayes' rule
gives the fix: ``p'(c | x) ~ p(c | x) * pi_true(c) / pi_train(c)``,
renormalised per row (Saerens et al., 2002; Elkan, 2001).
"""

from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .exceptions import InputError
from .utils._compat import _fit_context
from .utils._validation import check_sample_weight, plain_label

__all__ = ["PriorCorrectedClassifier", "correct_prior"]


def correct_prior(proba, true_prior, train_prior):
    """Move class probabilities from the training prior to the true prior.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Probabilities of a classifier that learned ``train_prior``.
    true_prior, train_prior : array-like of shape (n_classes,)
        Class priors, in the column order of ``proba``.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        ``proba * true_prior / train_prior``, each row summing to 1.

    Examples
    --------
    >>> from imblearn_gan.calibration import correct_prior
    >>> correct_prior([[0.5, 0.5]], true_prior=[0.9, 0.1], train_prior=[0.5, 0.5])
    array([[0.9, 0.1]])
    """
    proba = np.asarray(proba, dtype=np.float64)
    true_prior = np.asarray(true_prior, dtype=np.float64)
    train_prior = np.asarray(train_prior, dtype=np.float64)
    # a class of zero training weight was never learned: it keeps probability 0
    ratio = np.divide(true_prior, train_prior, out=np.zeros_like(true_prior),
                      where=train_prior > 0)
    scaled = proba * ratio
    return scaled / scaled.sum(axis=1, keepdims=True)


class PriorCorrectedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit a resampling pipeline, then correct its probabilities for the prior.

    ``fit`` fits a clone of ``estimator`` (typically an
    :class:`imblearn_gan.pipeline.Pipeline` of samplers and a classifier) and
    records two class priors: the true one (class shares of ``y``, weighted by
    ``sample_weight`` when given) and the one the final classifier was fitted
    on after resampling (the pipeline's ``final_prior_``: the shares of the
    resampled rows, weighted by the weights the classifier received).
    ``predict_proba`` returns the pipeline's probabilities times
    ``prior_ / train_prior_``, renormalised per row; ``predict`` is their
    argmax. Binary and multiclass.

    When the classifier received weights that restore the true prior (e.g.
    :class:`~imblearn_gan.DownsampleUpweight` in the package's Pipeline), the
    two priors agree and the correction changes nothing.

    Parameters
    ----------
    estimator : estimator with ``fit`` and ``predict_proba``
        An :class:`imblearn_gan.pipeline.Pipeline` (it records the prior
        after resampling) or a classifier that does not resample. A plain
        :class:`imblearn.pipeline.Pipeline` raises in ``fit``: it does not
        record the resampled prior.
    prior : "auto" or array-like of shape (n_classes,), default="auto"
        Prior to correct to. ``"auto"``: the class shares of the ``y`` given
        to ``fit`` (weighted). An array (in the order of ``classes_``, any
        positive scale) sets the prior of the data to be scored, e.g. a
        known deployment prior.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels, as in ``estimator_``.
    prior_ : ndarray of shape (n_classes,)
        The prior probabilities are corrected to.
    train_prior_ : ndarray of shape (n_classes,)
        The prior the final classifier was fitted on.
    n_features_in_ : int
        As in ``estimator_``, when it defines it.

    See Also
    --------
    imblearn_gan.pipeline.Pipeline : Records ``final_prior_``.
    sklearn.calibration.CalibratedClassifierCV : Calibration learned on held-out folds.

    References
    ----------
    .. [1] Saerens, M., P. Latinne and C. Decaestecker, "Adjusting the outputs
       of a classifier to new a priori probabilities: a simple procedure",
       Neural Computation 14(1), 2002.
    .. [2] Elkan, C., "The foundations of cost-sensitive learning", IJCAI 2001.

    Examples
    --------
    >>> from imblearn.over_sampling import SMOTE
    >>> from sklearn.linear_model import LogisticRegression
    >>> from imblearn_gan.calibration import PriorCorrectedClassifier
    >>> from imblearn_gan.datasets import load_dataset
    >>> from imblearn_gan.pipeline import make_pipeline
    >>> X, y = load_dataset("glass2")
    >>> pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression(max_iter=1000))
    >>> model = PriorCorrectedClassifier(pipe).fit(X, y)
    >>> model.train_prior_.round(2).tolist(), model.prior_.round(2).tolist()
    ([0.5, 0.5], [0.92, 0.08])
    >>> model.predict_proba(X[:3]).shape
    (3, 2)
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "prior": [StrOptions({"auto"}), "array-like"],
    }

    # like the Pipeline, it consumes sample_weight (routing on: GridSearchCV
    # passes it without a set_fit_request call)
    __metadata_request__fit: ClassVar[dict] = {"sample_weight": True}

    def __init__(self, estimator, *, prior="auto"):
        self.estimator = estimator
        self.prior = prior

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit ``estimator`` and record the true and training priors.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to ``estimator.fit`` and used for the true prior.
        **fit_params : dict
            Passed to ``estimator.fit``.

        Returns
        -------
        self : object
        """
        y_array = column_or_1d(y, warn=True)
        check_classification_targets(y_array)
        weights = check_sample_weight(sample_weight, len(y_array))
        if sample_weight is not None:
            fit_params["sample_weight"] = sample_weight
        estimator = clone(self.estimator).fit(X, y_array, **fit_params)
        classes = estimator.classes_
        self.train_prior_ = _train_prior(estimator, y_array, weights, classes)
        self.prior_ = self._target_prior(y_array, weights, classes)
        self.estimator_, self.classes_ = estimator, classes
        if hasattr(estimator, "n_features_in_"):
            self.n_features_in_ = estimator.n_features_in_
        return self

    def _target_prior(self, y, weights, classes):
        if isinstance(self.prior, str):  # "auto"
            return _shares(y, weights, classes)
        prior = np.asarray(self.prior, dtype=np.float64)
        if prior.shape != classes.shape or not np.all(np.isfinite(prior)) or \
                np.any(prior <= 0):
            raise InputError(
                f"prior must hold one positive number per class ({len(classes)} "
                f"classes: {classes.tolist()}). Got {self.prior!r}."
            )
        return prior / prior.sum()

    def predict_proba(self, X):
        """Probabilities of ``estimator_``, corrected to ``prior_``.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return correct_prior(self.estimator_.predict_proba(X), self.prior_, self.train_prior_)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            ``-inf`` where a corrected probability is 0.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The class of highest corrected probability.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        from sklearn.utils import get_tags

        inner = get_tags(self.estimator)
        tags.input_tags = inner.input_tags
        return tags


def _shares(y, weights, classes):
    """Weighted share of each class of ``classes`` in ``y``."""
    mass = np.array([weights[y == label].sum() for label in classes])
    return mass / mass.sum()


def _train_prior(estimator, y, weights, classes):
    """The prior the final classifier of ``estimator`` was fitted on."""
    prior = getattr(estimator, "final_prior_", None)
    if prior is not None:
        return np.array([prior.get(plain_label(label), 0.0) for label in classes])
    steps = getattr(estimator, "steps", [])
    if any(hasattr(step, "fit_resample") for _, step in steps):
        raise InputError(
            f"{type(estimator).__name__} resamples but does not record the class "
            "prior its classifier was fitted on. Use imblearn_gan.pipeline.Pipeline "
            "(or make_pipeline), which sets final_prior_."
        )
    return _shares(y, weights, classes)  # no resampling: the classifier saw y
