"""Fidelity: does a synthetic sample look like the real one?

- :func:`classifier_two_sample_auc`: can a classifier tell the rows apart?
- :func:`marginal_distances`: column by column (Kolmogorov-Smirnov for
  numeric columns, total variation for categorical ones);
- :func:`correlation_difference`: the dependence between columns.
"""

import numbers

import numpy as np
from scipy.stats import ks_2samp
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn_compat.utils._param_validation import validate_params
from threadpoolctl import threadpool_limits

from ..exceptions import InputError
from ._tables import as_frames, encode, fit_encoder


@validate_params(
    {
        "X_real": ["array-like"],
        "X_synthetic": ["array-like"],
        "classifier": [HasMethods(["fit", "predict_proba"]), None],
        "n_splits": [Interval(numbers.Integral, 2, None, closed="left")],
        "n_repeats": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def classifier_two_sample_auc(
    X_real, X_synthetic, *, classifier=None, n_splits=5, n_repeats=3, random_state=None
):
    """Cross-validated ROC-AUC of a classifier telling real from synthetic rows.

    The classifier two-sample test (C2ST): rows are encoded together
    (numeric columns standardised, categorical ones one-hot), the larger
    sample is subsampled (at random, without replacement) to the size of
    the smaller one, rows are labelled real (0) or synthetic (1), and the
    classifier's ROC-AUC on held-out rows is averaged over ``n_repeats``
    repetitions of a stratified ``n_splits``-fold cross-validation.

    0.5: the classifier cannot tell the samples apart; 1.0: it separates
    them perfectly. With a few dozen rows the estimate is noisy: two
    samples of the same distribution can score well above or below 0.5
    (see the Synthetic-data quality guide). Values well below 0.5 come from
    copies: a held-out real row whose copy is in the training folds,
    labelled synthetic, is scored as synthetic (a sample against itself
    scores near 0; :func:`memorization_scores` measures copying). Compare
    rows of one class at a time.

    Parameters
    ----------
    X_real : {array-like, dataframe} of shape (n_real, n_features)
        Real rows.
    X_synthetic : {array-like, dataframe} of shape (n_synthetic, n_features)
        Generated rows, same columns.
    classifier : estimator with ``predict_proba``, default=None
        ``None`` uses ``HistGradientBoostingClassifier(max_iter=100,
        min_samples_leaf=5)``, which also sees differences in spread,
        modes and interactions that a linear model misses.
    n_splits : int, default=5
        Folds, capped at the size of the smaller sample. The
        cross-validation runs with one OpenMP thread.
    n_repeats : int, default=3
        Repetitions of the cross-validation with different folds.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample, the folds and the classifier.

    Returns
    -------
    auc : float
        In [0, 1]; 0.5 means indistinguishable.

    See Also
    --------
    marginal_distances : Column-by-column distances.
    quality_report : Every metric, per generated class.

    References
    ----------
    .. [1] Lopez-Paz, D. and M. Oquab, "Revisiting Classifier Two-Sample
       Tests", ICLR 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn_gan.metrics import classifier_two_sample_auc
    >>> rng = np.random.RandomState(0)
    >>> real, shifted = rng.normal(size=(200, 2)), rng.normal(3, 1, size=(200, 2))
    >>> classifier_two_sample_auc(real, shifted, random_state=0) > 0.95
    True
    """
    real, synthetic = as_frames(X_real=X_real, X_synthetic=X_synthetic)
    Z_real, Z_synthetic = encode([real, synthetic])
    n_splits = min(n_splits, len(Z_real), len(Z_synthetic))
    if n_splits < 2:
        raise InputError(
            "classifier_two_sample_auc needs at least 2 real and 2 synthetic "
            f"rows. Got {len(Z_real)} real and {len(Z_synthetic)} synthetic."
        )
    rng = check_random_state(random_state)
    # equal sizes: with many more synthetic rows, each held-out real row sits
    # among synthetic rows made from it, which drags the AUC below 0.5
    n = min(len(Z_real), len(Z_synthetic))
    Z_real = Z_real[np.sort(rng.choice(len(Z_real), n, replace=False))]
    Z_synthetic = Z_synthetic[np.sort(rng.choice(len(Z_synthetic), n, replace=False))]
    if classifier is None:
        classifier = HistGradientBoostingClassifier(
            max_iter=100, min_samples_leaf=5, random_state=rng.randint(2**31 - 1)
        )
    Z = np.vstack([Z_real, Z_synthetic])
    is_synthetic = np.r_[np.zeros(len(Z_real), int), np.ones(len(Z_synthetic), int)]
    folds = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats,
                                    random_state=rng.randint(2**31 - 1))
    # one OpenMP thread, as the samplers' torch policy: on these small tables
    # HistGradientBoosting's threads only add overhead, and on busy cores
    # they slow the fit down many times over
    with threadpool_limits(1, user_api="openmp"):
        scores = cross_val_score(clone(classifier), Z, is_synthetic, cv=folds,
                                 scoring="roc_auc")
    return float(np.mean(scores))


@validate_params(
    {"X_real": ["array-like"], "X_synthetic": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def marginal_distances(X_real, X_synthetic):
    """Distance between the real and the synthetic distribution of each column.

    - numeric columns: the two-sample Kolmogorov-Smirnov statistic (largest
      gap between the empirical CDFs), in [0, 1];
    - categorical columns (category, object, string or bool dtypes, and
      object columns holding strings): the total variation distance
      ``0.5 * sum_c |p_real(c) - p_synthetic(c)|``, in [0, 1].

    0 means identical marginals; 1 means disjoint ones.

    Parameters
    ----------
    X_real : {array-like, dataframe} of shape (n_real, n_features)
        Real rows.
    X_synthetic : {array-like, dataframe} of shape (n_synthetic, n_features)
        Generated rows, same columns.

    Returns
    -------
    distances : DataFrame
        One row per column: ``column`` (name or index), ``kind``
        ("numeric" or "categorical"), ``statistic`` ("ks" or "tv") and
        ``value``.

    See Also
    --------
    classifier_two_sample_auc : All columns at once.
    correlation_difference : Dependence between columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from imblearn_gan.metrics import marginal_distances
    >>> real = pd.DataFrame({"color": ["red", "red", "blue", "blue"]})
    >>> fake = pd.DataFrame({"color": ["red", "red", "red", "blue"]})
    >>> marginal_distances(real, fake)[["column", "statistic", "value"]]
      column statistic  value
    0  color        tv   0.25
    """
    import pandas as pd

    real, synthetic = as_frames(X_real=X_real, X_synthetic=X_synthetic)
    categorical = set(fit_encoder([real, synthetic]).categorical_columns_.tolist())
    rows = []
    for j, column in enumerate(real.columns):
        a, b = real.iloc[:, j].to_numpy(), synthetic.iloc[:, j].to_numpy()
        if j in categorical:
            rows.append((column, "categorical", "tv", _total_variation(a, b)))
        else:
            ks = ks_2samp(a.astype(np.float64), b.astype(np.float64)).statistic
            rows.append((column, "numeric", "ks", float(ks)))
    return pd.DataFrame(rows, columns=["column", "kind", "statistic", "value"])


def _total_variation(a, b):
    categories, index = np.unique(np.r_[a, b].astype(str), return_inverse=True)
    p = np.bincount(index[: len(a)], minlength=len(categories)) / len(a)
    q = np.bincount(index[len(a):], minlength=len(categories)) / len(b)
    return float(0.5 * np.abs(p - q).sum())


@validate_params(
    {
        "X_real": ["array-like"],
        "X_synthetic": ["array-like"],
        "norm": [StrOptions({"mean_abs", "frobenius"})],
    },
    prefer_skip_nested_validation=True,
)
def correlation_difference(X_real, X_synthetic, *, norm="mean_abs"):
    """How much the pairwise correlations of the synthetic rows differ.

    Both tables are encoded together (numeric columns standardised,
    categorical ones one-hot, one column per category), the Pearson
    correlation matrix of each is computed, and their difference is
    summarised. A column that is constant within one table has no
    correlation; it counts as 0 there.

    Parameters
    ----------
    X_real : {array-like, dataframe} of shape (n_real, n_features)
        Real rows.
    X_synthetic : {array-like, dataframe} of shape (n_synthetic, n_features)
        Generated rows, same columns.
    norm : {"mean_abs", "frobenius"}, default="mean_abs"
        ``"mean_abs"``: mean absolute difference over the pairs of encoded
        columns (each pair once), in [0, 2]. ``"frobenius"``: Frobenius
        norm of the difference of the full matrices.

    Returns
    -------
    difference : float
        0 when both tables have the same correlations. 0 as well when the
        encoding has a single column (there is no pair).

    See Also
    --------
    marginal_distances : Column-by-column distances.

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn_gan.metrics import correlation_difference
    >>> x = np.arange(10.0)
    >>> real = np.c_[x, x]          # correlation +1
    >>> fake = np.c_[x, -x]         # correlation -1
    >>> round(correlation_difference(real, fake), 6)
    2.0
    """
    real, synthetic = as_frames(X_real=X_real, X_synthetic=X_synthetic)
    Z_real, Z_synthetic = encode([real, synthetic])
    delta = _correlation(Z_real) - _correlation(Z_synthetic)
    if norm == "frobenius":
        return float(np.sqrt((delta**2).sum()))
    upper = np.triu_indices(delta.shape[0], k=1)
    return float(np.abs(delta[upper]).mean()) if upper[0].size else 0.0


def _correlation(Z):
    if len(Z) < 2:
        return np.zeros((Z.shape[1], Z.shape[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(Z, rowvar=False)
    corr = np.nan_to_num(np.atleast_2d(corr), nan=0.0)
    np.fill_diagonal(corr, 1.0)  # a constant column is still itself
    return corr
