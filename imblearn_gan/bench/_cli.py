"""The command line: ``imblearn-gan bench [options]`` (or ``python -m
imblearn_gan.bench [options]``).

:func:`main` is the ``imblearn-gan`` command: it dispatches to a subcommand and
prints help without one. :func:`run_bench` is the ``bench`` subcommand (and
``python -m imblearn_gan.bench``): it only parses and checks arguments and calls
:func:`imblearn_gan.bench.benchmark`, so tests drive the same code as users.
"""

import argparse
import os
import re
import sys
from pathlib import Path

from .. import __version__
from ..datasets import list_datasets, list_fetchable_datasets, load_dataset
from ..exceptions import InputError
from ._registry import split_specs
from ._runner import (
    ALL_METRICS,
    CLASSIFIERS,
    DIAGNOSTIC_METRICS,
    SAMPLERS,
    benchmark,
    categorical_kind,
    make_classifier,
    make_sampler,
)

QUICK = {"datasets": ["glass2", "ecoli3", "wine-2"],
         "samplers": ["none", "smote", "threshold", "gan"],
         "classifiers": ["logreg", "hgb"], "cv": "5x1"}
DEFAULT = {
    "datasets": ["glass2", "ecoli3", "wine-2", "cleveland-0-vs-4", "page-blocks-1-3-vs-4",
                 "abalone9-18"],
    "samplers": ["none", "threshold", "ros", "smote", "adasyn", "borderline-smote", "rus",
                 "tomek", "smote-tomek", "gan", "vae", "tomek-pruner", "downsample-upweight",
                 "loss-proportional", "tvae:epochs=100"],
    "classifiers": ["logreg", "hgb"], "cv": "5x1"}
# learning-curve mode (--train-fraction with several values) fits 4x as often
CURVE = {"datasets": ["glass2", "ecoli3", "wine-2", "page-blocks-1-3-vs-4"],
         "samplers": ["none", "smote", "threshold", "gan", "vae"],
         "classifiers": ["logreg"], "cv": "5x1"}

BENCH_HELP = ("Cross-validated comparison of resamplers inside pipelines (resampling on "
              "training folds only); see the 'Benchmark CLI' page of the documentation.")
COMMANDS = {"bench": BENCH_HELP}


# options a --config file may set (TOML keys; lists for the comma-separated ones)
CONFIG_KEYS = {"datasets", "samplers", "classifiers", "cv", "metrics", "train_fraction",
               "baseline", "focus", "held_out", "jobs", "seed", "out", "quality"}
BUILT_IN = {"metrics": ",".join(ALL_METRICS), "train_fraction": "1.0", "baseline": "smote",
            "jobs": 1, "seed": 0, "quality": False}


def _parser(prog="imblearn-gan bench"):
    parser = argparse.ArgumentParser(prog=prog, description=BENCH_HELP)
    add = parser.add_argument
    add("--config", type=Path, help="TOML file of options (keys as the long options, with "
        "underscores; lists for comma-separated values); options given on the command line "
        "win. The published comparisons are such files in benchmarks/configs/")
    add("--datasets", help="comma-separated: bundled names ('all' for every one), "
        "csv:PATH:TARGET, or imbalanced-learn fetch_datasets names (online, cached). "
        f"Default: {','.join(DEFAULT['datasets'])}")
    add("--samplers", help="comma-separated, each NAME or NAME:param=value[:param=value]; "
        f"names: {', '.join(SAMPLERS)}. Default: {','.join(DEFAULT['samplers'])}")
    add("--classifiers", help=f"comma-separated, from {', '.join(CLASSIFIERS)} "
        "(params as for samplers; prior_correction=true wraps the pipeline in "
        "imblearn_gan.calibration.PriorCorrectedClassifier). Default: logreg,hgb")
    add("--cv", help="FOLDSxREPEATS of repeated stratified k-fold, e.g. 5x2; FOLDS alone "
        "means 1 repeat (default 5x1)")
    add("--metrics", help=f"comma-separated subset of {BUILT_IN['metrics']} (default: all), "
        "plus the diagnostic recall,specificity")
    add("--train-fraction", dest="train_fraction",
        help="learning-curve mode: comma-separated fractions of each training fold, "
             "e.g. 0.1,0.25,0.5,1.0 (default: 1.0). With several fractions the default "
             f"datasets are {','.join(CURVE['datasets'])}, samplers "
             f"{','.join(CURVE['samplers'])}, classifier logreg")
    add("--baseline", help="sampler the Wilcoxon tests compare with (default: smote)")
    add("--focus", help="comma-separated samplers to pair with every other one: mean ranks, "
        "wins/losses, Wilcoxon p and median fit times, over all datasets and over those "
        "with categorical columns")
    add("--held-out", dest="held_out", help="comma-separated datasets kept aside when "
        "defaults were chosen on the others: the --focus tables are repeated for both groups")
    add("--jobs", type=int, help="parallel pipeline fits (loky; -1: all cores; default 1)")
    add("--seed", type=int, help="seeds the folds, samplers and classifiers (default 0)")
    add("--out", type=Path, default=None, help="folder for rows.csv, summary.md/json, run.json, "
        "PNG figures")
    add("--rows", type=Path, help="summarize this rows.csv of an earlier run instead of fitting "
        "(with the options that shaped it: --config or the same flags)")
    add("--quick", action="store_true", default=None, help="small default: datasets "
        f"{','.join(QUICK['datasets'])}, samplers {','.join(QUICK['samplers'])}, "
        f"classifiers {','.join(QUICK['classifiers'])}, CV {QUICK['cv']}")
    add("--quality", action="store_true", default=None,
        help="also run imblearn_gan.metrics.quality_report "
        "for the over-samplers gan, vae, ctgan, tvae, smote and ros (quality.csv)")
    return parser


def _items(text):
    return [item.strip() for item in text.split(",") if item.strip()]


def _check_datasets(parser, names):
    if names == ["all"]:
        return list_datasets()
    known = set(list_datasets()) | set(list_fetchable_datasets())
    for name in names:
        if not (name in known or name.startswith(("csv:", "imblearn:", "waves:", "aeon:"))):
            parser.error(f"unknown dataset {name!r}; choose from {', '.join(list_datasets())}, "
                         "'all', csv:PATH:TARGET, series (waves:RATIO, aeon:NAME:RATIO) "
                         "or imbalanced-learn's "
                         f"{', '.join(list_fetchable_datasets())}")
    return names


def _load_datasets(parser, names):
    loaded = []
    for name in names:
        try:
            loaded.append((name, *load_dataset(name, as_frame=True)))
        except InputError as exc:
            parser.error(str(exc))
    return loaded


def _check_specs(parser, text, kind):
    """Parse and build every spec once, so bad names and values fail now."""
    specs = []
    for spec in split_specs(text):
        try:
            if kind == "sampler":
                _key, estimator = make_sampler(spec, 0, False)
                if hasattr(estimator, "_validate_params"):
                    estimator._validate_params()
            else:
                estimator, _correct = make_classifier(spec, 0)
                if hasattr(estimator, "_parameter_constraints"):  # not aeon's estimators
                    estimator._validate_params()
        except (InputError, ValueError, TypeError) as exc:
            parser.error(f"{kind} {spec!r}: {exc}")
        specs.append(spec)
    if not specs:
        parser.error(f"no {kind} given")
    return specs


def _check_cv(parser, text):
    match = re.fullmatch(r"\s*(\d+)\s*(?:[xX]\s*(\d+))?\s*", text)
    if not match:
        parser.error(f"--cv must be FOLDS or FOLDSxREPEATS, e.g. 5x2; got {text!r}")
    folds, repeats = int(match[1]), int(match[2] or 1)
    if folds < 2 or repeats < 1:
        parser.error(f"--cv needs at least 2 folds and 1 repeat; got {text!r}")
    return folds, repeats


def _check_fractions(parser, text):
    try:
        fractions = sorted({float(item) for item in _items(text)})
    except ValueError:
        parser.error(f"--train-fraction must be numbers in (0, 1], e.g. 0.1,0.5,1.0; got {text!r}")
    if not fractions or fractions[0] <= 0 or fractions[-1] > 1:
        parser.error(f"--train-fraction values must be in (0, 1]; got {text!r}")
    return fractions


def _apply_config(parser, args):
    """Fill the options not given on the command line from ``--config``, then the built-ins."""
    config = {}
    if args.config is not None:
        try:
            import tomllib
        except ImportError:  # Python 3.10
            try:
                import tomli as tomllib
            except ImportError:
                parser.error("--config needs Python 3.11 or later, or the tomli package")
        try:
            config = tomllib.loads(args.config.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            parser.error(f"--config {args.config}: {exc}")
        unknown = sorted(set(config) - CONFIG_KEYS - {"quick"})
        if unknown:
            parser.error(f"--config {args.config}: unknown key(s) {unknown}; choose from "
                         f"{', '.join(sorted(CONFIG_KEYS))}")
    for key in CONFIG_KEYS | {"quick"}:
        if getattr(args, key, None) is not None:
            continue
        value = config.get(key, BUILT_IN.get(key))
        if isinstance(value, list):
            value = ",".join(str(item) for item in value)
        if key == "out" and value is not None:
            value = Path(value)
        setattr(args, key, value)


def parse_args(argv, prog="imblearn-gan bench"):
    """Parsed and checked arguments, defaults resolved (exit status 2 on errors)."""
    parser = _parser(prog)
    args = parser.parse_args(argv)
    _apply_config(parser, args)
    args.train_fraction = str(args.train_fraction)
    args.train_fraction = _check_fractions(parser, args.train_fraction)
    defaults = QUICK if args.quick else CURVE if len(args.train_fraction) > 1 else DEFAULT
    args.datasets = _check_datasets(parser, _items(args.datasets or ",".join(defaults["datasets"])))
    args.samplers = _check_specs(parser, args.samplers or ",".join(defaults["samplers"]), "sampler")
    args.classifiers = _check_specs(parser, args.classifiers or ",".join(defaults["classifiers"]),
                                    "classifier")
    args.cv = args.cv or defaults["cv"]
    args.n_splits, args.n_repeats = _check_cv(parser, args.cv)
    args.metrics = _items(str(args.metrics))
    args.focus = _items(args.focus or "")
    args.held_out = _items(args.held_out or "")
    outside = sorted(set(args.held_out) - set(args.datasets))
    if outside:
        parser.error(f"--held-out names datasets that are not run: {', '.join(outside)}")
    unknown = [m for m in args.metrics if m not in ALL_METRICS and m not in DIAGNOSTIC_METRICS]
    if unknown or not args.metrics:
        parser.error(f"unknown metric(s) {unknown}; choose from {', '.join(ALL_METRICS)}, "
                     f"{', '.join(DIAGNOSTIC_METRICS)}")
    if args.jobs == 0 or args.jobs < -1:
        parser.error(f"--jobs must be a positive number or -1; got {args.jobs}")
    args.jobs = os.cpu_count() if args.jobs == -1 else args.jobs
    if args.quality:
        try:
            from ..metrics import quality_report  # noqa: F401
        except ImportError as exc:
            parser.error(f"--quality needs imblearn_gan.metrics.quality_report: {exc}")
    if args.rows is not None and not args.rows.is_file():
        parser.error(f"--rows {args.rows}: no such file")
    args.data = _load_datasets(parser, args.datasets)
    return args


def _command_parser():
    parser = argparse.ArgumentParser(
        prog="imblearn-gan",
        description="imblearn-gan: neural and loss-aware resampling for imbalanced-learn.",
        epilog="Run 'imblearn-gan COMMAND --help' for the options of a command.")
    parser.add_argument("--version", action="version", version=f"imblearn-gan {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, text in COMMANDS.items():
        commands.add_parser(name, help=text, add_help=False)
    return parser


def main(argv=None):
    """The ``imblearn-gan`` command: run a subcommand, or print help without one.

    ``imblearn-gan bench [options]`` runs :func:`run_bench`. Without a
    subcommand, and with ``-h``/``--help``, the help listing the subcommands
    is printed and the exit status is 0; options without a subcommand are an
    error (exit status 2).

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success. Invalid arguments raise ``SystemExit(2)`` after
        printing the problem; ``--help`` raises ``SystemExit(0)``.

    Examples
    --------
    >>> from imblearn_gan.bench.__main__ import main
    >>> main([])
    usage: imblearn-gan [-h] [--version] COMMAND ...
    ...
      bench     Cross-validated comparison of resamplers ...
    ...
    0
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in COMMANDS:
        return run_bench(argv[1:])
    parser = _command_parser()
    if argv and argv[0] not in ("-h", "--help", "--version"):
        if not argv[0].startswith("-"):
            parser.error(f"unknown command {argv[0]!r}; choose from {', '.join(COMMANDS)}")
        parser.error(f"choose a command ({', '.join(COMMANDS)}) before the options, e.g. "
                     f"imblearn-gan bench {' '.join(argv)}")
    parser.parse_args(argv)  # -h, --help and --version print and exit 0
    parser.print_help()
    return 0


def _result_from_rows(path):
    """``(result, environment)``: a BenchmarkResult holding the rows of a saved rows.csv (and,
    from run.json beside it, the run time, errors, warnings and the machine it ran on), so a
    run can be summarized again without fitting."""
    import json
    from collections import Counter

    import pandas as pd

    from ._runner import BenchmarkResult

    result = BenchmarkResult(rows=pd.read_csv(path, float_precision="round_trip")
                             .to_dict(orient="records"))
    run, environment = path.with_name("run.json"), None
    if run.is_file():
        saved = json.loads(run.read_text())
        result.seconds = float(saved.get("seconds", 0.0))
        result.errors = saved.get("errors", [])
        result.adapted = saved.get("adapted_to_small_classes", [])
        result.warnings = Counter(saved.get("warnings", {}))
        environment = saved.get("environment")
    quality = path.with_name("quality.csv")
    if quality.is_file():
        result.quality = pd.read_csv(quality, float_precision="round_trip").to_dict(orient="records")
    return result, environment


def run_bench(argv=None, prog="imblearn-gan bench"):
    """Run the benchmark: print the summary tables; write files to ``--out``.

    What ``imblearn-gan bench [options]`` and ``python -m imblearn_gan.bench
    [options]`` run (a leading ``bench`` is skipped). See the 'Benchmark CLI'
    page of the documentation for the options.

    Parameters
    ----------
    argv : list of str, default=None
        The options; ``None`` reads ``sys.argv[1:]``.
    prog : str, default="imblearn-gan bench"
        The program name shown in the usage line.

    Returns
    -------
    status : int
        0 when the benchmark ran (failed pipeline fits are reported, not
        fatal). Invalid arguments raise ``SystemExit(2)``.

    Examples
    --------
    >>> from imblearn_gan.bench.__main__ import run_bench
    >>> run_bench(["--datasets", "glass2", "--samplers", "none,ros", "--classifiers",
    ...            "logreg", "--cv", "2", "--metrics", "roc_auc"])  # doctest: +ELLIPSIS
    Mean over 1 dataset(s) of each metric; ...
    4 pipeline fits in ... s (--jobs 1)
    0
    """
    from ._report import render, write_outputs

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:  # `python -m imblearn_gan.bench bench ...`
        argv = argv[1:]
    args = parse_args(argv, prog)
    saved_environment = None
    if args.rows is not None:
        result, saved_environment = _result_from_rows(args.rows)
    else:
        result = benchmark(args.data, args.samplers, args.classifiers, n_splits=args.n_splits,
                           n_repeats=args.n_repeats, train_fractions=args.train_fraction,
                           metrics=args.metrics, random_state=args.seed, n_jobs=args.jobs,
                           quality=args.quality, progress_bar=True)
    categorical = [name for name, X, _y in args.data if categorical_kind(X)]
    text, table, friedman = render(result, args.baseline, args.focus, categorical,
                                   args.held_out)
    print(text)
    if args.rows is None:
        print(f"\n{len(result.rows) // len(args.metrics)} pipeline fits in {result.seconds:.0f} s "
              f"(--jobs {args.jobs})")
    if args.out is not None:
        config = {"argv": argv, "config_file": args.config and str(args.config),
                  "datasets": args.datasets, "samplers": args.samplers,
                  "classifiers": args.classifiers, "cv": args.cv, "metrics": args.metrics,
                  "train_fractions": args.train_fraction, "seed": args.seed, "jobs": args.jobs,
                  "baseline": args.baseline, "focus": args.focus,
                  "held_out": args.held_out, "quality": args.quality,
                  "categorical_datasets": categorical, "environment": saved_environment}
        files = write_outputs(args.out, result, table, friedman, config)
        print(f"wrote {', '.join(files)} to {args.out}")
    return 0

