"""Latent features of BiGAN and InfoGAN, measured against k-means, raw columns and PCA.

    python benchmarks/run_latent.py                   # writes benchmarks/results/latent/
    python benchmarks/run_latent.py --out /tmp/try --repeats 1

Four parts, every model at its default settings except the code widths named below:

1. **Digits without labels**: ``InfoGAN`` (10 categories) on all 1,797 images; the accuracy of
   its categorical code after the Hungarian matching of categories to digits
   (``scipy.optimize.linear_sum_assignment``), against k-means (10 clusters, ``n_init=10``)
   on the raw pixels with the same matching, and against InfoGAN with the ``"wgan-gp"`` loss
   (3 critic updates); one seed per repeat. Then how near BiGAN's
   ``inverse_transform(transform(x))`` comes to ``x``, with either loss, beside PCA's.
2. **Digits with few labels**: per repeat, a stratified split (70% train, 30% test); the
   feature maps are fitted on every training image without labels, then a logistic
   regression on the features of 10 or 50 labelled images per digit; test accuracy. Features:
   the raw pixels, PCA of 12 components, ``BiGAN(n_components=12)`` and ``InfoGAN`` (10
   category probabilities + 2 continuous codes = 12 columns).
3. **Imbalanced tables**: three bundled numeric problems, repeated stratified 5-fold CV; in
   each training fold a pipeline (feature map, standardisation, logistic regression with
   ``class_weight="balanced"``); test balanced accuracy and PR-AUC. Features: raw columns, PCA of 4 components,
   ``BiGAN(n_components=4)``, ``InfoGAN(n_categories=2, n_continuous=2)`` (4 columns).

Every fit runs with one torch thread (the package's default ``n_threads=1``) and one BLAS
thread, one fit at a time, so the fit times are those of one core of the machine; a last
part times each model once with ``n_threads=1`` and ``n_threads=2`` on the digits and on
the largest table. Writes ``rows.csv`` (part, dataset, method, repeat, fold, labels, metric,
value), ``summary.md`` and ``run.json`` (machine, versions, command, seconds).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, balanced_accuracy_score
from sklearn.model_selection import RepeatedStratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from imblearn_gan.datasets import load_dataset
from imblearn_gan.latent import BiGAN, InfoGAN

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_suite import git, machine_info, versions  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("ecoli3", "vehicle1", "yeast6")
LABELS_PER_CLASS = (10, 50)
DISTRIBUTIONS = ["numpy", "scipy", "pandas", "scikit-learn", "imbalanced-learn", "torch",
                 "threadpoolctl", "imblearn-gan"]


# -- helpers --------------------------------------------------------------------------
def matched_accuracy(labels, codes):
    """Accuracy of cluster codes after the best one-to-one matching to labels."""
    counts = np.zeros((codes.max() + 1, labels.max() + 1))
    np.add.at(counts, (codes, labels), 1)
    rows, cols = linear_sum_assignment(-counts)
    return counts[rows, cols].sum() / len(labels)


def feature_maps(width, seed, n_categories):
    """name -> unfitted feature map of ``width`` columns (raw: the identity)."""
    return {
        "raw": FunctionTransformer(),
        f"PCA({width})": PCA(width, random_state=seed),
        f"BiGAN({width})": BiGAN(n_components=width, random_state=seed),
        f"InfoGAN({n_categories}+{width - n_categories})": InfoGAN(
            n_categories=n_categories, n_continuous=width - n_categories, random_state=seed),
    }


def timed_fit(model, X):
    start = time.perf_counter()
    model.fit(X)
    return time.perf_counter() - start


# -- the three parts ------------------------------------------------------------------
def digits_clustering(repeats, emit):
    X, y = load_digits(return_X_y=True)
    for seed in range(repeats):
        for name, model in [("InfoGAN(10+2)", InfoGAN(random_state=seed)),
                            ("InfoGAN(10+2), wgan-gp", InfoGAN(loss="wgan-gp", n_critic=3,
                                                               random_state=seed)),
                            ("k-means(10)", KMeans(10, n_init=10, random_state=seed))]:
            seconds = timed_fit(model, X)
            codes = model.predict(X)
            emit(part="clustering", dataset="digits", method=name, repeat=seed,
                 metric="matched_accuracy", value=matched_accuracy(y, codes))
            emit(part="clustering", dataset="digits", method=name, repeat=seed,
                 metric="fit_time", value=seconds)


def digits_reconstruction(repeats, emit):
    """How near ``inverse_transform(transform(x))`` comes to ``x``: the share of images
    nearer to their reconstruction than a random other image is, and the ratio of the mean
    distances (1: no better than a random image)."""
    X, _ = load_digits(return_X_y=True)
    for seed in range(repeats):
        other = X[np.random.RandomState(seed).permutation(len(X))]
        for name, model in [("BiGAN(12)", BiGAN(n_components=12, random_state=seed)),
                            ("BiGAN(12), bce", BiGAN(n_components=12, loss="bce", n_critic=1,
                                                     random_state=seed)),
                            ("PCA(12)", PCA(12, random_state=seed))]:
            seconds = timed_fit(model, X)
            rebuilt = model.inverse_transform(model.transform(X))
            own = np.linalg.norm(rebuilt - X, axis=1)
            rand = np.linalg.norm(rebuilt - other, axis=1)
            for metric, value in [("nearer_share", np.mean(own < rand)),
                                  ("distance_ratio", own.mean() / rand.mean()),
                                  ("fit_time", seconds)]:
                emit(part="reconstruction", dataset="digits", method=name, repeat=seed,
                     metric=metric, value=value)


def digits_few_labels(repeats, emit):
    X, y = load_digits(return_X_y=True)
    for seed in range(repeats):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, stratify=y, random_state=seed)
        rng = np.random.RandomState(seed)
        labelled = {n: np.concatenate([rng.choice(np.flatnonzero(y_train == d), n,
                                                  replace=False) for d in range(10)])
                    for n in LABELS_PER_CLASS}
        for name, model in feature_maps(12, seed, 10).items():
            seconds = timed_fit(model, X_train)  # unsupervised: every training image
            emit(part="few_labels", dataset="digits", method=name, repeat=seed,
                 metric="fit_time", value=seconds)
            F_train, F_test = model.transform(X_train), model.transform(X_test)
            for n, rows in labelled.items():
                clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
                clf.fit(F_train[rows], y_train[rows])
                emit(part="few_labels", dataset="digits", method=name, repeat=seed,
                     labels=n, metric="accuracy", value=clf.score(F_test, y_test))


def imbalanced_tables(repeats, emit):
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=0)
    for dataset in TABLES:
        X, y = load_dataset(dataset)
        X = np.asarray(X, dtype=np.float64)
        for fold, (train, test) in enumerate(cv.split(X, y)):
            for name, model in feature_maps(4, fold, 2).items():
                pipe = make_pipeline(model, StandardScaler(), LogisticRegression(
                    max_iter=2000, class_weight="balanced"))
                start = time.perf_counter()
                pipe.fit(X[train], y[train])
                seconds = time.perf_counter() - start
                score = pipe.predict_proba(X[test])[:, 1]
                common = {"part": "tables", "dataset": dataset, "method": name,
                          "repeat": fold // 5, "fold": fold % 5}
                emit(**common, metric="balanced_accuracy",
                     value=balanced_accuracy_score(y[test], pipe.predict(X[test])))
                emit(**common, metric="pr_auc", value=average_precision_score(y[test], score))
                emit(**common, metric="fit_time", value=seconds)


def thread_timings(emit):
    digits, _ = load_digits(return_X_y=True)
    table = np.asarray(load_dataset(TABLES[-1])[0], dtype=np.float64)
    for dataset, X, width, k in [("digits", digits, 12, 10), (TABLES[-1], table, 4, 2)]:
        for n_threads in (1, 2):
            with threadpool_limits(n_threads):
                for name, model in [
                        (f"BiGAN({width})", BiGAN(n_components=width, n_threads=n_threads,
                                                  random_state=0)),
                        (f"InfoGAN({k}+{width - k})", InfoGAN(
                            n_categories=k, n_continuous=width - k, n_threads=n_threads,
                            random_state=0))]:
                    emit(part="threads", dataset=dataset, method=name, threads=n_threads,
                         metric="fit_time", value=timed_fit(model, X))


# -- summary ----------------------------------------------------------------------------
def _table(frame, index, columns, digits=3, names=None):
    """Mean ± standard deviation (mean alone for a single value) per cell;
    ``names`` renames the columns (``{value: header}``)."""
    frame = frame.assign(**{c: frame[c].map(lambda v: int(v) if isinstance(v, float) else v)
                            for c in columns if frame[c].dtype == float})
    groups = frame.groupby(index + columns).value
    cells = groups.mean().map(lambda v: f"{v:.{digits}f}") + groups.std().map(
        lambda v: "" if np.isnan(v) else f" ± {v:.{digits}f}")
    wide = cells.unstack(columns)
    if names:
        wide = wide[[c for c in names if c in wide.columns]].rename(columns=names)
    text = wide.reset_index()
    head = "| " + " | ".join(str(c) for c in text.columns) + " |"
    rule = "|" + "|".join("---" if i < len(index) else "--:"
                          for i in range(len(text.columns))) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in text.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def summarize(rows, run):
    m, v = run["machine"], run["versions"]
    repeats = run["repeats"]
    cluster = rows[rows.part == "clustering"]
    rebuilt = rows[rows.part == "reconstruction"]
    few = rows[rows.part == "few_labels"]
    tables = rows[rows.part == "tables"]
    threads = rows[rows.part == "threads"]
    lines = [
        "# Latent features: BiGAN and InfoGAN", "",
        (f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM; Python "
         f"{v['python']}, torch {v['torch']}, scikit-learn {v['scikit-learn']}, "
         f"imblearn-gan {v['imblearn-gan']}. {run['seconds']:.0f} s in all; one torch and one "
         "BLAS thread per fit, one fit at a time. Mean ± standard deviation over repeats "
         "(tables: over repeats x folds)."), "",
        "## Digits without labels", "",
        (f"Accuracy of the 10 categories after the Hungarian matching to the digits, all 1,797 "
         f"images, {repeats} seeds; fit seconds:"), "",
        _table(cluster, ["method"], ["metric"],
               names={"matched_accuracy": "matched accuracy", "fit_time": "fit s"}), "",
        "## Reconstruction through the codes", "",
        ("`inverse_transform(transform(X))` on all 1,797 digits: the share of images nearer to "
         "their reconstruction than a random other image is (0.5: chance), the mean distance "
         "to the reconstruction over the mean distance to a random image (1: chance), fit "
         f"seconds; {repeats} seeds:"), "",
        _table(rebuilt, ["method"], ["metric"],
               names={"nearer_share": "nearer than a random image",
                      "distance_ratio": "distance ratio", "fit_time": "fit s"}), "",
        "## Digits with few labels", "",
        (f"Test accuracy of a logistic regression on each feature map (fitted without labels "
         f"on the 1,257 training images) from 10 or 50 labelled images per digit; {repeats} "
         "splits:"), "",
        _table(few[few.metric == "accuracy"], ["method"], ["labels"],
               names={n: f"{n} labels per digit" for n in LABELS_PER_CLASS}), "",
        "Fit seconds of the feature maps on the 1,257 training images:", "",
        _table(few[few.metric == "fit_time"], ["method"], ["metric"], digits=2,
               names={"fit_time": "fit s"}), "",
        "## Imbalanced tables", "",
        (f"Logistic regression (`class_weight=\"balanced\"`) after each feature map, "
         f"repeated stratified 5-fold CV "
         f"({repeats} repeats): balanced accuracy and PR-AUC on the test folds, pipeline fit "
         "seconds:"), "",
        _table(tables, ["dataset", "method"], ["metric"],
               names={"balanced_accuracy": "balanced accuracy", "pr_auc": "PR-AUC",
                      "fit_time": "fit s"}), "",
        "## Fit seconds by thread setting", "",
        ("One fit of each model (default settings, widths as above) with `n_threads=1` and "
         "`n_threads=2` (and as many BLAS threads):"), "",
        _table(threads, ["dataset", "method"], ["threads"], digits=2,
               names={1: "fit s, 1 thread", 2: "fit s, 2 threads"}), "",
    ]
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/latent"),
                        help="result folder (default: benchmarks/results/latent)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="seeds / splits / CV repeats per part (default: 3)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    records = []

    def emit(**row):
        records.append(row)
        print(row, flush=True)

    start = time.perf_counter()
    with threadpool_limits(1):
        digits_clustering(args.repeats, emit)
        digits_reconstruction(args.repeats, emit)
        digits_few_labels(args.repeats, emit)
        imbalanced_tables(args.repeats, emit)
    thread_timings(emit)
    columns = ["part", "dataset", "method", "repeat", "fold", "labels", "threads", "metric",
               "value"]
    rows = pd.DataFrame(records).reindex(columns=columns)
    run = {"argv": ["python", "benchmarks/run_latent.py", *(sys.argv[1:] if argv is None
                                                              else argv)],
           "machine": machine_info(), "versions": versions(DISTRIBUTIONS),
           "commit": git("rev-parse", "HEAD"),
           "date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "repeats": args.repeats,
           "tables": list(TABLES), "seconds": time.perf_counter() - start}
    args.out.mkdir(parents=True, exist_ok=True)
    rows.to_csv(args.out / "rows.csv", index=False)
    (args.out / "run.json").write_text(json.dumps(run, indent=1) + "\n")
    (args.out / "summary.md").write_text(summarize(rows, run))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
