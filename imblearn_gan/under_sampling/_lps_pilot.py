"""Pilot models of LossProportionalSampler: their training rows, their fit,
and out-of-sample scoring of a block of rows (cross-fitting).

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
from ._lps_select import row_losses


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


def proba_by_class(pilot, X, classes):
    """Probabilities with one column per class of ``classes`` (float64).

    A scikit-learn pilot that did not see a class gives it probability 0.
    """
    proba = np.asarray(pilot.predict_proba(X), dtype=np.float64)
    if isinstance(pilot, LinearPilot):
        return proba
    if proba.ndim != 2 or proba.shape[1] != len(pilot.classes_):
        raise InputError(
            f"The pilot's predict_proba returned shape {proba.shape}; expected one "
            f"column per class of pilot.classes_ ({len(pilot.classes_)})."
        )
    out = np.zeros((len(X), len(classes)))
    out[:, np.searchsorted(classes, pilot.classes_)] = proba
    return out


def score_block(X, labels, offset, *, classes, targeted, loss, pilot, fold_pilots,
                rows, folds, check_finite=False):
    """Losses (float32) of one block of rows starting at global row ``offset``.

    Pilot rows of the block (``rows``, sorted global indices, with their
    ``folds``) are scored by their fold's pilot when ``fold_pilots`` is given.
    """
    if check_finite and not np.isfinite(X).all():
        raise InputError(
            "Input X contains NaN or infinity. Remove or impute them first "
            "(e.g. sklearn.impute.SimpleImputer)."
        )
    codes = np.searchsorted(classes, labels)
    proba = proba_by_class(pilot, X, classes)
    if fold_pilots:
        lo, hi = np.searchsorted(rows, [offset, offset + len(X)])
        local, fold = rows[lo:hi] - offset, folds[lo:hi]
        for f, fold_pilot in enumerate(fold_pilots):
            index = local[fold == f]
            if index.size:
                proba[index] = proba_by_class(fold_pilot, X[index], classes)
    return row_losses(proba, codes, targeted, loss)
