"""Synthetic-data quality and privacy: GAN vs VAE vs SMOTE on the bundled datasets.

For every dataset of ``imblearn_gan.datasets.list_datasets()``: one stratified
70/30 train/test split (random_state=0), each sampler fitted on the training
rows with its default settings (``random_state=0``; SMOTENC for mixed tables,
SMOTEN for all-categorical ones), then ``imblearn_gan.metrics.quality_report``
on the minority class::

    python benchmarks/quality_report.py

Writes benchmarks/results/quality_report.md.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # _common, and the package without install
from _common import load_average, machine, markdown_table

import imblearn_gan
from imblearn_gan.datasets import list_datasets, load_dataset
from imblearn_gan.metrics import quality_report

RESULTS = Path(__file__).resolve().parent / "results"
# (metric, label, what is better) for the summary tables
KEY = [
    ("c2st_auc", "C2ST AUC", "0.5"),
    ("ks_mean", "KS mean", "low"),
    ("tv_mean", "TV mean", "low"),
    ("corr_diff_mean_abs", "corr diff", "low"),
    ("dcr_median_ratio", "DCR median ratio", "~1"),
    ("dcr_p5_ratio", "DCR p5 ratio", "~1"),
    ("exact_copy_share", "exact copies", "as held-out"),
    ("exact_holdout_share", "held-out rows equal to a training row", "baseline"),
    ("near_copy_share", "near copies", "low"),
    ("trtr_balanced_accuracy", "TRTR bal. acc.", "high"),
    ("augmented_balanced_accuracy", "real+synth bal. acc.", "high"),
    ("tstr_balanced_accuracy", "TSTR bal. acc.", "high"),
    ("trtr_roc_auc", "TRTR AUC", "high"),
    ("augmented_roc_auc", "real+synth AUC", "high"),
    ("tstr_roc_auc", "TSTR AUC", "high"),
]


def make_sampler(name, X):
    categorical = [c for c in X.columns if str(X[c].dtype) in ("category", "object", "bool")]
    if name == "gan":
        return imblearn_gan.GANOverSampler(random_state=0)
    if name == "vae":
        return imblearn_gan.VAEOverSampler(random_state=0)
    from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC

    if len(categorical) == X.shape[1]:
        return SMOTEN(random_state=0)
    if categorical:
        return SMOTENC(categorical_features="auto", random_state=0)
    return SMOTE(random_state=0)


def run(datasets, samplers):
    frames, seconds = [], []
    for dataset in datasets:
        X, y = load_dataset(dataset, as_frame=True)
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=0.3, stratify=y, random_state=0)
        for name in samplers:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                report = quality_report(make_sampler(name, X), X_tr, y_tr, X_te, y_te,
                                        random_state=0)
            elapsed = time.perf_counter() - start
            seconds.append({"dataset": dataset, "sampler": name, "seconds": elapsed})
            frames.append(report.assign(dataset=dataset, sampler=name))
            print(f"{dataset:40s} {name:6s} {elapsed:6.1f}s", flush=True)
    return pd.concat(frames, ignore_index=True), pd.DataFrame(seconds)


def summary(rows, samplers):
    """Mean (and median) over datasets of each key metric, per sampler."""
    table = []
    for metric, label, better in KEY:
        values = rows[rows.metric == metric].groupby("sampler").value
        means, medians = values.mean(), values.median()
        table.append([label, better] + [
            f"{means.get(s, float('nan')):.3f} ({medians.get(s, float('nan')):.3f})"
            for s in samplers])
    return markdown_table(["metric", "better"] + samplers, table)


def head_to_head(rows, samplers):
    wide = rows.pivot_table(index=["dataset", "metric"], columns="sampler", values="value")
    lines = []
    for other in [s for s in samplers if s != "smote"]:
        c2st = wide.xs("c2st_auc", level="metric")
        closer = ((c2st[other] - 0.5).abs() < (c2st["smote"] - 0.5).abs()).sum()
        tstr = wide.xs("tstr_balanced_accuracy", level="metric")
        aug = wide.xs("augmented_balanced_accuracy", level="metric")
        ratio = wide.xs("dcr_median_ratio", level="metric")
        lines.append(
            f"- {other} vs smote on {len(c2st)} datasets: C2ST AUC closer to 0.5 on "
            f"{closer}; higher TSTR balanced accuracy on {(tstr[other] > tstr['smote']).sum()}; "
            f"higher real+synthetic balanced accuracy on {(aug[other] > aug['smote']).sum()}; "
            f"larger DCR median ratio (fewer near-copies) on "
            f"{(ratio[other] > ratio['smote']).sum()}.")
    return "\n".join(lines)


def per_dataset(rows, metric, samplers):
    wide = rows[rows.metric == metric].pivot_table(index="dataset", columns="sampler",
                                                   values="value")
    body = [[d] + [float(wide.loc[d, s]) if s in wide else None for s in samplers]
            for d in wide.index]
    return markdown_table(["dataset"] + samplers, body)


def write(rows, seconds, samplers, args, info):
    sizes = rows[rows.metric.isin(["n_train", "n_synthetic", "n_holdout"])]
    sizes = sizes[sizes.sampler == samplers[0]].pivot_table(
        index="dataset", columns="metric", values="value")
    lines = [
        "# Synthetic-data quality and privacy report", "",
        ("Produced by `benchmarks/quality_report.py` (`imblearn_gan.metrics.quality_report`"
        " for the minority class of every bundled dataset; one stratified 70/30 split, "
        "random_state=0; default sampler settings; see docs/user_guide/metrics.md for each metric)."),
        "", (f"Command: `{info['command']}`. Started "
        f"{info['started']}, {info['total']:.0f} s in all; load average at start "
        f"{info['load_start']}, at end {load_average()}."), "",
        "## Summary: mean (median) over datasets", "",
        summary(rows, samplers), "",
        ("C2ST AUC: cross-validated AUC of a classifier telling the real minority "
        "training rows from the synthetic ones (0.5 = indistinguishable, 1 = "
        "separable; noisy for the small classes; values well below 0.5 come from "
        "copies of training rows). DCR ratios: "
        "synthetic rows' distance to the closest training row over the same for "
        "held-out real rows (below 1 = closer to the training rows than new real "
        "data). TRTR / real+synth / TSTR: logistic regression trained on the real "
        "rows, on real plus synthetic rows, and with the minority's real rows "
        "replaced by the synthetic ones, tested on the held-out rows."), "",
        "## Head to head", "", head_to_head(rows, samplers), "",
        "## Seconds per report (fit + generate + metrics)", "",
        markdown_table(["sampler", "median s", "total s"], [
            [s, float(seconds[seconds.sampler == s].seconds.median()),
             float(seconds[seconds.sampler == s].seconds.sum())] for s in samplers]), "",
        "## Minority rows per dataset (train / synthetic / held-out)", "",
        markdown_table(["dataset", "n_train", "n_synthetic", "n_holdout"], [
            [d, int(r.n_train), int(r.n_synthetic), int(r.n_holdout)]
            for d, r in sizes.iterrows()]), "",
    ]
    for metric, label, better in KEY:
        lines += [f"## {label} ({metric}; better: {better})", "",
                  per_dataset(rows, metric, samplers), ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(list_datasets()))
    parser.add_argument("--samplers", default="gan,vae,smote")
    parser.add_argument("--out", type=Path, default=RESULTS / "quality_report.md")
    args = parser.parse_args(argv)
    samplers = args.samplers.split(",")
    info = {"command": "python benchmarks/quality_report.py " + " ".join(argv or sys.argv[1:]),
            "started": machine()["started"], "load_start": load_average()}
    start = time.perf_counter()
    rows, seconds = run(args.datasets.split(","), samplers)
    info["total"] = time.perf_counter() - start
    write(rows, seconds, samplers, args, info)


if __name__ == "__main__":
    main()
