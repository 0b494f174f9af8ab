"""The benchmark function: datasets x samplers x classifiers x folds -> tidy rows.

Resampling happens inside a pipeline (the package's weight-aware
``imblearn_gan.pipeline.Pipeline``) fitted on the training folds only; the
test fold is never resampled and never seen by a sampler.
"""

import time
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from imblearn.metrics import geometric_mean_score
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ..datasets import load_dataset
from ..exceptions import InputError
from ..pipeline import Pipeline
from ._registry import (
    CLASSIFIER_FACTORIES,
    QUALITY_SAMPLERS,
    NATIVE_CATEGORICAL,
    SAMPLER_FACTORIES,
    TunedThreshold,
    parse_spec,
    spec_label,
)

SAMPLERS = {
    **SAMPLER_FACTORIES,
}

CLASSIFIERS = CLASSIFIER_FACTORIES

METRICS = {
    "balanced_accuracy": lambda y, pred, proba: balanced_accuracy_score(y, pred),
    "f1": lambda y, pred, proba: f1_score(y, pred, zero_division=0.0),
    "g_mean": lambda y, pred, proba: geometric_mean_score(y, pred),
    "roc_auc": lambda y, pred, proba: roc_auc_score(y, proba),
    "pr_auc": lambda y, pred, proba: average_precision_score(y, proba),
    "log_loss": lambda y, pred, proba: log_loss(y, np.clip(proba, 1e-15, 1 - 1e-15),
                                                labels=[0, 1]),
}
# per-class rates, computed when asked for by name but never ranked by
# default: each alone rewards one side of the trade-off (they show why a
# balanced accuracy moved)
DIAGNOSTIC_METRICS = {
    "recall": lambda y, pred, proba: recall_score(y, pred, zero_division=0.0),
    "specificity": lambda y, pred, proba: recall_score(y, pred, pos_label=0,
                                                       zero_division=0.0),
}
_SCORERS = {**METRICS, **DIAGNOSTIC_METRICS}
# fit_time (seconds: sampler, preprocessing and classifier) is measured, not computed
ALL_METRICS = [*METRICS, "fit_time"]
LOWER_IS_BETTER = {"log_loss", "fit_time"}


@dataclass
class BenchmarkResult:
    """What :func:`benchmark` returns: tidy rows plus what went wrong.

    Attributes
    ----------
    rows : list of dict
        One per dataset, sampler, classifier, repeat, fold, train fraction
        and metric (keys ``dataset, sampler, classifier, repeat, fold,
        train_fraction, metric, value``).
    errors : list of dict
        The cells whose fit failed, with the ``error`` message.
    quality : list of dict
        :func:`imblearn_gan.metrics.quality_report` rows (``quality=True``).
    adapted : list of dict
        Cells whose neighbour counts or inner folds shrank to fit a tiny
        training class (``adapted`` says how).
    warnings : collections.Counter
        Warnings raised during the fits (category and message) and their counts.
    seconds : float
        Wall time of the whole run.

    Examples
    --------
    >>> from imblearn_gan.bench import benchmark
    >>> result = benchmark(["glass2"], ["none"], ["logreg"], n_splits=2, metrics=["f1"])
    >>> type(result).__name__, len(result.rows), result.errors
    ('BenchmarkResult', 2, [])
    """

    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    quality: list = field(default_factory=list)
    adapted: list = field(default_factory=list)
    warnings: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def _preprocessor(X):
    """Scale numeric columns and one-hot categorical ones."""
    if not hasattr(X, "dtypes"):
        return StandardScaler()
    categorical = [str(c) for c in X.columns if str(X[c].dtype) in ("category", "object", "bool")]
    numeric = [str(c) for c in X.columns if str(c) not in categorical]
    return make_column_transformer(
        (StandardScaler(), numeric),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
    )


def categorical_kind(X):
    kinds = [str(d) in ("category", "object", "bool") for d in getattr(X, "dtypes", [])]
    return "all" if kinds and all(kinds) else any(kinds)


def build_pipeline(sampler_key, sampler, classifier, X, random_state, prior_correction=False):
    """Sampler, preprocessing and classifier in one pipeline.

    Samplers that read categorical columns go first; the others get the
    one-hot encoded table. ``threshold`` wraps the classifier instead;
    ``prior_correction=True`` wraps the whole pipeline in a
    PriorCorrectedClassifier.
    """
    if isinstance(sampler, TunedThreshold):
        classifier, sampler = sampler.wrap(classifier, random_state), None
    prep = _preprocessor(X)
    if sampler is None:
        steps = [("prep", prep), ("classifier", classifier)]
    elif sampler_key in NATIVE_CATEGORICAL or not categorical_kind(X):
        steps = [("sampler", sampler), ("prep", prep), ("classifier", classifier)]
    else:
        steps = [("prep", prep), ("sampler", sampler), ("classifier", classifier)]
    if prior_correction:
        from ..calibration import PriorCorrectedClassifier

        return PriorCorrectedClassifier(Pipeline(steps))
    return Pipeline(steps)


def _adapt_to_small_classes(sampler, y, random_state):
    """Shrink neighbour counts and CV folds that a tiny training class cannot
    support (learning-curve fractions); decided on the training rows only.
    Returns a note, or None when nothing changed."""
    n_min = int(np.bincount(y).min())
    params = sampler.get_params(deep=False)
    if isinstance(sampler, TunedThreshold):
        if isinstance(params["cv"], int) and params["cv"] > n_min:
            sampler.set_params(cv=max(2, n_min))
            return f"cv={max(2, n_min)}"
        return None
    if not type(sampler).__module__.startswith("imblearn."):
        return None
    changes = {k: n_min - 1 for k in ("k_neighbors", "n_neighbors")
               if isinstance(params.get(k), int) and params[k] >= n_min}
    sampler.set_params(**changes)
    if "smote" in params and params["smote"] is None and n_min <= 5:  # SMOTETomek
        from imblearn.over_sampling import SMOTE

        sampler.set_params(smote=SMOTE(k_neighbors=n_min - 1, random_state=random_state))
        changes["smote.k_neighbors"] = n_min - 1
    return ", ".join(f"{k}={v}" for k, v in changes.items()) or None


def register_sampler(name, factory, *, native_categorical=False):
    """Make a sampler available by name to :func:`benchmark` and :func:`run_benchmark`.

    Parameters
    ----------
    name : str
        The key in sampler specs (``"name"`` or ``"name:param=value"``) and
        in ``SAMPLERS``; an existing key is replaced.
    factory : callable
        ``factory(random_state, categorical)`` returns a new sampler (an
        object with ``fit_resample``) or ``None`` for no resampling.
        ``categorical`` is ``False`` (numeric table), ``True`` (mixed) or
        ``"all"``.
    native_categorical : bool, default=False
        ``True``: the sampler receives the raw table (a DataFrame with its
        categorical columns) and comes first in the pipeline; ``False``: it
        receives the scaled, one-hot encoded table.

    Returns
    -------
    None

    Examples
    --------
    >>> from imblearn.under_sampling import NearMiss
    >>> from imblearn_gan.bench import SAMPLERS, register_sampler, run_benchmark
    >>> register_sampler("nearmiss", lambda random_state, categorical: NearMiss())
    >>> rows = run_benchmark(["glass2"], ["nearmiss:version=2"], ["logreg"], n_splits=2,
    ...                      metrics=["roc_auc"])
    >>> [row["sampler"] for row in rows]
    ['nearmiss:version=2', 'nearmiss:version=2']
    >>> del SAMPLERS["nearmiss"]
    """
    if not callable(factory):
        raise InputError(f"factory must be callable(random_state, categorical); got {factory!r}.")
    SAMPLERS[name] = factory
    if native_categorical:
        NATIVE_CATEGORICAL.add(name)
    else:
        NATIVE_CATEGORICAL.discard(name)


def make_sampler(spec, random_state, categorical):
    """Build the sampler (or None, or a TunedThreshold) a spec names."""
    key, params = parse_spec(spec, list(SAMPLERS)) if isinstance(spec, str) else spec[:2]
    sampler = SAMPLERS[key](random_state, categorical)
    if sampler is not None and params:
        sampler.set_params(**params)
    return key, sampler


def make_classifier(spec, random_state):
    """``(classifier, prior_correction)`` for a spec: the classifier it names, and whether
    ``prior_correction=true`` (any classifier) asks for the whole pipeline to be wrapped in
    :class:`~imblearn_gan.calibration.PriorCorrectedClassifier` (see :func:`build_pipeline`)."""
    key, params = (parse_spec(spec, list(CLASSIFIERS), "classifier") if isinstance(spec, str)
                   else spec[:2])
    params = dict(params)
    correct = params.pop("prior_correction", False)
    if not isinstance(correct, bool):
        raise InputError(f"prior_correction must be true or false; got {correct!r}")
    classifier = CLASSIFIERS[key](random_state)
    return (classifier.set_params(**params) if params else classifier), correct


def _rows(X, index):
    return X.iloc[index] if hasattr(X, "iloc") else X[index]


def subsample_fraction(y, train, fraction, seed):
    """A stratified ``fraction`` of the training indices (>= 2 rows per class)."""
    if fraction >= 1.0:
        return train
    rng = np.random.default_rng(seed)
    keep = []
    for label in np.unique(y[train]):
        members = train[y[train] == label]
        n_keep = min(len(members), max(2, round(fraction * len(members))))
        keep.append(rng.choice(members, n_keep, replace=False))
    return np.sort(np.concatenate(keep))


@dataclass
class Task:
    """One pipeline fit and score: the unit of work (and of parallelism)."""

    dataset: str
    X: object
    y: np.ndarray
    train: np.ndarray
    test: np.ndarray
    repeat: int
    fold: int
    fraction: float
    sampler: str  # the label in the results
    sampler_spec: tuple
    classifier: str
    classifier_spec: tuple
    metrics: list
    random_state: int
    limit_threads: bool
    quality: bool = False


def run_task(task):
    """Fit one pipeline on the training rows, score it on the test rows.

    Returns ``(rows, error, adapted, quality, warnings)``; a failing fit
    gives NaN values and the error message instead of stopping the benchmark;
    warnings are collected (not printed over the progress bar).
    """
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    from ..backend import torch_threads

    limit = task.limit_threads
    with (threadpool_limits(1) if limit else nullcontext(), torch_threads(1 if limit else None),
          warnings.catch_warnings(record=True) as caught):
        warnings.simplefilter("always")
        outcome = _score(task)
    seen = sorted({f"{w.category.__name__}: {str(w.message)[:160]}" for w in caught})
    return (*outcome, seen)


def _score(task):
    X_train, y_train = _rows(task.X, task.train), task.y[task.train]
    X_test, y_test = _rows(task.X, task.test), task.y[task.test]
    base = {"dataset": task.dataset, "sampler": task.sampler, "classifier": task.classifier,
            "repeat": task.repeat, "fold": task.fold, "train_fraction": task.fraction}
    error, adapted, quality = None, None, None
    try:
        key, sampler = make_sampler(task.sampler_spec, task.random_state, categorical_kind(task.X))
        adapted = sampler is not None and _adapt_to_small_classes(sampler, y_train, task.random_state)
        classifier, correct = make_classifier(task.classifier_spec, task.random_state)
        pipe = build_pipeline(key, sampler, classifier, task.X, task.random_state, correct)
        start = time.perf_counter()
        pipe.fit(X_train, y_train)
        values = {"fit_time": time.perf_counter() - start}
        proba = pipe.predict_proba(X_test)[:, 1]
        pred = pipe.predict(X_test)
        values.update({m: float(_SCORERS[m](y_test, pred, proba))
                       for m in task.metrics if m in _SCORERS})
    except Exception as exc:  # noqa: BLE001 - one failing cell must not stop the run
        values, error = {}, f"{type(exc).__name__}: {exc}"
    if task.quality and error is None:
        try:
            quality = _quality(sampler, X_train, y_train, X_test, y_test, task.random_state)
            keep = {k: v for k, v in base.items() if k != "classifier"}
            quality = [{**keep, **record} for record in quality]
        except Exception as exc:  # noqa: BLE001
            error = f"quality_report: {type(exc).__name__}: {exc}"
    rows = [{**base, "metric": m, "value": values.get(m, float("nan"))} for m in task.metrics]
    return rows, error and {**base, "error": error}, adapted and {**base, "adapted": adapted}, quality


def _quality(sampler, X_train, y_train, X_test, y_test, random_state):
    import pandas as pd

    try:
        from ..metrics import quality_report
    except ImportError as exc:
        raise ImportError(f"--quality needs imblearn_gan.metrics.quality_report ({exc})") from exc
    report = quality_report(clone(sampler), X_train, y_train, X_test, y_test,
                            random_state=random_state)
    if not isinstance(report.index, pd.RangeIndex):
        report = report.reset_index()
    return report.to_dict(orient="records")


def _load(entry):
    if isinstance(entry, tuple):
        return entry
    X, y = load_dataset(entry, as_frame=True)
    return entry, X, np.asarray(y)


def _label(spec):
    """A spec's name in the results: given (third item), or key plus parameters."""
    return spec[2] if len(spec) > 2 else spec_label(*spec)


def make_tasks(datasets, samplers, classifiers, *, n_splits=5, n_repeats=1, train_fractions=(1.0,),
               metrics=None, random_state=0, limit_threads=False, quality=False):
    """Every (dataset, repeat, fold, fraction, sampler, classifier) as a Task."""
    metrics = list(metrics or ALL_METRICS)
    unknown = [m for m in metrics if m not in _SCORERS and m != "fit_time"]
    if unknown:
        raise ValueError(f"Unknown metric(s) {unknown}; choose from "
                         f"{', '.join([*ALL_METRICS, *DIAGNOSTIC_METRICS])}.")
    tasks = []
    for entry in datasets:
        name, X, y = _load(entry)
        cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats,
                                     random_state=random_state)
        for index, (train, test) in enumerate(cv.split(np.zeros(len(y)), y)):
            repeat, fold = divmod(index, n_splits)
            for fraction in train_fractions:
                seed = [random_state, repeat, fold, round(fraction * 1e6)]
                part = subsample_fraction(y, train, fraction, seed)
                for s_spec in samplers:
                    s_key = s_spec[0]
                    for c_index, c_spec in enumerate(classifiers):
                        tasks.append(Task(
                            name, X, y, part, test, repeat, fold, fraction,
                            _label(s_spec), s_spec, _label(c_spec), c_spec, metrics,
                            random_state, limit_threads,
                            quality=quality and c_index == 0 and s_key in QUALITY_SAMPLERS))
    return tasks


def _execute(tasks, n_jobs, on_done):
    """Run tasks in order (``n_jobs=1``) or on loky workers, as they finish."""
    if n_jobs == 1:
        for task in tasks:
            on_done(task, run_task(task))
        return
    from joblib import Parallel, delayed

    # one task per dispatch: fits take seconds, and auto-batching would hold back the
    # progress bar and leave a worker idle behind a batch of slow fits at the end
    parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered",
                        batch_size=1)
    for task, result in parallel(delayed(_run_keyed)(task) for task in tasks):
        on_done(task, result)


def _run_keyed(task):
    return task, run_task(task)


def benchmark(datasets, samplers, classifiers, *, n_splits=5, n_repeats=1, train_fractions=(1.0,),
              metrics=None, random_state=0, n_jobs=1, quality=False, progress=None,
              progress_bar=False, limit_threads=True):
    """Cross-validate samplers x classifiers on datasets, inside pipelines.

    For every dataset, repeat and fold of a repeated stratified k-fold, and
    every sampler and classifier, a pipeline (sampler, preprocessing,
    classifier; see :func:`run_benchmark`) is fitted on the training fold and
    scored on the untouched test fold. What ``imblearn-gan bench`` runs.

    Parameters
    ----------
    datasets : list of str or (name, X, y) tuples
        Dataset names (see :func:`imblearn_gan.datasets.load_dataset`) or
        ready data.
    samplers : list of str or (key, params) tuples
        Specs such as ``"smote:k_neighbors=3"`` (keys of ``SAMPLERS``), or
        parsed ``(key, params)`` pairs; a third item, when given, is the label
        in the results.
    classifiers : list of str or (key, params) tuples
        Specs of keys of ``CLASSIFIERS``, as for ``samplers``.
    n_splits, n_repeats : int, default=5, 1
        Repeated stratified k-fold: ``n_splits`` folds, ``n_repeats`` times.
    train_fractions : sequence of float, default=(1.0,)
        Learning-curve mode: fit on a stratified fraction of each training
        fold (at least 2 rows per class), score on the whole test fold.
    metrics : list of str, default=None
        Names of ``METRICS``, ``DIAGNOSTIC_METRICS`` and ``"fit_time"``;
        ``ALL_METRICS`` by default.
    random_state : int, default=0
        Seeds the folds, the subsamples, the samplers and the classifiers.
    n_jobs : int, default=1
        Parallel pipeline fits (loky processes); the rows come back in the
        same order and with the same values for any ``n_jobs``.
    quality : bool, default=False
        Also run :func:`imblearn_gan.metrics.quality_report` for the
        generative samplers (with the first classifier's folds).
    progress : callable, default=None
        Called with a short string after each pipeline fit.
    progress_bar : bool, default=False
        Draw a progress bar with an ETA on stderr.
    limit_threads : bool, default=True
        Run every pipeline fit with one torch and one BLAS/OpenMP thread;
        parallelism then comes from ``n_jobs`` (on small tables one thread
        per fit is also the faster setting).

    Returns
    -------
    result : BenchmarkResult
        ``rows`` (one dict per dataset, sampler, classifier, repeat, fold,
        train fraction and metric: ``dataset, sampler, classifier, repeat,
        fold, train_fraction, metric, value``; a failed fit gives NaN),
        ``errors``, ``quality`` rows, ``adapted`` (neighbour counts shrunk
        for tiny training classes), ``warnings`` (a Counter) and ``seconds``.

    See Also
    --------
    run_benchmark : The same, returning the rows only.
    compare : Mean ranks, Friedman and Wilcoxon tests of the rows.

    Examples
    --------
    >>> from imblearn_gan.bench import benchmark
    >>> result = benchmark(["glass2"], ["none", "ros"], ["logreg"], n_splits=2,
    ...                    metrics=["balanced_accuracy", "roc_auc"])
    >>> len(result.rows), result.errors
    (8, [])
    >>> sorted({row["sampler"] for row in result.rows})
    ['none', 'ros']
    """
    from ._progress import ProgressBar

    samplers = [parse_spec(s, list(SAMPLERS)) if isinstance(s, str) else s for s in samplers]
    classifiers = [parse_spec(c, list(CLASSIFIERS), "classifier") if isinstance(c, str) else c
                   for c in classifiers]
    start = time.perf_counter()
    tasks = make_tasks(datasets, samplers, classifiers, n_splits=n_splits, n_repeats=n_repeats,
                       train_fractions=train_fractions, metrics=metrics,
                       random_state=random_state, limit_threads=limit_threads, quality=quality)
    bar = ProgressBar(len(tasks)) if progress_bar else None
    result = BenchmarkResult()

    def on_done(task, outcome):
        rows, error, adapted, quality_rows, seen = outcome
        result.warnings.update(seen)
        result.rows.extend(rows)
        result.errors.extend([error] if error else [])
        result.adapted.extend([adapted] if adapted else [])
        result.quality.extend(quality_rows or [])
        fit = next((r["value"] for r in rows if r["metric"] == "fit_time"), float("nan"))
        label = (f"{task.dataset} r{task.repeat}f{task.fold} {task.sampler}/{task.classifier}"
                 + (f" x{task.fraction:g}" if task.fraction < 1 else ""))
        if bar:
            bar.update(label)
        if progress:
            progress(f"{label} {fit:.2f}s")

    try:
        _execute(tasks, n_jobs, on_done)
    finally:
        if bar:
            bar.close()
    keys = ("dataset", "sampler", "classifier", "repeat", "fold", "train_fraction")
    result.rows.sort(key=lambda r: tuple(r[k] for k in keys))  # same order for any n_jobs
    result.seconds = time.perf_counter() - start
    return result


def run_benchmark(datasets, samplers, classifiers, *, n_splits=5, random_state=0,
                  sampler_params=None, progress=None, n_repeats=1, train_fractions=(1.0,),
                  metrics=None, n_jobs=1, progress_bar=False):
    """Cross-validate every sampler x classifier on every dataset.

    Each cell is the package's weight-aware
    :class:`~imblearn_gan.pipeline.Pipeline`: the sampler, then scaling of the
    numeric columns and one-hot encoding of the categorical ones, then the
    classifier (samplers that cannot read categorical columns come after the
    encoding; ``"threshold"`` tunes the classifier's decision threshold
    instead of resampling). It is fitted on the training fold only.

    Parameters
    ----------
    datasets : list of str or (name, X, y) tuples
        Dataset names (see :func:`imblearn_gan.datasets.load_dataset`: bundled,
        ``csv:PATH:TARGET``, imbalanced-learn's) or ready data.
    samplers, classifiers : list of str
        Keys of ``SAMPLERS`` and ``CLASSIFIERS``, optionally with parameters:
        ``"smote:k_neighbors=3"``, ``"gan:epochs=50:batch_size=64"``.
    n_splits, n_repeats : int, default=5, 1
        Repeated stratified k-fold: ``n_splits`` folds, ``n_repeats`` times.
    random_state : int, default=0
        Seeds the folds, the subsamples, the samplers and the classifiers.
    sampler_params : dict of str -> dict, default=None
        Extra parameters per sampler name, e.g. ``{"gan": {"epochs": 50}}``.
    progress : callable, default=None
        Called with a short string after each pipeline fit.
    train_fractions : sequence of float, default=(1.0,)
        Learning-curve mode: fit on a stratified fraction of each training
        fold (at least 2 rows per class), score on the whole test fold.
    metrics : list of str, default=None
        Subset of ``METRICS`` and ``"fit_time"``; all by default. The
        ``DIAGNOSTIC_METRICS`` (``"recall"``, ``"specificity"``) are computed
        when named here.
    n_jobs : int, default=1
        Parallel pipeline fits (loky processes). Every fit runs with one
        torch and one BLAS/OpenMP thread.
    progress_bar : bool, default=False
        Draw a progress bar with an ETA on stderr.

    Returns
    -------
    rows : list of dict
        One per dataset, sampler, classifier, repeat, fold, train fraction
        and metric: ``dataset, sampler, classifier, repeat, fold,
        train_fraction, metric, value``. A pipeline that fails gives NaN.

    See Also
    --------
    benchmark : The same, with errors, warnings and timings.
    summarize : Means and mean ranks of the rows.

    Examples
    --------
    >>> from imblearn_gan.bench import run_benchmark
    >>> rows = run_benchmark(["glass2"], ["none", "smote:k_neighbors=3"], ["logreg"],
    ...                      n_splits=2, metrics=["pr_auc"])
    >>> len(rows)
    4
    >>> sorted(rows[0])
    ['classifier', 'dataset', 'fold', 'metric', 'repeat', 'sampler', 'train_fraction', 'value']
    """
    specs = []
    for spec in samplers:  # sampler_params keep the plain name as the label
        key, params = parse_spec(spec, list(SAMPLERS))
        extra = (sampler_params or {}).get(spec, {})
        specs.append((key, {**params, **extra}, spec) if extra else (key, params))
    return benchmark(datasets, specs, classifiers, n_splits=n_splits, n_repeats=n_repeats,
                     train_fractions=train_fractions, metrics=metrics, random_state=random_state,
                     n_jobs=n_jobs, progress=progress, progress_bar=progress_bar).rows

