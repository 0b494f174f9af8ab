"""GridSearchCV with a GAN step: wall time with n_jobs=1 against n_jobs=2.

``GridSearchCV(make_pipeline(GANOverSampler(...), LogisticRegression()),
n_jobs=...)`` on the bundled ``yeast4`` table (1,484 rows, 8 features), 3
stratified folds x 2 values of C (6 pipeline fits per search). The GAN's
``n_threads`` (torch intra-op threads during its fit) is 1 (the default) or
2; with n_jobs=2 and n_threads=2 the two workers ask for 4 threads on a
2-core machine (oversubscription). Every configuration runs ``--repeats``
times after one warm-up search (which starts joblib's workers); the table
gives the median and the best time, the torch thread count seen inside the
workers, and whether the scores equal those of the serial run::

    python benchmarks/grid_parallel.py

Writes benchmarks/results/grid_parallel.md and grid_parallel.json.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # _common, and the package without install
from _common import machine, markdown_table, write_json
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from imblearn_gan import GANOverSampler
from imblearn_gan.datasets import load_dataset
from imblearn_gan.pipeline import make_pipeline

RESULTS = HERE / "results"
CONFIGS = [(1, 1), (2, 1), (1, 2), (2, 2)]  # (n_jobs, n_threads)


def torch_threads_scorer(estimator, X, y):
    """A "score": torch's intra-op thread count in the process scoring the fold."""
    import torch

    return float(torch.get_num_threads())


def search(X, y, n_jobs, n_threads, epochs):
    gan = GANOverSampler(epochs=epochs, n_threads=n_threads, device="cpu", random_state=0)
    pipe = make_pipeline(gan, LogisticRegression(max_iter=1000))
    grid = GridSearchCV(
        pipe, {"logisticregression__C": [0.1, 1.0]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        scoring={"auc": "roc_auc", "threads": torch_threads_scorer}, refit=False,
        n_jobs=n_jobs,
    )
    start = time.perf_counter()
    grid.fit(X, y)
    return time.perf_counter() - start, grid.cv_results_


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="yeast4")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--markdown-only", action="store_true",
                        help="rewrite grid_parallel.md from grid_parallel.json")
    args = parser.parse_args(argv)
    path = RESULTS / "grid_parallel.json"
    if not args.markdown_only:
        measure(args, path)
    write_markdown(json.loads(path.read_text()))


def measure(args, path):
    info = machine()
    X, y = load_dataset(args.dataset)
    runs = []
    for n_jobs, n_threads in CONFIGS:
        search(X, y, n_jobs, n_threads, 1)  # warm-up: starts the workers
        times, results = [], None
        for _ in range(args.repeats):
            seconds, results = search(X, y, n_jobs, n_threads, args.epochs)
            times.append(seconds)
        runs.append({
            "n_jobs": n_jobs, "n_threads": n_threads, "seconds": times,
            "median_s": float(np.median(times)), "best_s": float(min(times)),
            "worker_torch_threads": sorted(set(results["mean_test_threads"].tolist())),
            "mean_test_auc": results["mean_test_auc"].tolist(),
        })
        print(runs[-1], flush=True)
    write_json({"machine": info, "dataset": args.dataset, "epochs": args.epochs,
                "repeats": args.repeats, "runs": runs}, path)


def write_markdown(payload):
    runs, info = payload["runs"], payload["machine"]
    serial = runs[0]["median_s"]
    # the same n_threads, one process: the reference scores (2 threads sum
    # floats in another order than 1, so their scores differ in the last bits)
    reference = {r["n_threads"]: r["mean_test_auc"] for r in runs if r["n_jobs"] == 1}
    rows = [[r["n_jobs"], r["n_threads"], r["median_s"], r["best_s"],
             serial / r["median_s"], r["n_jobs"] * r["n_threads"],
             ", ".join(f"{t:g}" for t in r["worker_torch_threads"]),
             "yes" if r["mean_test_auc"] == reference[r["n_threads"]] else "NO"]
            for r in runs]
    text = "\n".join([
        "# GridSearchCV with a GAN step: n_jobs=1 vs n_jobs=2", "",
        (f"`{' '.join(info['argv'])}`. Started {info['started']}; "
         f"{info['cpu_count']} CPU cores; load average at start "
         f"{info['load_average_at_start']}, at end {info['load_average_at_end']}."), "",
        (f"Dataset {payload['dataset']}; `GridSearchCV(make_pipeline(GANOverSampler(epochs="
         f"{payload['epochs']}, n_threads=...), LogisticRegression()), "
         "{'logisticregression__C': [0.1, 1.0]}, cv=3)`: 6 pipeline fits per search; "
         f"{payload['repeats']} timed searches per row (seconds: "
         + "; ".join(", ".join(f"{t:.1f}" for t in r["seconds"]) for r in runs)
         + ") after a warm-up search that starts the workers."), "",
        markdown_table(["n_jobs", "GAN n_threads", "median s", "best s",
                        "speed-up vs row 1", "threads asked", "torch threads in workers",
                        "same scores as n_jobs=1"], rows), "",
        ("\"torch threads in workers\" is `torch.get_num_threads()` where each fold was "
         "scored (the main process for n_jobs=1; outside the GAN's fit, which sets `n_threads` for its own duration). "
         "\"same scores\" compares with the n_jobs=1 row of the same n_threads."), "",
    ])
    (RESULTS / "grid_parallel.md").write_text(text)
    print(f"wrote {RESULTS / 'grid_parallel.md'}")


if __name__ == "__main__":
    main()
