"""The sample-weight protocol shared by every sampler of the package.

Rules (see the Sample weights guide):

- ``fit_resample(X, y, sample_weight=None)``; after it, ``sample_weight_`` is a
  float64 array aligned with the returned rows.
- Kept rows keep their incoming weight (1.0 when none was given); removed
  rows lose theirs; generated rows get the mean incoming weight of their
  class (:func:`generated_weights`; 1.0 without weights).
- Samplers whose output weights carry information (DownsampleUpweight,
  LossProportionalSampler) set ``_produces_weights = True``, multiply their
  own weights into the incoming ones, and call :func:`warn_if_weights_dropped`
  so that a plain ``imblearn.pipeline.Pipeline``, which drops them, warns.
"""

import contextlib
import contextvars
import sys
import warnings

import numpy as np

from ..exceptions import WeightsDroppedWarning
from ._compat import _fit_resample_one

# set while imblearn_gan.pipeline.Pipeline fits a sampler: it carries the weights
_CARRIED = contextvars.ContextVar("imblearn_gan_weights_carried", default=False)


class SampleWeightMixin:
    """Marks a sampler that follows the sample-weight protocol.

    ``imblearn_gan.pipeline.Pipeline`` passes ``sample_weight`` to the
    ``fit_resample`` of samplers with this mixin and reads their
    ``sample_weight_``; other samplers get no weights (their rows are aligned
    through ``sample_indices_`` or an unchanged prefix).
    """

    # True for samplers whose output weights matter (the Pipeline passes them
    # on even when no weights came in; a plain imblearn Pipeline warns)
    _produces_weights = False


def generated_weights(sample_weight, y, y_new):
    """Weights of generated rows: the mean incoming weight of their class.

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,)
        Validated incoming weights (ones when none were given).
    y : ndarray of shape (n_samples,)
        Classes of the incoming rows.
    y_new : ndarray of shape (n_new,)
        Classes of the generated rows.

    Returns
    -------
    ndarray of shape (n_new,), float64
    """
    out = np.empty(len(y_new), dtype=np.float64)
    for label in np.unique(y_new):
        out[y_new == label] = sample_weight[y == label].mean()
    return out


@contextlib.contextmanager
def carrying_weights():
    """Context in which producing samplers do not warn (their weights are kept)."""
    token = _CARRIED.set(True)
    try:
        yield
    finally:
        _CARRIED.reset(token)


def _called_by_imblearn_pipeline():
    """True when a frame of ``imblearn.pipeline._fit_resample_one`` is on the
    stack, i.e. a plain imblearn Pipeline is fitting this sampler."""
    target = _fit_resample_one.__code__
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is target:
            return True
        frame = frame.f_back
    return False


def warn_if_weights_dropped(sampler):
    """Warn (once per fit) when a plain imblearn Pipeline fits ``sampler``:
    that Pipeline unpacks ``(X, y)`` only, so ``sample_weight_`` is lost.

    Direct calls of ``fit_resample`` and ``imblearn_gan.pipeline.Pipeline``
    do not warn.
    """
    if _CARRIED.get() or not _called_by_imblearn_pipeline():
        return
    warnings.warn(
        f"{type(sampler).__name__} produced sample weights, but imblearn's Pipeline "
        "drops them: the classifier sees the resampled rows unweighted, with a "
        "shifted class prior. Use imblearn_gan.pipeline.Pipeline (or make_pipeline) "
        "to pass them to the final estimator's fit.",
        WeightsDroppedWarning,
        stacklevel=3,
    )
