"""Does the space SMOTE takes its neighbours in change its quality?

The quality benchmark runs SMOTE on the raw columns (it comes first in the
pipeline), while the GAN found each anchor's neighbours on z-scores until
``neighbor_scaling="minmax"`` became its default. This script isolates that
one difference: the same SMOTE, with its
neighbours found on the raw columns, on z-scored columns or on min-max scaled
columns. The numeric columns are scaled before SMOTE and scaled back after,
so the new rows lie on the same kind of segment (interpolation is affine);
only which rows are neighbours changes. Categorical columns are left as they
are (SMOTENC / SMOTEN handle them). Same protocol and ranks as quality.py::

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
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from imblearn_gan.bench import _runner, run_benchmark, summarize
from imblearn_gan.bench._registry import NATIVE_CATEGORICAL, SAMPLER_FACTORIES
from imblearn_gan.datasets import list_datasets

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


def _factory(scaler):
    def make(random_state, categorical):
        return ScaledNeighbors(SAMPLER_FACTORIES["smote"](random_state, categorical), scaler)
    return make


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(list_datasets()))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    for name, scaler in SCALERS.items():  # registered in this process only
        _runner.SAMPLERS[f"smote_{name}"] = _factory(scaler)
        NATIVE_CATEGORICAL.add(f"smote_{name}")  # the frame, as SMOTENC gets it
    samplers = ["none", "smote", *(f"smote_{name}" for name in SCALERS)]
    args.out.mkdir(parents=True, exist_ok=True)
    start, frames = time.perf_counter(), []
    for seed in [int(s) for s in args.seeds.split(",")]:
        rows = run_benchmark(args.datasets.split(","), samplers, ["logreg", "hgb"],
                             n_splits=5, random_state=seed, metrics=[*QUALITY, "fit_time"],
                             progress=lambda m: print(m, file=sys.stderr, flush=True))
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
