"""Log-loss before and after prior correction, per sampler, on bundled data.

Repeated stratified 5-fold CV (2 repeats): StandardScaler -> sampler ->
LogisticRegression in ``imblearn_gan.pipeline.Pipeline``, wrapped in
``PriorCorrectedClassifier``; the test fold is never resampled. For each
sampler the test log-loss of the pipeline's probabilities ("raw") and of the
prior-corrected ones ("corrected"); "none" is LogisticRegression on the
untouched training fold. DownsampleUpweight runs twice: with its weights
passed to the classifier ("weighted": the priors agree, the correction is
the identity) and with the classifier opted out of them ("unweighted").
Run it from the repository root::

    PYTHONPATH=. python benchmarks/prior_correction.py

Writes benchmarks/results/prior_correction.md and prior_correction.json.
"""

import argparse
import json
import time
import warnings

import numpy as np
import sklearn
from _common import RESULTS_DIR, machine, versions
from imblearn.over_sampling import SMOTE
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.preprocessing import StandardScaler

from imblearn_gan import DownsampleUpweight, GANOverSampler
from imblearn_gan.calibration import PriorCorrectedClassifier
from imblearn_gan.datasets import load_dataset
from imblearn_gan.pipeline import make_pipeline

SAMPLERS = {
    "SMOTE": lambda seed: (SMOTE(random_state=seed), True),
    "GAN": lambda seed: (GANOverSampler(random_state=seed, device="cpu"), True),
    "DownsampleUpweight (weighted)": lambda seed: (DownsampleUpweight(random_state=seed), True),
    "DownsampleUpweight (unweighted)": lambda seed: (DownsampleUpweight(random_state=seed),
                                                     False),
}


def fold_losses(X, y, train, test, name, seed):
    """Raw and corrected test log-loss of one sampler on one fold."""
    sampler, takes_weights = SAMPLERS[name](seed)
    classifier = LogisticRegression(max_iter=5000)
    if not takes_weights:
        classifier.set_fit_request(sample_weight=False)
    model = PriorCorrectedClassifier(make_pipeline(StandardScaler(), sampler, classifier))
    start = time.perf_counter()
    model.fit(X[train], y[train])
    seconds = time.perf_counter() - start
    raw = log_loss(y[test], model.estimator_.predict_proba(X[test]))
    return raw, log_loss(y[test], model.predict_proba(X[test])), seconds


def run(datasets, samplers, n_repeats):
    rows = []
    for dataset in datasets:
        X, y = load_dataset(dataset)
        cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=n_repeats, random_state=0)
        for fold, (train, test) in enumerate(cv.split(X, y)):
            base = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
            none = log_loss(y[test], base.fit(X[train], y[train]).predict_proba(X[test]))
            rows.append({"dataset": dataset, "sampler": "none", "fold": fold,
                         "raw": none, "corrected": none, "seconds": 0.0})
            for name in samplers:
                raw, corrected, seconds = fold_losses(X, y, train, test, name, fold)
                rows.append({"dataset": dataset, "sampler": name, "fold": fold,
                             "raw": raw, "corrected": corrected, "seconds": seconds})
            print(dataset, fold, flush=True)
    return rows


def report(rows):
    header = ("| dataset | sampler | log-loss raw | log-loss corrected | change | "
              "folds improved | fit s |")
    lines = [header, "|---|---|---|---|---|---|---|"]
    keys = dict.fromkeys((r["dataset"], r["sampler"]) for r in rows)
    for dataset, sampler in keys:
        sel = [r for r in rows if r["dataset"] == dataset and r["sampler"] == sampler]
        raw = np.mean([r["raw"] for r in sel])
        corrected = np.mean([r["corrected"] for r in sel])
        better = sum(r["corrected"] < r["raw"] - 1e-12 for r in sel)
        fit = np.median([r["seconds"] for r in sel])
        lines.append(f"| {dataset} | {sampler} | {raw:.4f} | {corrected:.4f} | "
                     f"{100 * (corrected / raw - 1):+.1f}% | {better}/{len(sel)} | "
                     f"{fit:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+",
                        default=["breast-cancer", "ecoli3", "yeast4", "vehicle1"])
    parser.add_argument("--samplers", nargs="+", default=list(SAMPLERS))
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    sklearn.set_config(enable_metadata_routing=True)
    warnings.simplefilter("ignore", UserWarning)
    start = time.perf_counter()
    rows = run(args.datasets, args.samplers, args.repeats)
    table = report(rows)
    meta = {"versions": versions(), "machine": machine(),
            "seconds": round(time.perf_counter() - start, 1)}
    (RESULTS_DIR / "prior_correction.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=1))
    (RESULTS_DIR / "prior_correction.md").write_text(
        "# Prior correction: test log-loss before and after\n\n"
        "Command: `PYTHONPATH=. python "
        f"{' '.join(meta['machine']['argv'])}`, "
        f"{args.repeats}x5-fold stratified CV, LogisticRegression(max_iter=5000) after "
        "StandardScaler and the sampler; means over folds. 'none' = no resampling. "
        f"Total {meta['seconds']} s.\n\n{table}\n")
    print(table)


if __name__ == "__main__":
    main()
