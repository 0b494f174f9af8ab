"""TomekPruner vs imblearn's TomekLinks: wall time and peak memory, same run.

Each (case, implementation) runs in its own subprocess on the same seeded
data: Gaussian features, two classes about 9:1 (the minority shifted by 0.5).
Peak memory is the process's resident-set high-water mark during the fit
(``VmHWM``, reset just before it through ``/proc/self/clear_refs``) minus the
resident set just before: what the fit needs beyond the data and imports.
Each implementation first fits 2,000 rows, untimed, so one-off costs of the
process (library code paged in, thread pools) are not counted as the fit's;
ours fits them with the search algorithm the timed fit will use.

Run a few cases at a time (imblearn at 1M x 10 alone takes about 16 minutes)::

    python benchmarks/tomek_speed.py --cases 10000x10 10000x50 100000x10 100000x50 --second-fit
    python benchmarks/tomek_speed.py --cases 10000x10 100000x10 --impls ours-brute --second-fit
    python benchmarks/tomek_speed.py --cases 200000x10 --impls ours ours-kd_tree
    python benchmarks/tomek_speed.py --cases 1000000x10
    python benchmarks/tomek_speed.py --cases 1000000x50 --impls ours

Results accumulate in ``benchmarks/results/tomek_speed.json`` (one entry per
case and implementation, replaced when re-run); the Markdown table
``tomek_speed.md`` is rewritten from it after every run.
"""

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
# imblearn at 1,000,000 x 50 is brute force in float64: over an hour here
SKIP = {("imblearn", "1000000x50"): "skipped: imblearn needs over an hour (brute force, "
        "about 1e14 float64 flops)"}
NOTES = [(
    "Notes: ours runs with `n_threads=2` (imblearn's brute force uses its 2 "
    "OpenMP threads; its KD-tree query is single-threaded). The cases ran on a "
    "CPU with fast bfloat16 matmuls (AMX), where `algorithm=\"auto\"` is brute "
    "force (bfloat16 tiles, half of them thanks to symmetry, then exact "
    "re-ranking) except up to 15 features and 150,000 rows, where the KD-tree "
    "needs less memory (without AMX it keeps the KD-tree up to 15 features); the last "
    "column is the other algorithm, forced (`--impls ours-brute` or "
    "`ours-kd_tree`). Times vary run to run by some 10-30% on a shared machine; "
    "each speed-up compares two runs on the same data. Both implementations fit "
    "2,000 rows untimed first; peak MiB is what the timed fit adds to the "
    "resident set. With `--second-fit` the same fit runs once more in the same "
    "process: its peak is what a fit needs once the process has grown to the "
    "table's size (glibc's per-thread heaps, torch's state)."
)]


def make_data(n, d, seed=0):
    rng = np.random.RandomState(seed)
    y = (rng.rand(n) < 0.1).astype(np.int64)
    X = rng.normal(size=(n, d)) + 0.5 * y[:, None]
    return X, y


def _rss_mib(field="VmRSS"):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_one(impl, case, n_threads, second_fit=False):
    """Child process: fit one implementation on one case, print JSON."""
    n, d = (int(v) for v in case.split("x"))
    X, y = make_data(n, d)
    if impl.startswith("ours"):  # "ours" (algorithm="auto"), "ours-brute", "ours-kd_tree"
        from imblearn_gan import TomekPruner
        from imblearn_gan.backend import resolve_device

        algorithm = impl.partition("-")[2] or "auto"
        sampler = TomekPruner(device="cpu", n_threads=n_threads, algorithm=algorithm)
        # the warm-up runs the search the timed fit will use ("auto" picks by shape)
        timed = sampler._search_algorithm(X.shape, resolve_device("cpu"))
        warm_up = TomekPruner(device="cpu", n_threads=n_threads, algorithm=timed)
    else:
        from imblearn.under_sampling import TomekLinks

        sampler = warm_up = TomekLinks()
    # warm-up on 2,000 rows, not timed: library code pages and thread pools
    # are loaded once per process, not per fit (both implementations)
    warm_up.fit_resample(X[:2000], y[:2000])
    before = _rss_mib()
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
    start = time.perf_counter()
    sampler.fit_resample(X, y)
    seconds = time.perf_counter() - start
    peak = _rss_mib("VmHWM") - before
    kept = sampler.sample_indices_
    second = None
    if second_fit:  # the same fit again: what a fit needs once the process has grown
        before_second = _rss_mib()
        Path("/proc/self/clear_refs").write_text("5")
        sampler.fit_resample(X, y)
        second = _rss_mib("VmHWM") - before_second
    print(json.dumps({
        "impl": impl, "case": case, "n_threads": n_threads, "seconds": seconds,
        "peak_mib": peak, "data_mib": X.nbytes / 2**20, "second_fit_peak_mib": second,
        "removed": int(n - kept.size),
        "indices_sha1": hashlib.sha1(kept.tobytes()).hexdigest(),
        "algorithm": getattr(sampler, "algorithm_", None),
        "n_rechecked": getattr(sampler, "n_rechecked_", None),
    }))


def run_case(impl, case, n_threads, second_fit=False):
    if (impl, case) in SKIP:
        return {"impl": impl, "case": case, "skipped": SKIP[(impl, case)]}
    cmd = [sys.executable, __file__, "--child", impl, case, "--n-threads", str(n_threads),
           *(["--second-fit"] if second_fit else [])]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def load():
    path = RESULTS / "tomek_speed.json"
    return json.loads(path.read_text()) if path.exists() else {"runs": []}


def save(results):
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "tomek_speed.json").write_text(json.dumps(results, indent=1) + "\n")
    (RESULTS / "tomek_speed.md").write_text(table(results))


def _case_key(case):
    n, d = (int(v) for v in case.split("x"))
    return n, d


def table(results):
    runs = {(r["impl"], r["case"]): r for r in results["runs"]}
    lines = [
        "# TomekPruner vs imblearn TomekLinks (generated by benchmarks/tomek_speed.py)",
        "",
        (f"Machine: {results.get('machine', '?')}. Gaussian data, 2 classes ~9:1; "
         "each cell a separate process. Peak MiB: resident memory beyond the data "
         "during the fit."),
        "",
        ("| case | algorithm | ours s | imblearn s | speed-up | peak MiB ours / "
         "imblearn | second fit's peak MiB ours / imblearn | data MiB | same rows removed "
         "| peak <= 2x data | other algorithm forced: s, peak MiB |"),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    cases = sorted({r["case"] for r in results["runs"]}, key=_case_key)
    for case in cases:
        ours, ref = runs.get(("ours", case)), runs.get(("imblearn", case))
        if ours is None:
            continue
        other = "kd_tree" if ours["algorithm"] == "brute" else "brute"
        lines.append(_row(case, ours, ref) + _forced(runs.get((f"ours-{other}", case)), ours))
    lines += ["", *NOTES]
    return "\n".join(lines) + "\n"


def _row(case, ours, ref):
    second = _mib(ours.get("second_fit_peak_mib"))
    if ref is None or "skipped" in ref:
        ref_s = "not measured" if ref is None else "skipped (> 1 h)"
        ratio, ref_mem, same = None, "-", "-"
        second += " / -"
    else:
        second += f" / {_mib(ref.get('second_fit_peak_mib'))}"
        ref_s = f"{ref['seconds']:.1f}"
        ratio = ref["seconds"] / ours["seconds"]
        ref_mem = f"{ref['peak_mib']:.0f}"
        same = "yes" if ref["indices_sha1"] == ours["indices_sha1"] else "NO"
    memory_ok = ours["peak_mib"] <= 2 * ours["data_mib"]
    speed = "-" if ratio is None else f"{ratio:.1f}x"
    ours_s = f"{ours['seconds']:.1f}"
    return (f"| {case} | {ours['algorithm']} | {ours_s} | {ref_s} | {speed} "
            f"| {ours['peak_mib']:.0f} / {ref_mem} | {second} | {ours['data_mib']:.0f} | {same} "
            f"| {'yes' if memory_ok else 'no'} |")


def _forced(run, ours):
    """The other algorithm's cell: which, time, peak, and whether it removed
    the same rows."""
    if run is None:
        return " - |"
    same = "" if run["indices_sha1"] == ours["indices_sha1"] else " (DIFFERENT rows)"
    return f" {run['algorithm']}: {run['seconds']:.2f} s, {run['peak_mib']:.0f}{same} |"


def _mib(value):
    return "-" if value is None else f"{value:.0f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["10000x10", "10000x50"])
    parser.add_argument("--impls", nargs="+", default=["ours", "imblearn"],
                        choices=["ours", "ours-brute", "ours-kd_tree", "imblearn"])
    parser.add_argument("--n-threads", type=int, default=2)
    parser.add_argument("--second-fit", action="store_true",
                        help="also measure the peak of a second, identical fit in the "
                             "same process (not timed)")
    parser.add_argument("--child", nargs=2, metavar=("IMPL", "CASE"))
    args = parser.parse_args(argv)
    if args.child:
        run_one(*args.child, args.n_threads, args.second_fit)
        return
    results = load()
    results["machine"] = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    for case in args.cases:
        for impl in args.impls:
            entry = run_case(impl, case, args.n_threads, args.second_fit)
            entry["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            print(json.dumps(entry), flush=True)
            results["runs"] = [r for r in results["runs"]
                               if (r["impl"], r["case"]) != (impl, case)] + [entry]
            save(results)


if __name__ == "__main__":
    main()
