"""Which sampling design gives the best logistic regression at equal expected sample size.

From the repository root, holding the benchmark lock::

    flock /tmp/imblearn_gan_bench.lock python benchmarks/run_designs.py   # a few minutes
    python benchmarks/run_designs.py --seeds 3 --out /tmp/designs_try       # a quick look

Monte Carlo over ``--seeds`` seeds of each subsampling design, at expected sample
sizes of 1%, 5% and 10% of the training rows, on four tables:

- ``logistic``: 100,000 training + 50,000 test rows, 10 standard normal features,
  a logistic label (about 7% positives): the model is well specified;
- ``nonlinear``: the same features, a label whose logit adds squares and an
  interaction (about 9% positives): the linear model is misspecified;
- ``digits-3`` and ``shuttle-c0-vs-c4``: the two largest numeric bundled tables
  (``imblearn_gan.datasets``), split 70 / 30 (stratified, seed 0).

Features are standardised on the training rows (the same transform for every
design). The full-data fit is ``LogisticRegression(C=1.0)`` on every training
row; a sample is fitted with the same objective: with its weights (which sum to
about the number of training rows), or, for the unweighted local case-control
fit, with ``C`` scaled by ``n / n_kept`` so that the penalty has the same weight
against the loss. Designs (every class is subsampled; equal expected size):

- ``uniform``: a simple random sample, weights ``n / n_kept``;
- ``downsample-upweight``: ``DownsampleUpweight`` with every minority row kept
  when it fits in half the budget (else half the budget for each class), the
  majority filling the rest: weights ``n_c / k_c``;
- ``loss``, ``local-case-control``, ``gradient-norm``:
  ``LossProportionalSampler(design=..., sampling_strategy="all")`` with weights
  ``1 / p_i``, at its defaults otherwise (5-fold cross-fitted pilot);
- ``lcc-unweighted``: local case-control as in Fithian and Hastie (2014): the
  sample fitted without weights, plus the pilot's coefficients
  (``correct_logistic``; ``cross_fit=None``, ``p_min=1e-9``). Where the budget
  exceeds the natural size ``sum_i (1 - p(y_i | x_i))`` some rows would be kept
  for sure and the correction does not apply: those cells are left empty.

Every design's pilot trains on ``pilot_size = max(200, 2% of the training
rows)`` rows (not counted in the sample size). Metrics per seed: the squared
error of the fitted coefficients (intercept included, standardised scale)
against the full-data fit, summed over coefficients (its mean over seeds is the
MSE), and the test log-loss. Writes ``rows.csv`` (dataset, fraction, design,
seed, metric, value), ``summary.md`` (MSE and mean test log-loss per cell,
their ranks, the choice) and ``run.json`` to ``--out`` (default
``benchmarks/results/designs/``).

The default design is chosen on ``logistic``, ``nonlinear`` and ``digits-3``
(mean rank over those tables, fractions and the two metrics); ``shuttle-c0-vs-c4``
is held out and only confirms (or not) the choice.
"""

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from imblearn_gan import DownsampleUpweight, LossProportionalSampler
from imblearn_gan.datasets import load_dataset
from imblearn_gan.exceptions import InputError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from run_suite import git, machine_info, provenance, versions

DESIGNS = ["uniform", "downsample-upweight", "loss", "local-case-control", "lcc-unweighted",
           "gradient-norm"]
FRACTIONS = [0.01, 0.05, 0.1]
OPTIONS = ["loss", "local-case-control", "gradient-norm"]  # LossProportionalSampler(design=)
CHOOSE_ON = ["logistic", "nonlinear", "digits-3"]
HELD_OUT = ["shuttle-c0-vs-c4"]
C = 1.0
DISTRIBUTIONS = ["numpy", "scipy", "scikit-learn", "imbalanced-learn", "torch", "imblearn-gan"]


# -- data ---------------------------------------------------------------------------
def synthetic(kind, n_train=100_000, n_test=50_000, d=10):
    rng = np.random.default_rng(20)
    X = rng.standard_normal((n_train + n_test, d))
    beta = np.linspace(1.0, -1.0, d)
    logit = X @ beta - 3.5
    if kind == "nonlinear":
        logit += 0.75 * (X[:, 0] ** 2 - 1) + 0.75 * X[:, 1] * X[:, 2] - 0.2
    y = (rng.random(len(X)) < 1 / (1 + np.exp(-logit))).astype(int)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def table(name):
    X, y = load_dataset(name)
    _, y = np.unique(y, return_inverse=True)
    return train_test_split(np.asarray(X, dtype=np.float64), y, test_size=0.3, stratify=y,
                            random_state=0)


def load(name):
    if name in ("logistic", "nonlinear"):
        X_tr, y_tr, X_te, y_te = synthetic(name)
    else:
        X_tr, X_te, y_tr, y_te = table(name)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), y_tr, scaler.transform(X_te), y_te


# -- fits ---------------------------------------------------------------------------
def logistic(X, y, w=None, c=C):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegression(C=c, max_iter=2000).fit(X, y, sample_weight=w)


def coefficients(model):
    return np.concatenate([np.ravel(model.intercept_), np.ravel(model.coef_)])


def draw(design, X, y, fraction, seed):
    """``(model or None, n_kept)`` of one design's sample, fitted."""
    n = len(y)
    budget = fraction * n
    pilot = {"pilot_size": max(200, int(0.02 * n)), "n_threads": 1, "device": "cpu",
             "random_state": seed}
    if design == "uniform":
        rows = np.sort(np.random.default_rng(seed).choice(n, round(budget), replace=False))
        if len(np.unique(y[rows])) < 2:  # a tiny sample of one class: no fit
            return None, len(rows)
        return logistic(X[rows], y[rows], np.full(len(rows), n / len(rows))), len(rows)
    if design == "downsample-upweight":
        counts = np.bincount(y)
        minority = int(np.argmin(counts))
        keep_minority = min(counts[minority], round(budget / 2))
        strategy = {minority: int(keep_minority),
                    1 - minority: int(min(counts[1 - minority], round(budget) - keep_minority))}
        sampler = DownsampleUpweight(sampling_strategy=strategy, random_state=seed)
        X_s, y_s = sampler.fit_resample(X, y)
        return logistic(X_s, y_s, sampler.sample_weight_), len(y_s)
    if design == "lcc-unweighted":
        sampler = LossProportionalSampler(design="local-case-control", sampling_strategy="all",
                                          sample_size=fraction, cross_fit=None, p_min=1e-9,
                                          **pilot)
        X_s, y_s = sampler.fit_resample(X, y)
        if sampler.n_at_one_ or len(np.unique(y_s)) < 2:
            return None, len(y_s)  # above the natural size: the correction does not apply
        fit = logistic(X_s, y_s, c=C * n / len(y_s))
        return sampler.correct_logistic(fit), len(y_s)
    sampler = LossProportionalSampler(design=design, sampling_strategy="all",
                                      sample_size=fraction, **pilot)
    X_s, y_s = sampler.fit_resample(X, y)
    if len(np.unique(y_s)) < 2:
        return None, len(y_s)
    return logistic(X_s, y_s, sampler.sample_weight_), len(y_s)


def run(args):
    rows = []
    for name in args.datasets:
        X, y, X_test, y_test = load(name)
        full = coefficients(logistic(X, y))
        print(f"{name}: {len(y):,} training rows x {X.shape[1]}, {y.mean():.3f} positives",
              flush=True)
        for fraction in FRACTIONS:
            for design in DESIGNS:
                start = time.perf_counter()
                for seed in range(args.seeds):
                    try:
                        model, kept = draw(design, X, y, fraction, seed)
                    except InputError as error:  # a target the design cannot reach
                        print(f"  {design} at {fraction}: {error}", flush=True)
                        model, kept = None, 0
                    rows.append((name, fraction, design, seed, "n_kept", kept))
                    if model is None:
                        continue
                    error = float(((coefficients(model) - full) ** 2).sum())
                    loss = log_loss(y_test, model.predict_proba(X_test)[:, 1])
                    rows += [(name, fraction, design, seed, "coef_sq_error", error),
                             (name, fraction, design, seed, "test_log_loss", loss)]
                print(f"  {fraction:.0%} {design}: {time.perf_counter() - start:.1f} s",
                      flush=True)
    return pd.DataFrame(rows, columns=["dataset", "fraction", "design", "seed", "metric",
                                       "value"])


# -- summary ------------------------------------------------------------------------
def cells(frame):
    """Mean over seeds per (dataset, fraction, design, metric); NaN where the
    design did not fit in every seed."""
    seeds = frame[frame.metric == "n_kept"].groupby(["dataset", "fraction", "design"]).size()
    mean = frame.groupby(["dataset", "fraction", "design", "metric"]).value.mean().unstack()
    count = frame.groupby(["dataset", "fraction", "design", "metric"]).value.size().unstack()
    for metric in ("coef_sq_error", "test_log_loss"):
        mean.loc[count[metric].reindex(mean.index) < seeds.reindex(mean.index), metric] = np.nan
    return mean.rename(columns={"coef_sq_error": "mse", "test_log_loss": "log_loss"})


def ranks(mean, datasets, designs=DESIGNS):
    """Rank of each of ``designs`` per (dataset, fraction, metric), 1 = best; a
    design missing from a cell ranks last there."""
    sub = mean.loc[mean.index.get_level_values("dataset").isin(datasets), ["mse", "log_loss"]]
    wide = sub.unstack("design")
    out = {}
    for metric in ("mse", "log_loss"):
        values = wide[metric].reindex(columns=designs)
        out[metric] = values.rank(axis=1, na_option="bottom")
    return pd.concat(out, axis=1)


def _table(frame, digits):
    frame = frame.reset_index()
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" if frame[c].dtype == object else "--:" for c in frame.columns) + "|"

    def fmt(v):
        if isinstance(v, float):
            return "" if np.isnan(v) else f"{v:.{digits}g}" if digits < 0 else f"{v:.{digits}f}"
        return str(v)

    return "\n".join([head, rule, *("| " + " | ".join(fmt(v) for v in row) + " |"
                                    for row in frame.itertuples(index=False))])


def summarize(frame, args):
    mean = cells(frame)
    kept = frame[frame.metric == "n_kept"].groupby(["dataset", "fraction", "design"]).value.mean()
    lines = ["# Sampling designs at equal expected sample size", "",
             (f"Logistic regression fitted on each design's sample, {args.seeds} seeds per "
              "cell: MSE = mean over seeds of the summed squared error of the coefficients "
              "(intercept included, standardised features) against the full-data fit; test "
              "log-loss, mean over seeds. Empty: the design did not apply in every seed "
              "(lcc-unweighted above its natural size; a sample of one class); it ranks last in that cell."), ""]
    for metric, title, digits in (("mse", "MSE of the coefficients", 4),
                                  ("log_loss", "Test log-loss", 4)):
        wide = mean[metric].unstack("design").reindex(columns=DESIGNS)
        wide.index = [f"{d}, {f:.0%}" for d, f in wide.index]
        wide.index.name = "dataset, size"
        lines += [f"## {title}", "", _table(wide, digits), ""]
    wide = kept.unstack("design").reindex(columns=DESIGNS)
    wide.index = [f"{d}, {f:.0%}" for d, f in wide.index]
    wide.index.name = "dataset, size"
    lines += ["## Mean rows kept", "", _table(wide, 0), ""]
    choose = [d for d in CHOOSE_ON if d in set(frame.dataset)]
    held = [d for d in HELD_OUT if d in set(frame.dataset)]
    for among, designs in (("the six designs", DESIGNS), ("the three values of `design`",
                                                           OPTIONS)):
        for title, datasets in ((f"the tables the choice is made on ({', '.join(choose)})",
                                 choose),
                                (f"the held-out table ({', '.join(held)})", held)):
            if not datasets:
                continue
            r = ranks(mean, datasets, designs)
            table_ = pd.DataFrame({"rank, MSE": r["mse"].mean(),
                                   "rank, log-loss": r["log_loss"].mean()})
            table_["rank, both"] = table_.mean(axis=1)
            table_.index.name = "design"
            lines += [f"## Mean rank among {among}, on {title}", "",
                      (f"1 = best among {among} per table, size and metric; mean over "
                       f"{len(datasets)} table(s) x {len(FRACTIONS)} sizes."), "",
                      _table(table_.sort_values("rank, both"), 2), ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--datasets", default=",".join(CHOOSE_ON + HELD_OUT))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/designs"))
    parser.add_argument("--rows", type=Path, help="summarize a saved rows.csv again, no fits")
    args = parser.parse_args(argv)
    args.datasets = args.datasets.split(",")
    machine = machine_info()
    if args.rows:
        frame = pd.read_csv(args.rows)
    else:
        run_info = {"machine": machine,
                    "versions": versions(DISTRIBUTIONS),
                    "commit": git("rev-parse", "HEAD"),
                    "dirty": bool(git("status", "--porcelain")),
                    "argv": ["python", *sys.argv], "seeds": args.seeds,
                    "datasets": args.datasets,
                    "date": time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime())}
        start = time.perf_counter()
        frame = run(args)
        run_info["wall_s"] = time.perf_counter() - start
        args.out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(args.out / "rows.csv", index=False)
        (args.out / "run.json").write_text(json.dumps(run_info, indent=1) + "\n")
    run_info = json.loads((args.out / "run.json").read_text())
    summary = summarize(frame, args)
    summary += (f"\nMachine: {machine['cpu']}, {machine['cores']} cores. {provenance(run_info)}"
                f"; {run_info['date']}; wall time {run_info['wall_s']:.0f} s.\n")
    (args.out / "summary.md").write_text(summary)
    print(summary)


if __name__ == "__main__":
    main()
