"""The selection samplers at scale, on dask: out of core on a LocalCluster, and one
table three ways (in memory, dask threads, dask.distributed) with a same-rows check.

From the repository root, holding the benchmark lock (both cores are busy)::

    flock /tmp/imblearn_gan_bench.lock python benchmarks/run_scale.py            # ~13 min
    flock /tmp/imblearn_gan_bench.lock python benchmarks/run_scale.py \\
        --rows 20_000_000 --out /tmp/scale_pilot                              # a pilot

asv cannot run this: a ``LocalCluster`` started inside asv's forked benchmark
process starts no workers. So this driver starts its own cluster.

The data: ``--rows`` x 20 float32 rows (independent uniform features of mean 0 and
variance 1, a logistic label with about 11% positives), generated in partitions of ``--partition``
rows by :func:`make_block`, each partition a function of its index alone. On
dask each partition is generated where it is computed (on the cluster: on the
workers), so the table is never materialised whole, neither on disk nor in
memory; every pass of the samplers over the data generates it again.

Two parts, each run by itself:

``big`` (out of core)
    On a ``distributed.LocalCluster`` of ``--workers`` worker processes with one
    thread and ``--memory-limit`` each: ``LossProportionalSampler(
    sampling_strategy="all", sample_size=--sample-size, random_state=0,
    n_threads=1, device="cpu")``, then the kept rows, labels and weights computed
    into this process. Then ``DownsampleUpweight(sampling_strategy="all",
    factor=1 / --sample-size, random_state=0)`` the same way (``--no-du`` skips
    it). Recorded: wall time of ``fit_resample`` and of the ``compute``, rows per
    second, the peak resident memory of every worker process and of this
    process (polled every 0.2 s), the kept rows, and the weighted class counts
    against the true ones. The true counts are computed on the cluster by a
    separate pass (``da.bincount(y)``, timed apart).
``small`` (three ways)
    ``--small-rows`` rows with the same sampler: in memory (the partitions
    concatenated into one array first), on dask's threaded scheduler
    (``--workers`` threads) and on the LocalCluster (a fresh one: its time
    includes the workers' first import of the package and torch). Recorded:
    the time of each (fit and compute of the sample), and whether the kept indices and weights
    equal the in-memory ones exactly (the run fails if not).

Output (``--out``, default ``benchmarks/results/scale/``): ``rows.csv`` (part,
sampler, implementation, metric, value), ``summary.md``, ``run.json``
(machine, versions, command, dates, wall time).
"""

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # one thread per worker (inherited by the workers)

import argparse
import csv
import json
import resource
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from run_suite import git, machine_info, provenance, versions

N_FEATURES = 20
COEF = (np.random.default_rng(12345).standard_normal(N_FEATURES) * 2
        / np.sqrt(N_FEATURES)).astype(np.float32)
INTERCEPT = np.float32(-3.5)
DISTRIBUTIONS = ["numpy", "pandas", "scikit-learn", "imbalanced-learn", "torch", "dask",
                 "distributed", "psutil", "imblearn-gan"]


# -- data ---------------------------------------------------------------------------
def make_block(index, n_rows):
    """Partition ``index`` of ``n_rows`` rows: ``(X, y)``, a function of the index alone."""
    rng = np.random.default_rng([2026, index])
    X = rng.random((n_rows, N_FEATURES), dtype=np.float32)  # uniform: 8x faster than normal
    X -= np.float32(0.5)
    X *= np.float32(12**0.5)  # mean 0, variance 1
    p = 1 / (1 + np.exp(-(X @ COEF + INTERCEPT)))
    return X, (rng.random(n_rows) < p).astype(np.int64)


def _x_block(block_info=None):
    info = block_info[None]
    return make_block(info["chunk-location"][0], info["chunk-shape"][0])[0]


def _y_block(block_info=None):
    info = block_info[None]
    return make_block(info["chunk-location"][0], info["chunk-shape"][0])[1]


def partition_rows(n_rows, partition):
    return tuple(min(partition, n_rows - start) for start in range(0, n_rows, partition))


def lazy(n_rows, partition):
    """Dask ``(X, y)``: each partition generated where it is computed."""
    import dask.array as da

    rows = partition_rows(n_rows, partition)
    X = da.map_blocks(_x_block, chunks=(rows, (N_FEATURES,)), dtype=np.float32,
                      meta=np.empty((0, N_FEATURES), np.float32))
    y = da.map_blocks(_y_block, chunks=(rows,), dtype=np.int64, meta=np.empty(0, np.int64))
    return X, y


def in_memory(n_rows, partition):
    blocks = [make_block(i, n) for i, n in enumerate(partition_rows(n_rows, partition))]
    X = np.concatenate([b[0] for b in blocks])
    y = np.concatenate([b[1] for b in blocks])
    return X, y


# -- samplers -----------------------------------------------------------------------
def samplers(sample_size):
    from imblearn_gan import DownsampleUpweight, LossProportionalSampler

    return {
        "LossProportionalSampler": lambda: LossProportionalSampler(
            sampling_strategy="all", sample_size=sample_size, random_state=0, n_threads=1,
            device="cpu"),
        "DownsampleUpweight": lambda: DownsampleUpweight(
            sampling_strategy="all", factor=1 / sample_size, random_state=0),
    }


def select(model, X, y, lazy_input):
    """``fit_resample`` then the kept rows, labels, weights and indices in memory;
    returns them with the two times."""
    import dask

    start = time.perf_counter()
    X_res, y_res = model.fit_resample(X, y)
    fitted = time.perf_counter()
    values = (X_res, y_res, model.sample_weight_, model.sample_indices_)
    if lazy_input:
        values = dask.compute(*values)
    done = time.perf_counter()
    return [np.asarray(v) for v in values], fitted - start, done - fitted


# -- memory -------------------------------------------------------------------------
class PeakMemory:
    """Polls the resident set of the given processes every ``interval`` seconds."""

    def __init__(self, pids, interval=0.2):
        import psutil

        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak = dict.fromkeys(pids, 0)
        self.interval, self._stop = interval, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psutil

        while not self._stop.is_set():
            for name, proc in self.procs.items():
                try:
                    self.peak[name] = max(self.peak[name], proc.memory_info().rss)
                except psutil.Error:  # a worker restarting: keep its peak so far
                    continue
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def start_cluster(args):
    import distributed

    cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                       processes=True, memory_limit=args.memory_limit,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    return cluster, client


def worker_pids(client):
    pids = client.run(os.getpid)
    return {f"worker {i}": pid for i, (_, pid) in enumerate(sorted(pids.items()))}


# -- the two parts ------------------------------------------------------------------
def run_big(args, rows):
    import dask.array as da

    n_rows, partition = args.rows, args.partition
    data_gb = n_rows * N_FEATURES * 4 / 1e9
    print(f"big: {n_rows:,} x {N_FEATURES} float32 ({data_gb:.1f} GB) in "
          f"{-(-n_rows // partition)} partitions of {partition:,} rows", flush=True)
    cluster, client = start_cluster(args)
    try:
        X, y = lazy(n_rows, partition)
        start = time.perf_counter()
        truth = np.asarray(da.bincount(y, minlength=2).compute())
        truth_s = time.perf_counter() - start
        print(f"  true class counts {truth.tolist()} ({truth_s:.1f} s)", flush=True)
        rows += [("big", "truth", "distributed", "time_s", truth_s)]
        rows += [("big", "truth", "distributed", f"count_{c}", int(n))
                 for c, n in enumerate(truth)]
        names = ["LossProportionalSampler"] + ([] if args.no_du else ["DownsampleUpweight"])
        for name in names:
            client.restart()  # fresh workers: each sampler's own peak
            pids = worker_pids(client) | {"client": os.getpid()}
            with PeakMemory(pids) as memory:
                (X_res, y_res, w, _), fit_s, compute_s = select(
                    samplers(args.sample_size)[name](), X, y, lazy_input=True)
            estimate = np.bincount(y_res, weights=w, minlength=2)
            total = fit_s + compute_s
            print(f"  {name}: fit {fit_s:.1f} s + compute {compute_s:.1f} s, "
                  f"{n_rows / total:,.0f} rows/s, kept {len(y_res):,} rows "
                  f"({X_res.nbytes / 1e6:.0f} MB), weighted counts "
                  f"{np.round(estimate).astype(int).tolist()}, peak MiB "
                  f"{ {k: round(v / 2**20) for k, v in memory.peak.items()} }", flush=True)
            rows += [("big", name, "distributed", "fit_s", fit_s),
                     ("big", name, "distributed", "compute_s", compute_s),
                     ("big", name, "distributed", "time_s", total),
                     ("big", name, "distributed", "rows_per_s", n_rows / total),
                     ("big", name, "distributed", "kept_rows", len(y_res))]
            rows += [("big", name, "distributed", f"weighted_count_{c}", float(e))
                     for c, e in enumerate(estimate)]
            rows += [("big", name, "distributed", f"peak_mib_{k.replace(' ', '_')}",
                      v / 2**20) for k, v in memory.peak.items()]
            del X_res, y_res, w
    finally:
        client.close()
        cluster.close()


def run_small(args, rows):
    import dask

    n_rows, partition = args.small_rows, args.partition
    print(f"small: {n_rows:,} x {N_FEATURES} float32 in partitions of {partition:,} rows",
          flush=True)
    make = samplers(args.sample_size)["LossProportionalSampler"]
    X_mem, y_mem = in_memory(n_rows, partition)
    reference, fit_s, compute_s = select(make(), X_mem, y_mem, lazy_input=False)
    del X_mem, y_mem
    results = {"in-memory": (reference, fit_s, compute_s)}
    X, y = lazy(n_rows, partition)
    with dask.config.set(scheduler="threads", num_workers=args.workers):
        results["threads"] = select(make(), X, y, lazy_input=True)
    cluster, client = start_cluster(args)
    try:
        results["distributed"] = select(make(), X, y, lazy_input=True)
    finally:
        client.close()
        cluster.close()
    for implementation, ((X_res, _, w, idx), fit_s, compute_s) in results.items():
        same = (np.array_equal(idx, reference[3]) and np.array_equal(w, reference[2])
                and np.array_equal(X_res, reference[0]))
        print(f"  {implementation}: fit {fit_s:.2f} s + compute {compute_s:.2f} s, "
              f"{len(idx):,} rows kept, same rows as in memory: {same}", flush=True)
        rows += [("small", "LossProportionalSampler", implementation, "fit_s", fit_s),
                 ("small", "LossProportionalSampler", implementation, "compute_s", compute_s),
                 ("small", "LossProportionalSampler", implementation, "time_s",
                  fit_s + compute_s),
                 ("small", "LossProportionalSampler", implementation, "kept_rows", len(idx)),
                 ("small", "LossProportionalSampler", implementation, "same_rows", int(same))]
        if not same:
            raise SystemExit(f"{implementation} kept other rows than the in-memory path")


# -- output -------------------------------------------------------------------------
def _value(rows, part, sampler, implementation, metric):
    for p, s, i, m, v in rows:
        if (p, s, i, m) == (part, sampler, implementation, metric):
            return v
    return None


def summarize(args, rows, machine):
    lines = ["# The selection samplers at scale", ""]
    ram = machine.get("ram_gib")
    if any(r[0] == "big" for r in rows):
        gb = args.rows * N_FEATURES * 4 / 1e9
        truth = [_value(rows, "big", "truth", "distributed", f"count_{c}") for c in (0, 1)]
        lines += [
            "## Out of core",
            "",
            (f"{args.rows:,} rows x {N_FEATURES} float32 ({gb:.1f} GB, {gb / 1.073741824:.1f} "
             f"GiB; this machine has {ram} GiB of RAM), generated per partition of "
             f"{args.partition:,} rows on the workers (never materialised whole, nor written "
             f"to disk), on a LocalCluster of {args.workers} worker processes x 1 thread, "
             f"memory limit {args.memory_limit} each; every class subsampled to "
             f"`sample_size={args.sample_size}`, the kept rows, labels and weights computed "
             f"into the client. True class counts {truth[0]:,} / {truth[1]:,} (a separate "
             f"pass, {_value(rows, 'big', 'truth', 'distributed', 'time_s'):.0f} s)."),
            "",
            ("| sampler | fit s | compute s | total s | rows/s | kept rows | weighted count 0 "
             "(error) | weighted count 1 (error) | peak MiB per worker | peak MiB client |"),
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for name in ("LossProportionalSampler", "DownsampleUpweight"):
            if _value(rows, "big", name, "distributed", "time_s") is None:
                continue
            get = lambda m, n=name: _value(rows, "big", n, "distributed", m)
            counts = []
            for c in (0, 1):
                est = get(f"weighted_count_{c}")
                counts.append(f"{est:,.0f} ({round(100 * (est / truth[c] - 1), 3) + 0.0:+.3f}%)")
            workers = [get(f"peak_mib_worker_{i}") for i in range(args.workers)]
            lines.append(
                f"| {name} | {get('fit_s'):.1f} | {get('compute_s'):.1f} | {get('time_s'):.1f} "
                f"| {get('rows_per_s'):,.0f} | {get('kept_rows'):,} | {counts[0]} | {counts[1]} "
                f"| {' / '.join(f'{m:,.0f}' for m in workers)} | {get('peak_mib_client'):,.0f} |")
        lines += ["", ("Peak memory: the largest resident set of each process during "
                       "`fit_resample` and the `compute` (polled every 0.2 s; a worker's "
                       "includes its Python, NumPy, torch and dask), against the data's "
                       f"{gb * 1e9 / 2**20:,.0f} MiB."), ""]
    if any(r[0] == "small" for r in rows):
        lines += ["## One table three ways", "",
                  (f"{args.small_rows:,} rows x {N_FEATURES} float32 (partitions of "
                   f"{args.partition:,} rows), `LossProportionalSampler(sampling_strategy="
                   f"\"all\", sample_size={args.sample_size}, random_state=0)`: in memory (the "
                   "partitions concatenated first), on dask's threaded scheduler "
                   f"({args.workers} threads) and on the LocalCluster above; times include "
                   "computing the sample and, on the fresh cluster, the workers' first import "
                   "of the package and torch."), "",
                  "| implementation | fit s | compute s | total s | kept rows | same rows and weights as in memory |",
                  "|---|--:|--:|--:|--:|---|"]
        for implementation in ("in-memory", "threads", "distributed"):
            get = lambda m, i=implementation: _value(
                rows, "small", "LossProportionalSampler", i, m)
            lines.append(f"| {implementation} | {get('fit_s'):.2f} | {get('compute_s'):.2f} | "
                         f"{get('time_s'):.2f} | {get('kept_rows'):,} | "
                         f"{'yes' if get('same_rows') else 'no'} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=400_000_000,
                        help="rows of the out-of-core table (default 400,000,000: 32 GB)")
    parser.add_argument("--small-rows", type=lambda s: int(s.replace("_", "")),
                        default=10_000_000, help="rows of the three-ways table")
    parser.add_argument("--partition", type=lambda s: int(s.replace("_", "")),
                        default=1_000_000, help="rows per partition")
    parser.add_argument("--sample-size", type=float, default=0.01)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="4GiB", help="per worker")
    parser.add_argument("--parts", default="small,big", help="small, big or both")
    parser.add_argument("--no-du", action="store_true", help="skip DownsampleUpweight (big)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/scale"))
    parser.add_argument("--from-rows", action="store_true",
                        help="rewrite summary.md from the folder's rows.csv and run.json, no run")
    args = parser.parse_args(argv)
    if args.from_rows:
        return write_summary(args.out)

    machine = machine_info()
    run = {"machine": machine,
           "versions": versions(DISTRIBUTIONS),
           "commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain")),
           "argv": ["python", *sys.argv], "args": {k: str(v) for k, v in vars(args).items()},
           "date": time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime()),
           "load_average_start": list(os.getloadavg())}
    start = time.perf_counter()
    rows = []
    parts = args.parts.split(",")
    if "small" in parts:
        run_small(args, rows)
    if "big" in parts:
        run_big(args, rows)
    run["wall_s"] = time.perf_counter() - start
    run["load_average_end"] = list(os.getloadavg())
    run["client_maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "rows.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["part", "sampler", "implementation", "metric", "value"])
        writer.writerows(rows)
    (args.out / "run.json").write_text(json.dumps(run, indent=1) + "\n")
    return write_summary(args.out)


def write_summary(out):
    """``summary.md`` from the folder's ``rows.csv`` and ``run.json``."""
    run = json.loads((out / "run.json").read_text())
    machine = run["machine"]
    recorded = run["args"]
    args = argparse.Namespace(**{k: recorded[k] for k in ("memory_limit",)}, **{
        k: int(recorded[k]) for k in ("rows", "small_rows", "partition", "workers")},
        sample_size=float(recorded["sample_size"]))
    with open(out / "rows.csv", newline="") as f:
        rows = [(p, s, i, m, float(v) if "." in v or "e" in v else int(v))
                for p, s, i, m, v in list(csv.reader(f))[1:]]
    summary = summarize(args, rows, machine)
    summary += (f"\nMachine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gib']} "
                f"GiB RAM. {provenance(run)}; {run['date']}; wall time {run['wall_s']:.0f} s; load average (1 min) "
                f"{run['load_average_start'][0]:.1f} at the start"
                + (f", {run['load_average_end'][0]:.1f} at the end"
                   if "load_average_end" in run else "")
                + " (above 2: other processes shared the 2 cores, and times are longer).\n")
    (out / "summary.md").write_text(summary)
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
