"""Train on synthetic, test on real (TSTR, Esteban et al. 2017) for the series generators.

From the repository root, with the ``series`` extra (aeon) installed, holding the
benchmark lock::

    flock /tmp/imblearn_gan_bench.lock python benchmarks/run_series_tstr.py   # ~3 min, 2 cores
    python benchmarks/run_series_tstr.py --datasets waves:10 --out /tmp/tstr_try

On every fold of a stratified 3-fold split (seed 0) of each dataset, the generators
are fitted on the training fold, as in ``benchmarks/configs/series.toml``:
``gan`` (the MLP GAN) and ``gan-lstm`` (the recurrent GAN), the recurrent GAN
without an anchor (``gan-lstm-noanchor``: from noise and class alone, as RCGAN),
plus SMOTE. Then each
classifier of the bench (``logreg``, ``hgb``, ``minirocket``; after a
``StandardScaler``, as in the bench's pipelines) is trained three ways and tested on
the real test fold:

- ``trtr``: the real training rows (the baseline);
- ``tstr``: synthetic rows only, as many of each class as the training fold has
  (``sample(n, y=label)``); GANs only, SMOTE cannot draw a class from nothing;
- ``tstr_minority``: the real majority rows and synthetic minority rows in place of
  the real ones (what ``quality_report`` calls tstr); SMOTE's are its new rows.

The anchored generators (the default ``anchor="segment"``) start each synthetic
series from a real training series of its class; their ``tstr`` therefore measures
anchor-plus-offset series; ``gan-lstm-noanchor`` draws from noise alone.

Writes ``rows.csv`` (dataset, fold, generator, setting, classifier, metric, value),
``summary.md`` (means over folds) and ``run.json`` to ``--out`` (default
``benchmarks/results/series_tstr/``).
"""

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from imblearn_gan.bench import CLASSIFIERS, SAMPLERS
from imblearn_gan.datasets import load_dataset

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_suite import git, machine_info, provenance, versions  # noqa: E402

# label -> (bench sampler name, parameters)
GENERATORS = {"gan": ("gan", {}), "gan-lstm": ("gan-lstm", {}),
              "gan-lstm-noanchor": ("gan-lstm", {"anchor": None}), "smote": ("smote", {})}
CLASSIFIER_NAMES = ["logreg", "hgb", "minirocket"]
DISTRIBUTIONS = ["imblearn-gan", "torch", "scikit-learn", "imbalanced-learn", "numpy", "aeon"]


def training_sets(name, X, y, seed):
    """``{(generator, setting): (X, y)}`` for one training fold, and fit times."""
    import torch

    torch.set_num_threads(1)
    sets, fit_times = {("real", "trtr"): (X, y)}, {}
    labels, counts = np.unique(y, return_counts=True)
    minority = labels[np.argmin(counts)]
    for generator, (key, params) in GENERATORS.items():
        sampler = SAMPLERS[key](seed, False).set_params(**params)
        start = time.perf_counter()
        X_res, y_res = sampler.fit_resample(X, y)
        fit_times[generator] = time.perf_counter() - start
        new = slice(len(y), None)
        keep = y != minority
        sets[generator, "tstr_minority"] = (np.r_[X[keep], X_res[new][y_res[new] == minority]],
                                            np.r_[y[keep], y_res[new][y_res[new] == minority]])
        if hasattr(sampler, "sample"):
            parts = [(sampler.sample(int(n), y=label, random_state=seed), np.full(n, label))
                     for label, n in zip(labels, counts)]
            sets[generator, "tstr"] = (np.vstack([p[0] for p in parts]),
                                       np.concatenate([p[1] for p in parts]))
    return sets, fit_times


def run_fold(name, X, y, fold, train, test, seed):
    sets, fit_times = training_sets(name, X[train], y[train], seed)
    rows = [{"dataset": name, "fold": fold, "generator": g, "setting": "fit",
             "classifier": "", "metric": "fit_time", "value": t} for g, t in fit_times.items()]
    for (generator, setting), (X_fit, y_fit) in sets.items():
        for clf_name in CLASSIFIER_NAMES:
            model = make_pipeline(StandardScaler(), CLASSIFIERS[clf_name](seed)).fit(X_fit, y_fit)
            proba = model.predict_proba(X[test])[:, 1]
            pred = model.predict(X[test]).astype(y.dtype)
            scores = {"balanced_accuracy": balanced_accuracy_score(y[test], pred),
                      "roc_auc": roc_auc_score(y[test], proba),
                      "pr_auc": average_precision_score(y[test], proba)}
            rows += [{"dataset": name, "fold": fold, "generator": generator, "setting": setting,
                      "classifier": clf_name, "metric": m, "value": float(v)}
                     for m, v in scores.items()]
    return rows


def run(args):
    tasks = []
    for name in args.datasets:
        X, y = load_dataset(name)
        cv = StratifiedKFold(3, shuffle=True, random_state=0)
        tasks += [(name, X, y, fold, train, test, 0)
                  for fold, (train, test) in enumerate(cv.split(X, y))]
    parts = Parallel(n_jobs=args.jobs)(delayed(run_fold)(*task) for task in tasks)
    return pd.DataFrame([row for part in parts for row in part])


def summarize(frame):
    scores = frame[frame.metric != "fit_time"]
    table = (scores.groupby(["classifier", "metric", "generator", "setting"]).value.mean()
             .unstack(["metric"]).round(3))
    per_dataset = (scores[scores.metric == "balanced_accuracy"]
                   .groupby(["dataset", "classifier", "generator", "setting"]).value.mean()
                   .unstack("dataset").round(3))
    fits = (frame[frame.metric == "fit_time"].groupby(["dataset", "generator"]).value.mean()
            .unstack("generator").round(2))
    return ("# Train on synthetic, test on real (series)\n\nMean over datasets and folds; "
            "trtr: real rows; tstr: synthetic rows only; tstr_minority: real majority + "
            "synthetic minority.\n\n" + table.to_markdown() + "\n\n## Balanced accuracy per "
            "dataset\n\n" + per_dataset.to_markdown() + "\n\n## Generator fit time (s, one "
            "thread, mean over folds)\n\n" + fits.to_markdown() + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="waves:10,aeon:ItalyPowerDemand:10")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/series_tstr"))
    args = parser.parse_args(argv)
    args.datasets = args.datasets.split(",")
    run_info = {"machine": machine_info(),
                "versions": versions(DISTRIBUTIONS),
                "commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain")),
                "argv": ["python", *sys.argv], "datasets": args.datasets,
                "date": time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime())}
    start = time.perf_counter()
    frame = run(args)
    run_info["wall_s"] = round(time.perf_counter() - start, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out / "rows.csv", index=False)
    (args.out / "run.json").write_text(json.dumps(run_info, indent=1) + "\n")
    summary = summarize(frame) + (
        f"\nMachine: {run_info['machine']['cpu']}, {run_info['machine']['cores']} cores. "
        f"{provenance(run_info)}; {run_info['date']}; wall time {run_info['wall_s']:.0f} s.\n")
    (args.out / "summary.md").write_text(summary)
    print(summary)


if __name__ == "__main__":
    main()
