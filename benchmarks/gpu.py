"""The samplers on a GPU, against their CPU runs and the peers, in one run.

Run on a machine with CUDA, from the repository root (over 5 minutes on an
H200 with 16 CPU cores, most of it the CPU reference at 1M x 10)::

    PYTHONPATH=. python benchmarks/gpu.py --json benchmarks/results/gpu.json \\
        --md benchmarks/results/gpu.md

What it measures (each part is skipped, with the reason recorded, when what
it needs is missing):

1. **GAN, 10,000 x 20 mixed table** (``speed.py``'s table: 15 numeric and 5
   categorical columns), 10 epochs at batch 500, after one untimed warm-up
   fit per setting: ``GANOverSampler.fit`` with ``device="cuda"`` and with
   ``device="cpu"`` (``n_threads=1``, the default); ``ctgan.CTGAN.fit`` on
   the GPU (``enable_gpu=True``), when ctgan is importable. Seconds end to
   end and per epoch (median of the loop's epoch timer for ours).
2. **GAN, 100,000 rows** of the same kind, 3 epochs at batch 500 and at
   batch 4,096: ours on CUDA and on one CPU thread (no CTGAN: its
   transformer alone takes minutes at that size).
3. **GAN default ``fit_resample`` on 1,000 x 10** (``make_classification``,
   9:1; 1,000 generator updates), median of 3 after a warm-up, on CUDA and
   on one CPU thread.
4. **TomekPruner** on ``tomek_speed.py``'s Gaussian data: brute force on
   CUDA at several ``chunk_size`` values, against imbalanced-learn's
   ``TomekLinks`` at its defaults (``n_jobs=None``: its KD-tree query runs on
   one thread, its brute force's products on every core; same rows
   removed?) where it finishes in time, and
   against our own CPU search with every core. Peak GPU memory from
   ``torch.cuda.max_memory_allocated``.
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import torch
from speed import categorical_columns, make_table
from tomek_speed import make_data

from imblearn_gan import GANOverSampler, TomekPruner

BATCH = 500


def timed(fn, *args, **kwargs):
    torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    torch.cuda.synchronize()
    return time.perf_counter() - start, out


def gan_fit(X, y, device, epochs, batch_size):
    params = {"epochs": epochs, "batch_size": batch_size, "random_state": 0, "device": device}
    GANOverSampler(**{**params, "epochs": 1}).fit(X.iloc[:2000], y[:2000])  # warm-up
    seconds, sampler = timed(GANOverSampler(**params).fit, X, y)
    return {"device": device, "rows": len(X), "epochs": epochs, "batch_size": batch_size,
            "fit_s": seconds,
            "epoch_s": statistics.median(r["dur"] for r in sampler.history_)}


def ctgan_fit(X, y, epochs):
    from ctgan import CTGAN

    df = X.assign(label=y)
    discrete = categorical_columns(X) + ["label"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        CTGAN(epochs=1, batch_size=BATCH, enable_gpu=True).fit(df.iloc[:1000], discrete)
        model = CTGAN(epochs=epochs, batch_size=BATCH, enable_gpu=True, verbose=False)
        model.set_random_state(0)
        seconds, _ = timed(model.fit, df, discrete)
    return {"device": "cuda", "rows": len(X), "epochs": epochs, "batch_size": BATCH,
            "fit_s": seconds}


def part_gan(results, save):
    X, y = make_table(10_000)
    rows = results["gan_10k"] = []
    for device in ("cuda", "cpu"):
        rows.append({"model": "GANOverSampler", **gan_fit(X, y, device, 10, BATCH)})
        save(results, rows[-1])
    try:
        rows.append({"model": "CTGAN", **ctgan_fit(X, y, 10)})
    except ImportError as exc:
        rows.append({"model": "CTGAN", "skipped": repr(exc)})
    save(results, rows[-1])


def part_gan_large(results, save):
    X, y = make_table(100_000)
    rows = results["gan_100k"] = []
    for batch in (BATCH, 4096):
        for device in ("cuda", "cpu"):
            rows.append({"model": "GANOverSampler", **gan_fit(X, y, device, 3, batch)})
            save(results, rows[-1])


def part_small(results, save):
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=1000, n_features=10, weights=[0.9], random_state=0)
    rows = results["gan_small"] = []
    for device in ("cuda", "cpu"):
        GANOverSampler(random_state=0, device=device).fit_resample(X, y)  # warm-up
        times = [timed(GANOverSampler(random_state=s, device=device).fit_resample, X, y)[0]
                 for s in range(3)]
        rows.append({"device": device, "times_s": times, "median_s": statistics.median(times)})
        save(results, rows[-1])


def tomek_run(X, y, **params):
    sampler = TomekPruner(**params)
    torch.cuda.reset_peak_memory_stats()
    seconds, _ = timed(sampler.fit_resample, X, y)
    kept = sampler.sample_indices_
    row = {**{k: str(v) for k, v in params.items()}, "seconds": seconds}
    if params["device"] == "cuda":
        row["peak_gpu_mib"] = torch.cuda.max_memory_allocated() / 2**20
    return {**row, "algorithm": sampler.algorithm_, "n_rechecked": sampler.n_rechecked_,
            "removed": int(len(y) - kept.size),
            "indices_sha1": hashlib.sha1(kept.tobytes()).hexdigest()}


def imblearn_run(X, y, limit_s):
    """imblearn's TomekLinks in a child process, killed after ``limit_s``."""
    code = ("import sys, json, time, hashlib, numpy as np; sys.path.insert(0, 'benchmarks');"
            "from tomek_speed import make_data; from imblearn.under_sampling import TomekLinks;"
            f"X, y = make_data({len(y)}, {X.shape[1]}); t = TomekLinks();"
            "s = time.perf_counter(); t.fit_resample(X, y); s = time.perf_counter() - s;"
            "k = t.sample_indices_; print(json.dumps({'seconds': s, 'removed': int(len(y) - "
            "k.size), 'indices_sha1': hashlib.sha1(k.tobytes()).hexdigest()}))")
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=limit_s, check=True)
    except subprocess.TimeoutExpired:
        return {"skipped": f"over {limit_s} s"}
    return json.loads(out.stdout.strip().splitlines()[-1])


# imblearn's TomekLinks at 1,000,000 x 10 took 943 s on the 2-core machine
IMBLEARN_SKIP_ROWS = 1_000_000


def part_tomek(results, save, cases, chunks, chunks_large, imblearn_limit_s):
    X0, y0 = make_data(2000, 10)
    TomekPruner(device="cuda").fit_resample(X0, y0)  # warm-up: CUDA context, kernels
    rows = results["tomek"] = []
    for case in cases:
        n, d = (int(v) for v in case.split("x"))
        X, y = make_data(n, d)
        # each tile is a few kernel launches: small tiles at 1M rows are
        # hundreds of thousands of tiles (measured at 100,000 rows instead)
        for chunk in chunks if n < IMBLEARN_SKIP_ROWS else chunks_large:
            rows.append({"case": case, "impl": "ours-cuda",
                         **tomek_run(X, y, device="cuda", algorithm="brute",
                                     chunk_size=chunk)})
            save(results, rows[-1])
        rows.append({"case": case, "impl": "ours-cpu",
                     **tomek_run(X, y, device="cpu", n_threads=os.cpu_count())})
        save(results, rows[-1])
        ref = ({"skipped": "not run (943 s at 1M x 10 on 2 cores: tomek_speed.md)"}
               if n >= IMBLEARN_SKIP_ROWS else imblearn_run(X, y, imblearn_limit_s))
        rows.append({"case": case, "impl": "imblearn", **ref})
        save(results, rows[-1])


def markdown(results):
    lines = ["# The samplers on a GPU (generated by benchmarks/gpu.py)", "",
             f"Machine: {results['machine']}. Command: `{' '.join(results['argv'])}`.", ""]
    lines += [f"Note: {note}" for note in results.get("notes", [])]
    lines += [""] if results.get("notes") else []
    if "gan_10k" in results:
        lines += ["## GAN fit, 10,000 x 20 mixed table, 10 epochs, batch 500", "",
                  "| model | device | fit (s) | s / epoch |", "|---|---|--:|--:|"]
        for r in results["gan_10k"]:
            if "skipped" in r:
                lines.append(f"| {r['model']} | - | skipped: {r['skipped']} | |")
                continue
            epoch = f"{r['epoch_s']:.3f}" if "epoch_s" in r else "-"
            lines.append(f"| {r['model']} | {r['device']} | {r['fit_s']:.2f} | {epoch} |")
        lines.append("")
    if "gan_100k" in results:
        lines += ["## GAN fit, 100,000 x 20, 3 epochs", "",
                  "| batch | device | fit (s) | s / epoch |", "|--:|---|--:|--:|"]
        for r in results["gan_100k"]:
            lines.append(f"| {r['batch_size']} | {r['device']} | {r['fit_s']:.2f} | "
                         f"{r['epoch_s']:.3f} |")
        lines.append("")
    if "gan_small" in results:
        lines += ["## Default GANOverSampler().fit_resample, 1,000 x 10 (median of 3)", "",
                  "| device | median (s) | runs (s) |", "|---|--:|---|"]
        for r in results["gan_small"]:
            runs = ", ".join(f"{t:.2f}" for t in r["times_s"])
            lines.append(f"| {r['device']} | {r['median_s']:.2f} | {runs} |")
        lines.append("")
    if "tomek" in results:
        lines += ["## TomekPruner", "",
                  ("| case | implementation | chunk_size | s | peak GPU MiB | removed | "
                   "same rows as imblearn |"), "|---|---|---|--:|--:|--:|---|"]
        earlier = _earlier_imblearn()
        for case in dict.fromkeys(r["case"] for r in results["tomek"]):
            runs = [r for r in results["tomek"] if r["case"] == case]
            ref = next((r for r in runs if r["impl"] == "imblearn" and "indices_sha1" in r),
                       None)
            for r in runs:
                if "skipped" in r or "seconds" not in r:
                    lines.append(f"| {case} | {r['impl']} | - | "
                                 f"{r.get('skipped', 'not finished')} | | | |")
                    continue
                if ref is not None:
                    same = "yes" if r["indices_sha1"] == ref["indices_sha1"] else "NO"
                elif case in earlier:  # the same seeded data, imblearn run elsewhere
                    same = ("yes" if r["indices_sha1"] == earlier[case] else "NO")
                    same += " (imblearn's run in tomek_speed.json)"
                else:
                    same = "-"
                peak = f"{r['peak_gpu_mib']:.0f}" if r["impl"] == "ours-cuda" else "-"
                lines.append(f"| {case} | {r['impl']} | {r.get('chunk_size', '-')} | "
                             f"{r['seconds']:.2f} | {peak} | {r['removed']} | {same} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _earlier_imblearn():
    """case -> imblearn's kept-row hash from ``tomek_speed.py``'s results (the
    same seeded data), for cases too slow to run imblearn here."""
    path = Path(__file__).parent / "results" / "tomek_speed.json"
    if not path.exists():
        return {}
    runs = json.loads(path.read_text())["runs"]
    return {r["case"]: r["indices_sha1"] for r in runs
            if r["impl"] == "imblearn" and "indices_sha1" in r}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", nargs="+", default=["gan", "small", "tomek", "gan_large"])
    parser.add_argument("--tomek-cases", nargs="+",
                        default=["100000x10", "100000x50", "1000000x10"])
    parser.add_argument("--chunks", nargs="+", type=int, default=[256, 1024, 4096])
    parser.add_argument("--chunks-large", nargs="+", type=int, default=[1024, 4096, 8192],
                        help="chunk sizes at 1,000,000 rows and more")
    parser.add_argument("--imblearn-limit", type=float, default=60.0,
                        help="seconds before imblearn's TomekLinks is given up")
    parser.add_argument("--json", default="gpu.json")
    parser.add_argument("--md", default="gpu.md")
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        sys.exit("CUDA is not available: nothing to measure")
    results = {"machine": f"{torch.cuda.get_device_name()}, torch {torch.__version__}, "
                          f"{os.cpu_count()} CPU cores",
               "argv": sys.argv, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    def save(results, row=None):
        """Write what is measured so far (a run cut short keeps its rows)."""
        if row is not None:
            print(row, flush=True)
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
        Path(args.md).write_text(markdown(results))

    parts = {"gan": part_gan, "small": part_small, "gan_large": part_gan_large,
             "tomek": lambda r, save: part_tomek(r, save, args.tomek_cases, args.chunks,
                                                 args.chunks_large, args.imblearn_limit)}
    for name in args.parts:
        start = time.perf_counter()
        try:
            parts[name](results, save)
        except Exception as exc:  # noqa: BLE001 - keep what the other parts measured
            results.setdefault("errors", {})[name] = repr(exc)
            print(f"{name} failed: {exc!r}", flush=True)
        print(f"part {name}: {time.perf_counter() - start:.1f} s", flush=True)
        save(results)
    print(markdown(results))


if __name__ == "__main__":
    main()
