"""Exceptions of imblearn_gan; each subclasses a standard one."""

from sklearn.exceptions import NotFittedError


class InputError(ValueError):
    """X, y or a parameter's value cannot be used; the message says why."""


class TrainingDivergedError(FloatingPointError):
    """A training loss became NaN or infinite; no NaN rows are returned."""


__all__ = ["InputError", "NotFittedError", "TrainingDivergedError"]
