"""Why a sampler's balanced accuracy moved: recall and specificity per classifier.

Balanced accuracy is the mean of the minority's recall and the majority's
recall (specificity). This script cross-validates samplers exactly as
``quality.py`` does (5-fold stratified CV, seed 0, resampling inside the
pipeline, every bundled dataset) and reports the mean of each rate over
datasets, with the number of datasets where each sampler's recall is above
SMOTE's. Reproduce the published table with::

    PYTHONPATH=. python benchmarks/recall_by_sampler.py --jobs 2

Writes benchmarks/results/recall_by_sampler.md.
"""

import argparse
import time
from pathlib import Path

import pandas as pd

from imblearn_gan.bench import run_benchmark
from imblearn_gan.datasets import list_datasets

RESULTS = Path(__file__).parent / "results"
METRICS = ["recall", "specificity", "balanced_accuracy"]


def report(rows):
    """Mean of each rate per classifier and sampler, and recall wins over SMOTE."""
    frame = pd.DataFrame(rows)
    means = frame.pivot_table(index=["classifier", "dataset", "sampler"], columns="metric",
                              values="value", aggfunc="mean")
    overall = means.groupby(level=["classifier", "sampler"]).mean()[METRICS]
    recall = means["recall"].unstack("sampler")
    overall["datasets with recall above SMOTE's"] = [
        "-" if sampler == "smote" else
        f"{int((recall.loc[clf][sampler] > recall.loc[clf]['smote']).sum())} of "
        f"{len(recall.loc[clf])}"
        for clf, sampler in overall.index]
    return overall.round(3).to_markdown()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(list_datasets()))
    parser.add_argument("--samplers", default="none;smote;gan",
                        help="';'-separated sampler specs (default: %(default)s)")
    parser.add_argument("--classifiers", default="hgb,logreg")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = run_benchmark(args.datasets.split(","), args.samplers.split(";"),
                         args.classifiers.split(","), n_splits=5, random_state=0,
                         metrics=METRICS, n_jobs=args.jobs)
    text = report(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "recall_by_sampler.md").write_text(
        f"<!-- written by benchmarks/recall_by_sampler.py --samplers '{args.samplers}' "
        f"--classifiers {args.classifiers} in {time.perf_counter() - start:.0f} s -->\n"
        "Means over datasets of the 5-fold means (seed 0).\n\n" + text + "\n")
    print(text)


if __name__ == "__main__":
    main()
