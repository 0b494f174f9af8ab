"""The benchmark folder's contracts: configurations that the CLI accepts, a summary generated
from the result folders, and no private names of the package."""

import importlib.util
import json
import re
from pathlib import Path

import pytest

from imblearn_gan.bench._cli import parse_args

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
CONFIGS = sorted((BENCHMARKS / "configs").glob("*.toml"))
DRIVERS = {"scale": "run_scale.py", "designs": "run_designs.py",
           "series_tstr": "run_series_tstr.py", "latent": "run_latent.py",
           "small_fit": "run_small_fit.py"}


def _load_report():
    spec = importlib.util.spec_from_file_location("benchmarks_report", BENCHMARKS / "report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_every_configuration_parses_and_writes_its_own_folder(config):
    pytest.importorskip("tomllib")
    text = config.read_text()
    if "prowsyn" in text:
        pytest.importorskip("smote_variants")
    if "ctgan" in text or "tvae" in text:
        pytest.importorskip("ctgan")
    if "minirocket" in text or "aeon:" in text:
        pytest.importorskip("aeon")
    args = parse_args(["--config", str(config)])
    assert args.out == Path("benchmarks/results") / config.stem
    # the command is written at the top of the file
    assert f"imblearn-gan bench --config benchmarks/configs/{config.name}" in text


def test_result_folders_come_from_their_configuration():
    for folder in sorted(p for p in (BENCHMARKS / "results").iterdir() if p.is_dir()):
        run = json.loads((folder / "run.json").read_text())
        if folder.name in DRIVERS:  # written by a driver script beside the suite
            assert run["machine"]["cpu"] and run["versions"]["torch"]
            assert run["argv"][1] == f"benchmarks/{DRIVERS[folder.name]}"
            assert (folder / "rows.csv").is_file() and (folder / "summary.md").is_file()
            continue
        if folder.name.startswith("speed_"):
            assert run["machine"]["cpu"] and run["versions"]["torch"]
            assert run["argv"][1:3] == ["benchmarks/run_suite.py", f"--{folder.name[6:]}"]
            continue
        assert run["config"]["config_file"] == f"benchmarks/configs/{folder.name}.toml"
        assert run["environment"]["processor"] and run["environment"]["torch"]
        assert (folder / "rows.csv").is_file() and (folder / "summary.md").is_file()


def test_summary_is_generated_from_the_result_folders():
    report = _load_report()
    assert report.SUMMARY.read_text() == report.build(), (
        "benchmarks/results/SUMMARY.md is out of date: run python benchmarks/report.py")


def test_benchmarks_use_only_public_names():
    private = re.compile(r"imblearn_gan(\.\w+)*\._\w|from imblearn_gan[\w.]* import[^\n]*\b_\w")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in BENCHMARKS.rglob("*.py")
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if private.search(line)]
    assert not offenders, offenders
