"""Exceptions and warnings of imblearn_gan; each subclasses a standard one.

An estimator used before ``fit`` raises scikit-learn's
:class:`sklearn.exceptions.NotFittedError`, as scikit-learn's estimators do.
"""

__all__ = ["InputError", "TrainingDivergedError", "WeightsDroppedWarning"]


class InputError(ValueError):
    """X, y or a parameter's value cannot be used; the message says why.

    A :class:`ValueError`, so code that catches scikit-learn's and
    imbalanced-learn's input errors catches it too.

    Examples
    --------
    >>> from imblearn_gan import DownsampleUpweight
    >>> from imblearn_gan.exceptions import InputError
    >>> sampler = DownsampleUpweight(sampling_strategy={0: 2}, factor=2)
    >>> try:
    ...     sampler.fit_resample([[0.0], [1.0], [2.0], [3.0]], [0, 0, 0, 1])
    ... except InputError as exc:
    ...     print(type(exc).__name__, isinstance(exc, ValueError))
    InputError True
    """


class TrainingDivergedError(FloatingPointError):
    """A training loss became NaN or infinite; no NaN rows are returned.

    Raised by the GAN and VAE over-samplers' ``fit``. A
    :class:`FloatingPointError` (an :class:`ArithmeticError`).

    Examples
    --------
    >>> from imblearn_gan.exceptions import TrainingDivergedError
    >>> issubclass(TrainingDivergedError, FloatingPointError)
    True
    """


class WeightsDroppedWarning(UserWarning):
    """Sample weights a sampler produced are not passed on to the classifier.

    Raised when nothing passes them on (e.g. in a plain
    ``imblearn.pipeline.Pipeline``); use ``imblearn_gan.pipeline.Pipeline``
    to keep them.

    Examples
    --------
    >>> import warnings
    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.linear_model import LogisticRegression
    >>> from imblearn_gan import DownsampleUpweight
    >>> from imblearn_gan.datasets import load_dataset
    >>> from imblearn_gan.exceptions import WeightsDroppedWarning
    >>> X, y = load_dataset("glass2")
    >>> pipe = make_pipeline(DownsampleUpweight(factor=4, random_state=0),
    ...                      LogisticRegression(max_iter=1000))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     pipe = pipe.fit(X, y)
    >>> any(issubclass(w.category, WeightsDroppedWarning) for w in caught)
    True
    """
