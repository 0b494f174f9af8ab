"""Training speed of GANOverSampler against CTGAN on the same table, in one run.

Reproduce the published numbers on a quiet machine (nothing else running),
from the repository root::

    PYTHONPATH=. python benchmarks/speed.py

which is ``--rows 10000 --epochs 10 --ctgan-threads both`` and writes
``benchmarks/results/speed.json``. A smoke test of the script (seconds, numbers
meaningless)::

    PYTHONPATH=. python benchmarks/speed.py --rows 1000 --epochs 1 \\
        --small-epochs 2 --small-repeats 1 --floor-runs 1 --json /tmp/speed.json

What is measured
----------------
The table: ``--rows`` rows, 15 numeric columns (gaussian, lognormal/exponential,
bimodal, integer-valued) and 5 categorical ones (3-12 levels, some drawn from a
numeric column), plus a binary label with 10% positives that depends on several
columns. Seed 0. CTGAN is unconditional, so it gets the label as a sixth
discrete column; GANOverSampler gets it as ``y``. Both train ``--epochs`` epochs
with minibatches of 500 rows; every other parameter is left at its default.

0. Warm-up, not timed: a 1-epoch fit of each model on up to 1,000 rows, so
   neither pays lazy imports or first-call costs inside a timing.
1. CTGAN (``enable_gpu=False``), once with torch's default thread count and once
   with ``torch.set_num_threads(1)`` (``--ctgan-threads``; the 1-thread setting
   also limits numpy's BLAS pools with threadpoolctl, since CTGAN's transformer
   fits Gaussian mixtures in numpy):
   (a) its data transformer, timed directly as
   ``DataTransformer().fit(df, discrete_columns)`` plus ``.transform(df)``;
   (b) ``CTGAN.fit`` end to end (it runs the transformer again inside);
   (c) seconds per epoch = ((b) - (a)) / epochs, which also carries CTGAN's
   DataSampler and network set-up, spread over the epochs.
2. GANOverSampler (``n_threads`` at its default): (a) ``TabularEncoder`` with
   the sampler's default ``numeric_encoding``, fit + transform; (b) ``fit(X, y)``
   end to end; (c) the median of ``history_[i]["dur"]`` (the loop's own epoch
   timer); and ``fit_resample(X, y)`` end to end (a new fit plus generation).
3. Ratios CTGAN / ours for (a), (b) and (c); the headline uses CTGAN's faster
   thread setting (by end-to-end fit), to be fair to the peer.
4. A default ``GANOverSampler(random_state=s).fit_resample`` on
   ``make_classification(n_samples=1000, n_features=10, weights=[0.9])``: one
   warm-up, then ``--small-repeats`` timed runs; median and max.
5. The floor: training steps per second of a plain 30-256-256-30 MLP
   (Linear+ReLU, MSE, Adam) at batch 500 on one torch thread, beside the GAN's
   generator updates per second (minibatches per epoch / epoch seconds) and
   network updates per second (minibatches x (n_critic + 1) / epoch seconds).
   A GAN update costs more than the floor's step (the critic also runs the
   generator forward and the gradient penalty's extra products), so the ratio
   says how close the epoch is to "nothing but small matmuls".

The work per epoch differs by design: CTGAN takes ``rows // 500`` minibatches
and ``discriminator_steps + 1 = 2`` updates per minibatch; GANOverSampler takes
``ceil(rows / 500)`` minibatches and ``n_critic + 1`` updates per minibatch. The
tables give both counts next to the seconds.
"""

import argparse
import sys
import warnings
from contextlib import nullcontext

import numpy as np
import pandas as pd
import torch
from threadpoolctl import threadpool_limits

from _common import (
    RESULTS_DIR, load_average, machine, markdown_table, median, timed, write_json,
)

from imblearn_gan import GANOverSampler
from imblearn_gan.backend import TabularEncoder, torch_threads

BATCH_SIZE = 500
LABEL = "label"


# -- the table ----------------------------------------------------------------
def make_table(n_rows, seed=0):
    """A mixed table ``(X, y)``: 15 numeric and 5 categorical columns, 10% positives."""
    rng = np.random.default_rng(seed)
    n = n_rows
    cols = {}
    for j, (mu, sd) in enumerate([(0, 1), (50, 10), (-3, 0.5), (1000, 250)]):
        cols[f"gauss_{j}"] = rng.normal(mu, sd, n)
    cols["lognorm_0"] = rng.lognormal(0.0, 1.0, n)
    cols["lognorm_1"] = rng.lognormal(3.0, 0.75, n)
    cols["lognorm_2"] = rng.lognormal(-1.0, 1.5, n)
    cols["expon_0"] = rng.exponential(2.0, n)
    for j, (a, b, sd, p) in enumerate([(-2, 2, 0.6, 0.5), (10, 30, 3, 0.3), (0, 5, 1, 0.8)]):
        first = rng.random(n) < p
        cols[f"bimodal_{j}"] = np.where(first, rng.normal(a, sd, n), rng.normal(b, sd, n))
    cols["int_poisson"] = rng.poisson(3.0, n)
    cols["int_age"] = rng.integers(18, 90, n)
    cols["int_binomial"] = rng.binomial(20, 0.3, n)
    cols["int_heavy"] = np.floor(rng.pareto(2.5, n) * 10).astype(np.int64)

    cols["region"] = pd.Categorical(
        rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1])
    )
    # depends on gauss_0, with 10% of rows flipped at random
    plan = np.where(cols["gauss_0"] < -0.5, "basic",
                    np.where(cols["gauss_0"] < 1.0, "standard", "premium"))
    flip = rng.random(n) < 0.1
    plan[flip] = rng.choice(["basic", "standard", "premium"], flip.sum())
    cols["plan"] = plan.astype(object)
    zipf = 1.0 / np.arange(1, 13)
    cols["segment"] = pd.Categorical(
        rng.choice([f"seg_{k:02d}" for k in range(12)], n, p=zipf / zipf.sum())
    )
    # depends on which mode of bimodal_0 the row is in
    online = rng.choice(["web", "app", "partner"], n, p=[0.5, 0.35, 0.15])
    offline = rng.choice(["branch", "phone", "mail"], n, p=[0.6, 0.3, 0.1])
    cols["channel"] = np.where(cols["bimodal_0"] > 0, online, offline).astype(object)
    # a noisy grade A..H from the rank of lognorm_0
    rank = np.argsort(np.argsort(cols["lognorm_0"])) / n + rng.normal(0, 0.08, n)
    grade = np.clip((rank * 8).astype(int), 0, 7)
    cols["grade"] = pd.Categorical(np.array(list("ABCDEFGH"))[grade])

    X = pd.DataFrame(cols)
    score = (0.8 * X["gauss_0"] + 0.7 * np.log(X["lognorm_0"])
             + 1.0 * (X["plan"] == "premium") + 0.8 * (X["bimodal_0"] > 0)
             - 0.02 * (X["int_age"] - 50) + rng.logistic(0, 0.5, n))
    y = (score > np.quantile(score, 0.9)).astype(np.int64).to_numpy()
    return X, y


def categorical_columns(X):
    return [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]


# -- CTGAN ----------------------------------------------------------------------
def run_ctgan(df, discrete, epochs, threads):
    """Time CTGAN's transformer and its fit under ``threads`` torch threads
    (``None``: torch's default)."""
    from ctgan import CTGAN
    from ctgan.data_transformer import DataTransformer

    # threads=1 also limits the BLAS / OpenMP pools that numpy (CTGAN's
    # Gaussian mixtures) uses: "single-threaded" for the whole of CTGAN
    blas = threadpool_limits(1) if threads == 1 else nullcontext()
    with torch_threads(threads), blas, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n_threads = torch.get_num_threads()

        def transformer():
            dt = DataTransformer()
            dt.fit(df, discrete)
            return dt.transform(df)

        t_encoder, encoded = timed(transformer)
        model = CTGAN(epochs=epochs, batch_size=BATCH_SIZE, verbose=False, enable_gpu=False)
        model.set_random_state(0)
        t_fit, _ = timed(model.fit, df, discrete)
    steps = max(len(df) // BATCH_SIZE, 1)  # as CTGAN.fit
    updates = steps * (model._discriminator_steps + 1)
    per_epoch = (t_fit - t_encoder) / epochs
    if per_epoch <= 0:  # only on absurdly small runs: the two transformer runs differ
        per_epoch = None
    return {
        "model": "CTGAN", "torch_threads": n_threads, "encoder_s": t_encoder,
        "encoded_width": int(encoded.shape[1]), "fit_s": t_fit, "epoch_s": per_epoch,
        "minibatches_per_epoch": steps, "updates_per_epoch": updates,
        "updates_per_s": updates / per_epoch if per_epoch else None,
        "fit_resample_s": None,
    }


def warm_up(df, discrete, X, y):
    """Pay one-time costs (lazy imports, first-call allocations) before any timing:
    a 1-epoch CTGAN and GANOverSampler fit on at most 1,000 rows, not timed."""
    from ctgan import CTGAN

    n = min(len(df), 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        CTGAN(epochs=1, batch_size=BATCH_SIZE, enable_gpu=False).fit(df.iloc[:n], discrete)
    GANOverSampler(epochs=1, batch_size=BATCH_SIZE, random_state=0).fit(X.iloc[:n], y[:n])


# -- GANOverSampler ---------------------------------------------------------------
def n_minibatches(n_rows, batch_size):
    """Minibatches per epoch of ``backend.loop.train`` (a last batch of one row
    is folded into the previous one)."""
    size = min(batch_size, n_rows)
    chunks = -(-n_rows // size)
    if chunks > 1 and n_rows - (chunks - 1) * size < 2:
        chunks -= 1
    return chunks


def run_ours(X, y, epochs):
    defaults = GANOverSampler().get_params()
    encoder = TabularEncoder(defaults["categorical_features"], defaults["numeric_encoding"])
    t_encoder, encoded = timed(lambda: encoder.fit(X).transform(X))
    sampler = GANOverSampler(epochs=epochs, batch_size=BATCH_SIZE, random_state=0)
    t_fit, _ = timed(sampler.fit, X, y)
    durations = [record["dur"] for record in sampler.history_]
    t_resample, (X_res, _) = timed(
        GANOverSampler(epochs=epochs, batch_size=BATCH_SIZE, random_state=0).fit_resample,
        X, y,
    )
    per_epoch = median(durations)
    batches = n_minibatches(len(X), BATCH_SIZE)
    updates = batches * (defaults["n_critic"] + 1)
    return {
        "model": "imblearn_gan", "torch_threads": defaults["n_threads"],
        "numeric_encoding": defaults["numeric_encoding"], "encoder_s": t_encoder,
        "encoded_width": int(encoded.shape[1]), "fit_s": t_fit, "epoch_s": per_epoch,
        "epoch_s_all": durations, "minibatches_per_epoch": batches,
        "updates_per_epoch": updates, "updates_per_s": updates / per_epoch,
        "generator_updates_per_s": batches / per_epoch,
        "fit_resample_s": t_resample, "rows_generated": int(len(X_res) - len(X)),
        "n_critic": defaults["n_critic"],
    }


def run_small(epochs, repeats):
    """Default sampler on a 1,000 x 10 problem: warm-up, then ``repeats`` timed runs."""
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=1000, n_features=10, weights=[0.9], random_state=0)
    extra = {} if epochs is None else {"epochs": epochs}
    GANOverSampler(random_state=0, **extra).fit_resample(X, y)  # warm-up, not timed
    times = [timed(GANOverSampler(random_state=s, **extra).fit_resample, X, y)[0]
             for s in range(repeats)]
    resolved = GANOverSampler(**extra).get_params()["epochs"]
    return {"epochs": resolved, "repeats": repeats, "times_s": times,
            "median_s": median(times), "max_s": max(times)}


# -- the floor --------------------------------------------------------------------
def floor_steps_per_second(steps, runs, batch=BATCH_SIZE, widths=(30, 256, 256, 30)):
    """Steps/s of a plain MLP training step on one torch thread (median of ``runs``)."""
    import time

    from torch import nn

    with torch_threads(1):
        torch.manual_seed(0)
        layers = []
        for a, b in zip(widths[:-2], widths[1:-1]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        net = nn.Sequential(*layers, nn.Linear(widths[-2], widths[-1]))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        x, target = torch.randn(batch, widths[0]), torch.randn(batch, widths[-1])

        def run(n):
            start = time.perf_counter()
            for _ in range(n):
                loss = nn.functional.mse_loss(net(x), target)
                loss.backward()
                opt.step()
                opt.zero_grad(set_to_none=True)
            return n / (time.perf_counter() - start)

        run(max(steps // 10, 5))  # warm-up
        rates = [run(steps) for _ in range(runs)]
    return {"widths": list(widths), "batch": batch, "steps": steps, "runs": runs,
            "steps_per_s_all": rates, "steps_per_s": median(rates)}


# -- report -------------------------------------------------------------------------
def report(result):
    lines = []
    rows = []
    for r in result["ctgan"] + [result["ours"]]:
        name = f"{r['model']} (threads={r['torch_threads']})"
        rows.append([name, r["encoder_s"], r["fit_s"], r["epoch_s"],
                     r["minibatches_per_epoch"], r["updates_per_epoch"],
                     r["updates_per_s"], r["fit_resample_s"]])
    lines.append(f"### Training time, {result['rows']} rows x 20 columns + label, "
                 f"{result['epochs']} epochs, batch {BATCH_SIZE}\n")
    lines.append(markdown_table(
        ["model", "encoder (s)", "fit (s)", "s / epoch", "minibatches / epoch",
         "network updates / epoch", "updates / s", "fit_resample (s)"], rows))
    ratios, best = result["ratios"], result["ctgan_best_threads"]
    lines.append(f"\n### CTGAN / imblearn_gan (CTGAN at its faster setting, "
                 f"threads={best})\n")
    lines.append(markdown_table(
        ["measure", "CTGAN (s)", "imblearn_gan (s)", "CTGAN / ours"],
        [[k, v["ctgan"], v["ours"], v["ratio"]] for k, v in ratios.items()]))
    small = result["small"]
    lines.append(f"\n### Default GANOverSampler().fit_resample, 1,000 x 10, "
                 f"epochs={small['epochs']}, {small['repeats']} runs after a warm-up\n")
    lines.append(markdown_table(["median (s)", "max (s)"],
                                [[small["median_s"], small["max_s"]]]))
    floor, ours = result["floor"], result["ours"]
    lines.append("\n### The floor: a plain 30-256-256-30 MLP step, batch 500, 1 thread\n")
    lines.append(markdown_table(
        ["rate", "per s", "fraction of floor"],
        [["MLP training steps (floor)", floor["steps_per_s"], 1.0],
         ["GAN generator updates", ours["generator_updates_per_s"],
          ours["generator_updates_per_s"] / floor["steps_per_s"]],
         [f"GAN network updates (x{ours['n_critic'] + 1})", ours["updates_per_s"],
          ours["updates_per_s"] / floor["steps_per_s"]]]))
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=10,
                        help="epochs for both CTGAN and GANOverSampler")
    parser.add_argument("--ctgan-threads", choices=["both", "default", "1"], default="both",
                        help="torch threads for CTGAN: torch's default, 1, or both")
    parser.add_argument("--small-epochs", type=int, default=None,
                        help="epochs of the 1,000-row run (default: the sampler's default)")
    parser.add_argument("--small-repeats", type=int, default=5)
    parser.add_argument("--floor-steps", type=int, default=200)
    parser.add_argument("--floor-runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="seed of the table")
    parser.add_argument("--json", default=str(RESULTS_DIR / "speed.json"),
                        help="where to write the JSON results")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    meta = machine()
    X, y = make_table(args.rows, args.seed)
    discrete = categorical_columns(X) + [LABEL]
    df = X.assign(**{LABEL: y})

    print("warm-up ...", file=sys.stderr, flush=True)
    warm_up(df, discrete, X, y)
    settings = {"both": [None, 1], "default": [None], "1": [1]}[args.ctgan_threads]
    ctgan_runs = []
    for threads in settings:
        print(f"CTGAN, threads={threads or 'default'} ...", file=sys.stderr, flush=True)
        ctgan_runs.append(run_ctgan(df, discrete, args.epochs, threads))
        ctgan_runs[-1]["load_average_after"] = load_average()
    print("GANOverSampler ...", file=sys.stderr, flush=True)
    ours = run_ours(X, y, args.epochs)
    ours["load_average_after"] = load_average()
    print("small problem ...", file=sys.stderr, flush=True)
    small = run_small(args.small_epochs, args.small_repeats)
    print("floor ...", file=sys.stderr, flush=True)
    floor = floor_steps_per_second(args.floor_steps, args.floor_runs)

    best = min(ctgan_runs, key=lambda r: r["fit_s"])
    ratios = {
        name: {"ctgan": best[key], "ours": ours[key],
               "ratio": best[key] / ours[key] if best[key] else None}
        for name, key in [("encoder", "encoder_s"), ("fit end to end", "fit_s"),
                          ("seconds per epoch", "epoch_s")]
    }
    result = {
        "machine": meta, "rows": args.rows, "epochs": args.epochs,
        "batch_size": BATCH_SIZE, "table_seed": args.seed,
        "columns": {"numeric": int(X.shape[1] - len(discrete) + 1),
                    "categorical": len(discrete) - 1, "positives": float(y.mean())},
        "ctgan": ctgan_runs, "ours": ours, "ctgan_best_threads": best["torch_threads"],
        "ratios": ratios, "small": small, "floor": floor,
    }
    text = report(result)
    print(text)
    path = write_json(result, args.json)
    print(f"\nwrote {path}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
