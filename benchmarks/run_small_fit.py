"""The neural samplers' small fits: time per fit, per update and the op count, beside the
eager-PyTorch floor of the same networks, measured in one process.

    python benchmarks/run_small_fit.py                  # writes benchmarks/results/small_fit/
    python benchmarks/run_small_fit.py --repeats 3 --out /tmp/small

On ``make_classification(1000, n_features=10, weights=[0.9], random_state=0)`` (the first
size of the asv ``neural.RowsScaling`` case), one torch thread and one BLAS thread, the
fits run in turn, ``--repeats`` times each (interleaved, so drifting machine load
touches all of them alike); the summary gives medians:

- ``GANOverSampler()`` and ``VAEOverSampler()`` at their defaults, ``fit_resample``;
- the GAN with a longer recipe (``n_critic=3, epochs=125``: 1,000 generator updates of 3
  critic updates each at this size, against the default's 504 of 2);
- SMOTE (imbalanced-learn), the baseline;
- the **floor**: the same number of optimiser steps on plain ``nn.Sequential`` copies of
  the GAN's generator and critic (same widths, batch norm in the generator, the critic's
  input packed as the sampler packs it), each step one forward, one backward and one fused
  Adam step of a mean loss, nothing else: what eager PyTorch needs for the networks alone.

Per GAN update (one generator update after its critic updates): the wall time of the
training loop (``history_``'s epoch durations) divided by the updates, and the number of
aten operations per training step, top-level and with nested ones, counted by
``torch.profiler`` (a 2-epoch fit less a 1-epoch fit, over one epoch's steps). Writes ``rows.csv`` (case, repeat, metric, value), ``summary.md`` and
``run.json`` (machine, versions, command, seconds).
"""

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from imblearn.over_sampling import SMOTE
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_limits
from torch import nn

from imblearn_gan import GANOverSampler, VAEOverSampler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_suite import git, machine_info, provenance, versions  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTIONS = ["numpy", "scikit-learn", "imbalanced-learn", "torch", "imblearn-gan"]
CASES = {
    "GANOverSampler()": lambda: GANOverSampler(random_state=0),
    "GANOverSampler(n_critic=3, epochs=125)": lambda: GANOverSampler(
        n_critic=3, epochs=125, random_state=0),
    "VAEOverSampler()": lambda: VAEOverSampler(random_state=0),
    "SMOTE()": lambda: SMOTE(random_state=0),
}

OP_COUNTS = {"GANOverSampler()": {}, "GANOverSampler(n_critic=3, epochs=125)": {"n_critic": 3}}


def make_table():
    return make_classification(1000, n_features=10, weights=[0.9], random_state=0)


def generator_updates(sampler):
    """Generator updates of a fitted GAN: minibatches per epoch times epochs."""
    n_rows = len(sampler.train_labels_)
    per_epoch = -(-n_rows // min(sampler.batch_size, n_rows))
    return per_epoch * len(sampler.history_)


def floor_seconds(sampler, updates):
    """Plain eager training of networks shaped like the fitted GAN's, for ``updates``
    generator updates of ``n_critic`` critic steps each (see the module docstring)."""
    generator, critic = sampler.generator_, sampler.critic_
    gen_in = generator.body[0].in_features
    crit_in = critic.body[0].in_features
    plain_gen = nn.Sequential(*[layer for layer in generator.body], nn.Linear(
        generator.head.in_features, generator.head.out_features))
    plain_critic = nn.Sequential(*[layer for layer in critic.body], nn.Linear(
        critic.head.in_features, 1))
    plain_gen = _fresh(plain_gen)
    plain_critic = _fresh(plain_critic)
    adam = {"lr": 1e-3, "betas": (0.5, 0.9), "fused": True}
    opt_g = torch.optim.Adam(plain_gen.parameters(), **adam)
    opt_d = torch.optim.Adam(plain_critic.parameters(), **adam)
    batch = sampler.batch_size
    packs = batch // critic.pac
    gen_rows = torch.randn(batch, gen_in)
    crit_rows = torch.randn(packs, crit_in)
    start = time.perf_counter()
    for _ in range(updates):
        for _ in range(sampler._n_critic()):
            plain_critic(crit_rows).mean().backward()
            opt_d.step()
            opt_d.zero_grad(set_to_none=True)
        plain_gen(gen_rows).mean().backward()
        opt_g.step()
        opt_g.zero_grad(set_to_none=True)
    return time.perf_counter() - start


def _fresh(module):
    """A trainable copy (the fitted networks are left as they are)."""
    module = copy.deepcopy(module)
    for param in module.parameters():
        param.requires_grad_(True)
    return module.train()


def count_ops(X, y, **params):
    """Top-level and nested aten operations per GAN training step (``params``): the
    operations of a 2-epoch fit less those of a 1-epoch fit (the same setup), over the
    minibatches of one epoch."""
    from torch.profiler import ProfilerActivity, profile

    counts = []
    for epochs in (1, 2):
        sampler = GANOverSampler(**{**params, "epochs": epochs, "random_state": 0})
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            sampler.fit(X, y)
        events = [e for e in prof.events() if e.name.startswith("aten::")]
        counts.append((sum(e.cpu_parent is None for e in events), len(events)))
    steps = generator_updates(sampler) // 2
    return tuple((two - one) / steps for one, two in zip(*counts))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/small_fit")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    torch.set_num_threads(1)
    X, y = make_table()
    rows = []
    with threadpool_limits(1):
        for name, build in CASES.items():  # warm-up: first-call costs, untimed
            build().fit_resample(X, y)
        for repeat in range(args.repeats):
            for name, build in CASES.items():
                sampler = build()
                start = time.perf_counter()
                sampler.fit_resample(X, y)
                seconds = time.perf_counter() - start
                rows.append({"case": name, "repeat": repeat, "metric": "fit_s", "value": seconds})
                if isinstance(sampler, GANOverSampler):
                    updates = generator_updates(sampler)
                    loop_s = sum(record["dur"] for record in sampler.history_)
                    rows += [
                        {"case": name, "repeat": repeat, "metric": "updates", "value": updates},
                        {"case": name, "repeat": repeat, "metric": "ms_per_update",
                         "value": 1e3 * loop_s / updates},
                        {"case": name, "repeat": repeat, "metric": "floor_ms_per_update",
                         "value": 1e3 * floor_seconds(sampler, updates) / updates},
                    ]
        for name, params in OP_COUNTS.items():
            top, nested = count_ops(X, y, **params)
            rows += [{"case": name, "repeat": 0, "metric": "aten_ops_top_level", "value": top},
                     {"case": name, "repeat": 0, "metric": "aten_ops_nested", "value": nested}]
    frame = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out / "rows.csv", index=False)
    seconds = time.perf_counter() - started
    run = {"machine": machine_info(), "versions": versions(DISTRIBUTIONS),
           "commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain")),
           "argv": ["python", *sys.argv], "repeats": args.repeats, "seconds": round(seconds, 1)}
    (args.out / "run.json").write_text(json.dumps(run, indent=1) + "\n")
    (args.out / "summary.md").write_text(summarize(frame, run))
    print((args.out / "summary.md").read_text())


def summarize(frame, run):
    medians = frame.groupby(["case", "metric"]).value.median().unstack()
    low = frame.groupby(["case", "metric"]).value.min().unstack()
    high = frame.groupby(["case", "metric"]).value.max().unstack()
    lines = ["# Small fits: 1,000 x 10, one thread", "",
             "```", " ".join(run["argv"]), "```", "",
             (f"`make_classification(1000, n_features=10, weights=[0.9], random_state=0)`, "
              f"{run['repeats']} runs of each case, interleaved, one torch and BLAS thread; "
              "medians (min-max). The floor: the same optimiser steps on plain copies of the "
              "networks (forward, backward, fused Adam of a mean loss)."), "",
             ("| case | fit s | generator updates | ms per update | floor ms per update | "
              "aten ops per update (nested) |"),
             "|---|--:|--:|--:|--:|--:|"]
    for case in CASES:
        cell = medians.loc[case]

        def span(metric, digits, case=case, cell=cell):
            if metric not in cell or np.isnan(cell[metric]):
                return ""
            return (f"{cell[metric]:.{digits}f} ({low.loc[case, metric]:.{digits}f}-"
                    f"{high.loc[case, metric]:.{digits}f})")

        updates = "" if np.isnan(cell.get("updates", np.nan)) else f"{cell['updates']:.0f}"
        ops = ("" if np.isnan(cell.get("aten_ops_top_level", np.nan)) else
               f"{cell['aten_ops_top_level']:.0f} ({cell['aten_ops_nested']:.0f})")
        lines.append(f"| {case} | {span('fit_s', 2)} | {updates} | "
                     f"{span('ms_per_update', 2)} | {span('floor_ms_per_update', 2)} | {ops} |")
    lines += ["", ("An update: one generator update after its `n_critic` critic updates. Aten "
                   "operations: top-level (called from Python) and, in brackets, with the "
                   "nested ones, per update (`torch.profiler`)."), "",
              (f"Machine: {run['machine']['cpu']}, {run['machine']['cores']} cores; "
               f"{provenance(run)}; {run['seconds']:.0f} s."), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
