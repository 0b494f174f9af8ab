"""Thread policy: GAN epoch time and matmul speed with 1 or 2 torch threads,
on a quiet CPU and beside a busy process.

Reproduce the published numbers on a quiet machine (nothing else running),
from the repository root::

    PYTHONPATH=. python benchmarks/threads.py

which is ``--rows 10000 --epochs 5 --cpus 2 --busy-procs 1`` and writes
``benchmarks/results/threads.json``. A smoke test of the script (seconds,
numbers meaningless)::

    PYTHONPATH=. python benchmarks/threads.py --rows 1000 --epochs 2 \\
        --matmul-seconds 0.2 --matmul-runs 1 --json /tmp/threads.json

What is measured
----------------
The process (and the busy process) is pinned to ``--cpus`` CPUs (Linux
``sched_setaffinity``; 0 = no pinning), so "busy" means the same thing on a
2-core laptop and a 64-core server: with the default 2, one of the two CPUs
the benchmark may use is taken by a spinning process.

1. Matmul: ``(256 x 128) @ (128 x 128)`` in float32, repeated for
   ``--matmul-seconds``; GFLOP/s (``2 * 256 * 128 * 128`` flops per product),
   median of ``--matmul-runs``, with 1 and 2 torch threads.
2. GAN epoch: ``GANOverSampler(epochs=E, n_threads=t, random_state=0).fit`` on
   ``make_classification(n_samples=rows, n_features=20, weights=[0.9])``,
   every other parameter at its default; seconds per epoch = the median of
   ``history_[i]["dur"]``; for ``n_threads`` in 1, 2 and None (torch's
   default thread count, reported).

Both run first on the quiet CPUs, then again while ``--busy-procs`` processes
spin (``while True`` in pure Python) on the last of the pinned CPUs. The
spinners are killed in a ``finally`` block and, as a second guard, exit on
their own when this process dies. The table gives each setting's quiet and
busy numbers and the slowdown busy / quiet. Load averages are recorded, so a
"quiet" run that was not quiet shows in the JSON.
"""

import argparse
import os
import signal
import subprocess
import sys
import time

import torch
from sklearn.datasets import make_classification

from _common import RESULTS_DIR, load_average, machine, markdown_table, median, write_json

from imblearn_gan import GANOverSampler
from imblearn_gan.backend import torch_threads

MATMUL_SHAPE = (256, 128, 128)  # (m, k, n): (m x k) @ (k x n)

# a pure-Python spinner that exits when its parent (this script) is gone
SPINNER = (
    "import os\n"
    "parent = os.getppid()\n"
    "while os.getppid() == parent:\n"
    "    for _ in range(1_000_000):\n"
    "        pass\n"
)


def pin_cpus(n_cpus):
    """Restrict this process to its first ``n_cpus`` allowed CPUs; return them."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if n_cpus:
        allowed = allowed[:n_cpus]
        os.sched_setaffinity(0, allowed)
    return allowed


class Busy:
    """Context manager: ``n`` CPU-bound spinners on CPU ``cpu`` (or anywhere)."""

    def __init__(self, n, cpu=None):
        self.n, self.cpu, self.procs = n, cpu, []

    def __enter__(self):
        for _ in range(self.n):
            proc = subprocess.Popen([sys.executable, "-c", SPINNER])
            self.procs.append(proc)
            if self.cpu is not None and hasattr(os, "sched_setaffinity"):
                os.sched_setaffinity(proc.pid, {self.cpu})
        time.sleep(1.0)  # let the spinners reach full speed
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            proc.kill()
        for proc in self.procs:
            proc.wait()
        self.procs = []
        return False


def matmul_gflops(threads, seconds, runs):
    """GFLOP/s of the small matmul under ``threads`` torch threads (median of runs)."""
    m, k, n = MATMUL_SHAPE
    gen = torch.Generator().manual_seed(0)
    a, b = torch.randn(m, k, generator=gen), torch.randn(k, n, generator=gen)
    flops = 2 * m * k * n
    rates = []
    with torch_threads(threads):
        for _ in range(20):  # warm-up
            a @ b
        for _ in range(runs):
            count, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                for _ in range(10):
                    a @ b
                count += 10
            rates.append(flops * count / (time.perf_counter() - start) / 1e9)
    return {"threads": threads, "gflops_all": rates, "gflops": median(rates)}


def gan_epoch(X, y, threads, epochs, batch_size):
    """Median seconds per epoch of a GANOverSampler fit with ``n_threads=threads``."""
    extra = {} if batch_size is None else {"batch_size": batch_size}
    sampler = GANOverSampler(epochs=epochs, n_threads=threads, random_state=0, **extra)
    with torch_threads(threads):  # what n_threads=None will run with, for the record
        resolved = torch.get_num_threads()
    start = time.perf_counter()
    sampler.fit(X, y)
    durations = [record["dur"] for record in sampler.history_]
    return {"n_threads": threads, "torch_threads": resolved,
            "fit_s": time.perf_counter() - start, "epoch_s_all": durations,
            "epoch_s": median(durations)}


def measure(X, y, args, settings):
    result = {"load_average_before": load_average()}
    result["matmul"] = [matmul_gflops(t, args.matmul_seconds, args.matmul_runs)
                        for t in (1, 2)]
    result["gan"] = [gan_epoch(X, y, t, args.epochs, args.batch_size) for t in settings]
    result["load_average_after"] = load_average()
    return result


def report(quiet, busy, args):
    lines = [f"### Small matmul {MATMUL_SHAPE[0]}x{MATMUL_SHAPE[1]} @ "
             f"{MATMUL_SHAPE[1]}x{MATMUL_SHAPE[2]} (float32), GFLOP/s\n"]
    rows = [[f"{q['threads']} thread(s)", q["gflops"], b["gflops"], q["gflops"] / b["gflops"]]
            for q, b in zip(quiet["matmul"], busy["matmul"])]
    lines.append(markdown_table(["torch threads", "quiet", "busy", "slowdown (quiet / busy)"],
                                rows))
    lines.append(f"\n### GAN epoch, {args.rows} x 20 numeric, median of {args.epochs} "
                 "epochs, seconds per epoch\n")
    rows = []
    for q, b in zip(quiet["gan"], busy["gan"]):
        name = (f"n_threads={q['n_threads']}" if q["n_threads"] is not None
                else f"n_threads=None (torch default: {q['torch_threads']})")
        rows.append([name, q["epoch_s"], b["epoch_s"], b["epoch_s"] / q["epoch_s"]])
    lines.append(markdown_table(["setting", "quiet (s)", "busy (s)", "slowdown (busy / quiet)"],
                                rows))
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=None,
                        help="GANOverSampler batch_size (default: the sampler's default)")
    parser.add_argument("--cpus", type=int, default=2,
                        help="pin the benchmark to this many CPUs (0: no pinning)")
    parser.add_argument("--busy-procs", type=int, default=1,
                        help="spinning processes in the busy phase")
    parser.add_argument("--matmul-seconds", type=float, default=2.0)
    parser.add_argument("--matmul-runs", type=int, default=5)
    parser.add_argument("--json", default=str(RESULTS_DIR / "threads.json"))
    return parser.parse_args(argv)


def _raise_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # so the finally block kills the spinners


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    cpus = pin_cpus(args.cpus)
    meta = machine()
    meta["pinned_cpus"] = cpus
    X, y = make_classification(n_samples=args.rows, n_features=20, n_informative=10,
                               weights=[0.9], random_state=0)
    settings = [1, 2, None]
    # warm-up, not timed: first-call costs stay out of the quiet numbers
    GANOverSampler(epochs=1, random_state=0).fit(X[:1000], y[:1000])

    print("quiet ...", file=sys.stderr, flush=True)
    quiet = measure(X, y, args, settings)
    print(f"busy ({args.busy_procs} spinner(s)) ...", file=sys.stderr, flush=True)
    with Busy(args.busy_procs, cpu=cpus[-1] if cpus else None):
        busy = measure(X, y, args, settings)

    result = {"machine": meta, "rows": args.rows, "epochs": args.epochs,
              "batch_size": args.batch_size or GANOverSampler().get_params()["batch_size"],
              "busy_procs": args.busy_procs, "matmul_shape": MATMUL_SHAPE,
              "quiet": quiet, "busy": busy}
    print(report(quiet, busy, args))
    path = write_json(result, args.json)
    print(f"\nwrote {path}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
