"""Quality benchmark: GANOverSampler (or VAEOverSampler) vs SMOTE vs no resampling.

5-fold stratified CV, LogisticRegression and HistGradientBoosting, resampling
inside an imblearn Pipeline on the training folds only, on every bundled
dataset (scikit-learn's digits '3' vs rest made 1:10, breast cancer made 1:9,
and the 15 KEEL problems). Reproduce the published table with::

    PYTHONPATH=. python benchmarks/quality.py

(about 23 minutes on 2 cores with the GAN's 1,000-update default). Writes benchmarks/results/quality_rows.csv and
benchmarks/results/quality.md. The same comparison for the VAE::

    PYTHONPATH=. python benchmarks/quality.py --sampler vae

writes benchmarks/results/quality_vae_rows.csv and quality_vae.md.
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


def report(rows, sampler="gan"):
    """Markdown: mean ranks per classifier and metric, then per-dataset means."""
    means, ranks = summarize(rows, quality_metrics=QUALITY)
    frame = pd.DataFrame(rows)
    fit = frame[frame.metric == "fit_time"].groupby(["sampler", "classifier"]).value.median()
    wins = _wins(means, sampler)
    lines = ["## Mean ranks (1 = best; 3 samplers)", "", ranks.round(3).to_markdown(), "",
             (f"## {sampler.upper()} vs SMOTE, head to head "
              "(dataset x classifier x metric cells)"), "",
             wins, "",
             "## Median pipeline fit time per fold (s)", "", fit.round(3).to_markdown(), "",
             "## Mean per dataset (5 folds)", ""]
    for metric in QUALITY:
        table = means.xs(metric, level="metric").round(3)
        lines += [f"### {metric}", "", table.to_markdown(), ""]
    return "\n".join(lines)


def _wins(means, sampler="gan"):
    quality = means[means.index.get_level_values("metric").isin(QUALITY)]
    diff = quality[sampler] - quality["smote"]
    name = sampler.upper()
    return (f"{name} better in {(diff > 0).sum()}, SMOTE better in {(diff < 0).sum()}, "
            f"tied in {(diff == 0).sum()} of {len(diff)} cells; "
            f"median difference {name} - SMOTE {diff.median():+.4f}.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(list_datasets()))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--sampler", choices=["gan", "vae"], default="gan",
                        help="the neural sampler to compare (default: gan)")
    parser.add_argument("--params", "--gan-params", type=json.loads, default={},
                        help='its parameters for ablations, as JSON, '
                             'e.g. \'{"anchor": "neighbors"}\'')
    parser.add_argument("--auto-updates", type=int, default=None,
                        help="ablation: minibatch updates that epochs='auto' targets "
                             "(the neural sampler's class default otherwise)")
    args = parser.parse_args(argv)
    if args.auto_updates is not None:
        import imblearn_gan

        sampler_class = {"gan": imblearn_gan.GANOverSampler,
                         "vae": imblearn_gan.VAEOverSampler}[args.sampler]
        sampler_class._auto_updates = args.auto_updates
    start = time.perf_counter()
    rows = run_benchmark(args.datasets.split(","), ["none", "smote", args.sampler],
                         ["logreg", "hgb"], n_splits=5, random_state=0,
                         sampler_params={args.sampler: args.params},
                         metrics=[*QUALITY, "fit_time"],
                         progress=lambda m: print(m, file=sys.stderr, flush=True))
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "quality" if args.sampler == "gan" else f"quality_{args.sampler}"
    pd.DataFrame(rows).to_csv(args.out / f"{stem}_rows.csv", index=False)
    text = report(rows, args.sampler)
    (args.out / f"{stem}.md").write_text(
        f"<!-- written by benchmarks/quality.py in {time.perf_counter() - start:.0f} s -->\n"
        + text + "\n")
    print(text)


if __name__ == "__main__":
    main()
