"""Pilot models of LossProportionalSampler: their training rows, their fit,
and out-of-sample scoring of a block of rows (cross-fitting).

The torch pilot (a ``LinearPilot``) scores rows here, in NumPy: each row's
logits are summed feature by feature in a fixed order in float64, so a
row's score does not depend on the block it is scored in (a BLAS product
may round differently with the block's size, alignment or threads).

The pilot trains on a random subsample of ``pilot_size`` rows (gathered in
memory; the rest of ``X`` is only read chunk by chunk). With ``cross_fit=k``
that subsample is split into ``k`` class-stratified folds and one pilot per
fold is trained on the other folds; each pilot row is then scored by the
pilot that did not see it. Every other row is scored by ``pilot_``, trained
on the whole subsample, which never saw it either.
"""

import math
import numbers

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import has_fit_parameter

from ..backend.pilot import LinearPilot, fit_logistic_pilot
from ..exceptions import InputError
from ..utils._validation import plain_label
from ._lps_select import row_scores

_SCORE_ROWS = 8192  # rows per fixed-order product: the block stays in cache


def n_pilot_rows(pilot_size, n_rows):
    """``pilot_size`` (a count or a fraction) as a row count in ``[2, n_rows]``."""
    if isinstance(pilot_size, numbers.Integral):
        count = int(pilot_size)
    else:
        count = math.ceil(pilot_size * n_rows)
    return int(min(max(count, 2), n_rows))


def choose_pilot_rows(rng, n_rows, n_pilot, codes_at, rows_of_class, class_counts,
                      min_per_class):
    """Sorted global indices of the pilot rows and their class codes.

    Rows are drawn uniformly without replacement; a class with fewer than
    ``min(its size, min_per_class)`` rows among them gets more of its rows
    (``rows_of_class(code)`` lists them), so every class reaches each pilot.
    """
    stream = np.random.Generator(np.random.PCG64(rng.randint(2**31 - 1)))
    rows = np.sort(stream.choice(n_rows, n_pilot, replace=False))
    codes = codes_at(rows)
    have = np.bincount(codes, minlength=len(class_counts))
    need = np.minimum(class_counts, min_per_class)
    extra = [
        stream.choice(np.setdiff1d(rows_of_class(c), rows), need[c] - have[c], replace=False)
        for c in np.flatnonzero(have < need)
    ]
    if extra:
        rows = np.sort(np.concatenate([rows, *extra]))
        codes = codes_at(rows)
    return rows, codes


def assign_folds(rng, codes, n_folds):
    """Class-stratified fold of each pilot row (round robin after a shuffle)."""
    folds = np.empty(len(codes), dtype=np.int64)
    for code in np.unique(codes):
        members = np.flatnonzero(codes == code)
        start = rng.randint(n_folds)  # small classes do not all land in fold 0
        folds[members[rng.permutation(len(members))]] = (
            np.arange(start, start + len(members)) % n_folds
        )
    return folds


def fit_pilot(pilot, X, labels, codes, n_classes, weights, *, tol, max_iter, device,
              generator):
    """Fit the torch logistic pilot (``pilot=None``) or a clone of ``pilot``."""
    if pilot is None:
        return fit_logistic_pilot(X, codes, n_classes, weights, tol=tol, max_iter=max_iter,
                                  device=device, generator=generator)
    if len(np.unique(labels)) < 2:
        label = plain_label(labels[0])
        raise InputError(
            f"A pilot would train on rows of one class only ({label!r}): with "
            "cross_fit, each class needs rows outside every fold. Give rare classes "
            "more rows, use the default torch pilot, or set cross_fit=None."
        )
    fitted = clone(pilot)
    if weights is not None and has_fit_parameter(fitted, "sample_weight"):
        return fitted.fit(X, labels, sample_weight=weights)
    return fitted.fit(X, labels)


def class_codes(classes, labels):
    """Index of each label in ``classes``; a clear error for any other label."""
    codes = np.searchsorted(classes, labels)
    codes[codes >= len(classes)] = 0
    unknown = classes[codes] != labels
    if np.any(unknown):
        found = [plain_label(v) for v in np.unique(np.asarray(labels)[unknown])[:5]]
        raise InputError(
            f"y has the class(es) {found}, which are not among the classes "
            f"{[plain_label(c) for c in classes]} found in y when the sampler started "
            "(the pilot never saw them). The data must not change while fit_resample "
            "runs; with dask, persist or re-read a fixed dataset."
        )
    return codes


def _feature_major(block):
    """A float64 copy of a block of rows, one contiguous array per feature."""
    columns = np.empty((block.shape[1], block.shape[0]))
    columns[...] = block.T
    return columns


def linear_proba(coef, intercept, X):
    """Softmax probabilities of a linear model (float64), row-block invariant.

    Each logit is ``intercept[k] + x_0 * coef[0, k] + x_1 * coef[1, k] + ...``
    added in this order, elementwise over the rows, so a row's probabilities
    are the same bits in any block of rows.
    """
    n_classes = coef.shape[1]
    out = np.empty((len(X), n_classes))
    for a in range(0, len(X), _SCORE_ROWS):
        columns = _feature_major(X[a:a + _SCORE_ROWS])
        logits = np.empty((n_classes, columns.shape[1]))
        logits[...] = intercept[:, None]
        term = np.empty_like(logits)
        for j, row in enumerate(coef):
            np.multiply(row[:, None], columns[j], out=term)
            logits += term
        logits -= logits.max(axis=0)  # exact; then exp(max) = 1
        np.exp(logits, out=logits)
        total = logits[0].copy()
        for k in range(1, n_classes):
            total += logits[k]
        out[a:a + columns.shape[1]] = (logits / total).T
    return out


def row_norms(X):
    """``||(1, x)||`` of each row (float64), features added in a fixed order."""
    out = np.empty(len(X))
    for a in range(0, len(X), _SCORE_ROWS):
        columns = _feature_major(X[a:a + _SCORE_ROWS])
        squares = np.ones(columns.shape[1])
        for column in columns:
            squares += column * column
        out[a:a + len(squares)] = np.sqrt(squares)
    return out


def proba_by_class(pilot, X, classes):
    """Probabilities with one column per class of ``classes`` (float64).

    A scikit-learn pilot that did not see a class gives it probability 0.
    """
    if isinstance(pilot, LinearPilot):
        return linear_proba(pilot.coef, pilot.intercept, X)
    proba = np.asarray(pilot.predict_proba(X), dtype=np.float64)
    if proba.ndim != 2 or proba.shape[1] != len(pilot.classes_):
        raise InputError(
            f"The pilot's predict_proba returned shape {proba.shape}; expected one "
            f"column per class of pilot.classes_ ({len(pilot.classes_)})."
        )
    out = np.zeros((len(X), len(classes)))
    out[:, np.searchsorted(classes, pilot.classes_)] = proba
    return out


def score_block(X, labels, offset, *, classes, targeted, design, loss, pilot, fold_pilots,
                rows, folds, check_finite=False):
    """Scores (float32) of one block of rows starting at global row ``offset``.

    Pilot rows of the block (``rows``, sorted global indices, with their
    ``folds``) are scored by their fold's pilot when ``fold_pilots`` is given.
    """
    if check_finite and not np.isfinite(X).all():
        raise InputError(
            "Input X contains NaN or infinity. Remove or impute them first "
            "(e.g. sklearn.impute.SimpleImputer)."
        )
    codes = class_codes(classes, labels)
    proba = proba_by_class(pilot, X, classes)
    if fold_pilots:
        lo, hi = np.searchsorted(rows, [offset, offset + len(X)])
        local, fold = rows[lo:hi] - offset, folds[lo:hi]
        for f, fold_pilot in enumerate(fold_pilots):
            index = local[fold == f]
            if index.size:
                proba[index] = proba_by_class(fold_pilot, X[index], classes)
    x_norm = row_norms(X) if design == "gradient-norm" else None
    return row_scores(proba, codes, targeted, design=design, loss=loss, x_norm=x_norm)


def pilot_logit(pilot, n_features):
    """``(coef, intercept)`` of a binary linear pilot's logit of the second class."""
    if isinstance(pilot, LinearPilot):
        return pilot.coef[:, 1] - pilot.coef[:, 0], float(pilot.intercept[1] - pilot.intercept[0])
    coef = np.asarray(getattr(pilot, "coef_", np.empty(0)), dtype=np.float64)
    if coef.shape != (1, n_features):
        raise InputError(
            "The pilot is not a binary linear model (no coef_ of shape (1, n_features)); "
            "correct_logistic needs the default torch pilot or a LogisticRegression."
        )
    return coef[0], float(np.ravel(pilot.intercept_)[0])


def check_local_case_control(sampler, estimator):
    """Raise unless ``sampler`` drew the paper's local case-control sample and
    ``estimator`` is a binary linear fit on it (``correct_logistic``)."""
    problems = []
    if sampler.design != "local-case-control":
        problems.append(f"design={sampler.design!r}, not 'local-case-control'")
    if len(sampler.classes_) != 2 or len(sampler.sampling_strategy_) != 2:
        problems.append("not two classes, both subsampled (sampling_strategy='all')")
    if sampler.cross_fit is not None:
        problems.append(f"cross_fit={sampler.cross_fit} (fold pilots scored the pilot rows)")
    if sampler.n_at_p_min_ or sampler.n_at_one_:
        problems.append(f"{sampler.n_at_p_min_} rows at p_min and {sampler.n_at_one_} at 1 "
                        "(lower p_min or sample_size)")
    coef = getattr(estimator, "coef_", None)
    if coef is None or np.shape(coef) != (1, sampler.n_features_in_) or not np.array_equal(
            getattr(estimator, "classes_", []), sampler.classes_):
        problems.append("the estimator is not a fitted binary linear model with coef_ of "
                        "shape (1, n_features) and the sampler's classes_")
    if problems:
        raise InputError(
            "correct_logistic needs a local case-control sample and a logistic fit on it; "
            "here: " + "; ".join(problems) + "."
        )
