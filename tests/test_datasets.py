"""Dataset loaders: bundled, scikit-learn-derived, CSV files, imbalanced-learn's."""

from urllib.error import URLError

import numpy as np
import pandas as pd
import pytest

from imblearn_gan.bench.__main__ import run_bench
from imblearn_gan.datasets import list_datasets, load_dataset
from imblearn_gan.exceptions import InputError


def test_bundled_datasets_are_binary_with_minority_one():
    # Run / Assert: every bundled problem loads offline, label 1 is the rarer
    names = list_datasets()
    assert {"wine-2", "digits-3", "breast-cancer", "glass2", "car-vgood"} <= set(names)
    for name in names:
        X, y = load_dataset(name, as_frame=True)
        counts = np.bincount(y)
        assert len(counts) == 2 and counts[1] < counts[0] and len(X) == len(y)


def test_wine_2_is_imbalanced():
    X, y = load_dataset("wine-2")
    assert X.shape == (146, 13) and np.bincount(y).tolist() == [130, 16]


def test_csv_spec_loads_a_user_file(tmp_path):
    # Setup
    frame = pd.DataFrame({"a": range(10), "colour": list("rgbrgbrgbr"),
                          "cls": ["yes"] * 3 + ["no"] * 7})
    frame.to_csv(tmp_path / "my:data.csv", index=False)  # colons in the path are fine
    # Run
    X, y = load_dataset(f"csv:{tmp_path / 'my:data.csv'}:cls", as_frame=True)
    # Assert: the rarer value becomes 1, text columns become categorical
    assert y.tolist() == [1] * 3 + [0] * 7
    assert str(X["colour"].dtype) == "category" and list(X.columns) == ["a", "colour"]


@pytest.mark.parametrize("spec, message", [
    ("csv:nothing", "csv:PATH:TARGET"),
    ("csv:{path}:missing", "Column 'missing'"),
    ("csv:{path}:three", "binary target"),
])
def test_csv_errors_name_the_problem(tmp_path, spec, message):
    path = tmp_path / "d.csv"
    pd.DataFrame({"x": range(6), "three": [0, 1, 2] * 2}).to_csv(path, index=False)
    with pytest.raises(InputError, match=message):
        load_dataset(spec.format(path=path))


def test_fetch_offline_is_a_clear_error(monkeypatch, capsys):
    # Setup: no network
    def offline(**kwargs):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr("imblearn.datasets.fetch_datasets", offline)
    # Run / Assert: the loader says what happened and what to use instead
    with pytest.raises(InputError, match="Could not download .*'ecoli'.*bundled"):
        load_dataset("ecoli")
    with pytest.raises(SystemExit) as exc:
        run_bench(["--datasets", "imblearn:ecoli", "--samplers", "none"])
    assert exc.value.code == 2 and "Could not download" in capsys.readouterr().err


def test_fetch_online_uses_imblearn_labels(monkeypatch):
    from sklearn.utils import Bunch

    def fake(filter_data, **kwargs):
        return {filter_data[0]: Bunch(data=np.zeros((4, 2)), target=np.array([-1, 1, -1, -1]))}

    monkeypatch.setattr("imblearn.datasets.fetch_datasets", fake)
    X, y = load_dataset("abalone")
    assert y.tolist() == [0, 1, 0, 0] and X.shape == (4, 2)
