"""Pipeline: imbalanced-learn's Pipeline that carries sample weights.

imbalanced-learn's ``Pipeline`` unpacks ``(X, y)`` from every sampler, so
weights given to ``fit`` are misaligned as soon as a sampler changes the rows,
and weights a sampler produces are lost. This subclass changes one thing:
``fit(X, y, sample_weight=w)`` carries ``w`` with the rows (see the Sample
weights guide).
"""

import warnings
from typing import ClassVar

import numpy as np
from imblearn import pipeline as imb_pipeline
from scipy import sparse
from sklearn.base import clone
from sklearn.utils import Bunch
from sklearn.utils.metadata_routing import get_routing_for_object, process_routing
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_memory, has_fit_parameter

from .exceptions import InputError, WeightsDroppedWarning
from .utils._compat import (
    _fit_context,
    _fit_transform_one,
    _name_estimators,
    _print_elapsed_time,
    _routing_enabled,
    _safe_indexing,
)
from .utils._validation import check_sample_weight, plain_label
from .utils._weights import carrying_weights, generated_weights

__all__ = ["Pipeline", "make_pipeline"]


class Pipeline(imb_pipeline.Pipeline):
    """imbalanced-learn's Pipeline, carrying ``sample_weight`` through samplers.

    A drop-in for :class:`imblearn.pipeline.Pipeline` (same parameters, same
    behaviour without weights). ``fit(X, y, sample_weight=w)`` and the weights
    samplers produce travel with the rows:

    - a sampler of this package gets the current weights in
      ``fit_resample(..., sample_weight=...)``; its ``sample_weight_`` (kept
      rows keep theirs, generated rows get their class's mean, producing
      samplers such as :class:`~imblearn_gan.DownsampleUpweight` multiply
      theirs in) becomes the current weights;
    - another sampler (e.g. imbalanced-learn's) is fitted without weights;
      the weights follow its ``sample_indices_`` when it has them, else the
      rows it returns must start with its input rows unchanged (as with
      SMOTE; appended rows get their class's mean weight); otherwise an
      ``InputError`` is raised rather than misaligning them;
    - transformers whose ``fit`` accepts ``sample_weight`` and the final
      estimator get the current weights in ``fit(..., sample_weight=...)``.

    Without ``sample_weight`` and without weight-producing samplers nothing
    is passed, exactly as in imbalanced-learn. With metadata routing enabled
    the Pipeline itself consumes ``sample_weight`` in ``fit``, so
    ``GridSearchCV(pipe).fit(X, y, sample_weight=w)`` and
    ``cross_validate(pipe, X, y, params={"sample_weight": w})`` carry the
    weights of each training fold; a step opts out with
    ``step.set_fit_request(sample_weight=False)``.

    Parameters
    ----------
    steps : list of tuple
        ``(name, estimator)`` pairs: transformers and samplers, then the final
        estimator.
    transform_input : list of str, default=None
        As in :class:`imblearn.pipeline.Pipeline` (metadata routing only).
    memory : None, str or object with the joblib.Memory interface, default=None
        Caches fitted transformers and samplers (with their weights).
    verbose : bool, default=False
        Print the time each step takes.

    Attributes
    ----------
    named_steps : :class:`~sklearn.utils.Bunch`
        Steps by name.
    final_prior_ : dict or None
        After ``fit``: class label -> share of the (weighted) rows the final
        estimator was fitted on, i.e. the class prior it learned. ``None``
        for targets that are not binary or multiclass.
        :class:`~imblearn_gan.calibration.PriorCorrectedClassifier` reads it.

    See Also
    --------
    make_pipeline : Build a Pipeline without naming the steps.
    imblearn.pipeline.Pipeline : The parent class.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.linear_model import LogisticRegression
    >>> from imblearn_gan import DownsampleUpweight
    >>> from imblearn_gan.datasets import load_dataset
    >>> from imblearn_gan.pipeline import make_pipeline
    >>> X, y = load_dataset("glass2")
    >>> pipe = make_pipeline(DownsampleUpweight(factor=4, random_state=0),
    ...                      LogisticRegression(max_iter=1000))
    >>> pipe = pipe.fit(X, y)
    >>> {int(k): round(v, 3) for k, v in pipe.final_prior_.items()}
    {0: 0.921, 1: 0.079}
    """

    # with metadata routing on, the Pipeline consumes sample_weight itself: in
    # fit it carries it; in score it hands the test rows' weights to the final
    # estimator's score. GridSearchCV and cross_validate so route it here.
    __metadata_request__fit: ClassVar[dict] = {"sample_weight": True}
    __metadata_request__score: ClassVar[dict] = {"sample_weight": True}

    def get_metadata_routing(self):
        """Routing of imbalanced-learn's Pipeline, plus ``fit``'s own
        ``sample_weight``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        return super().get_metadata_routing().add_self_request(self)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, sample_weight=None, **params):
        """Fit the steps in turn, carrying ``sample_weight`` with the rows.

        Parameters
        ----------
        X : iterable
            Training data, as the first step expects it.
        y : iterable, default=None
            Training targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows of ``X``; resampled with them and passed to
            the steps that accept them (see the class docstring).
        **params : dict
            As in :meth:`imblearn.pipeline.Pipeline.fit` (``step__param``, or
            routed metadata with routing enabled).

        Returns
        -------
        self : Pipeline
        """
        if not _routing_enabled() and self.transform_input is not None:
            raise ValueError(
                "The `transform_input` parameter can only be set if metadata routing "
                "is enabled. Use `sklearn.set_config(enable_metadata_routing=True)`."
            )
        routed = self._check_method_params(method="fit", props=params)
        given = sample_weight is not None
        if given:
            sample_weight = check_sample_weight(sample_weight, _n_rows(X))
        Xt, yt, wt = self._fit_with_weights(X, y, sample_weight, routed, params)
        name, final = self.steps[-1]
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            if final != "passthrough":
                step_params = self._get_metadata_for_step(
                    step_idx=len(self) - 1, step_params=routed[name], all_params=params
                )
                fit_params = _weighted_params(final, step_params, wt, name, given)["fit"]
                final.fit(Xt, yt, **fit_params)
                wt = fit_params.get("sample_weight")
        self.final_prior_ = _class_prior(yt, wt)
        return self

    def score(self, X, y=None, sample_weight=None, **params):
        """Transform ``X`` with the fitted steps and score the final estimator.

        As imbalanced-learn's ``score``; with metadata routing on,
        ``sample_weight`` goes to the final estimator's ``score`` unrequested
        (the Pipeline consumes it), other metadata is routed as usual.
        Samplers are skipped: test rows are never resampled.

        Parameters
        ----------
        X : iterable
            Data to score, as the first step expects it.
        y : iterable, default=None
            Targets of ``X``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows of ``X``, passed to the final estimator's
            ``score``.
        **params : dict
            Other parameters of the steps' ``transform`` and the final
            ``score`` (routed metadata with routing enabled).

        Returns
        -------
        score : float
        """
        if not _routing_enabled() or sample_weight is None:
            return super().score(X, y, sample_weight=sample_weight, **params)
        routed = process_routing(self, "score", **params)
        Xt = X
        for _, name, transform in self._iter(with_final=False):
            Xt = transform.transform(Xt, **routed[name].transform)
        name, final = self.steps[-1]
        return final.score(Xt, y, sample_weight=sample_weight, **routed[name].score)

    def _fit(self, X, y=None, routed_params=None, raw_params=None):
        # fit_transform, fit_predict and fit_resample (inherited) cannot hand
        # weights on: they warn when samplers produced some
        Xt, yt, wt = self._fit_with_weights(X, y, None, routed_params, raw_params)
        if wt is not None:
            _warn_dropped("this Pipeline's fit_transform/fit_predict/fit_resample")
        return Xt, yt

    def _fit_with_weights(self, X, y, weights, routed_params, raw_params):
        """imbalanced-learn's ``_fit``, returning the weights of the output rows."""
        self.steps = list(self.steps)
        self._validate_steps()
        memory = check_memory(self.memory)
        fit_transform_one_cached = memory.cache(_fit_transform_one)
        fit_resample_one_cached = memory.cache(_fit_resample_weighted)
        resampled = False
        for step_idx, name, step in self._iter(
            with_final=False, filter_passthrough=False, filter_resample=False
        ):
            message = self._log_message(step_idx)
            if step is None or step == "passthrough":
                with _print_elapsed_time("Pipeline", message):
                    continue
            # as in imbalanced-learn: clone only when caching
            cached = not (hasattr(memory, "location") and memory.location is None)
            step = clone(step) if cached else step
            step_params = self._get_metadata_for_step(
                step_idx=step_idx, step_params=routed_params[name], all_params=raw_params
            )
            _check_no_stale_weights(step_params, name, resampled)
            if hasattr(step, "transform") or hasattr(step, "fit_transform"):
                X, fitted = fit_transform_one_cached(
                    step, X, y, weight=None, message_clsname="Pipeline", message=message,
                    params=_weighted_params(step, step_params, weights),
                )
            else:
                X, y, weights, fitted = fit_resample_one_cached(
                    step, X, y, weights, message_clsname="Pipeline", message=message,
                    params=routed_params[name],
                )
                resampled = True
            self.steps[step_idx] = (name, fitted)
        _check_no_stale_weights(routed_params.get(self.steps[-1][0], {}),
                                self.steps[-1][0], resampled)
        return X, y, weights


def _fit_resample_weighted(sampler, X, y, weights, message_clsname="", message=None,
                           params=None):
    """``fit_resample`` one sampler; return ``X, y``, the output rows' weights
    (``None`` when there are none to carry) and the fitted sampler."""
    kwargs = dict(params.get("fit_resample", {}))
    with _print_elapsed_time(message_clsname, message):
        if not hasattr(sampler, "_produces_weights"):  # outside the protocol
            X_res, y_res = sampler.fit_resample(X, y, **kwargs)
            if weights is not None:
                weights = _align_foreign(sampler, X, y, X_res, y_res, weights)
            return X_res, y_res, weights, sampler
        if weights is not None:
            kwargs["sample_weight"] = weights
        with carrying_weights():
            X_res, y_res = sampler.fit_resample(X, y, **kwargs)
        if weights is not None or sampler._produces_weights:
            weights = np.asarray(sampler.sample_weight_, dtype=np.float64)
        return X_res, y_res, weights, sampler


def _align_foreign(sampler, X, y, X_res, y_res, weights):
    """Weights of the rows a sampler outside the protocol returned."""
    indices = getattr(sampler, "sample_indices_", None)
    if indices is not None and len(indices) == len(y_res):
        return weights[np.asarray(indices)]
    n_in, y, y_res = len(weights), np.asarray(y), np.asarray(y_res)
    if len(y_res) >= n_in and np.array_equal(y, y_res[:n_in]) and _same_rows(X, X_res, n_in):
        return np.concatenate([weights, generated_weights(weights, y, y_res[n_in:])])
    raise InputError(
        f"Cannot carry sample weights through {type(sampler).__name__}: it has no "
        "sample_indices_ and its output does not start with its input rows, so the "
        "weights of its rows are unknown. The weights came from Pipeline.fit's "
        "sample_weight or from an earlier weight-producing sampler. Use a sampler "
        "with sample_indices_ or one of imblearn_gan's samplers, or drop the weights."
    )


def _same_rows(X, X_res, n_rows):
    head = _safe_indexing(X_res, np.arange(n_rows))
    if sparse.issparse(X) or sparse.issparse(head):
        return (sparse.issparse(X) and sparse.issparse(head) and X.shape == head.shape
                and (X != head).nnz == 0)
    X, head = np.asarray(X), np.asarray(head)
    try:
        return np.array_equal(X, head, equal_nan=True)
    except TypeError:  # object arrays cannot compare NaN
        return np.array_equal(X, head)


def _weighted_params(step, step_params, weights, final_name=None, given=False):
    """``step_params`` with ``sample_weight=weights`` added to the fit methods
    of a step that accepts them. ``final_name`` names the final step: if it
    cannot take the weights, user-given ones raise, produced ones warn."""
    if weights is None or _opted_out(step):
        return step_params
    if not has_fit_parameter(step, "sample_weight"):
        where = f"the final step {final_name!r} ({type(step).__name__})"
        if final_name is not None and given:
            raise InputError(
                f"sample_weight was given, but {where} does not accept sample_weight "
                "in fit."
            )
        if final_name is not None:
            _warn_dropped(where)
        return step_params
    if "sample_weight" in step_params.get("fit", {}):
        raise InputError(
            f"sample_weight was given twice for step {type(step).__name__}: to "
            "Pipeline.fit and as a step parameter. Give it once, to Pipeline.fit."
        )
    out = Bunch(**{method: dict(p) for method, p in step_params.items()})
    for method in ("fit", "fit_transform", "fit_predict"):
        out.setdefault(method, {})["sample_weight"] = weights
    return out


def _opted_out(step):
    if not _routing_enabled():
        return False
    requests = get_routing_for_object(step)
    return getattr(requests, "fit", None) is not None and \
        requests.fit.requests.get("sample_weight") is False


def _check_no_stale_weights(step_params, name, resampled):
    """A ``step__sample_weight`` aligned with the input cannot follow a sampler."""
    if resampled and "sample_weight" in step_params.get("fit", {}):
        raise InputError(
            f"A sample_weight for step {name!r} is aligned with the input rows, but "
            "a sampler before it changes the rows. Pass sample_weight=... to "
            "Pipeline.fit instead: it is resampled with the rows."
        )


def _warn_dropped(where):
    warnings.warn(
        f"Samplers produced sample weights, but {where} cannot take them; they "
        "were dropped.", WeightsDroppedWarning, stacklevel=4,
    )


def _class_prior(y, weights):
    """Class -> share of the weighted rows, for classification targets."""
    if y is None or type_of_target(y) not in ("binary", "multiclass"):
        return None
    classes, index = np.unique(np.asarray(y), return_inverse=True)
    mass = np.bincount(index, weights=weights, minlength=len(classes))
    return {plain_label(label): float(m / mass.sum())
            for label, m in zip(classes, mass)}


def _n_rows(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


def make_pipeline(*steps, memory=None, transform_input=None, verbose=False):
    """Build a :class:`Pipeline` that carries sample weights; steps are named
    after their classes, as in :func:`imblearn.pipeline.make_pipeline`.

    Parameters
    ----------
    *steps : list of estimators
        Transformers and samplers, then the final estimator.
    memory : None, str or object with the joblib.Memory interface, default=None
        Caches fitted transformers and samplers (with their weights).
    transform_input : list of str, default=None
        As in :func:`imblearn.pipeline.make_pipeline` (metadata routing only).
    verbose : bool, default=False
        Print the time each step takes.

    Returns
    -------
    p : Pipeline
        A :class:`Pipeline` whose steps are named after their classes.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from imblearn_gan import DownsampleUpweight
    >>> from imblearn_gan.pipeline import make_pipeline
    >>> make_pipeline(DownsampleUpweight(), LogisticRegression())
    Pipeline(steps=[('downsampleupweight', DownsampleUpweight()),
                    ('logisticregression', LogisticRegression())])
    """
    return Pipeline(
        _name_estimators(steps), memory=memory,
        transform_input=transform_input, verbose=verbose,
    )
