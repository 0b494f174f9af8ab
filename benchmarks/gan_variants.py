"""The GAN's variants side by side, on the same folds, from saved rows.

Each three-seed quality run (``quality.py --seeds 0,1,2``) ranks one GAN
variant against SMOTE and no resampling. SMOTE's and no resampling's scores
are the same in every run (same seeds, same folds), but a 3-way rank
depends on which GAN is the third sampler. This script puts every variant's
rows into one table and ranks them all together, per dataset, classifier and
metric over the mean of the 15 folds (3 seeds x 5), as quality.py does::

    PYTHONPATH=. python benchmarks/gan_variants.py

No fitting (a second); reads the rows files below and writes
``results/gan_variants.md``. Each non-default row set is remade by
``quality.py --seeds 0,1,2 --jobs 2 --params JSON --out DIR`` (as
``quality_rows.csv`` and ``quality_rows_seed{1,2}.csv`` in ``DIR``; copy them
here under the stems below), with JSON relative to today's defaults:

- the previous default: ``{"pac": 1, "ema_decay": 0}``;
- packs of one anchor without the average: ``{"ema_decay": 0}``;
- z-score neighbours: ``{"pac": 1, "ema_decay": 0, "neighbor_scaling":
  "standard"}``, plus ``"anchor": "mix"`` or ``"pick"`` for those two.

Without ``--out`` quality.py would overwrite the default's rows in
``results/``.
"""

import argparse
from pathlib import Path

import pandas as pd
from quality import QUALITY  # the same five ranked metrics

from imblearn_gan.bench import summarize

RESULTS = Path(__file__).parent / "results"
# variant -> rows-file stem; each stem has seed 0 in STEM.csv, seeds 1, 2 in STEM_seed{N}.csv
VARIANTS = {
    "GAN (default: pac=2 packs of one anchor, averaged generator)": "quality_rows",
    "GAN pac=1, last iterate (the previous default)": "quality_gan_minmax_rows",
    "GAN pac=2 packs of one anchor, last iterate": "quality_gan_pack2_rows",
    "GAN, z-score neighbours": "quality_gan_standard_rows",
    'GAN anchor="mix", z-score neighbours': "quality_gan_mix_rows",
    'GAN anchor="pick", z-score neighbours': "quality_gan_pick_rows",
}


def load(stem, seed, folder):
    name = f"{stem}.csv" if seed == 0 else f"{stem}_seed{seed}.csv"
    frame = pd.read_csv(folder / name)
    return frame.assign(fold=frame["fold"] + 5 * seed)  # 15 distinct folds


def _check_same_baselines(frame, first):
    """SMOTE's and no resampling's scores in ``frame`` equal those of the
    first run's frame ``first`` (same seed), fit times aside."""
    def baselines(f):
        return f[f["sampler"].isin(["smote", "none"]) & (f["metric"] != "fit_time")]

    keys = ["dataset", "sampler", "classifier", "fold", "metric"]
    both = baselines(frame).merge(baselines(first), on=keys)
    gap = (both["value_x"] - both["value_y"]).abs().max()
    if len(both) != len(baselines(first)) or not gap < 1e-12:
        raise ValueError("the runs' SMOTE / no-resampling scores differ: not the same folds")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    frames = []
    for i, (label, stem) in enumerate(VARIANTS.items()):
        for seed in (0, 1, 2):
            frame = load(stem, seed, args.results)
            if i:  # the runs share folds: SMOTE's and no resampling's scores must agree
                _check_same_baselines(frame, frames[seed])
            # SMOTE and no resampling once (identical in every run)
            keep = frame["sampler"].eq("gan") | (i == 0)
            frames.append(frame[keep].replace({"sampler": {"gan": label}}))
    _, ranks = summarize(pd.concat(frames, ignore_index=True), quality_metrics=QUALITY)
    table = ranks.loc[[("hgb", "ALL"), ("logreg", "ALL"), ("ALL", "ALL")]].T
    table.columns = ["HistGradientBoosting", "LogisticRegression", "both"]
    text = "\n".join([
        "<!-- written by benchmarks/gan_variants.py -->",
        "## GAN variants, SMOTE and no resampling ranked together",
        "",
        ("CV seeds 0, 1, 2 (15 folds per cell); 18 datasets x 5 metrics per "
         f"classifier; rank 1 = best of {len(VARIANTS) + 2}."),
        "",
        ("Each variant's rows come from the code of its own run: the default's "
         "from the current code (critic gradients written by hand), the others' "
         "from earlier commits (autograd's double backward: the same mathematics, "
         "other floating-point rounding)."),
        "",
        table.sort_values("both").round(3).to_markdown(),
        "",
        "### Per classifier and metric",
        "",
        ranks.round(3).to_markdown(),
        "",
    ])
    (args.results / "gan_variants.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
