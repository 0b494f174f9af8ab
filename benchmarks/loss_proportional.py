"""LossProportionalSampler: speed and memory at 1M / 10M rows, and the quality
of classifiers trained on its weighted 10% sample.

Run from the repository root::

    PYTHONPATH=. python benchmarks/loss_proportional.py speed
    PYTHONPATH=. python benchmarks/loss_proportional.py quality
    PYTHONPATH=. python benchmarks/loss_proportional.py report

``speed`` (``--rows 1000000 10000000``): every case runs in a fresh Python
subprocess. The data: ``rows`` x 20 float32 standard normal features, a
binary label from a logistic model (about 7% positives), seed 0, built in
chunks of 1M rows (no float64 copy ever exists). A warm-up on 20,000 rows
pays the lazy imports (torch's optimizer imports ``torch._dynamo``, 2 s) before
the timing. Then, timed once:

- ``lps``: ``LossProportionalSampler(sampling_strategy="all",
  random_state=0).fit_resample(X, y)``: every class subsampled, and every
  other default (``sample_size=0.1``, ``pilot_size=100_000``,
  ``cross_fit=5``, ``n_threads=1``): pilot fits + scoring + lambda + selection
  + the output copy ``X[kept]``;
- ``sklearn``: ``LogisticRegression().fit(X, y)`` + ``predict_proba(X)``
  (lbfgs, default threads of numpy's BLAS).

Memory: the process's peak resident set (``VmHWM``), reset after the data are
built (``/proc/self/clear_refs``), so it is the peak *during* the method,
data, libraries and interpreter included; also given as a multiple of the
data's size (``X.nbytes + y.nbytes``). Also recorded: the mean log-loss each
method's model reaches on the rows (the pilot's cross-fitted ``pilot_loss_``;
scikit-learn's in-sample log-loss).

``quality``: a classifier (``LogisticRegression``; and
``HistGradientBoostingClassifier`` on the synthetic data) trained on (a) all
training rows, (b) a uniform 10% sample (weight 10 per row), (c) the
loss-proportional 10% sample with ``sample_weight_``, (d) the same sample
without its weights; test log-loss and ROC-AUC on an untouched split. The
synthetic data: ``make_classification(n_samples=300_000, n_features=20,
n_informative=8, weights=[0.95], flip_y=0.01, class_sep=0.8)``, 200k train /
100k test, 5 seeds. The bundled real datasets (``load_dataset``): 20
stratified 70/30 splits each, standardised features.
"""

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from _common import RESULTS_DIR, machine, markdown_table, write_json

JSON_PATH = RESULTS_DIR / "loss_proportional.json"
MD_PATH = RESULTS_DIR / "loss_proportional.md"
REAL_DATASETS = ["yeast1", "yeast4", "shuttle-c0-vs-c4", "digits-3", "winequality-white-3-vs-7"]


# -- speed ----------------------------------------------------------------
def make_data(n_rows, n_features=20, seed=0, chunk=1_000_000):
    """float32 features and a logistic label, built chunk by chunk."""
    rng = np.random.default_rng(seed)
    coef = rng.standard_normal(n_features) * 2 / np.sqrt(n_features)
    X = np.empty((n_rows, n_features), dtype=np.float32)
    y = np.empty(n_rows, dtype=np.int64)
    for start in range(0, n_rows, chunk):
        stop = min(start + chunk, n_rows)
        X[start:stop] = rng.standard_normal((stop - start, n_features), dtype=np.float32)
        logits = X[start:stop] @ coef - 3.5
        y[start:stop] = rng.random(stop - start) < 1 / (1 + np.exp(-logits))
    return X, y


def _status(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024  # kB -> bytes
    return None


def _run_method(method, X, y):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    from imblearn_gan import LossProportionalSampler

    if method == "lps":
        sampler = LossProportionalSampler(sampling_strategy="all", random_state=0)
        X_res, _ = sampler.fit_resample(X, y)
        return {"kept": len(X_res), "model_log_loss": sampler.pilot_loss_,
                "lambda": sampler.lambda_,
                "pilot_rounds": len(sampler.pilot_.history)}
    model = LogisticRegression().fit(X, y)
    proba = model.predict_proba(X)
    return {"model_log_loss": log_loss(y, proba), "n_iter": int(model.n_iter_[0])}


def run_case(method, n_rows):
    """One case in this (fresh) process; prints one JSON line."""
    import torch._dynamo  # noqa: F401  (lazy import of torch's optimizers, not timed)

    X, y = make_data(20_000)
    _run_method(method, X, y)  # warm-up
    X, y = make_data(n_rows)
    data_bytes = X.nbytes + y.nbytes
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak RSS to the current RSS
    rss_before = _status("VmRSS")
    start = time.perf_counter()
    extra = _run_method(method, X, y)
    seconds = time.perf_counter() - start
    peak = _status("VmHWM")
    print(json.dumps({
        "method": method, "rows": n_rows, "features": X.shape[1], "seconds": seconds,
        "rows_per_second": n_rows / seconds, "data_bytes": data_bytes,
        "rss_before_bytes": rss_before, "peak_rss_bytes": peak,
        "peak_over_data": peak / data_bytes, "positives": float(y.mean()), **extra,
    }))


def speed(args):
    cases = []
    for n_rows in args.rows:
        for method in ("lps", "sklearn"):
            out = subprocess.run(
                [sys.executable, __file__, "_case", method, str(n_rows)],
                capture_output=True, text=True, check=True,
            )
            cases.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(cases[-1], flush=True)
    _save("speed", {"machine": machine(), "cases": cases}, args.json)


# -- quality ----------------------------------------------------------------
def _samples(X, y, seed):
    """(name, rows, weights) of the four training sets."""
    from imblearn_gan import LossProportionalSampler

    n_keep = round(0.1 * len(y))
    uniform = np.sort(np.random.RandomState(seed).choice(len(y), n_keep, replace=False))
    sampler = LossProportionalSampler(sampling_strategy="all", sample_size=0.1,
                                      random_state=seed)
    sampler.fit_resample(X, y)
    rows, weights = sampler.sample_indices_, sampler.sample_weight_
    return [
        ("all rows", np.arange(len(y)), None),
        ("uniform 10%", uniform, np.full(n_keep, len(y) / n_keep)),
        ("loss-proportional 10%", rows, weights),
        ("loss-proportional 10%, unweighted", rows, None),
    ]


def _scores(model, X_tr, y_tr, w, X_te, y_te):
    """Test log-loss and ROC-AUC; NaN when the training set has one class only
    (a uniform 10% of a small table can miss the minority)."""
    from sklearn.metrics import log_loss, roc_auc_score

    if len(np.unique(y_tr)) < 2:
        return np.nan, np.nan
    model.fit(X_tr, y_tr, sample_weight=w)
    proba = model.predict_proba(X_te)[:, 1]
    return log_loss(y_te, proba), roc_auc_score(y_te, proba)


def _evaluate(dataset, classifiers, X_tr, y_tr, X_te, y_te, seed):
    from sklearn.base import clone

    rows = []
    for sample, index, weights in _samples(X_tr, y_tr, seed):
        for name, model in classifiers.items():
            loss, auc = _scores(clone(model), X_tr[index], y_tr[index], weights, X_te, y_te)
            rows.append({"dataset": dataset, "classifier": name, "sample": sample,
                         "seed": seed, "n_train": len(index), "log_loss": loss,
                         "roc_auc": auc})
    return rows


def quality(args):
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedShuffleSplit
    from sklearn.preprocessing import StandardScaler

    from imblearn_gan.datasets import load_dataset

    lr = LogisticRegression(max_iter=1000)
    rows = []
    for seed in range(args.seeds):
        X, y = make_classification(n_samples=args.rows, n_features=20, n_informative=8,
                                   weights=[0.95], flip_y=0.01, class_sep=0.8,
                                   random_state=seed)
        X = X.astype(np.float32)
        models = {"LogisticRegression": lr,
                  "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0)}
        n_train = args.rows * 2 // 3
        rows += _evaluate(f"synthetic {args.rows:,} rows", models, X[:n_train], y[:n_train],
                          X[n_train:], y[n_train:], seed)
        print(f"synthetic seed {seed} done", flush=True)
        _save("quality", {"machine": machine(), "rows": rows}, args.json)
    for name in args.datasets:
        X, y = load_dataset(name)
        splits = StratifiedShuffleSplit(args.splits, test_size=0.3, random_state=0)
        for seed, (train, test) in enumerate(splits.split(X, y)):
            scaler = StandardScaler().fit(X[train])
            rows += _evaluate(name, {"LogisticRegression": lr}, scaler.transform(X[train]),
                              y[train], scaler.transform(X[test]), y[test], seed)
        print(f"{name} done", flush=True)
        _save("quality", {"machine": machine(), "rows": rows}, args.json)


# -- report ------------------------------------------------------------------
def _save(key, payload, path=JSON_PATH):
    path = Path(path)
    data = json.loads(path.read_text()) if path.exists() else {}
    data.pop("versions", None)
    data.pop("machine", None)
    data[key] = payload
    write_json({"machine": payload["machine"], **data}, path)


def report(args):
    data = json.loads(Path(args.json).read_text())
    parts = ["# LossProportionalSampler: speed, memory and quality\n",
             ("Produced by `benchmarks/loss_proportional.py` (see its docstring for "
              "the protocol); raw numbers in `loss_proportional.json`.\n")]
    if "speed" in data:
        parts.append(_speed_table(data["speed"]))
    if "quality" in data:
        parts.append(_quality_tables(data["quality"]["rows"]))
    md_path = Path(args.md)
    md_path.write_text("\n".join(parts) + "\n")
    print(md_path.read_text())


def _speed_table(speed):
    header = ["rows", "method", "seconds", "rows/s", "data (MiB)", "RSS before (MiB)",
              "peak RSS (MiB)", "added by the method (MiB)", "peak / data",
              "mean log-loss of its model"]
    body = [[f"{c['rows']:,}", c["method"], c["seconds"], f"{c['rows_per_second']:,.0f}",
             c["data_bytes"] / 2**20, c["rss_before_bytes"] / 2**20,
             c["peak_rss_bytes"] / 2**20,
             (c["peak_rss_bytes"] - c["rss_before_bytes"]) / 2**20, c["peak_over_data"],
             f"{c['model_log_loss']:.5f}"]
            for c in speed["cases"]]
    load = speed["machine"].get("load_average_at_start")
    return ("## Speed and memory (one run per case, fresh process)\n\n"
            f"Load average at start: {load}. Data = X (float32) + y (int64). RSS before = "
            "data + interpreter + imported libraries (torch, scikit-learn) after a warm-up; "
            "peak RSS = the process's peak during the method; peak / data = peak RSS over "
            "data. The log-loss column: the pilot's cross-fitted mean loss (lps) and "
            "scikit-learn's in-sample log-loss (sklearn), on all rows.\n\n"
            + markdown_table(header, body) + "\n")


def _quality_tables(rows):
    import pandas as pd

    frame = pd.DataFrame(rows)
    out = ["## Classifier quality on an untouched test split\n",
           ("Mean (sd) over seeds / splits; runs whose training set has one class only "
            "(no model can be fitted) are left out of the means and counted in the last "
            "column. Lower log-loss and higher ROC-AUC are better.\n")]
    order = ["all rows", "uniform 10%", "loss-proportional 10%",
             "loss-proportional 10%, unweighted"]
    for (dataset, classifier), group in frame.groupby(["dataset", "classifier"], sort=False):
        stats = group.groupby("sample").agg(
            n_train=("n_train", "mean"), ll=("log_loss", "mean"), ll_sd=("log_loss", "std"),
            auc=("roc_auc", "mean"), auc_sd=("roc_auc", "std"), runs=("seed", "count"),
            failed=("log_loss", lambda v: int(v.isna().sum())))
        body = [[s, f"{stats.loc[s, 'n_train']:,.0f}",
                 f"{stats.loc[s, 'll']:.4f} ({stats.loc[s, 'll_sd']:.4f})",
                 f"{stats.loc[s, 'auc']:.4f} ({stats.loc[s, 'auc_sd']:.4f})",
                 int(stats.loc[s, "failed"])]
                for s in order]
        header = ["training set", "rows", "log-loss", "ROC-AUC", "runs with one class"]
        out.append(f"### {dataset}, {classifier} ({int(stats['runs'].iloc[0])} runs)\n\n"
                   + markdown_table(header, body) + "\n")
    out.append(_paired_table(frame))
    return "\n".join(out)


def _paired_table(frame):
    """Loss-proportional minus uniform, paired by seed / split."""
    wide = frame.pivot_table(index=["dataset", "classifier", "seed"], columns="sample",
                             values=["log_loss", "roc_auc"])
    body = []
    for (dataset, classifier), group in wide.groupby(level=[0, 1], sort=False):
        ll = (group["log_loss"]["loss-proportional 10%"]
              - group["log_loss"]["uniform 10%"]).dropna()
        auc = (group["roc_auc"]["loss-proportional 10%"]
               - group["roc_auc"]["uniform 10%"]).dropna()
        body.append([dataset, classifier, f"{ll.mean():+.4f} ({ll.std():.4f})",
                     f"{int((ll < 0).sum())} / {len(ll)}",
                     f"{auc.mean():+.4f} ({auc.std():.4f})",
                     f"{int((auc > 0).sum())} / {len(auc)}"])
    header = ["dataset", "classifier", "log-loss: LPS - uniform", "LPS lower",
              "ROC-AUC: LPS - uniform", "LPS higher"]
    return ("### Paired: weighted loss-proportional 10% vs uniform 10%\n\n"
            "Differences per seed / split (mean (sd)), and how often the loss-proportional "
            "sample wins (ties count as no win).\n\n" + markdown_table(header, body) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_speed = sub.add_parser("speed")
    p_speed.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    p_quality = sub.add_parser("quality")
    p_quality.add_argument("--rows", type=int, default=300_000)
    p_quality.add_argument("--seeds", type=int, default=5)
    p_quality.add_argument("--splits", type=int, default=20)
    p_quality.add_argument("--datasets", nargs="+", default=REAL_DATASETS)
    p_report = sub.add_parser("report")
    p_report.add_argument("--md", default=str(MD_PATH))
    for p in (p_speed, p_quality, p_report):
        p.add_argument("--json", default=str(JSON_PATH))
    p_case = sub.add_parser("_case")
    p_case.add_argument("method", choices=["lps", "sklearn"])
    p_case.add_argument("rows", type=int)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    if args.command == "_case":
        return run_case(args.method, args.rows)
    return {"speed": speed, "quality": quality, "report": report}[args.command](args)


if __name__ == "__main__":
    main()
