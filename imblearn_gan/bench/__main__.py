"""Command line: ``python -m imblearn_gan.bench`` (also ``imblearn-gan bench``).

Only parses arguments and calls :func:`imblearn_gan.bench.run_benchmark`, so
tests drive the same code as users.
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from ..datasets import list_datasets
from ._runner import CLASSIFIERS, METRICS, SAMPLERS, run_benchmark, summarize

QUICK_DATASETS = ["breast-cancer", "ecoli3", "glass2"]


def _csv_list(choices):
    def parse(text):
        items = [item.strip() for item in text.split(",") if item.strip()]
        unknown = [item for item in items if item not in choices]
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown {unknown}; choose from {', '.join(choices)}"
            )
        return items

    return parse


def _parser():
    parser = argparse.ArgumentParser(
        prog="imblearn-gan bench",
        description="Cross-validated comparison of resamplers inside pipelines.",
    )
    parser.add_argument("--datasets", type=_csv_list(list_datasets()),
                        default=None, help="comma-separated bundled datasets "
                        "(default: all; --quick: a small set)")
    parser.add_argument("--samplers", type=_csv_list(list(SAMPLERS)),
                        default=list(SAMPLERS), help="comma-separated: %(default)s")
    parser.add_argument("--classifiers", type=_csv_list(list(CLASSIFIERS)),
                        default=list(CLASSIFIERS), help="comma-separated: %(default)s")
    parser.add_argument("--folds", type=int, default=5, help="stratified folds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for rows.csv, summary.md and summary.json")
    parser.add_argument("--quick", action="store_true",
                        help=f"only {', '.join(QUICK_DATASETS)} (about a minute)")
    return parser


def _environment():
    import imblearn
    import sklearn
    import torch

    from .. import __version__

    return {"imblearn_gan": __version__, "scikit-learn": sklearn.__version__,
            "imbalanced-learn": imblearn.__version__, "torch": torch.__version__,
            "python": platform.python_version(), "machine": platform.platform(),
            "processor": platform.processor()}


def main(argv=None):
    """Run the benchmark; print the mean-rank table; write files to --out."""
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["bench"]:  # `imblearn-gan bench ...`
        argv = argv[1:]
    args = _parser().parse_args(argv)
    if args.folds < 2:
        _parser().error("--folds must be at least 2")
    datasets = args.datasets or (QUICK_DATASETS if args.quick else list_datasets())
    start = time.perf_counter()
    rows = run_benchmark(
        datasets, args.samplers, args.classifiers, n_splits=args.folds,
        random_state=args.seed,
        progress=lambda msg: print(f"  {msg}", file=sys.stderr, flush=True),
    )
    means, ranks = summarize(rows)
    table = ranks.round(2).to_markdown() if _has_tabulate() else ranks.round(2).to_string()
    print(f"\nMean rank over {len(datasets)} datasets (1 = best) of "
          f"{', '.join(METRICS)}:\n")
    print(table)
    print(f"\n{len(rows)} rows in {time.perf_counter() - start:.0f} s")
    if args.out is not None:
        _write(args.out, rows, means, ranks, datasets)
        print(f"wrote {args.out}/rows.csv, summary.md, summary.json")
    return 0


def _has_tabulate():
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def _write(out, rows, means, ranks, datasets):
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out / "rows.csv", index=False)
    to_text = (lambda f: f.to_markdown()) if _has_tabulate() else (lambda f: f.to_string())
    (out / "summary.md").write_text(
        "# Mean ranks (1 = best)\n\n" + to_text(ranks.round(3))
        + "\n\n# Means per dataset\n\n" + to_text(means.round(4)) + "\n"
    )
    summary = {
        "environment": _environment(),
        "datasets": datasets,
        "mean_ranks": {f"{c}/{m}": row for (c, m), row in
                       ranks.round(4).to_dict(orient="index").items()},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    sys.exit(main())
