"""LossProportionalSampler: keep rows in proportion to a pilot model's loss."""

import numbers
from typing import ClassVar

import numpy as np
import torch
from imblearn.under_sampling.base import BaseCleaningSampler
from imblearn.utils import check_target_type
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions

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
from ._lps_pilot import (
    assign_folds,
    choose_pilot_rows,
    fit_pilot,
    n_pilot_rows,
    score_block,
)
from ._lps_select import (
    DRAW_BLOCK,
    histogram,
    in_ranges,
    loss_stats,
    select_block,
    solve_lambda,
)


def _is_dask(obj):
    return type(obj).__module__.split(".")[0] == "dask"


def _chunks(n_rows, chunk_size):
    for start in range(0, n_rows, chunk_size):
        yield start, min(start + chunk_size, n_rows)


@Substitution(random_state=_random_state_docstring)
class LossProportionalSampler(SampleWeightMixin, BaseCleaningSampler):
    """Subsample rows with probability proportional to a pilot model's loss.

    Loss-proportional subsampling [1]_: a cheap pilot classifier scores every
    row; row ``i`` is kept with probability ``p_i = min(1, max(p_min, lambda
    * loss_i))``, with ``lambda`` solved so that the expected number of kept
    rows equals ``sample_size``, and each kept row gets the weight
    ``1 / p_i`` (times its incoming ``sample_weight``). Weighted sums over the
    sample are then unbiased estimates of the sums over all rows, while the
    rows the pilot finds hard (the informative ones) are kept more often than
    in a uniform subsample. Train the classifier with ``sample_weight_``
    (``imblearn_gan.pipeline.Pipeline`` does it).

    The data are processed in chunks of ``chunk_size`` rows: beside ``X`` the
    sampler holds one float32 loss per row, the pilot's training rows and one
    chunk at a time. dask arrays are processed per partition (``dask`` extra).

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

    loss : {{"log_loss", "squared_error"}}, default="log_loss"
        The pilot's per-row loss: ``-log p(true class)`` (probabilities
        clipped at 1e-7) or the Brier score ``sum_k (p_k - [k = true])^2``.

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
        Rows scored and selected at a time (in-memory input).

    device : "auto", "cpu", "cuda" or "cuda:N", default="auto"
        Where the torch pilot trains and scores.

    n_threads : int or None, default=1
        torch intra-op threads (restored after). ``None`` keeps torch's.

    {random_state}

    Attributes
    ----------
    sample_indices_ : ndarray of shape (n_kept,)
        Indices of the kept rows in the input, in order.
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
        Mean loss of the subsampled rows as scored (out of sample with
        ``cross_fit``).
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
    scored), and ``X_res`` has the dtype of ``X``. A dask array
    ``X`` (with dask or numpy ``y``) bypasses imbalanced-learn's validation,
    which would load it into memory: the pilot trains on its pilot rows
    (computed to the client), scoring, the ``lambda`` summaries and the
    selection run per partition, and ``X_res``, ``y_res`` and the per-row
    attributes are dask arrays with unknown chunk sizes (see the
    Loss-proportional sampling guide).

    References
    ----------
    .. [1] Mineiro, P. and N. Karampatziakis, "Loss-Proportional Subsampling
       for Subsequent ERM", ICML 2013.

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
    Resampled dataset shape Counter({{1: 2077, 0: 1869}})
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
                 loss="log_loss", pilot=None, pilot_size=100_000, cross_fit=5,
                 pilot_tol=1e-4, pilot_max_iter=200, chunk_size=100_000, device="auto",
                 n_threads=1, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.sample_size = sample_size
        self.p_min = p_min
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
        X : {array-like, dataframe, dask array} of shape (n_samples, n_features)
            Numeric rows (a DataFrame's columns must be numeric).
        y : array-like or dask array of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Incoming row weights; kept rows carry ``sample_weight / p``.

        Returns
        -------
        X_resampled : same type as ``X``, of shape (n_kept, n_features)
            The kept rows, in their input order.
        y_resampled : same type as ``y``, of shape (n_kept,)
            Their labels; their weights are in ``sample_weight_``.
        """
        try:
            if _is_dask(X) or _is_dask(y):
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
                rng, classes, counts, weights,
                codes_at=lambda rows: np.searchsorted(classes, y[rows]),
                rows_of_class=lambda code: np.flatnonzero(y == classes[code]),
                gather=lambda rows: X[rows],
            )
            losses = np.empty(len(y), dtype=np.float32)  # 4 bytes per row beside X
            for a, b in blocks:
                losses[a:b] = score_block(X[a:b], y[a:b], a, **self._score_kwargs(
                    classes, targeted, pilots))
        # summaries over fixed blocks: the same float sums whatever chunk_size
        fixed = list(_chunks(len(y), DRAW_BLOCK))
        lam = self._solve(
            [loss_stats(losses[a:b]) for a, b in fixed], len(y),
            target + int(counts[~targeted].sum()), p_min,
            summarize=lambda edges: _sum_pairs(histogram(losses[a:b], edges) for a, b in fixed),
            gather=lambda ranges: _cat_pairs(in_ranges(losses[a:b], ranges) for a, b in fixed),
        )
        seed = rng.randint(2**31 - 1)
        picks = [select_block(losses[a:b], lam, p_min, seed, a) for a, b in blocks]
        indices = np.concatenate([keep + a for (a, _), (keep, _, _) in zip(blocks, picks)])
        proba = np.concatenate([p for _, p, _ in picks])
        self._set_selection(indices, proba, None if weights is None else weights[indices],
                            [s for _, _, s in picks])
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

    def _fit_pilots(self, rng, classes, counts, weights, *, codes_at, rows_of_class,
                    gather):
        """Choose the pilot rows, gather them, fit ``pilot_`` and the fold pilots."""
        folds_k = self.cross_fit
        rows, codes = choose_pilot_rows(
            rng, int(counts.sum()), n_pilot_rows(self.pilot_size, int(counts.sum())),
            codes_at, rows_of_class, counts, (folds_k or 1) + 1,
        )
        X_p, w_p = gather(rows), None if weights is None else weights[rows]
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
        return dict(classes=classes, targeted=targeted, loss=self.loss, **pilots)

    def _solve(self, stats, n_rows, target, p_min, *, summarize, gather):
        """``lambda_`` from per-block ``loss_stats`` and the summary callables."""
        count = sum(s[0] for s in stats)
        self.pilot_loss_ = sum(s[1] for s in stats) / count if count else float("nan")
        l_min, l_max = min(s[2] for s in stats), max(s[3] for s in stats)
        self.lambda_ = solve_lambda(summarize, gather, n_rows, l_min, l_max, target, p_min)
        return self.lambda_

    def _set_selection(self, indices, proba, incoming, block_stats):
        """Per-row attributes of the kept rows; ``incoming`` weights or None."""
        self.sample_indices_ = indices
        self.keep_probability_ = proba
        self.sample_weight_ = np.asarray(
            (1.0 if incoming is None else incoming) / proba, dtype=np.float64)
        totals = np.sum(block_stats, axis=0) if len(block_stats) else np.zeros(3)
        self.expected_sample_size_ = float(totals[0])
        self.n_at_p_min_, self.n_at_one_ = int(totals[1]), int(totals[2])


def _check_numeric_columns(X):
    """Name the DataFrame columns the pilot cannot read (dates, strings)."""
    bad = {str(name): str(dtype) for name, dtype in X.dtypes.items()
           if getattr(dtype, "kind", "O") not in "biuf" and not str(dtype).startswith("Sparse")}
    if bad:
        raise InputError(
            f"LossProportionalSampler needs numeric columns; got {bad}. Encode them "
            "first (e.g. datetimes as timestamps, categories with OneHotEncoder)."
        )


def _sum_pairs(pairs):
    first, second = zip(*pairs)
    return np.sum(first, axis=0), np.sum(second, axis=0)


def _cat_pairs(pairs):
    first, second = zip(*pairs)
    return np.concatenate(first), np.concatenate(second)
