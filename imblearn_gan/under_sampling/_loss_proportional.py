"""LossProportionalSampler: keep rows in proportion to a pilot model's loss."""

import copy
import numbers
from typing import ClassVar

import numpy as np
import torch
from imblearn.under_sampling.base import BaseCleaningSampler
from imblearn.utils import check_target_type
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..backend import make_torch_generator, resolve_device, torch_threads
from ..exceptions import InputError
from ..utils._compat import validate_data
from ..utils._docstring import Substitution, _random_state_docstring
from ..utils._validation import (
    _densify_sparse_columns,
    _is_dataframe,
    check_sample_weight,
)
from ..utils._weights import SampleWeightMixin, warn_if_weights_dropped
from ._exact_sum import total
from ._lps_pilot import (
    assign_folds,
    check_local_case_control,
    choose_pilot_rows,
    fit_pilot,
    n_pilot_rows,
    pilot_logit,
    score_block,
)
from ._lps_select import (
    combine_histograms,
    combine_selections,
    combine_stats,
    combine_values,
    histogram,
    in_ranges,
    loss_stats,
    select_block,
    solve_lambda,
)
from ._partitions import is_dask


def _chunks(n_rows, chunk_size):
    for start in range(0, n_rows, chunk_size):
        yield start, min(start + chunk_size, n_rows)


@Substitution(random_state=_random_state_docstring)
class LossProportionalSampler(SampleWeightMixin, BaseCleaningSampler):
    """Subsample rows with probability proportional to how hard a pilot model
    finds them.

    Loss-proportional subsampling [1]_ and its relatives: a cheap pilot
    classifier scores every row (by default ``1 - p(y | x)``, local
    case-control sampling [2]_); row ``i`` is kept with probability ``p_i =
    min(1, max(p_min, lambda * score_i))``, with ``lambda`` solved so that the expected number of kept
    rows equals ``sample_size``, and each kept row gets the weight
    ``1 / p_i`` (times its incoming ``sample_weight``). Weighted sums over the
    sample are then unbiased estimates of the sums over all rows, while the
    rows the pilot finds hard (the informative ones) are kept more often than
    in a uniform subsample. Train the classifier with ``sample_weight_``
    (``imblearn_gan.pipeline.Pipeline`` does it). ``design`` chooses the
    score: local case-control [2]_ (default), the pilot's loss [1]_ or the
    gradient norm of optimal subsampling [3]_.

    The data are processed in chunks of ``chunk_size`` rows: beside ``X`` the
    sampler holds one float32 score per row, the pilot's training rows and one
    chunk at a time. dask arrays and DataFrames are processed per partition,
    on any scheduler including ``dask.distributed`` (``dask`` extra); the same
    ``random_state`` keeps the same rows, with the same weights, in memory
    and on dask, however the rows are chunked or partitioned.

    Parameters
    ----------
    sampling_strategy : {{"auto", "majority", "not minority", "not majority", \
"all"}}, list or callable, default="auto"
        Classes that are subsampled; rows of every other class are kept with
        ``p = 1`` and their incoming weight. ``"auto"`` is ``"not minority"``,
        as in imbalanced-learn's under-samplers: the smallest class is kept
        whole and every other class is subsampled. ``"all"`` subsamples every
        class, for data where even the smallest class is plentiful. Other
        strings as imbalanced-learn's cleaning samplers; a list names the
        classes; a callable maps ``y`` to a dict whose keys are the classes.
        On imbalanced problems keeping the minority ranks ahead of
        subsampling it (see the Loss-proportional sampling guide).

    sample_size : float in (0, 1] or int, default=0.1
        Expected number of kept rows of the subsampled classes: a fraction of
        them (float) or a count (int). It is met exactly in expectation; the
        realised size varies by about its square root.

    p_min : float in (0, 1] or "auto", default="auto"
        Smallest keep probability, so no weight exceeds ``1 / p_min``.
        ``"auto"`` is a tenth of the kept fraction (0.01 for
        ``sample_size=0.1``). ``sample_size`` must be at least ``p_min``
        times the rows of the subsampled classes.

    design : {{"loss", "local-case-control", "gradient-norm"}}, \
            default="local-case-control"
        The score that keep probabilities are proportional to, from the pilot's
        probabilities ``p`` of row ``(x, y)``:

        - ``"loss"``: the pilot's ``loss`` [1]_.
        - ``"local-case-control"``: ``1 - p(y | x)``, i.e. ``|y - p(x)|`` for
          two classes [2]_. Weighted by ``1 / p_i`` like the others; for the
          paper's unweighted fit plus pilot correction see
          :meth:`correct_logistic`.
        - ``"gradient-norm"``: ``||p(. | x) - e_y|| * ||(1, x)||``, the norm
          of the log-loss gradient of a linear model at the pilot (``|y -
          p(x)| ||x||`` for two classes, up to a constant), the mVc design of
          optimal subsampling (OSMAC) [3]_, drawn by Poisson sampling.

        Every design weights a kept row by ``1 / p_i``: the Horvitz-Thompson
        weight, so weighted sums over the sample are unbiased for the sums
        over all rows, whichever design chose the rows.

    loss : {{"log_loss", "squared_error"}}, default="log_loss"
        The pilot's per-row loss for ``design="loss"``: ``-log p(true class)``
        (probabilities clipped at 1e-7) or the Brier score ``sum_k (p_k - [k =
        true])^2``. Other designs ignore it.

    pilot : estimator with ``fit`` and ``predict_proba`` or None, default=None
        ``None``: a multinomial logistic regression fitted in torch with
        full-batch L-BFGS on standardised features (``backend.pilot``). An
        estimator is cloned and fitted on the pilot rows (with their
        ``sample_weight`` when its ``fit`` accepts one).

    pilot_size : int or float in (0, 1], default=100_000
        Rows the pilot trains on (a count, capped at the number of rows, or a
        fraction), drawn at random; classes with fewer than ``cross_fit + 1``
        rows among them are topped up. They are copied into memory.

    cross_fit : int >= 2 or None, default=5
        How pilot rows are scored. ``k``: they are split into ``k`` folds and
        each is scored by a pilot trained on the other folds; all other rows
        by ``pilot_``, trained on all pilot rows. ``None``: ``pilot_`` also
        scores the rows it was trained on. Their losses are then optimistic
        (an over-fitting pilot gives them near zero), so they are kept less
        often with larger weights: still unbiased, but noisier estimates.
        With fewer rows than ``pilot_size`` every row is a pilot row, and
        ``k`` gives plain k-fold cross-fitting.

    pilot_tol : float, default=1e-4
        The torch pilot stops when a round of 10 L-BFGS iterations lowers its
        training loss (weighted mean log-loss plus scikit-learn's ``C=1`` L2
        penalty) by less than ``pilot_tol`` relative to the loss.

    pilot_max_iter : int, default=200
        Upper bound on the torch pilot's L-BFGS iterations.

    chunk_size : int, default=100_000
        Rows scored and selected at a time (in-memory input). The result does
        not depend on it.

    device : "auto", "cpu", "cuda" or "cuda:N", default="auto"
        Where the torch pilot trains. It scores rows on the CPU, in NumPy
        (row by row in a fixed order of operations, so a row's score does not
        depend on the chunk or partition it is scored in).

    n_threads : int or None, default=1
        torch intra-op threads (restored after). ``None`` keeps torch's.

    {random_state}

    Attributes
    ----------
    sample_indices_ : ndarray of shape (n_kept,)
        Indices of the kept rows in the input, in order (lazy for dask input,
        see Notes).
    sample_weight_ : ndarray of shape (n_kept,)
        Weight of each returned row: incoming weight (1 without one) over
        its keep probability.
    keep_probability_ : ndarray of shape (n_kept,)
        Keep probability ``p_i`` of each returned row.
    lambda_ : float
        The solved scale (``inf`` when every row is kept).
    p_min_ : float
        The keep-probability floor used (``p_min`` resolved).
    target_size_ : float
        Expected kept rows of the subsampled classes (``sample_size`` resolved).
    expected_sample_size_ : float
        Sum of the keep probabilities of all rows (``target_size_`` plus the
        rows of classes that are not subsampled).
    n_at_p_min_, n_at_one_ : int
        Subsampled rows whose probability was raised to ``p_min`` or capped
        at 1.
    pilot_loss_ : float
        Mean score of the subsampled rows as scored (out of sample with
        ``cross_fit``): the mean loss for ``design="loss"``.
    pilot_ : LinearPilot or estimator
        The pilot trained on all pilot rows. A ``LinearPilot`` has ``coef``,
        ``intercept`` (raw feature units), ``history`` (per round: ``loss``,
        ``dur``) and ``predict_proba``.
    cross_fit_pilots_ : list
        The ``cross_fit`` fold pilots (empty when ``cross_fit=None``).
    pilot_rows_ : ndarray
        Indices of the pilot rows.
    classes_ : ndarray
        Class labels.
    sampling_strategy_ : dict
        Its keys are the subsampled classes.
    device_ : torch.device
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X has string column names.

    See Also
    --------
    DownsampleUpweight : Keep a uniform fraction of the majority, weighted.
    imblearn.under_sampling.RandomUnderSampler : Uniform, unweighted.

    Notes
    -----
    Numeric input is validated without a copy (float32 stays float32,
    integers stay integers; a chunk is converted to float64 only while it is
    scored), and ``X_res`` has the dtype of ``X``.

    dask input (a dask array or DataFrame ``X``, with dask or in-memory ``y``
    and ``sample_weight``; a DataFrame's ``y`` a dask Series split like it,
    e.g. a column of the same frame) bypasses imbalanced-learn's validation,
    which would load it into memory. Partition sizes may be unknown (a
    DataFrame read from parquet, a filtered array): one pass over ``y``
    counts rows and classes. The pilot trains on its pilot rows (computed to
    the client); scoring, the ``lambda`` summaries (exact, reduced in a tree
    on the workers) and the selection run per partition, and the scores stay
    on the workers (persisted, 4 bytes per row) while the result is lazy.
    ``X_res`` and ``y_res`` have the types of ``X`` and ``y``; for a
    DataFrame, ``sample_weight_``, ``keep_probability_`` and
    ``sample_indices_`` are dask Series built from the same tasks as
    ``X_res`` (same partitions, same index), so ``X_res.assign(weight=
    sampler.sample_weight_)`` adds the weights as a column, row for row; for
    arrays they are dask arrays with unknown chunk sizes. A task lost with a
    worker is recomputed by dask with the same result: every score and draw
    depends only on the row, its global index and ``random_state``.

    References
    ----------
    .. [1] Mineiro, P. and N. Karampatziakis, "Loss-Proportional Subsampling
       for Subsequent ERM", ICML 2013.
    .. [2] Fithian, W. and T. Hastie, "Local case-control sampling: Efficient
       subsampling in imbalanced data sets", Annals of Statistics 42(5), 2014.
    .. [3] Wang, H., R. Zhu and P. Ma, "Optimal Subsampling for Large Sample
       Logistic Regression", Journal of the American Statistical Association
       113(522), 2018.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from imblearn_gan import LossProportionalSampler
    >>> X, y = make_classification(n_samples=20_000, weights=[0.9], random_state=0)
    >>> sampler = LossProportionalSampler(sample_size=0.1, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> print(f"Original dataset shape {{Counter(y.tolist())}}")
    Original dataset shape Counter({{0: 17923, 1: 2077}})
    >>> print(f"Resampled dataset shape {{Counter(y_res.tolist())}}")
    Resampled dataset shape Counter({{1: 2077, 0: 1873}})
    >>> round(sampler.target_size_)  # a tenth of the majority, in expectation
    1792
    >>> kept_minority = sampler.sample_weight_[y_res == 1]  # every row, weight 1
    >>> print(len(kept_minority), kept_minority.min(), kept_minority.max())
    2077 1.0 1.0
    >>> bool(sampler.sample_weight_.max() <= 1 / sampler.p_min_)
    True
    """

    _produces_weights = True

    _parameter_constraints: ClassVar[dict] = {
        "sampling_strategy": [
            StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
            list, callable,
        ],
        "sample_size": [
            Interval(RealNotInt, 0, 1, closed="right"),
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        "p_min": [Interval(numbers.Real, 0, 1, closed="right"), StrOptions({"auto"})],
        "design": [StrOptions({"loss", "local-case-control", "gradient-norm"})],
        "loss": [StrOptions({"log_loss", "squared_error"})],
        "pilot": [None, HasMethods(["fit", "predict_proba"])],
        "pilot_size": [
            Interval(numbers.Integral, 2, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "cross_fit": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "pilot_tol": [Interval(numbers.Real, 0, None, closed="left")],
        "pilot_max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "chunk_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "n_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(self, *, sampling_strategy="auto", sample_size=0.1, p_min="auto",
                 design="local-case-control", loss="log_loss", pilot=None, pilot_size=100_000, cross_fit=5,
                 pilot_tol=1e-4, pilot_max_iter=200, chunk_size=100_000, device="auto",
                 n_threads=1, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.sample_size = sample_size
        self.p_min = p_min
        self.design = design
        self.loss = loss
        self.pilot = pilot
        self.pilot_size = pilot_size
        self.cross_fit = cross_fit
        self.pilot_tol = pilot_tol
        self.pilot_max_iter = pilot_max_iter
        self.chunk_size = chunk_size
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.sampler_tags.sample_indices = True
        return tags

    def fit_resample(self, X, y, sample_weight=None):
        """Keep a loss-proportional sample of the rows; weights in ``sample_weight_``.

        Parameters
        ----------
        X : {array-like, dataframe, dask array, dask dataframe} of shape \
(n_samples, n_features)
            Numeric rows (a DataFrame's columns must be numeric).
        y : array-like, dask array or dask Series of shape (n_samples,)
            Class labels.
        sample_weight : array-like, dask array or dask Series of shape \
(n_samples,), default=None
            Incoming row weights; kept rows carry ``sample_weight / p``.

        Returns
        -------
        X_resampled : same type as ``X``, of shape (n_kept, n_features)
            The kept rows, in their input order.
        y_resampled : same type as ``y``, of shape (n_kept,)
            Their labels; their weights are in ``sample_weight_``.
        """
        try:
            if is_dask(X) or is_dask(y) or is_dask(sample_weight):
                from ._lps_dask import fit_resample_dask

                self._validate_params()
                return fit_resample_dask(self, X, y, sample_weight)
            return super().fit_resample(X, y, sample_weight=sample_weight)
        except BaseException:
            # a failed or interrupted fit leaves no fitted attribute behind, not
            # even those of an earlier fit (they would describe other data)
            for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
                delattr(self, name)
            raise

    def _check_X_y(self, X, y):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if _is_dataframe(X):
            _check_numeric_columns(X)
            X = _densify_sparse_columns(X)  # the output gets its sparse dtypes back
        # numeric arrays are not copied (float32 stays float32, integers stay
        # integers: the output is a subset of the rows); chunks are converted
        # to float only while they are scored
        X, y = validate_data(self, X=X, y=y, reset=True, accept_sparse=False,
                             dtype="numeric", copy=False)
        return X, y, binarize_y

    def _fit_resample(self, X, y, sample_weight=None):
        weights = None if sample_weight is None else check_sample_weight(sample_weight, len(y))
        classes, counts = np.unique(y, return_counts=True)
        targeted = np.isin(classes, list(self.sampling_strategy_))
        target, p_min = self._resolve_target(int(counts[targeted].sum()))
        rng = check_random_state(self.random_state)
        self.device_ = resolve_device(self.device)
        blocks = list(_chunks(len(y), self.chunk_size))
        with torch_threads(self.n_threads):
            pilots = self._fit_pilots(
                rng, classes, counts,
                codes_at=lambda rows: np.searchsorted(classes, y[rows]),
                rows_of_class=lambda code: np.flatnonzero(y == classes[code]),
                gather=lambda rows: X[rows],
                weights_at=None if weights is None else weights.__getitem__,
            )
        kwargs = self._score_kwargs(classes, targeted, pilots)
        scores = np.empty(len(y), dtype=np.float32)  # 4 bytes per row beside X
        for a, b in blocks:
            scores[a:b] = score_block(X[a:b], y[a:b], a, **kwargs)
        # exact summaries: lambda does not depend on chunk_size (nor on dask partitions)
        lam = self._solve(
            combine_stats(loss_stats(scores[a:b]) for a, b in blocks), len(y),
            target + int(counts[~targeted].sum()), p_min,
            summarize=lambda edges: combine_histograms(
                histogram(scores[a:b], edges) for a, b in blocks),
            gather=lambda ranges: combine_values(in_ranges(scores[a:b], ranges)
                                                 for a, b in blocks),
        )
        seed = rng.randint(2**31 - 1)
        picks = [select_block(scores[a:b], lam, p_min, seed, a) for a, b in blocks]
        indices = np.concatenate([keep + a for (a, _), (keep, _, _) in zip(blocks, picks)])
        proba = np.concatenate([p for _, p, _ in picks])
        self._set_selection(indices, proba, None if weights is None else weights[indices],
                            combine_selections(s for _, _, s in picks))
        warn_if_weights_dropped(self)
        return X[indices], y[indices]

    def _resolve_target(self, n_subsampled):
        """``(target_size_, p_min_)``, with clear errors when out of range."""
        if n_subsampled == 0:
            raise InputError("sampling_strategy selects no class with rows to subsample.")
        if isinstance(self.sample_size, numbers.Integral):
            if self.sample_size > n_subsampled:
                raise InputError(
                    f"sample_size={self.sample_size} asks for more rows than the "
                    f"{n_subsampled} rows of the subsampled classes. Pass at most "
                    f"{n_subsampled}, or a fraction."
                )
            target = float(self.sample_size)
        else:
            target = float(self.sample_size) * n_subsampled
        p_min = 0.1 * target / n_subsampled if self.p_min == "auto" else float(self.p_min)
        if target < p_min * n_subsampled * (1 - 1e-12):
            raise InputError(
                f"sample_size gives {target:g} expected rows, but every one of the "
                f"{n_subsampled} subsampled rows is kept with probability at least "
                f"p_min={p_min:g}, i.e. {p_min * n_subsampled:g} rows. Lower p_min "
                "or raise sample_size."
            )
        self.target_size_, self.p_min_ = target, p_min
        return target, p_min

    def _fit_pilots(self, rng, classes, counts, *, codes_at, rows_of_class, gather,
                    weights_at=None):
        """Choose the pilot rows, gather them, fit ``pilot_`` and the fold pilots."""
        folds_k = self.cross_fit
        rows, codes = choose_pilot_rows(
            rng, int(counts.sum()), n_pilot_rows(self.pilot_size, int(counts.sum())),
            codes_at, rows_of_class, counts, (folds_k or 1) + 1,
        )
        X_p, w_p = gather(rows), None if weights_at is None else weights_at(rows)
        torch_gen = make_torch_generator(rng, self.device_)

        def fit(mask):
            return fit_pilot(
                self.pilot, X_p[mask], classes[codes[mask]], codes[mask], len(classes),
                None if w_p is None else w_p[mask], tol=self.pilot_tol,
                max_iter=self.pilot_max_iter, device=self.device_, generator=torch_gen,
            )

        everything = np.ones(len(rows), dtype=bool)
        folds = assign_folds(rng, codes, folds_k) if folds_k else np.zeros(len(rows), int)
        self.pilot_, self.pilot_rows_, self.classes_ = fit(everything), rows, classes
        self.cross_fit_pilots_ = [fit(folds != f) for f in range(folds_k or 0)]
        return {"pilot": self.pilot_, "fold_pilots": self.cross_fit_pilots_,
                "rows": rows, "folds": folds}

    def _score_kwargs(self, classes, targeted, pilots):
        return dict(classes=classes, targeted=targeted, design=self.design, loss=self.loss,
                    **pilots)

    def _solve(self, stats, n_rows, target, p_min, *, summarize, gather):
        """``lambda_`` from the combined ``loss_stats`` and the summary callables."""
        count, sums, l_min, l_max = stats
        self.pilot_loss_ = total(sums) / count if count else float("nan")
        self.lambda_ = solve_lambda(summarize, gather, n_rows, l_min, l_max, target, p_min)
        return self.lambda_

    def _set_selection(self, indices, proba, incoming, totals):
        """Per-row attributes of the kept rows; ``incoming`` weights or None;
        ``totals`` from ``combine_selections``."""
        self.sample_indices_ = indices
        self.keep_probability_ = proba
        self.sample_weight_ = np.asarray(
            (1.0 if incoming is None else incoming) / proba, dtype=np.float64)
        n_one, n_min, middle, n_sub_one = totals
        middle = total(middle)
        self.expected_sample_size_ = float(
            n_one + self.p_min_ * n_min + (self.lambda_ * middle if middle else 0.0))
        self.n_at_p_min_, self.n_at_one_ = int(n_min), int(n_sub_one)

    def correct_logistic(self, estimator):
        """Local case-control estimate: add the pilot's logit to an unweighted fit.

        The estimator of Fithian and Hastie (2014, Ann. Statist. 42(5)): a binary logistic regression fitted
        **without** ``sample_weight_`` on the local case-control sample learns
        ``logit p(x) - logit p_pilot(x)``; adding the pilot's coefficients and
        intercept gives a consistent estimate of the full-data coefficients.
        It needs the sample the paper draws: ``design="local-case-control"``,
        two classes, both subsampled (``sampling_strategy="all"``),
        ``cross_fit=None`` (one pilot scores every row), and keep
        probabilities exactly proportional to ``1 - p_pilot(y | x)`` (no row
        at ``p_min`` or at 1: set a tiny ``p_min`` and a ``sample_size``
        below the natural size ``sum_i (1 - p_pilot(y_i | x_i))``).

        Parameters
        ----------
        estimator : fitted binary linear classifier
            With ``coef_`` of shape (1, n_features), ``intercept_`` and
            ``classes_`` equal to this sampler's ``classes_`` (e.g.
            ``LogisticRegression``), fitted on ``fit_resample``'s output
            without weights.

        Returns
        -------
        estimator
            A copy with ``coef_`` and ``intercept_`` corrected.
        """
        check_is_fitted(self, "pilot_")
        check_local_case_control(self, estimator)
        coef, intercept = pilot_logit(self.pilot_, self.n_features_in_)
        corrected = copy.deepcopy(estimator)
        corrected.coef_ = np.asarray(estimator.coef_, dtype=np.float64) + coef[None, :]
        corrected.intercept_ = np.asarray(estimator.intercept_, dtype=np.float64) + intercept
        return corrected


def _check_numeric_columns(X):
    """Name the DataFrame columns the pilot cannot read (dates, strings)."""
    bad = {str(name): str(dtype) for name, dtype in X.dtypes.items()
           if getattr(dtype, "kind", "O") not in "biuf" and not str(dtype).startswith("Sparse")}
    if bad:
        raise InputError(
            f"LossProportionalSampler needs numeric columns; got {bad}. Encode them "
            "first (e.g. datetimes as timestamps, categories with OneHotEncoder)."
        )

