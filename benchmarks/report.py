"""Build ``benchmarks/results/SUMMARY.md`` from the result folders.

    python benchmarks/report.py          # write SUMMARY.md
    python benchmarks/report.py --check  # exit 1 if SUMMARY.md is not what the folders give

Every figure in SUMMARY.md is read from a folder that one command writes (the command is
printed above its figures): ``imblearn-gan bench --config benchmarks/configs/NAME.toml`` for the
quality comparisons, ``python benchmarks/run_suite.py`` for speed and memory. The documentation's
Performance page includes SUMMARY.md, so it shows the same figures. Uses only the package's
public API.
"""

import argparse
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from imblearn_gan.bench import compare, head_to_head

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SUMMARY = RESULTS / "SUMMARY.md"
RANKED = ["balanced_accuracy", "f1", "g_mean", "roc_auc", "pr_auc"]
CLASSIFIER_NAMES = {"logreg": "LogisticRegression", "hgb": "HistGradientBoosting",
                    "minirocket": "MiniRocket"}

# (folder, title, what it shows[, table]); the folder's run.json names the command. The main
# table is the mean ranks unless the entry names another: "log_loss" (test log-loss per dataset)
QUALITY = [
    ("quality_seeds", "The VAE over five CV repetitions",
     ("VAEOverSampler at its defaults against SMOTE (SMOTENC / SMOTEN on "
      "tables with categorical columns) and no resampling on the 18 bundled problems, 5-fold "
      "CV repeated 5 times (25 folds per cell). Changes to the defaults are chosen on every "
      "other dataset of the bundled list; the head-to-head tables are repeated for those and "
      "for the nine held out.")),
    ("quality_seeds_gan", "The GAN over five CV repetitions",
     ("GANOverSampler at its defaults against SMOTE (SMOTENC / SMOTEN on tables with "
      "categorical columns) and no resampling on the 18 bundled problems, on the same 25 folds "
      "per cell as the VAE's comparison above. Changes to the defaults are chosen on every "
      "other dataset of the bundled list; the head-to-head tables are repeated for those and "
      "for the nine held out.")),
    ("peers", "The neural samplers against the strongest peers",
     ("GANOverSampler and VAEOverSampler against no resampling, a tuned decision threshold, "
      "random over-sampling, SMOTE (SMOTENC / SMOTEN on tables with categorical columns), "
      "ADASYN, Borderline-SMOTE, the three best of 85 SMOTE variants in Kovacs (2019) "
      "(polynom_fit_SMOTE_star, ProWSyn and SMOTE_IPF from smote-variants, on the one-hot "
      "encoded table) and CTGAN and TVAE (ctgan, their default 300 epochs), every sampler at "
      "its defaults, on the 18 bundled problems.")),
    ("default", "The default comparison of the command",
     "What `imblearn-gan bench` runs without options: 6 datasets, 15 samplers."),
    ("learning_curve", "Learning curves",
     "Fractions of each training fold (`--train-fraction`); logistic regression."),
    ("synthetic_quality", "Fidelity, utility and near-copies of the generated rows",
     ("The GAN, the VAE and SMOTE (SMOTENC / SMOTEN on categorical tables) on the 18 bundled "
      "problems; `--quality` runs `imblearn_gan.metrics.quality_report` on every training "
      "fold. c2st_auc: a classifier's ROC-AUC at telling generated from real minority rows "
      "(0.5: it cannot); near_copy_share: generated rows closer to a training row than the "
      "near-copy threshold; utility: balanced accuracy of a classifier trained on real plus "
      "synthetic rows.")),
    ("prior_correction", "Prior correction",
     ("Test log-loss of logistic regression after each sampler, raw and wrapped in "
      "`PriorCorrectedClassifier` (`prior_correction=true`)."), "log_loss"),
    ("series", "Series: the recurrent GAN",
     ("One series per row: `gan-lstm` (`GANOverSampler(network=\"lstm\")`, one LSTM layer of "
      "32 units on each side) against the MLP GAN, SMOTE, random over-sampling and none, on "
      "`make_waves` and aeon's ItalyPowerDemand (24 steps) and GunPoint (150 steps), each made "
      "1:10 and 1:20; logistic regression and gradient boosting on the raw steps, and "
      "MiniRocket features + logistic regression.")),
    ("loss_proportional", "LossProportionalSampler on the small tables",
     ("Every class subsampled (`sampling_strategy=\"all\"`) against keeping the minority "
      "(`\"not minority\"`, what the default `\"auto\"` does on two classes), against no "
      "resampling; a sampler meant for tables too large to train on, measured here where it "
      "is not needed.")),
]
SPEED = [
    ("small_fit", "Small fits: time per update, op count and the eager floor"),
    ("speed_quick", "Speed and memory (quick suite)"),
    ("speed_full", "Speed and memory (full suite, the benchmarks its command selects)"),
    ("scale", "The selection samplers at scale, on dask"),
    ("designs", "Sampling designs of LossProportionalSampler"),
    ("series_tstr", "Series: train on synthetic, test on real"),
    ("latent", "Latent features: BiGAN and InfoGAN"),
]


def _fmt(value, digits=3):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.1g}" if 0 < abs(value) < 0.5 * 10**-digits else f"{value:.{digits}f}"
    return str(value)


def _markdown(frame, digits=3):
    frame = frame.reset_index()
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" if frame[c].dtype == object else "--:" for c in frame.columns) + "|"
    body = ["| " + " | ".join(_fmt(v, digits) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _command(run):
    config = run["config"]
    if config.get("config_file"):
        return f"imblearn-gan bench --config {config['config_file']}"
    return "imblearn-gan bench " + " ".join(config["argv"])


def _machine(env):
    libraries = ", ".join(f"{name} {env[name]}" for name in
                          ("imblearn_gan", "torch", "scikit-learn", "imbalanced-learn", "ctgan")
                          if env.get(name))
    return f"{env.get('processor')}, {env.get('cpu_count')} cores, Python {env.get('python')}; {libraries}"


def _rank_table(rows, table):
    """Samplers by mean rank per classifier and overall; median fit time."""
    ranked = table[table.metric.isin(RANKED)]
    wide = ranked.groupby(["sampler", "classifier"]).mean_rank.mean().unstack("classifier")
    wide = wide.rename(columns=lambda c: f"rank, {CLASSIFIER_NAMES.get(c, c)}")
    overall = "rank, all" if ranked.classifier.nunique() > 2 else "rank, both"
    wide[overall] = ranked.groupby("sampler").mean_rank.mean()
    fit = rows[rows.metric == "fit_time"].groupby("sampler").value.median()
    wide["median fit s"] = fit
    return wide.sort_values(overall)


def _synthetic_table(path):
    frame = pd.read_csv(path, float_precision="round_trip")
    frame = frame[frame["class"].astype(str).isin(["1", "all"])]  # the minority; utility
    per_dataset = frame.groupby(["group", "metric", "sampler", "dataset"]).value.mean()
    return per_dataset.groupby(["group", "metric", "sampler"]).mean().unstack("sampler")


def _log_loss_table(rows):
    loss = rows[rows.metric == "log_loss"]
    wide = loss.groupby(["dataset", "sampler", "classifier"]).value.mean().unstack(
        ["sampler", "classifier"])
    wide.columns = [f"{sampler}{', corrected' if 'prior_correction' in classifier else ''}"
                    for sampler, classifier in wide.columns]
    return wide[sorted(wide.columns)]


def _curve_table(rows):
    ba = rows[rows.metric == "balanced_accuracy"]
    per_dataset = ba.groupby(["sampler", "train_fraction", "dataset"]).value.mean()
    wide = per_dataset.groupby(["sampler", "train_fraction"]).mean().unstack("train_fraction")
    return wide.rename(columns=lambda f: f"balanced accuracy at {f:g}")


def _quality_section(folder, title, text, table_kind="ranks"):
    run = json.loads((folder / "run.json").read_text())
    config = run["config"]
    rows = pd.read_csv(folder / "rows.csv", float_precision="round_trip")
    lines = [f"## {title}", "", text, "", "```bash", _command(run), "```", "",
             (f"{run['n_fits']} pipeline fits in {run['seconds']:.0f} s (`--jobs "
              f"{config['jobs']}`, one thread per fit); {len(config['datasets'])} datasets, "
              f"repeated stratified CV {config['cv']} (folds x repeats), seed {config['seed']}, "
              f"{len(run['errors'])} failed fits. {_machine(run['environment'])}. Full output: "
              f"`benchmarks/results/{folder.name}/` (summary.md has every metric and dataset)."),
             ""]
    if rows.train_fraction.nunique() > 1:
        lines += ["Mean over datasets:", "", _markdown(_curve_table(rows)), ""]
        return lines
    if table_kind == "log_loss":
        lines += [("Test log-loss, mean over folds (lower is better): each sampler without and "
                   "with the correction:"), "", _markdown(_log_loss_table(rows)), ""]
        return lines
    table, _friedman = compare(rows, baseline=config["baseline"])
    lines += [("Mean rank over datasets and five metrics (balanced accuracy, F1, G-mean, ROC-AUC, "
               "PR-AUC), 1 = best; median pipeline fit time:"), "", _markdown(_rank_table(rows, table)),
              ""]
    focus = config.get("focus") or []
    subsets = [("all datasets", None)]
    categorical = [d for d in config.get("categorical_datasets") or [] if d in set(rows.dataset)]
    if categorical:
        subsets.append(((f"the {len(categorical)} datasets with categorical columns "
                         f"({', '.join(categorical)}; SMOTE there is SMOTENC or SMOTEN)"),
                        categorical))
    held_out = [d for d in config.get("held_out") or [] if d in set(rows.dataset)]
    if held_out:
        chosen_on = sorted(set(rows.dataset) - set(held_out))
        subsets += [((f"the {len(chosen_on)} datasets the defaults were chosen on "
                      f"({', '.join(chosen_on)})"), chosen_on),
                    (f"the {len(held_out)} held-out datasets ({', '.join(held_out)})", held_out)]
    for subset, datasets in subsets if focus else []:
        pairs = head_to_head(rows, focus, datasets).set_index(["focus", "peer"])
        pairs = pairs.rename(columns={"n_pairs": "pairs", "focus_rank": "rank",
                                      "peer_rank": "peer's rank", "wilcoxon_p": "Wilcoxon p",
                                      "focus_fit_s": "fit s", "peer_fit_s": "peer's fit s"})
        intro = (f"Head to head on {subset}: mean rank among all samplers per dataset and "
                 "classifier, wins and losses over dataset x classifier x metric cells, a "
                 "Wilcoxon signed-rank test over the dataset x classifier pairs, median fit "
                 "seconds:")
        lines += [intro, "", _markdown(pairs), ""]
    quality = folder / "quality.csv"
    if quality.is_file():
        lines += [("Generated minority rows (class 1; utility: both classes), "
                   "`imblearn_gan.metrics.quality_report` on every training fold against the "
                   "test fold; mean over datasets of the per-dataset mean over folds:"), "",
                  _markdown(_synthetic_table(quality)), ""]
    figure = folder / "ranks.png"
    if figure.is_file():
        lines += [f"![mean ranks, {title}]({folder.name}/ranks.png)", ""]
    return lines


def _speed_section(folder, title):
    run = json.loads((folder / "run.json").read_text())
    command = "python " + " ".join(shlex.quote(arg) for arg in run["argv"][1:])
    summary = (folder / "summary.md").read_text().strip().splitlines()
    body = summary[1:] if summary and summary[0].startswith("# ") else summary
    body = ["#" + line if line.startswith("## ") else line for line in body]
    while body and not body[0].strip():
        body = body[1:]
    return [f"## {title}", "", "```bash", command, "```", "", *body, ""]


def build():
    lines = ["# Benchmark results", "",
             ("Generated by `python benchmarks/report.py` from the folders beside this file; "
              "each section gives the command that writes its folder. Times are from one run on "
              "the machine named in the section; compare ratios within a section, not across "
              "machines. Neural samplers' scores reproduce bit for bit only on the same kind of "
              "CPU."), ""]
    for name, title, *rest in QUALITY:
        if (RESULTS / name / "rows.csv").is_file():
            lines += _quality_section(RESULTS / name, title, *rest)
    for name, title in SPEED:
        if (RESULTS / name / "summary.md").is_file():
            lines += _speed_section(RESULTS / name, title)
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 if SUMMARY.md differs from what the folders give")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        same = SUMMARY.is_file() and SUMMARY.read_text() == text
        print("SUMMARY.md is up to date" if same else "SUMMARY.md is out of date: "
              "run python benchmarks/report.py")
        return 0 if same else 1
    SUMMARY.write_text(text)
    print(f"wrote {SUMMARY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
