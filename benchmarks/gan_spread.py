"""How far GANOverSampler's rows sit from their anchors, against the kernel it learns.

With ``anchor="segment"`` (the default) the critic's real pairs are (anchor,
a point at a uniform position on the segment to one of the anchor's 5
nearest same-class rows): SMOTE's kernel. This script fits the GAN on the
whole of a few bundled tables, generates 2,000 minority rows from known
anchors and reports, in the metric the sampler finds neighbours in
(``neighbor_scaling``: min-max scaled columns by default), each row's offset
from its anchor divided by the anchor's 5th-neighbour distance (quantiles
10/50/90%), next to the same ratio for the real pairs. Then the spread *within*
one anchor: 20 rows from each of (up to) 100 minority anchors, the root mean
square distance of an anchor's offsets from their own mean (same units;
median over anchors), against the kernel's (a generator that ignores its
noise scores 0). Also: the share of generated rows (and of SMOTE's) whose
nearest training row belongs to another class, in the same metric.
Reproduce::

    PYTHONPATH=. python benchmarks/gan_spread.py

(about 4 minutes; one torch thread). Writes benchmarks/results/gan_spread.md.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from imblearn.over_sampling import SMOTE
from sklearn.neighbors import NearestNeighbors

from imblearn_gan import GANOverSampler
from imblearn_gan.datasets import load_dataset

RESULTS = Path(__file__).parent / "results"
DATASETS = ["yeast4", "yeast6", "ecoli3", "glass2", "winequality-white-3-vs-7"]
# changes from the defaults (pac=2 packs of one anchor, ema_decay=0.99)
VARIANTS = [{}, {"ema_decay": 0}, {"pack_by_anchor": False}, {"pac": 4}, {"pac": 1},
            {"pac": 1, "ema_decay": 0}, {"noise_dim": 128}, {"anchor": "mix"},
            {"anchor": "pick"}]
N_ROWS = 2000
N_ANCHORS, PER_ANCHOR = 100, 20


def _quantiles(values):
    return np.round(np.quantile(values, [0.1, 0.5, 0.9]), 2).tolist()


def spread(name, params, seed=0):
    """Offset ratios of generated rows and of real pairs, and the share of
    generated rows nearest to another class, on dataset ``name``."""
    X, y = load_dataset(name)
    sampler = GANOverSampler(random_state=seed, **params).fit(X, y)
    counts = np.array([(y == c).sum() for c in sampler.classes_])
    minority = int(np.argmin(counts))
    rng = np.random.default_rng(seed)
    own = sampler.anchors_[sampler.anchor_labels_ == minority]
    other = sampler.anchors_[sampler.anchor_labels_ != minority]
    picked = rng.integers(len(own), size=N_ROWS)
    anchor = own[picked]
    # the sampler's own generation path, from anchors chosen here
    pick = torch.as_tensor(np.flatnonzero(sampler.anchor_labels_ == minority)[picked])
    with torch.no_grad():
        rows = sampler._generate_from_anchors(pick, N_ROWS, minority,
                                              torch.Generator().manual_seed(seed))
    # measure where the neighbours are found
    own, other, anchor, rows = (to_metric(sampler, Z) for Z in (own, other, anchor, rows))
    knn = NearestNeighbors(n_neighbors=6).fit(own)
    dist, index = knn.kneighbors(anchor)  # column 0: the anchor itself
    fifth = np.maximum(dist[:, 5], 1e-12)
    generated = np.linalg.norm(rows - anchor, axis=1) / fifth
    pick = index[np.arange(N_ROWS), rng.integers(1, 6, size=N_ROWS)]
    real = rng.random(N_ROWS) * np.linalg.norm(own[pick] - anchor, axis=1) / fifth
    within = _within_anchor(sampler, minority, own, rng, seed)
    return {"generated": _quantiles(generated), "real_pairs": _quantiles(real),
            "nearest_other_class": _nearest_other(rows, own, other), **within}


def _within_anchor(sampler, minority, own, rng, seed):
    """Median over anchors of the RMS spread of one anchor's offsets around
    their mean, in 5th-neighbour units: generated rows and SMOTE's kernel.
    ``own``: the minority's training rows in the metric."""
    knn = NearestNeighbors(n_neighbors=6).fit(own)
    dist, near = knn.kneighbors(own)
    chosen = rng.choice(len(own), size=min(N_ANCHORS, len(own)), replace=False)
    rows_of = np.flatnonzero(sampler.anchor_labels_ == minority)
    pick = torch.as_tensor(np.repeat(rows_of[chosen], PER_ANCHOR))
    with torch.no_grad():
        rows = sampler._generate_from_anchors(pick, len(pick), minority,
                                              torch.Generator().manual_seed(seed + 1))
    rows = to_metric(sampler, rows).reshape(len(chosen), PER_ANCHOR, -1)
    fifth = np.maximum(dist[chosen, 5], 1e-12)[:, None, None]
    generated = (rows - own[chosen][:, None]) / fifth
    ends = own[near[chosen][:, rng.integers(1, 6, size=PER_ANCHOR)]]  # (a, r, d)
    u = rng.random((len(chosen), PER_ANCHOR, 1))
    kernel = u * (ends - own[chosen][:, None]) / fifth

    def rms(offsets):
        centred = offsets - offsets.mean(1, keepdims=True)
        return round(float(np.median(np.sqrt((centred**2).sum(2).mean(1)))), 2)

    return {"within_generated": rms(generated), "within_kernel": rms(kernel)}


def to_metric(sampler, Z):
    """Encoded rows -> the sampler's neighbour metric. For the numeric tables
    and standard encoding used here, undoing the z-scores is exact (decoding
    would also round and clip)."""
    encoder = sampler.encoder_
    raw = np.column_stack([Z[:, j] * col.std + col.mean
                           for j, col in enumerate(encoder.columns_)])
    return encoder.neighbor_space(raw, sampler.neighbor_scaling)


def _nearest_other(rows, own, other):
    d_own = NearestNeighbors(n_neighbors=1).fit(own).kneighbors(rows)[0][:, 0]
    d_other = NearestNeighbors(n_neighbors=1).fit(other).kneighbors(rows)[0][:, 0]
    return round(float(np.mean(d_other < d_own)), 3)


def smote_nearest_other(name, seed=0):
    """The same share for SMOTE's new rows, in the GAN's neighbour metric."""
    X, y = load_dataset(name)
    gan = GANOverSampler(random_state=seed, epochs=1).fit(X, y)
    if hasattr(X, "dtypes") and any(X.dtypes == "category"):
        return None  # SMOTENC tables: skipped
    X_res, y_res = SMOTE(random_state=seed).fit_resample(X, y)
    values, counts = np.unique(y, return_counts=True)
    minority = values[np.argmin(counts)]
    metric = gan.encoder_.neighbor_space
    new = metric(X_res[len(y):][y_res[len(y):] == minority], gan.neighbor_scaling)
    M = metric(X, gan.neighbor_scaling)
    return _nearest_other(new, M[y == minority], M[y != minority])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    start = time.perf_counter()
    header = ("| dataset | GAN parameters | generated offset / 5th-NN distance (10/50/90%) "
              "| real pairs (SMOTE's kernel) | spread within one anchor: generated "
              "| within one anchor: kernel | generated rows nearest another class "
              "| SMOTE rows nearest another class |")
    lines = [header, "|---|---|---|---|--:|--:|---|---|"]
    for name in args.datasets.split(","):
        smote = smote_nearest_other(name)
        for params in VARIANTS:
            out = spread(name, params)
            lines.append(f"| {name} | `{json.dumps(params)}` | {out['generated']} "
                         f"| {out['real_pairs']} | {out['within_generated']} "
                         f"| {out['within_kernel']} | {out['nearest_other_class']} "
                         f"| {'-' if smote is None else smote} |")
            print(lines[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gan_spread.md").write_text(
        f"<!-- written by benchmarks/gan_spread.py in {time.perf_counter() - start:.0f} s -->\n"
        "# GANOverSampler: spread of generated rows around their anchors\n\n"
        + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
