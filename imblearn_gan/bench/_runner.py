"""The benchmark function: datasets x samplers x classifiers x folds -> tidy rows.

Resampling happens inside an ``imblearn.pipeline.Pipeline`` fitted on the
training folds only; the test fold is never resampled.
"""

import time

from imblearn.metrics import geometric_mean_score
from imblearn.pipeline import make_pipeline
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ..datasets import load_dataset


def _gan(**params):
    from .. import GANOverSampler

    return GANOverSampler(**params)


def _smote(random_state, categorical):
    """SMOTE for numeric tables, SMOTENC for mixed ones, SMOTEN for all-categorical."""
    from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC

    if categorical == "all":
        return SMOTEN(random_state=random_state)
    if categorical:
        return SMOTENC(categorical_features="auto", random_state=random_state)
    return SMOTE(random_state=random_state)


SAMPLERS = {
    "none": lambda random_state, categorical: None,
    "smote": _smote,
    "gan": lambda random_state, categorical: _gan(random_state=random_state),
}

CLASSIFIERS = {
    "logreg": lambda random_state: LogisticRegression(max_iter=2000),
    "hgb": lambda random_state: HistGradientBoostingClassifier(random_state=random_state),
}

METRICS = {
    "balanced_accuracy": lambda y, pred, proba: balanced_accuracy_score(y, pred),
    "f1": lambda y, pred, proba: f1_score(y, pred),
    "g_mean": lambda y, pred, proba: geometric_mean_score(y, pred),
    "roc_auc": lambda y, pred, proba: roc_auc_score(y, proba),
    "pr_auc": lambda y, pred, proba: average_precision_score(y, proba),
}


def _preprocessor(X):
    """Scale numeric columns and one-hot categorical ones, after resampling."""
    if not hasattr(X, "dtypes"):
        return StandardScaler()
    categorical = [str(c) for c in X.columns if str(X[c].dtype) in ("category", "object", "bool")]
    numeric = [str(c) for c in X.columns if str(c) not in categorical]
    return make_column_transformer(
        (StandardScaler(), numeric),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
    )


def run_benchmark(datasets, samplers, classifiers, *, n_splits=5, random_state=0,
                  sampler_params=None, progress=None):
    """Cross-validate every sampler x classifier on every dataset.

    Parameters
    ----------
    datasets : list of str or (name, X, y) tuples
        Bundled dataset names (see :func:`imblearn_gan.datasets.list_datasets`)
        or ready data.
    samplers, classifiers : list of str
        Keys of ``SAMPLERS`` and ``CLASSIFIERS``.
    n_splits : int, default=5
        Stratified folds.
    random_state : int, default=0
        Seeds the folds, the samplers and the classifiers.
    sampler_params : dict of str -> dict, default=None
        Extra parameters per sampler name, e.g. ``{"gan": {"epochs": 50}}``.
    progress : callable, default=None
        Called with a short string after each fold.

    Returns
    -------
    rows : list of dict
        One per dataset, sampler, classifier, fold and metric:
        ``dataset, sampler, classifier, fold, metric, value``. ``fit_time``
        (seconds, sampler and classifier together) is one of the metrics.
    """
    sampler_params = sampler_params or {}
    rows = []
    for entry in datasets:
        name, X, y = entry if isinstance(entry, tuple) else (entry, *load_dataset(entry, as_frame=True))
        kinds = [str(d) in ("category", "object", "bool")
                 for d in getattr(X, "dtypes", [])]
        categorical = "all" if kinds and all(kinds) else any(kinds)
        folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
        for fold, (train, test) in enumerate(folds.split(X, y)):
            X_train, X_test = _rows(X, train), _rows(X, test)
            for s_name in samplers:
                for c_name in classifiers:
                    sampler = SAMPLERS[s_name](random_state, categorical)
                    if sampler is not None and s_name in sampler_params:
                        sampler.set_params(**sampler_params[s_name])
                    steps = [s for s in (sampler, _preprocessor(X),
                                         CLASSIFIERS[c_name](random_state)) if s is not None]
                    pipe = make_pipeline(*steps)
                    start = time.perf_counter()
                    pipe.fit(X_train, y[train])
                    fit_time = time.perf_counter() - start
                    proba = pipe.predict_proba(X_test)[:, 1]
                    pred = pipe.predict(X_test)
                    base = dict(dataset=name, sampler=s_name, classifier=c_name, fold=fold)
                    for m_name, metric in METRICS.items():
                        rows.append({**base, "metric": m_name,
                                     "value": float(metric(y[test], pred, proba))})
                    rows.append({**base, "metric": "fit_time", "value": fit_time})
                    if progress:
                        progress(f"{name} fold {fold} {s_name}/{c_name} {fit_time:.2f}s")
    return rows


def _rows(X, index):
    return X.iloc[index] if hasattr(X, "iloc") else X[index]


def summarize(rows, quality_metrics=tuple(METRICS)):
    """Mean per dataset/sampler/classifier/metric, and mean ranks of samplers.

    Ranks: for each dataset, classifier and quality metric, samplers are
    ranked by their mean over folds (1 = best; ties share the mean rank).
    Returns ``(means, ranks)``: ``means`` a DataFrame indexed by dataset,
    classifier, metric with one column per sampler; ``ranks`` a DataFrame of
    mean ranks per classifier and metric (and overall).
    """
    import pandas as pd

    frame = pd.DataFrame(rows)
    means = frame.pivot_table(index=["dataset", "classifier", "metric"],
                              columns="sampler", values="value", aggfunc="mean")
    quality = means[means.index.get_level_values("metric").isin(quality_metrics)]
    rank = quality.rank(axis=1, ascending=False)
    by_metric = rank.groupby(level=["classifier", "metric"]).mean()
    by_classifier = rank.groupby(level="classifier").mean()
    by_classifier.index = pd.MultiIndex.from_tuples(
        [(c, "ALL") for c in by_classifier.index], names=["classifier", "metric"])
    overall = rank.mean().to_frame().T
    overall.index = pd.MultiIndex.from_tuples([("ALL", "ALL")], names=["classifier", "metric"])
    return means, pd.concat([by_metric, by_classifier, overall])
