"""Quality benchmark: GANOverSampler vs SMOTE vs no resampling.

5-fold stratified CV, LogisticRegression and HistGradientBoosting, resampling
inside an imblearn Pipeline on the training folds only, on every bundled
dataset (scikit-learn's digits '3' vs rest made 1:10, breast cancer made 1:9,
and the 15 KEEL problems). Reproduce the published table with::

    PYTHONPATH=. python benchmarks/quality.py

(about 15 minutes on 2 cores). Writes benchmarks/results/quality_rows.csv and
benchmarks/results/quality.md.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from imblearn_gan.bench import run_benchmark, summarize
from imblearn_gan.datasets import list_datasets

RESULTS = Path(__file__).parent / "results"
QUALITY = ["balanced_accuracy", "f1", "g_mean", "roc_auc", "pr_auc"]


def report(rows):
    """Markdown: mean ranks per classifier and metric, then per-dataset means."""
    means, ranks = summarize(rows)
    frame = pd.DataFrame(rows)
    fit = frame[frame.metric == "fit_time"].groupby(["sampler", "classifier"]).value.median()
    wins = _wins(means)
    lines = ["## Mean ranks (1 = best; 3 samplers)", "", ranks.round(3).to_markdown(), "",
             "## GAN vs SMOTE, head to head (dataset x classifier x metric cells)", "",
             wins, "",
             "## Median pipeline fit time per fold (s)", "", fit.round(3).to_markdown(), "",
             "## Mean per dataset (5 folds)", ""]
    for metric in QUALITY:
        table = means.xs(metric, level="metric").round(3)
        lines += [f"### {metric}", "", table.to_markdown(), ""]
    return "\n".join(lines)


def _wins(means):
    quality = means[means.index.get_level_values("metric").isin(QUALITY)]
    diff = quality["gan"] - quality["smote"]
    return (f"GAN better in {(diff > 0).sum()}, SMOTE better in {(diff < 0).sum()}, "
            f"tied in {(diff == 0).sum()} of {len(diff)} cells; "
            f"median difference GAN - SMOTE {diff.median():+.4f}.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(list_datasets()))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--gan-params", type=json.loads, default={},
                        help='GANOverSampler parameters for ablations, as JSON, '
                             'e.g. \'{"anchor": "neighbors"}\'')
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = run_benchmark(args.datasets.split(","), ["none", "smote", "gan"],
                         ["logreg", "hgb"], n_splits=5, random_state=0,
                         sampler_params={"gan": args.gan_params},
                         progress=lambda m: print(m, file=sys.stderr, flush=True))
    args.out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(args.out / "quality_rows.csv", index=False)
    text = report(rows)
    (args.out / "quality.md").write_text(
        f"<!-- written by benchmarks/quality.py in {time.perf_counter() - start:.0f} s -->\n"
        + text + "\n")
    print(text)


if __name__ == "__main__":
    main()
