"""Exceptions of imblearn_gan; each subclasses a standard one."""

from sklearn.exceptions import NotFittedError


class InputError(ValueError):
    """X, y or a parameter's value cannot be used; the message says why."""


class TrainingDivergedError(FloatingPointError):
    """A training loss became NaN or infinite; no NaN rows are returned."""


class WeightsDroppedWarning(UserWarning):
    """A sampler produced sample weights that nothing passes on to the
    classifier (e.g. in a plain ``imblearn.pipeline.Pipeline``); use
    ``imblearn_gan.pipeline.Pipeline`` to keep them."""


__all__ = ["InputError", "NotFittedError", "TrainingDivergedError", "WeightsDroppedWarning"]
