"""DownsampleUpweight: keep a random fraction of a class, weight it back up."""

import numbers
from typing import ClassVar

import numpy as np
from imblearn.under_sampling.base import BaseUnderSampler
from imblearn.utils import check_target_type
from sklearn.utils import check_consistent_length, check_random_state
from sklearn.utils._param_validation import Interval

from ..exceptions import InputError
from ..utils._compat import _safe_indexing, validate_data
from ..utils._docstring import Substitution
from ..utils._validation import check_sample_weight
from ..utils._weights import SampleWeightMixin, warn_if_weights_dropped
from ._du_select import draw_rows
from ._partitions import is_dask


@Substitution(
    sampling_strategy=BaseUnderSampler._sampling_strategy_docstring,
)
class DownsampleUpweight(SampleWeightMixin, BaseUnderSampler):
    """Down-sample the majority class(es) and up-weight the rows kept.

    Each class that ``sampling_strategy`` selects keeps a random subset of
    its rows (without replacement); every kept row of class ``c`` gets the
    weight ``n_c / k_c`` (original rows over kept rows of the class), so the
    weights of the kept rows sum exactly to the original class size and the
    weighted class prior equals the original one. The classifier trains on
    fewer rows but, given the weights, still sees the true prior.

    The weights are in ``sample_weight_``. ``imblearn_gan.pipeline.Pipeline``
    passes them to the final estimator's ``fit(..., sample_weight=...)``; a
    plain ``imblearn.pipeline.Pipeline`` cannot, and warns
    (:class:`~imblearn_gan.exceptions.WeightsDroppedWarning`) on every fit.

    Parameters
    ----------
    {sampling_strategy}

        With ``factor`` set, ``sampling_strategy`` must be a string: it only
        selects the classes to down-sample (``"auto"``: all but the
        minority), and ``factor`` sets how many rows they keep. A float,
        dict or callable ``sampling_strategy`` already sets the counts, so
        combining it with ``factor`` raises an ``InputError``.

    factor : float >= 1 or None, default=None
        Down-sampling factor: each selected class keeps
        ``max(1, round(n_c / factor))`` of its ``n_c`` rows (``factor=10``
        keeps one row in ten, each weighted about 10). ``None``: the counts
        come from ``sampling_strategy``, as in ``RandomUnderSampler``.

    random_state : int, RandomState instance or None, default=None
        Seeds the choice of the rows kept; an int makes it reproducible, with
        the same rows in memory and on dask, however the rows are partitioned.

    Attributes
    ----------
    sampling_strategy_ : dict
        Rows kept per down-sampled class.
    upweight_ : dict
        Class label -> weight factor ``n_c / k_c`` given to its kept rows
        (only the down-sampled classes).
    sample_indices_ : ndarray of shape (n_samples_new,)
        Indices of the kept rows in the input, in their original order (lazy
        for dask input, see Notes).
    sample_weight_ : ndarray of shape (n_samples_new,)
        Weight of each kept row: its incoming ``sample_weight`` (1 when none
        was given) times its class's ``upweight_`` (1 for classes kept whole).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X has string column names.

    See Also
    --------
    LossProportionalSampler : Keep rows by a pilot model's loss, weight 1/p.
    imblearn.under_sampling.RandomUnderSampler : The same choice, no weights.
    imblearn_gan.pipeline.Pipeline : Passes ``sample_weight_`` on.

    Notes
    -----
    Each kept row of class ``c`` is kept with probability ``k_c / n_c``, so
    its weight ``n_c / k_c`` is the Horvitz-Thompson weight: weighted sums
    over the kept rows are unbiased for sums over all rows, and for the count
    of the class they are exact. Incoming weights are multiplied in.

    The kept rows of a class are drawn in two steps, so that no step depends
    on how the rows are blocked: how many come from each block of 65,536 rows
    (one multivariate hypergeometric draw over the blocks' class counts),
    then which rows within a block (a uniform subset of the class's rows
    there, from a stream keyed by seed, block and class). Together they are a
    uniform sample without replacement.

    dask arrays and DataFrames (``dask`` extra; partition sizes may be
    unknown, e.g. a DataFrame read from parquet) bypass imbalanced-learn's
    validation, which would load them into memory: ``y`` is read twice (row
    and class counts per partition, then per block; a column of ``X``'s
    frame is read with it), ``X`` when the result is computed. ``X_res`` and
    ``y_res`` are lazy and keep the input types; for a DataFrame, ``sample_weight_`` and ``sample_indices_`` are
    dask Series built from the same tasks as ``X_res`` (same partitions and
    index, so ``X_res.assign(weight=sampler.sample_weight_)`` adds them as a
    column), for arrays dask arrays. The same ``random_state`` keeps the same
    rows and weights as in memory.

    References
    ----------
    .. [1] Google, "Imbalanced data: downsampling and upweighting", Machine
       Learning Crash Course, 2024.
    .. [2] Horvitz, D. G. and D. J. Thompson, "A generalization of sampling
       without replacement from a finite universe", JASA 47, 1952.

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> from imblearn_gan import DownsampleUpweight
    >>> from imblearn_gan.datasets import load_dataset
    >>> X, y = load_dataset("glass2")
    >>> print(f"Original dataset shape {{Counter(y.tolist())}}")
    Original dataset shape Counter({{0: 197, 1: 17}})
    >>> sampler = DownsampleUpweight(factor=4, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> print(f"Resampled dataset shape {{Counter(y_res.tolist())}}")
    Resampled dataset shape Counter({{0: 49, 1: 17}})
    >>> print(round(sampler.sample_weight_[y_res == 0].sum(), 6))
    197.0
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseUnderSampler._parameter_constraints,
        "factor": [Interval(numbers.Real, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    _produces_weights = True

    def __init__(self, *, sampling_strategy="auto", factor=None, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.factor = factor
        self.random_state = random_state

    def _check_X_y(self, X, y):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if hasattr(X, "iloc"):
            # only rows are selected: every column dtype (datetime, object, ...)
            # passes through untouched, so the frame is not converted to an array
            check_consistent_length(X, y)
            if X.shape[0] < 1:
                raise InputError("Found a DataFrame with 0 rows; at least 1 is required.")
            validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
            return X, y, binarize_y
        X, y = validate_data(self, X=X, y=y, reset=True, accept_sparse=["csr", "csc"],
                             dtype=None, ensure_all_finite=False)
        return X, y, binarize_y

    def fit_resample(self, X, y, sample_weight=None):
        """Keep a uniform subset of the selected classes; weights in ``sample_weight_``.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix, dask array, dask dataframe}
            Rows to sample, of shape (n_samples, n_features).
        y : array-like, dask array or dask Series of shape (n_samples,)
            Class labels.
        sample_weight : array-like, dask array or dask Series, default=None
            Incoming row weights; kept rows carry them times ``upweight_``.

        Returns
        -------
        X_resampled : same type as ``X``, of shape (n_kept, n_features)
            The kept rows, in their input order.
        y_resampled : same type as ``y``, of shape (n_kept,)
            Their labels; their weights are in ``sample_weight_``.
        """
        if is_dask(X) or is_dask(y) or is_dask(sample_weight):
            from ._du_dask import fit_resample_dask

            self._validate_params()
            return fit_resample_dask(self, X, y, sample_weight)
        return super().fit_resample(X, y, sample_weight=sample_weight)

    def _fit_resample(self, X, y, sample_weight=None):
        weights = check_sample_weight(sample_weight, len(y))
        classes, codes = np.unique(y, return_inverse=True)
        counts = np.bincount(codes, minlength=len(classes))
        kept = self._kept_counts(classes, counts)
        seed, kept_codes = self._draw_plan(classes, counts, kept)
        indices = draw_rows(codes, len(classes), seed, kept_codes)
        upweight = self._set_counts(classes, counts, kept)
        self.sample_indices_ = indices
        self.sample_weight_ = weights[indices] * upweight[codes[indices]]
        warn_if_weights_dropped(self)
        return _safe_indexing(X, indices), _safe_indexing(y, indices)

    def _draw_plan(self, classes, counts, kept):
        """``(seed, {class code: rows to keep})`` of this fit."""
        seed = check_random_state(self.random_state).randint(2**31 - 1)
        codes = {int(np.searchsorted(classes, label)): k for label, k in kept.items()}
        return seed, codes

    def _set_counts(self, classes, counts, kept):
        """Set ``sampling_strategy_`` and ``upweight_``; the factor per class code."""
        upweight = np.ones(len(classes))
        self.sampling_strategy_ = kept
        self.upweight_ = {}
        for label, k in kept.items():
            code = int(np.searchsorted(classes, label))
            upweight[code] = counts[code] / k
            self.upweight_[label] = float(counts[code] / k)
        return upweight

    def _kept_counts(self, classes, counts):
        """Rows to keep per down-sampled class, from ``factor`` or the strategy."""
        if self.factor is None:
            return dict(self.sampling_strategy_)
        if not isinstance(self.sampling_strategy, str):
            raise InputError(
                "factor and a float, dict or callable sampling_strategy both set the "
                f"number of rows to keep (got factor={self.factor!r}, sampling_strategy="
                f"{self.sampling_strategy!r}). Give one of them, or a string "
                "sampling_strategy that selects the classes for factor."
            )
        return {label: max(1, round(int(counts[np.searchsorted(classes, label)]) / self.factor))
                for label in self.sampling_strategy_}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.sampler_tags.sample_indices = True
        return tags
