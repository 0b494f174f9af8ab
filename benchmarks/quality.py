"""Quality benchmark: GANOverSampler (or VAEOverSampler) vs SMOTE vs no resampling.

5-fold stratified CV, LogisticRegression and HistGradientBoosting, resampling
inside an imblearn Pipeline on the training folds only, on every bundled
dataset (18: scikit-learn's digits '3' vs rest made 1:10, breast cancer made
1:9, 15 KEEL problems and wine-2). Reproduce the published table with::

    PYTHONPATH=. python benchmarks/quality.py

(about 23 minutes on 2 cores). Writes benchmarks/results/quality_rows.csv and
benchmarks/results/quality.md. The same comparison for the VAE::

    PYTHONPATH=. python benchmarks/quality.py --sampler vae

writes benchmarks/results/quality_vae_rows.csv and quality_vae.md.

One seed cannot separate two samplers this close (floating-point rounding
alone moves the GAN's mean rank by up to 0.13). ``--seeds`` repeats the whole
comparison with several CV seeds (folds, samplers and classifiers all
reseeded) and ranks the mean over all folds of each cell::

    PYTHONPATH=. python benchmarks/quality.py --seeds 0,1,2,3,4 --jobs 2

(about 46 minutes with ``--jobs 2``, which runs two fits at once with the same
scores). It writes one rows file per seed (``quality_rows.csv`` for seed 0,
``quality_rows_seed{N}.csv`` for the others) and ``quality_seeds.md``;
``--reuse`` loads a seed's rows file when it exists instead of running that
seed again. ``--params`` passes other parameters to the neural sampler, as
JSON; with ``--out DIR`` an ablation leaves the files in ``results/`` alone.
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
    fit = _fit_times(pd.DataFrame(rows))
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


def report_seeds(frames, sampler="gan", reused=()):
    """Markdown for the multi-seed protocol: ranks of the pooled means, the
    same ranks seed by seed, per-dataset ranks and a Wilcoxon test over datasets."""
    from scipy.stats import wilcoxon

    pooled = pd.concat(frames.values(), ignore_index=True)
    means, ranks = summarize(pooled, quality_metrics=QUALITY)
    per_seed = pd.DataFrame({f"seed {seed}" + (" (reused rows)" if seed in reused else ""):
                             summarize(frame, quality_metrics=QUALITY)[1].loc[("ALL", "ALL")]
                             for seed, frame in frames.items()}).T
    quality = means[means.index.get_level_values("metric").isin(QUALITY)]
    cell_ranks = quality.rank(axis=1, ascending=False)
    by_dataset = cell_ranks.groupby(level="dataset").mean()
    p_value = wilcoxon(by_dataset[sampler], by_dataset["smote"], zero_method="zsplit").pvalue
    name = sampler.upper()
    ahead = (per_seed[sampler] <= per_seed["smote"]).sum()
    lines = [(f"Seeds: {', '.join(map(str, frames))}; each cell is the mean over "
              f"{len(frames)} x 5 folds."), "",
             "## Mean ranks of the pooled means (1 = best; 3 samplers)", "",
             ranks.round(3).to_markdown(), "",
             "## Overall mean rank, seed by seed", "", per_seed.round(3).to_markdown(), "",
             f"{name} at least as good as SMOTE in {ahead} of {len(per_seed)} seeds.", "",
             f"## {name} vs SMOTE, head to head on the pooled means", "",
             _wins(means, sampler), "",
             "## Mean rank per dataset (pooled means, 2 classifiers x 5 metrics)", "",
             by_dataset.round(2).to_markdown(), "",
             (f"Wilcoxon signed-rank test over the {len(by_dataset)} datasets, {name} vs SMOTE "
              f"per-dataset mean rank: p = {p_value:.3f}."), "",
             "## Median pipeline fit time per fold (s), all seeds", "",
             _fit_times(pooled).round(3).to_markdown(), ""]
    return "\n".join(lines)


def _fit_times(frame):
    return frame[frame.metric == "fit_time"].groupby(["sampler", "classifier"]).value.median()


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
                             'e.g. \'{"n_critic": 1}\'')
    parser.add_argument("--seeds", default="0",
                        help="comma-separated CV seeds; more than one runs the "
                             "multi-seed protocol (default: 0)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="parallel pipeline fits (one torch thread each; the "
                             "scores do not depend on it, the fit times do)")
    parser.add_argument("--reuse", action="store_true",
                        help="multi-seed: load a seed's rows file when it exists")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "quality" if args.sampler == "gan" else f"quality_{args.sampler}"
    seeds = [int(seed) for seed in args.seeds.split(",")]
    frames, reused = {}, []
    for seed in seeds:
        # seed 0's rows are the single-seed run's file
        path = args.out / (f"{stem}_rows.csv" if seed == 0 else f"{stem}_rows_seed{seed}.csv")
        if len(seeds) > 1 and args.reuse and path.exists():
            frames[seed] = pd.read_csv(path)
            reused.append(seed)
            continue
        rows = run_benchmark(args.datasets.split(","), ["none", "smote", args.sampler],
                             ["logreg", "hgb"], n_splits=5, random_state=seed,
                             sampler_params={args.sampler: args.params},
                             metrics=[*QUALITY, "fit_time"], n_jobs=args.jobs,
                             progress=lambda m: print(m, file=sys.stderr, flush=True))
        frames[seed] = pd.DataFrame(rows)
        frames[seed].to_csv(path, index=False)
    if len(seeds) == 1:
        text, name = report(frames[seeds[0]], args.sampler), f"{stem}.md"
    else:
        text, name = report_seeds(frames, args.sampler, reused), f"{stem}_seeds.md"
    (args.out / name).write_text(
        f"<!-- written by benchmarks/quality.py --seeds {args.seeds}"
        + (f" --sampler {args.sampler}" if args.sampler != "gan" else "")
        + (f" --params '{json.dumps(args.params)}'" if args.params else "")
        + " in "
        f"{time.perf_counter() - start:.0f} s"
        + (f"; rows of seed(s) {reused} reused" if reused else "") + " -->\n"
        + text + "\n")
    print(text)

if __name__ == "__main__":
    main()
