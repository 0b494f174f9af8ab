"""Run the asv speed and memory suite and tabulate the ratios against every peer.

From the repository root, holding the benchmark lock (the suite keeps both
cores busy)::

    flock /tmp/imblearn_gan_bench.lock python benchmarks/run_suite.py --quick  # ~5 min, 2 cores
    flock /tmp/imblearn_gan_bench.lock python benchmarks/run_suite.py --full   # ~2-2.5 h
    python benchmarks/run_suite.py --from-results quick   # rebuild the folder, no run

``--quick`` runs the quick subset (``QUICK`` in ``benchmarks/suite/__init__.py``:
one thread, Tomek at 10k and 100k rows, selection at 1M rows) with asv's
``--quick`` (one call per benchmark); ``--full`` runs every parameter
combination with each class's ``repeat`` (up to 3 samples). Either one runs::

    asv run --config benchmarks/asv.conf.json -E existing:<this python> \\
        --set-commit-hash <HEAD> --machine <name> [--quick] [--bench REGEX ...]

on the installed environment (no virtualenv, no network; the working tree may
be dirty: asv benchmarks what is importable and files it under HEAD), after
recording the machine in ``~/.asv-machine.json``. asv's results stay in
``benchmarks/.asv/results`` (git-ignored). Then it writes
``benchmarks/results/speed_quick/`` (or ``speed_full/``):

- ``rows.csv``: benchmark, case, implementation, metric, value; metrics
  ``time_s``, ``peakmem_mib`` (the process's peak resident set during the
  call), ``rss_after_setup_mib``, ``peakmem_added_mib`` (the difference:
  what the call adds) and ``same_rows`` (TomekPruner vs TomekLinks, 1 = yes);
- ``summary.json`` and ``summary.md``: per case, ours against each peer, with
  ratios peer / ours (above 1: ours is faster or smaller), the threads each
  used, the same-rows checks and the benchmarks that did not finish;
- ``run.json``: machine, versions, commands, dates, wall time.

It prints ``summary.md`` at the end.
"""

import argparse
import ast
import csv
import itertools
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path("benchmarks") / "asv.conf.json"
RESULTS_DIR = ROOT / "benchmarks" / ".asv" / "results"
OUT_DIR = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT / "benchmarks"))
import suite  # (light: the suite's metadata, no benchmark module)

METRICS = {"time_": "time_s", "peakmem_": "peakmem_mib",
           "track_rss_after_setup": "rss_after_setup_mib", "track_same_rows": "same_rows",
           "track_recall": "recall", "track_distance_ratio": "distance_ratio"}
# measurements listed as they are, beside the comparisons
TRACKED = ("recall", "distance_ratio")
DISTRIBUTIONS = ["numpy", "scipy", "pandas", "scikit-learn", "imbalanced-learn", "torch",
                 "ctgan", "threadpoolctl", "asv", "asv_runner", "imblearn-gan"]


# -- machine, versions --------------------------------------------------------
def machine_info():
    """CPU model, cores and RAM of this machine (Linux /proc; platform elsewhere)."""
    info = {"cpu": platform.processor() or platform.machine(), "cores": None,
            "ram_gib": None, "platform": platform.platform(), "hostname": platform.node()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu"] = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE).group(1)
        meminfo = Path("/proc/meminfo").read_text()
        kib = int(re.search(r"^MemTotal:\s*(\d+)", meminfo, re.MULTILINE).group(1))
        info["ram_gib"] = round(kib / 2**20, 1)
    except (OSError, AttributeError):
        pass
    info["cores"] = os.cpu_count()
    info["cores_available"] = len(os.sched_getaffinity(0))
    return info


def versions(distributions=DISTRIBUTIONS):
    """Python's version and each distribution's (None when not installed)."""
    found = {"python": platform.python_version()}
    for name in distributions:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def provenance(run):
    """``"<versions>; commit <hash>[ + uncommitted changes]"`` of a driver's run record
    (``versions`` and ``commit``/``dirty`` as :func:`versions` and :func:`git` give
    them), for the summaries' closing line."""
    listed = ", ".join(f"{k} {v}" for k, v in run["versions"].items())
    dirty = " + uncommitted changes" if run.get("dirty") else ""
    return f"{listed}; commit {run['commit'][:8]}{dirty}"


def git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def record_machine(name):
    """Save this machine under ``name`` in ``~/.asv-machine.json`` (asv's own
    defaults: OS, architecture, CPU model, cores, RAM), so ``asv run`` does
    not ask."""
    from asv.machine import Machine, MachineCollection

    MachineCollection.save(name, {**Machine.get_defaults(), "machine": name})


# -- running asv ----------------------------------------------------------------
def asv_command(mode, machine, commit, bench):
    command = [sys.executable, "-m", "asv", "run", "--config", str(CONFIG),
               "-E", f"existing:{sys.executable}", "--set-commit-hash", commit,
               "--machine", machine, "--durations", "all"]
    if mode == "quick":
        command.append("--quick")
    for regex in bench:
        command += ["--bench", regex]
    return command


def find_results(machine, commit):
    """The asv results of ``commit`` on ``machine`` for this Python."""
    from asv.results import iter_results_for_machine_and_hash

    found = [r for r in iter_results_for_machine_and_hash(str(RESULTS_DIR), machine, commit)
             if Path(r.params.get("python", "")) == Path(sys.executable)] or list(
        iter_results_for_machine_and_hash(str(RESULTS_DIR), machine, commit))
    if not found:
        sys.exit(f"No asv results for machine {machine!r} and commit {commit[:8]} in "
                 f"{RESULTS_DIR}; run --quick or --full first.")
    return found[0]


# -- tidy rows --------------------------------------------------------------------
def metric_of(method):
    for prefix, metric in METRICS.items():
        if method.startswith(prefix):
            return metric
    return method


def tidy(results, selection):
    """``(rows, not_finished)`` for every benchmark x parameters that ``selection``
    (a list of regexes, empty: all) matches; value None: failed or timed out."""
    meta = json.loads((RESULTS_DIR / "benchmarks.json").read_text())
    rows, not_finished = [], []
    for key in sorted(results.get_all_result_keys()):
        if key not in meta:
            continue
        klass, method = key.rsplit(".", 1)
        params = results.get_result_params(key)
        values = results.get_result_value(key, params)
        for combo, value in zip(_product(params), values):
            label = f"{key}({', '.join(combo)})"
            if selection and not any(re.search(r, label) for r in selection):
                continue
            if value is not None and math.isnan(value):
                continue  # never run
            kwargs = {n: ast.literal_eval(v) for n, v in zip(meta[key]["param_names"], combo)}
            implementation = kwargs.pop("implementation", "both")
            case = suite.CASES.get(klass, klass).format(**kwargs)
            row = {"benchmark": klass, "case": case, "implementation": implementation,
                   "metric": metric_of(method), "value": value}
            if value is None:
                not_finished.append({**row, "benchmark": label,
                                     "reason": _reason(results, key, meta[key])})
                continue
            if row["metric"] == "peakmem_mib":
                row["value"] = value / 2**20
            rows.append(row)
    return rows + _added(rows), not_finished


def _product(params):
    return itertools.product(*params) if params else [()]


def _reason(results, key, meta):
    stderr = results.stderr.get(key) or ""
    if "timed out" in stderr or "timeout" in stderr.lower():
        return f"timed out after {meta.get('timeout')} s"
    return "failed: " + (stderr.strip().splitlines() or ["no stderr"])[-1][:200]


def _added(rows):
    """``peakmem_added_mib`` = peak during the call minus the RSS after setup."""
    table = {(r["benchmark"], r["case"], r["implementation"], r["metric"]): r["value"]
             for r in rows}
    added = []
    for (klass, case, impl, metric), peak in table.items():
        rss = table.get((klass, case, impl, "rss_after_setup_mib"))
        if metric == "peakmem_mib" and rss is not None:
            added.append({"benchmark": klass, "case": case, "implementation": impl,
                          "metric": "peakmem_added_mib", "value": peak - rss})
    return added


# -- summary ------------------------------------------------------------------------
def summarize(rows, not_finished):
    table = {(r["benchmark"], r["case"], r["implementation"], r["metric"]): r["value"]
             for r in rows}
    order = list(suite.PAIRS)  # the suite's order of classes, then asv's of parameters
    cases = sorted(dict.fromkeys((r["benchmark"], r["case"]) for r in rows),
                   key=lambda c: order.index(c[0]) if c[0] in order else len(order))
    comparisons = []
    for klass, case in cases:
        for ours, peer in suite.PAIRS.get(klass, []):
            entry = {"benchmark": klass, "case": case, "ours": ours, "peer": peer}
            for metric in ("time_s", "peakmem_mib", "peakmem_added_mib"):
                a = table.get((klass, case, ours, metric))
                b = table.get((klass, case, peer, metric)) if peer else None
                ratio = b / a if a and b is not None else None
                entry[metric] = {"ours": a, "peer": b, "ratio_peer_over_ours": ratio}
            if entry["time_s"]["ours"] is not None or entry["time_s"]["peer"] is not None:
                comparisons.append(entry)
    same = [{"case": case if i == "both" else f"{case}, {i}", "same_rows": bool(table[(k, case, i, m)])}
            for (k, case, i, m) in table if m == "same_rows"]
    tracked = [{"case": case, "implementation": i, "metric": m, "value": table[(k, case, i, m)]}
               for (k, case, i, m) in table if m in TRACKED]
    threads = {k: v for k, v in suite.THREADS.items() if any(c[0] == k for c in cases)}
    return {"comparisons": comparisons, "same_rows": same, "tracked": tracked,
            "threads": threads, "not_finished": not_finished}


def _cell(value, digits=3):
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def markdown(summary, run):
    m, v = run["machine"], run["versions"]
    lines = [
        f"# Speed and peak memory, {run['mode']} suite (generated by benchmarks/run_suite.py)",
        "",
        (f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM. Python "
         f"{v['python']}, torch {v['torch']}, scikit-learn {v['scikit-learn']}, "
         f"imbalanced-learn {v['imbalanced-learn']}, ctgan {v['ctgan']}, imblearn-gan "
         f"{v['imblearn-gan']}; commit {run['commit'][:8]}"
         f"{' + uncommitted changes' if run.get('dirty') else ''}; {run['date']}; "
         f"asv {run['mode']} run, wall time {_cell(run.get('wall_s'))} s."),
        "",
        ("Ratios are peer / ours: above 1, ours is faster or needs less memory. time: "
         "asv's median seconds of one call (--quick: a single call). peak: the "
         "process's peak resident set during the call (imports and data included). "
         "added: peak minus the resident set after the same setup, i.e. what the call "
         "itself needs."),
        "",
        ("| case | ours | peer | time ours (s) | time peer (s) | time peer/ours "
         "| peak ours (MiB) | peak peer (MiB) | peak peer/ours | added ours (MiB) "
         "| added peer (MiB) | added peer/ours |"),
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for c in summary["comparisons"]:
        cells = [c["case"], c["ours"], c["peer"] or "(no peer)"]
        for metric in ("time_s", "peakmem_mib", "peakmem_added_mib"):
            d = c[metric]
            cells += [_cell(d["ours"]), _cell(d["peer"]), _cell(d["ratio_peer_over_ours"])]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Threads and cores", ""]
    lines += [f"- `{k}`: {text}." for k, text in summary["threads"].items()]
    if summary["same_rows"]:
        lines += ["", ("## Same rows? (TomekPruner and TomekLinks remove the same rows; "
                       "LossProportionalSampler keeps the same rows and weights on dask as in "
                       "memory)"), ""]
        lines += [f"- {s['case']}: {'yes' if s['same_rows'] else 'NO'}"
                  for s in summary["same_rows"]]
    if summary.get("tracked"):
        lines += ["", "## Other measurements", ""]
        lines += [f"- {t['case']}, {t['implementation']}: {t['metric']} {_cell(t['value'])}"
                  for t in summary["tracked"]]
    lines += ["", "## Not finished", ""]
    lines += [f"- `{n['benchmark']}`: {n['reason']}" for n in summary["not_finished"]] or [
        "None: every selected benchmark finished."]
    return "\n".join(lines) + "\n"


# -- main ----------------------------------------------------------------------------
def write_folder(out, rows, summary, run):
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "rows.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, ["benchmark", "case", "implementation", "metric", "value"])
        writer.writeheader()
        writer.writerows(rows)
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    (out / "run.json").write_text(json.dumps(run, indent=1) + "\n")
    text = markdown(summary, run)
    (out / "summary.md").write_text(text)
    return text


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=("Quick vs full: asv --bench regexes over 'name(param, ...)' (QUICK in "
                "benchmarks/suite/__init__.py) plus asv's --quick; --full runs every "
                "combination. Run from anywhere: asv changes into benchmarks/."))
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--quick", action="store_const", const="quick", dest="mode",
                      help="the quick subset, one call each (< 10 min on 2 cores)")
    mode.add_argument("--full", action="store_const", const="full", dest="mode",
                      help="every parameter combination, up to 3 samples (~2-2.5 h)")
    mode.add_argument("--from-results", choices=["quick", "full"],
                      help="only rebuild speed_<mode>/ from asv's stored results")
    parser.add_argument("--machine", default=platform.node(),
                        help="asv machine name (default: the host name, %(default)s)")
    parser.add_argument("--commit", default=None,
                        help="commit the results are filed under (default: HEAD)")
    parser.add_argument("--bench", action="append", default=None,
                        help="asv --bench regex replacing the mode's selection (repeatable)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: benchmarks/results/speed_<mode>)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    mode = args.mode or args.from_results
    out = args.out or OUT_DIR / f"speed_{mode}"
    previous = out / "run.json"
    if args.from_results and previous.exists():  # the measuring run's record
        recorded = json.loads(previous.read_text())
        args.commit = args.commit or recorded["commit"]
        args.machine = recorded.get("asv_machine", args.machine)
    commit = args.commit or git("rev-parse", "HEAD")
    selection = args.bench if args.bench is not None else (
        suite.QUICK if mode == "quick" else [])
    run = {"mode": mode, "machine": machine_info(), "versions": versions(),
           "commit": commit, "dirty": bool(git("status", "--porcelain")),
           "argv": [Path(sys.executable).name, *sys.argv], "selection": selection,
           "asv_machine": args.machine, "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
           "load_average_start": os.getloadavg()}
    if args.mode:
        record_machine(args.machine)
        run["asv_command"] = asv_command(mode, args.machine, commit, selection)
        print(" ".join(run["asv_command"]), flush=True)
        start = time.perf_counter()
        run["asv_returncode"] = subprocess.run(run["asv_command"], cwd=ROOT,
                                               check=False).returncode
        run["wall_s"] = time.perf_counter() - start
        run["load_average_end"] = os.getloadavg()
    elif previous.exists():  # keep what the measuring run recorded
        run = {**recorded, "rebuilt": run["date"], "rebuilt_selection": selection}
    results = find_results(args.machine, commit)
    rows, not_finished = tidy(results, selection)
    text = write_folder(out, rows, summarize(rows, not_finished), run)
    print(text)
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}/"
          "{rows.csv,summary.json,summary.md,run.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
