"""Near-copy rates of GAN, VAE, AAE and SMOTE rows on the bundled datasets.

For each dataset every sampler (defaults, ``random_state=0``) balances the
full table with ``fit_resample``; the generated minority rows are then
measured in one shared encoding (``TabularEncoder``: z-scored numbers,
one-hot categories), with ``imblearn_gan.backend.copies``:

- DCR: each generated row's distance to its closest training row (any class);
- scale: the median distance of the minority's distinct training rows to
  their nearest other minority row;
- near-copy rate at ratio r: the fraction of generated rows with DCR < r x
  scale (r = 0 counts exact copies only: DCR == 0).

Reproduce from the repository root (a few minutes on 2 cores)::

    PYTHONPATH=. python benchmarks/vae_copies.py

Writes ``benchmarks/results/vae_copies.md`` and ``vae_copies.json``.
"""

import argparse
import sys

import numpy as np
from _common import RESULTS_DIR, machine, markdown_table, timed, write_json

from imblearn_gan import GANOverSampler, VAEOverSampler
from imblearn_gan.backend import TabularEncoder
from imblearn_gan.backend.copies import closest_record_distances, nn_distance_scale
from imblearn_gan.datasets import list_datasets, load_dataset

RATIOS = (0.0, 0.1, 0.25, 0.5)


def smote(X):
    """SMOTE for numeric tables, SMOTENC for mixed ones, SMOTEN for all-categorical
    (as in the quality benchmark)."""
    from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC

    kinds = [str(d) in ("category", "object", "bool") for d in X.dtypes]
    if all(kinds):
        return SMOTEN(random_state=0)
    if any(kinds):
        return SMOTENC(categorical_features="auto", random_state=0)
    return SMOTE(random_state=0)


SAMPLERS = {
    "gan": lambda X: GANOverSampler(random_state=0),
    "vae": lambda X: VAEOverSampler(random_state=0),
    "aae": lambda X: VAEOverSampler(model="aae", random_state=0),
    "smote": smote,
}


def measure(X, y, X_new):
    """Near-copy rates of the new rows, per ratio, and their median DCR / scale."""
    encoder = TabularEncoder().fit(X)
    Z_train, Z_new = encoder.transform(X), encoder.transform(X_new)
    minority = np.unique(y)[np.argmin(np.unique(y, return_counts=True)[1])]
    scale = nn_distance_scale(Z_train[y == minority])
    dcr = closest_record_distances(Z_new, Z_train)
    rates = {f"{r:g}": float(np.mean(dcr == 0) if r == 0 else np.mean(dcr < r * scale))
             for r in RATIOS}
    return {"rates": rates, "median_dcr_over_scale": float(np.median(dcr) / scale),
            "scale": scale, "n_new": len(dcr)}


def run(datasets, samplers):
    results = []
    for name in datasets:
        X, y = load_dataset(name, as_frame=True)
        y = np.asarray(y)
        for s_name in samplers:
            sampler = SAMPLERS[s_name](X)
            seconds, (X_res, _) = timed(sampler.fit_resample, X, y)
            row = {"dataset": name, "sampler": s_name, "fit_s": seconds,
                   **measure(X, y, X_res.iloc[len(X):])}
            if hasattr(sampler, "near_copy_rate_"):  # the sampler's own probe, at copy_threshold
                row["near_copy_rate_attr"] = sampler.near_copy_rate_
            results.append(row)
            print(f"{name} {s_name} {seconds:.1f}s {row['rates']}", file=sys.stderr, flush=True)
    return results


def report(results, samplers):
    lines = ["## Near-copy rate at 0.25 x the minority's median NN distance (%)", ""]
    datasets = list(dict.fromkeys(r["dataset"] for r in results))
    cell = {(r["dataset"], r["sampler"]): r for r in results}
    lines.append(markdown_table(
        ["dataset", *samplers],
        [[d, *(100 * cell[d, s]["rates"]["0.25"] for s in samplers)] for d in datasets]))
    lines += ["", "## Mean over datasets: near-copy rate (%) per ratio, median DCR / scale", ""]
    rows = []
    for s in samplers:
        mine = [r for r in results if r["sampler"] == s]
        rows.append([s, *(100 * np.mean([r["rates"][f"{q:g}"] for r in mine]) for q in RATIOS),
                     float(np.median([r["median_dcr_over_scale"] for r in mine]))])
    lines.append(markdown_table(
        ["sampler", *(("exact copies" if q == 0 else f"< {q:g} x scale") for q in RATIOS),
         "median DCR / scale (median over datasets)"], rows))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(list_datasets()))
    parser.add_argument("--samplers", default=",".join(SAMPLERS))
    parser.add_argument("--out", default=str(RESULTS_DIR / "vae_copies.md"))
    parser.add_argument("--json", default=str(RESULTS_DIR / "vae_copies.json"))
    args = parser.parse_args(argv)
    meta = machine()
    samplers = args.samplers.split(",")
    results = run(args.datasets.split(","), samplers)
    text = report(results, samplers)
    from pathlib import Path

    Path(args.out).write_text(
        "<!-- written by benchmarks/vae_copies.py; see its docstring -->\n" + text + "\n")
    write_json({"machine": meta, "ratios": RATIOS, "results": results}, args.json)
    print(text)


if __name__ == "__main__":
    main()
