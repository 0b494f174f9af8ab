"""Privacy and memorisation: do synthetic rows copy training rows?

A generator that memorises returns training rows (or rows very close to
them) instead of new ones. The distance to the closest record (DCR) of
each synthetic row to the training rows tells: compared with the DCR of
real rows the generator never saw (a held-out sample of the same
population), synthetic rows should be no closer to the training rows than
new real rows are.
"""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn_compat.utils._param_validation import validate_params

from ..backend.copies import closest_record_distances, nn_distance_threshold
from ._tables import as_frames, encode


@validate_params(
    {"X_query": ["array-like"], "X_reference": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def distance_to_closest_record(X_query, X_reference):
    """Euclidean distance of each query row to its closest reference row.

    Both tables are encoded together: numeric columns standardised (with
    the mean and standard deviation of the union), categorical columns
    one-hot, so a different category adds ``sqrt(2)`` in its own
    dimension. An exact copy has distance 0.

    Parameters
    ----------
    X_query : {array-like, dataframe} of shape (n_query, n_features)
        Rows to measure, e.g. synthetic rows.
    X_reference : {array-like, dataframe} of shape (n_reference, n_features)
        Rows to measure against, e.g. the training rows.

    Returns
    -------
    dcr : ndarray of shape (n_query,)

    See Also
    --------
    memorization_scores : DCR compared with held-out rows, copy shares.

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn_gan.metrics import distance_to_closest_record
    >>> train = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> distance_to_closest_record(train[:2], train).tolist()
    [0.0, 0.0]
    """
    query, reference = as_frames(X_query=X_query, X_reference=X_reference)
    Z_query, Z_reference = encode([query, reference])
    return closest_record_distances(Z_query, Z_reference)


@validate_params(
    {
        "X_train": ["array-like"],
        "X_synthetic": ["array-like"],
        "X_holdout": ["array-like", None],
        "near_fraction": [Interval(numbers.Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def memorization_scores(X_train, X_synthetic, X_holdout=None, *, near_fraction=0.25):
    """DCR of synthetic rows against held-out real rows, and copy shares.

    Rows are encoded as in :func:`distance_to_closest_record`. Compare rows
    of one class at a time: ``X_train`` the rows the generator learned
    from, ``X_synthetic`` what it generated, ``X_holdout`` real rows of the
    same class it never saw.

    - ``dcr_synthetic_median``, ``dcr_synthetic_p5``: median and 5th
      percentile of the synthetic rows' DCR to ``X_train``;
    - ``dcr_holdout_median``, ``dcr_holdout_p5``: the same for the held-out
      rows (NaN without ``X_holdout``);
    - ``dcr_median_ratio``, ``dcr_p5_ratio``: synthetic / held-out. About 1
      or more: synthetic rows are no closer to the training rows than new
      real rows; well below 1: the generator copies (NaN when the held-out
      value is 0 or missing);
    - ``exact_copy_share``: share of synthetic rows equal to a training row
      (identical encoding);
    - ``exact_holdout_share``: the same for the held-out rows, the baseline
      (tables of a few categorical columns repeat rows by nature; NaN
      without ``X_holdout``);
    - ``near_copy_share``: share of synthetic rows whose DCR is below
      ``near_fraction`` times the training rows' median nearest-neighbour
      distance (each distinct training row's distance to its nearest other
      one; the rule of the GAN and VAE samplers' near-copy guard,
      ``copy_threshold``), exact copies included.

    Parameters
    ----------
    X_train : {array-like, dataframe} of shape (n_train, n_features)
        Training rows (with fewer than 2 distinct ones the threshold is 0
        and only exact copies count as near).
    X_synthetic : {array-like, dataframe} of shape (n_synthetic, n_features)
        Generated rows.
    X_holdout : {array-like, dataframe} of shape (n_holdout, n_features), \
default=None
        Real rows not used for training.
    near_fraction : float, default=0.25
        Fraction of the training rows' median nearest-neighbour distance
        below which a synthetic row counts as a near copy (the default
        ``copy_threshold`` of ``GANOverSampler`` and ``VAEOverSampler``).

    Returns
    -------
    scores : dict of str to float

    See Also
    --------
    distance_to_closest_record : The distances themselves.

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn_gan.metrics import memorization_scores
    >>> rng = np.random.RandomState(0)
    >>> train = rng.normal(size=(50, 3))
    >>> scores = memorization_scores(train, train[:10], rng.normal(size=(20, 3)))
    >>> scores["exact_copy_share"], scores["dcr_synthetic_median"]
    (1.0, 0.0)
    """
    names = {"X_train": X_train, "X_synthetic": X_synthetic}
    if X_holdout is not None:
        names["X_holdout"] = X_holdout
    frames = as_frames(**names)
    Z_train, Z_synthetic, *Z_holdout = encode(frames)
    dcr = closest_record_distances(Z_synthetic, Z_train)
    exact = dcr == 0.0  # the winner's distance is recomputed exactly
    near = exact | (dcr < nn_distance_threshold(Z_train, near_fraction))
    scores = {
        "dcr_synthetic_median": float(np.median(dcr)),
        "dcr_synthetic_p5": float(np.percentile(dcr, 5)),
        "dcr_holdout_median": np.nan,
        "dcr_holdout_p5": np.nan,
        "exact_copy_share": float(exact.mean()),
        "exact_holdout_share": np.nan,
        "near_copy_share": float(near.mean()),
    }
    if Z_holdout:
        holdout = closest_record_distances(Z_holdout[0], Z_train)
        scores["dcr_holdout_median"] = float(np.median(holdout))
        scores["dcr_holdout_p5"] = float(np.percentile(holdout, 5))
        scores["exact_holdout_share"] = float(np.mean(holdout == 0.0))
    for stat in ("median", "p5"):
        denominator = scores[f"dcr_holdout_{stat}"]
        ratio = scores[f"dcr_synthetic_{stat}"] / denominator if denominator > 0 else np.nan
        scores[f"dcr_{stat}_ratio"] = float(ratio)
    return scores
