"""quality_report: every metric, per generated class, in one table."""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.utils._param_validation import validate_params

from ..exceptions import InputError
from ..utils._validation import stack_rows
from ._fidelity import (
    classifier_two_sample_auc,
    correlation_difference,
    marginal_distances,
)
from ._privacy import memorization_scores
from ._tables import as_frame
from ._utility import utility_scores

COLUMNS = ["class", "group", "metric", "value"]


def _rows(X, mask):
    return X.iloc[np.flatnonzero(mask)] if hasattr(X, "iloc") else np.asarray(X)[mask]


def _is_fitted_generator(sampler):
    if not callable(getattr(sampler, "sample", None)):
        return False
    try:
        check_is_fitted(sampler)
    except NotFittedError:
        return False
    return True


def synthetic_rows(sampler, X_train, y_train, random_state=None):
    """The rows ``sampler`` generates for ``X_train, y_train``, and their labels.

    A fitted generator (a fitted sampler with ``sample``) draws the numbers
    of rows its ``sampling_strategy_`` asks for; any other over-sampler
    runs ``fit_resample`` and its appended rows are the synthetic ones
    (imbalanced-learn's over-samplers return the input rows first).
    """
    if _is_fitted_generator(sampler):
        rng = check_random_state(random_state)
        parts = [(sampler.sample(n, y=label, random_state=rng), np.full(n, label))
                 for label, n in sampler.sampling_strategy_.items() if n > 0]
        if not parts:
            return X_train[:0], np.asarray(y_train)[:0]
        return stack_rows([X for X, _ in parts]), np.concatenate([y for _, y in parts])
    X_res, y_res = sampler.fit_resample(X_train, y_train)
    n = len(y_train)
    if len(y_res) < n:
        raise InputError(
            f"quality_report needs an over-sampler: {type(sampler).__name__} returned "
            f"{len(y_res)} rows for {n} input rows."
        )
    return _rows(X_res, np.arange(len(y_res)) >= n), np.asarray(y_res)[n:]


def _class_rows(label, X_train, y_train, X_new, y_new, X_test, y_test, rng):
    real, new = _rows(X_train, y_train == label), _rows(X_new, y_new == label)
    holdout = _rows(X_test, y_test == label)
    scores = {("size", "n_train"): len(real), ("size", "n_synthetic"): len(new),
              ("size", "n_holdout"): len(holdout)}
    if len(real) >= 2 and len(new) >= 2:
        scores["fidelity", "c2st_auc"] = classifier_two_sample_auc(
            real, new, random_state=rng.randint(2**31 - 1))
    marginals = marginal_distances(real, new)
    for statistic in ("ks", "tv"):
        values = marginals.value[marginals.statistic == statistic]
        if len(values):
            scores["fidelity", f"{statistic}_mean"] = float(values.mean())
            scores["fidelity", f"{statistic}_max"] = float(values.max())
    for norm in ("mean_abs", "frobenius"):
        scores["fidelity", f"corr_diff_{norm}"] = correlation_difference(real, new, norm=norm)
    privacy = memorization_scores(real, new, holdout if len(holdout) else None)
    scores.update({("privacy", key): value for key, value in privacy.items()})
    return [(label, group, metric, float(value)) for (group, metric), value in scores.items()]


@validate_params(
    {
        "sampler": [HasMethods(["fit_resample"])],
        "X_train": ["array-like"],
        "y_train": ["array-like"],
        "X_test": ["array-like"],
        "y_test": ["array-like"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def quality_report(sampler, X_train, y_train, X_test, y_test, *, random_state=None):
    """Fidelity, utility and privacy of an over-sampler's rows, in one table.

    The sampler generates rows for ``X_train, y_train`` (see below); then,
    for each class it generated, the synthetic rows are compared with the
    real training rows of that class:

    - ``fidelity``: :func:`classifier_two_sample_auc` (``c2st_auc``, 0.5 is
      indistinguishable), the mean and max of :func:`marginal_distances`
      (``ks_*`` over numeric columns, ``tv_*`` over categorical ones) and
      :func:`correlation_difference` (``corr_diff_mean_abs``,
      ``corr_diff_frobenius``);
    - ``privacy``: :func:`memorization_scores`, with that class's rows of
      ``X_test`` as the held-out rows;
    - ``size``: ``n_train``, ``n_synthetic``, ``n_holdout`` rows of the class.

    and once for all classes (``class`` "all"):

    - ``utility``: :func:`utility_scores` (logistic regression trained on
      the real rows, on real + synthetic rows, and with the generated
      classes' real rows replaced by synthetic ones; tested on ``X_test``).

    Parameters
    ----------
    sampler : imbalanced-learn over-sampler or fitted generator
        A fitted sampler with a ``sample`` method (GANOverSampler,
        VAEOverSampler after ``fit``) draws as many rows per class as its
        ``sampling_strategy_`` says. Any other sampler (unfitted, or SMOTE
        and the other imbalanced-learn over-samplers) is fitted with
        ``fit_resample(X_train, y_train)``; the rows it appends are the
        synthetic ones.
    X_train : {array-like, dataframe} of shape (n_train, n_features)
    y_train : array-like of shape (n_train,)
    X_test : {array-like, dataframe} of shape (n_test, n_features)
        Held-out real rows (a stratified split of the same data).
    y_test : array-like of shape (n_test,)
    random_state : int, RandomState instance or None, default=None
        Seeds the two-sample test folds and classifier, and the draws of a
        fitted generator. It does not change the sampler's own seed.

    Returns
    -------
    report : DataFrame
        Columns ``class``, ``group`` ("size", "fidelity", "privacy",
        "utility"), ``metric`` and ``value``; one row per class and metric
        (``c2st_auc`` is left out for a class with fewer than 2 real or 2
        synthetic rows, ``ks_*``/``tv_*`` for a table without numeric or
        categorical columns). ``report.pivot(index="metric",
        columns="class", values="value")`` gives a wide view.

    See Also
    --------
    classifier_two_sample_auc, marginal_distances, correlation_difference,
    memorization_scores, utility_scores

    Examples
    --------
    >>> from imblearn.over_sampling import SMOTE
    >>> from sklearn.model_selection import train_test_split
    >>> from imblearn_gan.datasets import load_dataset
    >>> from imblearn_gan.metrics import quality_report
    >>> X, y = load_dataset("glass2")
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)
    >>> report = quality_report(SMOTE(random_state=0), X_tr, y_tr, X_te, y_te,
    ...                         random_state=0)
    >>> sorted(set(report["group"]))
    ['fidelity', 'privacy', 'size', 'utility']
    >>> int(report.set_index(["class", "metric"]).value[1, "n_synthetic"])
    134
    """
    import pandas as pd

    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    for name, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
        if len(as_frame(X, f"X_{name}")) != len(y):
            raise InputError(f"X_{name} has {len(X)} rows but y_{name} has {len(y)}.")
    rng = check_random_state(random_state)
    X_new, y_new = synthetic_rows(sampler, X_train, y_train, rng)
    if len(y_new) == 0:
        raise InputError(
            f"{type(sampler).__name__} generated no rows for this data (the classes "
            "are already balanced for its sampling_strategy); nothing to report."
        )
    rows = []
    for label in np.unique(y_new):
        rows += _class_rows(label, X_train, y_train, X_new, y_new, X_test, y_test, rng)
    utility = utility_scores(X_train, y_train, X_new, y_new, X_test, y_test)
    rows += [("all", "utility", metric, value) for metric, value in utility.items()]
    return pd.DataFrame(rows, columns=COLUMNS)
