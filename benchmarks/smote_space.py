"""Does the space SMOTE takes its neighbours in change its quality?

The quality benchmark runs SMOTE on the raw columns (it comes first in the
pipeline), while ``GANOverSampler`` finds its neighbours on min-max scaled
columns (``neighbor_scaling="minmax"``). This script isolates that one
difference: the same SMOTE, with its neighbours found on the raw columns, on
z-scored columns or on min-max scaled columns. The numeric columns are scaled
before SMOTE and scaled back after, so the new rows lie on the same kind of
segment (interpolation is affine); only which rows are neighbours changes.
Categorical columns are left as they are (SMOTENC / SMOTEN handle them). Same
protocol and ranks as quality.py (5-fold stratified CV per seed, sampler
first in the pipeline, then scaling / one-hot encoding, then the
classifier)::

    PYTHONPATH=. python benchmarks/smote_space.py --seeds 0,1,2

writes benchmarks/results/smote_space.md (about 3 minutes).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from quality import QUALITY  # the same five ranked metrics
from sklearn.base import BaseEstimator, clone
from sklearn.compose import make_column_transformer
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from imblearn_gan.bench import CLASSIFIERS, METRICS, SAMPLERS, summarize
from imblearn_gan.datasets import list_datasets, load_dataset
from imblearn_gan.pipeline import Pipeline

RESULTS = Path(__file__).parent / "results"
SCALERS = {"zscore": StandardScaler(), "minmax": MinMaxScaler()}


class ScaledNeighbors(BaseEstimator):
    """``inner.fit_resample`` on scaled numeric columns, scaled back after."""

    def __init__(self, inner, scaler):
        self.inner = inner
        self.scaler = scaler

    def fit_resample(self, X, y):
        frame = isinstance(X, pd.DataFrame)
        if frame:
            numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])
                       and not pd.api.types.is_bool_dtype(X[c])]
        else:
            numeric = list(range(X.shape[1]))
        if not numeric:  # all-categorical: nothing to scale
            return self.inner.fit_resample(X, y)
        scaler = clone(self.scaler)
        X = X.copy()
        if frame:
            X[numeric] = scaler.fit_transform(X[numeric].to_numpy(float))
        else:
            X = scaler.fit_transform(np.asarray(X, float))
        X_res, y_res = self.inner.fit_resample(X, y)
        if frame:
            X_res[numeric] = scaler.inverse_transform(X_res[numeric].to_numpy(float))
        else:
            X_res = scaler.inverse_transform(X_res)
        return X_res, y_res


CATEGORICAL = ("category", "object", "bool")


def make_sampler(name, random_state, X):
    """None, SMOTE (SMOTENC / SMOTEN as the table needs) or SMOTE on scaled
    columns, as the benchmark CLI builds them."""
    kinds = [str(dtype) in CATEGORICAL for dtype in X.dtypes]
    categorical = "all" if kinds and all(kinds) else any(kinds)
    smote = SAMPLERS["smote"](random_state, categorical) if name != "none" else None
    return ScaledNeighbors(smote, SCALERS[name[6:]]) if name.startswith("smote_") else smote


def preprocessor(X):
    """Scale numeric columns and one-hot categorical ones (after the sampler)."""
    categorical = [c for c in X.columns if str(X[c].dtype) in CATEGORICAL]
    numeric = [c for c in X.columns if c not in categorical]
    return make_column_transformer(
        (StandardScaler(), numeric),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical))


def cross_validate(name, X, y, samplers, classifiers, seed):
    """Tidy rows (dataset, sampler, classifier, fold, metric, value) of one
    5-fold stratified CV: the sampler first, then the preprocessing, then
    the classifier; scored on the untouched test fold."""
    rows = []
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=1, random_state=seed)
    for fold, (train, test) in enumerate(folds.split(np.zeros(len(y)), y)):
        for sampler_name in samplers:
            for classifier_name in classifiers:
                sampler = make_sampler(sampler_name, seed, X)
                steps = [("sampler", sampler)] if sampler is not None else []
                steps += [("prep", preprocessor(X)),
                          ("classifier", CLASSIFIERS[classifier_name](seed))]
                with threadpool_limits(1):
                    pipe = Pipeline(steps).fit(X.iloc[train], y[train])
                    proba = pipe.predict_proba(X.iloc[test])[:, 1]
                    pred = pipe.predict(X.iloc[test])
                rows += [{"dataset": name, "sampler": sampler_name, "classifier": classifier_name,
                          "repeat": 0, "fold": fold, "metric": metric,
                          "value": float(METRICS[metric](y[test], pred, proba))}
                         for metric in QUALITY]
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(list_datasets()))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    samplers = ["none", "smote", *(f"smote_{name}" for name in SCALERS)]
    args.out.mkdir(parents=True, exist_ok=True)
    start, frames = time.perf_counter(), []
    for seed in [int(s) for s in args.seeds.split(",")]:
        rows = []
        for name in args.datasets.split(","):
            X, y = load_dataset(name, as_frame=True)
            rows += cross_validate(name, X, np.asarray(y), samplers, ["logreg", "hgb"], seed)
            print(f"seed {seed} {name}", file=sys.stderr, flush=True)
        frame = pd.DataFrame(rows)
        frames.append(frame)
        print(f"seed {seed}:", summarize(frame, quality_metrics=QUALITY)[1]
              .loc[("ALL", "ALL")].round(3).to_dict(), flush=True)
    pooled = pd.concat(frames, ignore_index=True)
    means, ranks = summarize(pooled, quality_metrics=QUALITY)
    quality = means[means.index.get_level_values("metric").isin(QUALITY)]
    by_dataset = quality.rank(axis=1, ascending=False).groupby(level="dataset").mean()
    text = "\n".join([
        (f"<!-- written by benchmarks/smote_space.py --seeds {args.seeds} in "
         f"{time.perf_counter() - start:.0f} s -->"),
        "## SMOTE's neighbours on raw, z-scored or min-max scaled columns",
        "", (f"Seeds {args.seeds}; each cell is the mean over the folds of all seeds; "
             "ranks 1 = best over the 4 samplers."), "",
        "### Mean ranks", "", ranks.round(3).to_markdown(), "",
        "### Mean rank per dataset", "", by_dataset.round(2).to_markdown(), ""])
    (args.out / "smote_space.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
