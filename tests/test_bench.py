"""The benchmark runner and its command line (tiny data, 2 folds, 1 epoch)."""

import csv
import json
import runpy
import sys
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler

from imblearn_gan.bench import (
    SAMPLERS,
    _registry,
    _runner,
    benchmark,
    compare,
    head_to_head,
    register_sampler,
    run_benchmark,
    summarize,
)
from imblearn_gan.bench.__main__ import main, run_bench
from imblearn_gan.bench._ctgan import CTGANFamilyOverSampler
from imblearn_gan.bench._registry import parse_spec, parse_value, split_specs
from imblearn_gan.bench._runner import subsample_fraction
from imblearn_gan.datasets import load_dataset
from imblearn_gan.exceptions import InputError

ROOT = Path(__file__).resolve().parents[1]
HEADER = "dataset,sampler,classifier,repeat,fold,train_fraction,metric,value"


@pytest.mark.parametrize("argv, message", [
    (["--samplers", "smote,nope"], "unknown sampler 'nope'"),
    (["--samplers", "smote:k_nieghbors=3"], "k_nieghbors"),
    (["--samplers", "smote:k_neighbors=-1"], "k_neighbors"),
    (["--classifiers", "svm"], "unknown classifier 'svm'"),
    (["--datasets", "glass2,atlantis"], "unknown dataset 'atlantis'"),
    (["--datasets", "csv:/no/such/file.csv:label"], "not found"),
    (["--metrics", "accuracy"], "unknown metric"),
    (["--cv", "5y2"], "--cv must be FOLDS or FOLDSxREPEATS"),
    (["--cv", "1x3"], "at least 2 folds"),
    (["--train-fraction", "0,0.5"], "(0, 1]"),
    (["--train-fraction", "half"], "must be numbers"),
    (["--jobs", "0"], "--jobs"),
])
def test_cli_argument_errors_exit_2_with_message(argv, message, capsys):
    # Run
    with pytest.raises(SystemExit) as exc:
        run_bench(["--datasets", "glass2", "--samplers", "none", "--classifiers", "logreg",
                   *argv])
    # Assert
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_xgboost_missing_is_a_clear_error(capsys):
    try:
        import xgboost  # noqa: F401
        pytest.skip("xgboost is installed")
    except ImportError:
        pass
    with pytest.raises(SystemExit) as exc:
        run_bench(["--datasets", "glass2", "--samplers", "none", "--classifiers", "xgboost"])
    assert exc.value.code == 2
    assert "pip install xgboost" in capsys.readouterr().err


def test_cli_run_end_to_end_writes_schema(tmp_path, capsys):
    # Run: a --quick-like run on tiny data, through the console-script entry
    code = main(["bench", "--datasets", "glass2,wine-2,cleveland-0-vs-4",
                 "--samplers", "none,smote,ros,gan:epochs=1", "--classifiers", "logreg",
                 "--cv", "2", "--out", str(tmp_path)])
    # Assert: per-fold CSV, one row per dataset x sampler x fold x metric
    assert code == 0
    with open(tmp_path / "rows.csv") as f:
        rows = list(csv.DictReader(f))
    assert ",".join(rows[0]) == HEADER
    assert len(rows) == 3 * 4 * 2 * 7  # datasets x samplers x folds x metrics
    values = [float(r["value"]) for r in rows if r["metric"] in ("roc_auc", "g_mean")]
    assert np.all(np.isfinite(values)) and min(values) >= 0 and max(values) <= 1
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["errors"] == []
    assert summary["environment"]["torch"] and summary["environment"]["cpu_count"] >= 1
    assert summary["config"]["samplers"] == ["none", "smote", "ros", "gan:epochs=1"]
    record = summary["table"][0]
    assert set(record) == {"classifier", "train_fraction", "metric", "sampler", "mean", "std",
                           "mean_rank", "wilcoxon_p", "n_datasets"}
    smote = [r for r in summary["table"] if r["sampler"] == "smote"]
    assert all(r["wilcoxon_p"] is None for r in smote)  # the baseline is not tested against itself
    others = [r for r in summary["table"] if r["sampler"] != "smote"]
    assert all(r["wilcoxon_p"] is None or 0 < r["wilcoxon_p"] <= 1 for r in others)
    friedman = summary["friedman"]
    assert {f["metric"] for f in friedman} == set(_runner.ALL_METRICS)
    assert all(f["n_samplers"] == 4 and f["n_datasets"] == 3 for f in friedman)
    assert (tmp_path / "ranks.png").stat().st_size > 5000
    assert json.loads((tmp_path / "run.json").read_text())["n_fits"] == 3 * 4 * 2
    out = capsys.readouterr()
    assert "Friedman p" in out.out and "Wilcoxon" in out.out
    assert "24/24 100%" in out.err  # the progress bar reached the end


def test_learning_curve_rows_and_subsamples(tmp_path):
    # Run
    run_bench(["--datasets", "glass2", "--samplers", "none,smote", "--classifiers", "logreg",
               "--cv", "2", "--train-fraction", "0.1,1.0", "--metrics", "balanced_accuracy",
               "--out", str(tmp_path)])
    # Assert: every fold is scored at both fractions, without failures
    frame = pd.read_csv(tmp_path / "rows.csv")
    assert sorted(frame.train_fraction.unique()) == [0.1, 1.0]
    assert len(frame) == 2 * 2 * 2  # samplers x folds x fractions
    assert frame.value.notna().all()  # SMOTE's k_neighbors shrank to the 2 minority rows
    run = json.loads((tmp_path / "run.json").read_text())
    assert any("k_neighbors=1" in a["adapted"] for a in run["adapted_to_small_classes"])
    assert (tmp_path / "learning_curves.png").stat().st_size > 5000


def test_subsample_fraction_is_stratified_with_two_rows_minimum():
    # Setup
    y = np.array([0] * 90 + [1] * 10)
    train = np.arange(0, 100, 1)
    # Run
    part = subsample_fraction(y, train, 0.1, seed=0)
    whole = subsample_fraction(y, train, 1.0, seed=0)
    # Assert
    assert np.bincount(y[part]).tolist() == [9, 2]
    assert np.array_equal(whole, train)
    assert np.array_equal(part, subsample_fraction(y, train, 0.1, seed=0))


class RecordingSampler(RandomOverSampler):
    """Remembers the row ids (column 0) of every fit."""

    seen: ClassVar[list] = []

    def _fit_resample(self, X, y):
        RecordingSampler.seen.append(set(np.asarray(X)[:, 0].astype(int).tolist()))
        return super()._fit_resample(X, y)


def test_no_test_row_reaches_a_sampler(tmp_path, monkeypatch):
    # Setup: row ids as a feature, a recording sampler registered by name
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 12)
    frame = pd.DataFrame({"row_id": np.arange(72), "x": rng.normal(size=72) + y, "target": y})
    path = tmp_path / "ids.csv"
    frame.to_csv(path, index=False)
    monkeypatch.setitem(_runner.SAMPLERS, "recorder", lambda random_state, categorical: RecordingSampler())
    monkeypatch.setattr(RecordingSampler, "seen", [])
    # Run
    run_bench(["--datasets", f"csv:{path}:target", "--samplers", "recorder", "--classifiers",
               "logreg", "--cv", "3x2", "--train-fraction", "0.5,1.0", "--metrics", "roc_auc"])
    # Assert: 3 folds x 2 repeats x 2 fractions fits, each inside one training fold
    from sklearn.model_selection import RepeatedStratifiedKFold

    splits = list(RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=0).split(y, y))
    assert len(RecordingSampler.seen) == len(splits) * 2
    for seen in RecordingSampler.seen:
        homes = [set(train) for train, test in splits if seen <= set(train)]
        assert homes, "a sampler saw rows of a test fold"
        assert all(not seen & set(test) for train, test in splits if seen <= set(train))


def test_spec_parsing():
    # Run / Assert
    assert parse_value("50") == 50 and parse_value("0.5") == 0.5
    assert parse_value("true") is True and parse_value("None") is None
    assert parse_value("(64,32)") == (64, 32) and parse_value("wgan-gp") == "wgan-gp"
    assert split_specs("smote:k_neighbors=3,gan:epochs=5,batch_size=64,none") == [
        "smote:k_neighbors=3", "gan:epochs=5:batch_size=64", "none"]
    assert split_specs("gan:generator_widths=(8,8),ros") == ["gan:generator_widths=(8,8)", "ros"]
    assert parse_spec("SMOTE:k_neighbors=3", list(_runner.SAMPLERS)) == ("smote", {"k_neighbors": 3})
    assert parse_spec("RandomOverSampler", list(_runner.SAMPLERS)) == ("ros", {})
    with pytest.raises(InputError, match="param=value"):
        parse_spec("smote:k_neighbors", list(_runner.SAMPLERS))


def test_registry_covers_every_sampler_family():
    # Assert: ours, imbalanced-learn's, the peers and the threshold baseline
    expected = {"none", "threshold", "ros", "smote", "adasyn", "borderline-smote", "rus", "tomek",
                "smote-tomek", "gan", "vae", "tomek-pruner", "loss-proportional",
                "downsample-upweight", "ctgan", "tvae"}
    assert expected <= set(_runner.SAMPLERS)
    assert set(_registry.CLASSIFIER_FACTORIES) >= {"logreg", "hgb", "rf", "knn", "xgboost"}
    _, smotenc = _runner.make_sampler("smote", 0, True)
    assert type(smotenc).__name__ == "SMOTENC"
    _, gan = _runner.make_sampler("gan:epochs=3", 0, False)
    assert gan.epochs == 3 and gan.n_threads == 1


def test_threshold_and_weight_samplers_run():
    # Run
    rows = run_benchmark(["glass2"], ["none", "threshold", "rus", "downsample-upweight"],
                         ["logreg"], n_splits=2, metrics=["balanced_accuracy", "fit_time"])
    bacc = {}
    for r in rows:
        if r["metric"] == "balanced_accuracy":
            bacc.setdefault(r["sampler"], []).append(r["value"])
    bacc = {sampler: np.mean(values) for sampler, values in bacc.items()}
    # Assert: plain logistic regression predicts the majority on glass2; a tuned
    # threshold lifts balanced accuracy well above it. Down-sampling to balance
    # lifts it too, unless the up-weights reach the classifier and restore the
    # true prior: DownsampleUpweight keeps as many rows as RandomUnderSampler, weighted
    assert bacc["none"] == 0.5
    assert bacc["threshold"] > bacc["none"] + 0.1
    assert bacc["rus"] > bacc["none"] + 0.1
    assert bacc["downsample-upweight"] < bacc["rus"] - 0.1


def test_diagnostic_rates_average_to_balanced_accuracy():
    # Run
    rows = run_benchmark(["glass2"], ["none", "smote"], ["logreg"], n_splits=2,
                         metrics=["recall", "specificity", "balanced_accuracy"])

    # Assert: per fold, balanced accuracy is the mean of the two recalls, and
    # SMOTE trades specificity for recall against no resampling
    by_cell = {}
    for r in rows:
        by_cell.setdefault((r["sampler"], r["fold"]), {})[r["metric"]] = r["value"]
    for cell in by_cell.values():
        assert cell["balanced_accuracy"] == pytest.approx(
            (cell["recall"] + cell["specificity"]) / 2)
    recall = {s: np.mean([c["recall"] for (k, _), c in by_cell.items() if k == s])
              for s in ("none", "smote")}
    assert recall["smote"] > recall["none"]


def test_unknown_metric_is_an_error():
    # Run / Assert
    with pytest.raises(ValueError, match="Unknown metric.*'recal'"):
        run_benchmark(["glass2"], ["none"], ["logreg"], metrics=["recal"])


def test_run_benchmark_sampler_params_and_summarize():
    # Run: extra parameters per sampler name keep the plain name as the label
    rows = run_benchmark(["glass2"], ["none", "gan"], ["logreg"], n_splits=2,
                         sampler_params={"gan": {"epochs": 1, "random_state": 0}},
                         progress=lambda message: None)
    means, ranks = summarize(rows)
    # Assert
    assert set(ranks.columns) == {"none", "gan"}
    assert ranks.loc[("ALL", "ALL")].sum() == pytest.approx(3.0)  # ranks of 2 sum to 3
    assert means.index.names == ["dataset", "classifier", "metric"]


def test_compare_statistics_on_known_values():
    # Setup: on 6 datasets "a" beats "b" beats "c" on every one
    rows = [{"dataset": f"d{d}", "sampler": s, "classifier": "logreg", "repeat": 0, "fold": 0,
                 "train_fraction": 1.0, "metric": "roc_auc", "value": v + 0.01 * d}
            for d in range(6) for s, v in (("a", 0.9), ("smote", 0.8), ("c", 0.7))]
    # Run
    table, friedman = compare(rows)
    # Assert
    ranks = table.set_index("sampler").mean_rank
    assert ranks.to_dict() == {"a": 1.0, "smote": 2.0, "c": 3.0}
    assert friedman.p_value.iloc[0] == pytest.approx(np.exp(-6), rel=1e-6)  # chi2=12, 2 dof
    assert table.set_index("sampler").wilcoxon_p["a"] == pytest.approx(2 / 2**6)


def test_ctgan_peer_grows_the_class_and_honours_epochs(monkeypatch):
    pytest.importorskip("ctgan")
    import ctgan

    # Setup
    X = pd.DataFrame({"x": np.arange(40.0), "c": pd.Categorical(["u", "v"] * 20)})
    y = np.array([0] * 32 + [1] * 8)
    epochs = []
    original = ctgan.TVAE.__init__

    def spy(self, *args, **kwargs):
        epochs.append(kwargs["epochs"])
        original(self, *args, **kwargs)

    monkeypatch.setattr(ctgan.TVAE, "__init__", spy)
    # Run
    sampler = CTGANFamilyOverSampler(model="tvae", epochs=2, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    # Assert
    assert np.bincount(y_res).tolist() == [32, 32] and epochs == [2]
    assert list(X_res.dtypes) == list(X.dtypes)
    assert set(X_res.c.iloc[40:]) <= {"u", "v"}
    assert sampler.sample_weight_.shape == (64,)


def test_command_without_subcommand_prints_help(capsys):
    # Run: `imblearn-gan` alone and `imblearn-gan -h`
    code = main([])
    bare = capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["-h"])
    helped = capsys.readouterr().out
    # Assert: help listing the bench subcommand, exit status 0, nothing run
    assert code == 0 and exc.value.code == 0
    for text in (bare, helped):
        assert text.startswith("usage: imblearn-gan") and "bench" in text
        assert "Mean over" not in text
    assert bare == helped


@pytest.mark.parametrize("argv, message", [
    (["--quick"], "imblearn-gan bench --quick"),
    (["benchmark"], "unknown command 'benchmark'"),
])
def test_command_errors_name_the_subcommand(argv, message, capsys):
    # Run / Assert: options or an unknown word instead of a subcommand exit 2
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2 and message in capsys.readouterr().err


def test_bench_subcommand_help_lists_the_options(capsys):
    # Run
    with pytest.raises(SystemExit) as exc:
        main(["bench", "--help"])
    # Assert
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert out.startswith("usage: imblearn-gan bench") and "--quick" in out
    assert "docs/" not in out  # the help names documentation pages, not files


def test_register_sampler_makes_a_name_available(monkeypatch):
    # Setup: the registry is restored after the test
    from imblearn.under_sampling import RandomUnderSampler

    monkeypatch.setattr(_runner, "SAMPLERS", dict(SAMPLERS))
    monkeypatch.setattr(_runner, "NATIVE_CATEGORICAL", set(_registry.NATIVE_CATEGORICAL))
    # Run
    register_sampler("half", lambda random_state, categorical: RandomUnderSampler(
        sampling_strategy=0.5, random_state=random_state), native_categorical=True)
    rows = run_benchmark(["glass2"], ["half"], ["logreg"], n_splits=2, metrics=["roc_auc"])
    # Assert
    assert [r["sampler"] for r in rows] == ["half", "half"]
    assert "half" in _runner.NATIVE_CATEGORICAL
    with pytest.raises(InputError, match="callable"):
        register_sampler("broken", "not a factory")


def test_console_script_points_at_main(monkeypatch, capsys):
    # Setup
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    # Assert
    assert scripts["imblearn-gan"] == "imblearn_gan.bench.__main__:main"
    monkeypatch.setattr(sys, "argv", ["imblearn-gan", "bench", "--help"])
    monkeypatch.delitem(sys.modules, "imblearn_gan.bench.__main__", raising=False)
    # Run: what `python -m imblearn_gan.bench` and the script execute
    with pytest.raises(SystemExit) as exc:
        runpy.run_module("imblearn_gan.bench", run_name="__main__")
    # Assert
    assert exc.value.code == 0
    assert "--train-fraction" in capsys.readouterr().out


def test_python_m_runs_the_benchmark_without_a_subcommand(monkeypatch, capsys):
    # Setup: `python -m imblearn_gan.bench [options]`, as the README's main job
    monkeypatch.setattr(sys, "argv", ["__main__.py", "--datasets", "glass2", "--samplers",
                                      "none", "--classifiers", "logreg", "--cv", "2",
                                      "--metrics", "roc_auc"])
    monkeypatch.delitem(sys.modules, "imblearn_gan.bench.__main__", raising=False)
    # Run
    with pytest.raises(SystemExit) as exc:
        runpy.run_module("imblearn_gan.bench", run_name="__main__")
    # Assert: the benchmark ran (2 fits), not the help
    assert exc.value.code == 0
    assert "2 pipeline fits" in capsys.readouterr().out


def test_quality_flag_writes_quality_rows(tmp_path):
    # Run
    run_bench(["--datasets", "glass2", "--samplers", "smote,gan:epochs=1,adasyn", "--classifiers",
               "logreg", "--cv", "2", "--metrics", "roc_auc", "--quality", "--out", str(tmp_path)])
    # Assert: quality_report ran on each training fold, for the over-samplers that read the
    # raw table and only add rows (not ADASYN, which gets the encoded table)
    quality = pd.read_csv(tmp_path / "quality.csv")
    assert set(quality.sampler) == {"gan:epochs=1", "smote"} and set(quality.fold) == {0, 1}
    assert {"c2st_auc", "tstr_roc_auc"} <= set(quality.metric)
    assert "Synthetic-data quality" in (tmp_path / "summary.md").read_text()


def test_quality_flag_without_metrics_module_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "imblearn_gan.metrics", None)  # import fails
    with pytest.raises(SystemExit) as exc:
        run_bench(["--datasets", "glass2", "--samplers", "none", "--quality"])
    assert exc.value.code == 2 and "--quality needs" in capsys.readouterr().err


@pytest.mark.slow  # starts loky workers: 3-6 s
def test_parallel_jobs_give_identical_rows():
    # Run: the same cells on 1 and on 2 loky workers
    args = (["glass2"], ["none", "smote"], ["logreg"])
    kwargs = {"n_splits": 2, "metrics": ["balanced_accuracy", "roc_auc"]}
    serial = run_benchmark(*args, **kwargs)
    parallel = run_benchmark(*args, n_jobs=2, **kwargs)
    # Assert: same order, same values (folds, seeds and thread limits do not depend on n_jobs)
    assert serial == parallel and len(serial) == 2 * 2 * 2


def test_config_file_sets_options_and_the_command_line_wins(tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text('datasets = ["glass2", "wine-2"]\nsamplers = ["none", "ros"]\n'
                      'classifiers = ["logreg"]\ncv = "2x1"\nmetrics = ["roc_auc", "fit_time"]\n'
                      f'focus = ["ros"]\nout = "{(tmp_path / "out").as_posix()}"\n')
    assert run_bench(["--config", str(config), "--cv", "3"]) == 0
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["config"]["datasets"] == ["glass2", "wine-2"]
    assert run["config"]["samplers"] == ["none", "ros"]
    assert run["config"]["cv"] == "3"  # the command line won over the file
    assert run["n_fits"] == 2 * 2 * 3
    assert "Head to head, all datasets" in capsys.readouterr().out
    assert "## Head to head, all datasets" in (tmp_path / "out" / "summary.md").read_text()


@pytest.mark.parametrize("text, message", [
    ("colour = 'red'\n", "unknown key(s) ['colour']"),
    ("samplers = [\n", "--config"),
])
def test_config_file_errors_exit_2_with_message(tmp_path, text, message, capsys):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(SystemExit) as exit_info:
        run_bench(["--config", str(config)])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_rows_option_summarizes_a_saved_run_identically(tmp_path):
    argv = ["--datasets", "glass2,wine-2,ecoli3", "--samplers", "none,ros,smote",
            "--classifiers", "logreg", "--cv", "2", "--metrics", "roc_auc,pr_auc,fit_time",
            "--focus", "ros"]
    assert run_bench([*argv, "--out", str(tmp_path / "a")]) == 0
    assert run_bench([*argv, "--rows", str(tmp_path / "a" / "rows.csv"),
                      "--out", str(tmp_path / "b")]) == 0
    first, second = ((tmp_path / d / "summary.md").read_text().splitlines() for d in "ab")
    # line 4 is the command; the figures and the machine line come from the saved run
    assert first[:3] + first[4:] == second[:3] + second[4:]


def test_held_out_datasets_get_their_own_head_to_head(tmp_path, capsys):
    argv = ["--datasets", "glass2,wine-2,ecoli3", "--samplers", "none,ros,smote",
            "--classifiers", "logreg", "--cv", "2", "--metrics", "roc_auc,pr_auc",
            "--focus", "ros", "--held-out", "ecoli3"]
    assert run_bench([*argv, "--out", str(tmp_path / "a")]) == 0
    summary = (tmp_path / "a" / "summary.md").read_text()
    assert "## Head to head, datasets the defaults were chosen on: glass2, wine-2" in summary
    assert "## Head to head, held-out datasets: ecoli3" in summary
    # n_pairs per table: datasets x one classifier
    def n_pairs(heading):
        table = summary.split(heading)[1].split("##")[0]
        rows = [line.split("|") for line in table.splitlines() if line.startswith("| ros")]
        return sorted(int(row[3]) for row in rows)

    assert n_pairs("## Head to head, all datasets") == [3, 3]
    assert n_pairs("## Head to head, datasets the defaults were chosen on") == [2, 2]
    assert n_pairs("## Head to head, held-out datasets") == [1, 1]
    with pytest.raises(SystemExit) as exit_info:
        run_bench([*argv[:-1], "yeast4"])
    assert exit_info.value.code == 2
    assert "--held-out names datasets that are not run: yeast4" in capsys.readouterr().err


def test_head_to_head_counts_wins_and_losses():
    rows = [{"dataset": d, "sampler": s, "classifier": "logreg", "repeat": 0, "fold": 0,
             "train_fraction": 1.0, "metric": m, "value": v}
            for d, (a, b, c) in {"x": (0.9, 0.8, 0.7), "y": (0.9, 0.7, 0.8),
                                 "z": (0.6, 0.8, 0.7)}.items()
            for m in ("roc_auc", "log_loss")
            for s, v in zip(("a", "b", "c"), (a, b, c) if m == "roc_auc" else (1 - a, 1 - b, 1 - c))]
    table = head_to_head(rows, ["a"], quality_metrics=("roc_auc", "log_loss")).set_index("peer")
    # a beats b on x and y, loses on z; log_loss (lower is better) agrees with roc_auc
    assert table.loc["b", ["wins", "losses", "ties"]].tolist() == [4, 2, 0]
    assert table.loc["b", "focus_rank"] == pytest.approx((1 + 1 + 3) / 3)
    assert table.loc["c", "peer_rank"] == pytest.approx((3 + 2 + 2) / 3)


def test_smote_variants_peers_resample_to_balance():
    pytest.importorskip("smote_variants")
    from imblearn_gan.bench._smote_variants import SmoteVariantsSampler

    X, y = load_dataset("glass2")
    for method in ("polynom-fit-smote-star", "prowsyn", "smote-ipf"):
        _, y_res = SmoteVariantsSampler(method=method, random_state=0).fit_resample(X, y)
        counts = np.bincount(y_res)
        assert counts[1] > np.bincount(y)[1]  # the minority grew
        assert abs(counts[0] - counts[1]) <= 0.05 * counts[0], (method, counts)
        frame = pd.DataFrame(X, columns=[f"c{i}" for i in range(X.shape[1])])
        assert list(SmoteVariantsSampler(method=method, random_state=0)
                    .fit_resample(frame, y)[0].columns) == list(frame.columns)
    with pytest.raises(InputError, match="two classes"):
        SmoteVariantsSampler(random_state=0).fit_resample(X, np.arange(len(y)) % 3)


def test_smote_variants_missing_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "smote_variants", None)
    with pytest.raises(SystemExit):
        run_bench(["--datasets", "glass2", "--samplers", "prowsyn"])
    assert "pip install --no-deps smote-variants" in capsys.readouterr().err


def test_prior_correction_classifier_lowers_log_loss_after_smote(capsys):
    result = benchmark(["ecoli3", "yeast4"], ["smote", "none"],
                       ["logreg", "logreg:prior_correction=true"], n_splits=3,
                       metrics=["log_loss", "roc_auc"])
    frame = pd.DataFrame(result.rows).groupby(["sampler", "classifier", "metric"]).value.mean()
    raw, corrected = (frame["smote", c, "log_loss"] for c in
                      ("logreg", "logreg:prior_correction=True"))
    assert corrected < 0.9 * raw  # SMOTE's 50% training prior is corrected back
    # no resampling: the training prior is the true one, nothing changes
    assert frame["none", "logreg:prior_correction=True", "log_loss"] == pytest.approx(
        frame["none", "logreg", "log_loss"], rel=1e-9)
    # binary correction is monotone: ranking metrics are unchanged
    assert frame["smote", "logreg:prior_correction=True", "roc_auc"] == pytest.approx(
        frame["smote", "logreg", "roc_auc"], rel=1e-9)
    with pytest.raises(SystemExit):
        run_bench(["--datasets", "glass2", "--classifiers", "logreg:prior_correction=2"])
    assert "prior_correction must be true or false" in capsys.readouterr().err


def test_series_datasets_samplers_and_minirocket_are_registered(capsys):
    # Setup / Run: the series entries of the registries
    _, lstm = _runner.make_sampler("gan-lstm", 0, False)
    try:
        import aeon  # noqa: F401
        has_aeon = True
    except ImportError:
        has_aeon = False

    # Assert: the recurrent GAN as the series benchmark runs it
    assert (lstm.network, lstm.generator_widths, lstm.critic_widths) == ("lstm", (32,), (32,))
    assert "minirocket" in _registry.CLASSIFIER_FACTORIES
    if not has_aeon:
        with pytest.raises(SystemExit) as exc:
            run_bench(["--datasets", "waves:10", "--samplers", "none",
                       "--classifiers", "minirocket"])
        assert exc.value.code == 2
        assert "pip install 'imblearn-gan[series]'" in capsys.readouterr().err
    else:
        classifier, _ = _runner.make_classifier("minirocket", 0)
        assert type(classifier).__name__ == "MiniRocketClassifier"


def test_series_dataset_runs_through_the_benchmark():
    # Run: waves by name, the recurrent GAN for one epoch
    result = benchmark(["waves:20"], ["none", "gan-lstm:epochs=1"], ["logreg"], n_splits=2,
                       metrics=["balanced_accuracy", "fit_time"])

    # Assert
    assert result.errors == []
    assert {row["dataset"] for row in result.rows} == {"waves:20"}
    assert len(result.rows) == 2 * 2 * 2
