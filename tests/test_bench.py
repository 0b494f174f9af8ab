"""The benchmark runner and its command line."""

import json

import numpy as np
import pytest

from imblearn_gan.bench import run_benchmark, summarize
from imblearn_gan.bench.__main__ import main


def test_cli_bad_argument_exits_2_with_message(capsys):
    # Run
    with pytest.raises(SystemExit) as exc:
        main(["--samplers", "smote,nope"])
    # Assert
    assert exc.value.code == 2
    assert "unknown ['nope']" in capsys.readouterr().err


def test_cli_writes_rows_and_summaries(tmp_path, capsys):
    # Run
    code = main(["--datasets", "glass2", "--samplers", "none,smote",
                 "--classifiers", "logreg", "--folds", "2", "--out", str(tmp_path)])
    # Assert
    assert code == 0
    rows = (tmp_path / "rows.csv").read_text().splitlines()
    assert rows[0] == "dataset,sampler,classifier,fold,metric,value"
    assert len(rows) == 1 + 2 * 2 * 6  # samplers x folds x (5 metrics + fit_time)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["datasets"] == ["glass2"]
    assert "torch" in summary["environment"]
    assert "Mean rank" in capsys.readouterr().out


def test_run_benchmark_gan_rows_and_ranks():
    # Run
    rows = run_benchmark(["glass2"], ["none", "gan"], ["logreg"], n_splits=2,
                         sampler_params={"gan": {"epochs": 2, "random_state": 0}})
    means, ranks = summarize(rows)
    # Assert
    values = [r["value"] for r in rows if r["metric"] != "fit_time"]
    assert np.all(np.isfinite(values)) and all(0 <= v <= 1 for v in values)
    assert set(ranks.columns) == {"none", "gan"}
    # two samplers: every rank is 1, 1.5 or 2, so mean ranks sum to 3
    assert ranks.loc[("ALL", "ALL")].sum() == pytest.approx(3.0)
