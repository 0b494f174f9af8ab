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


# -- series ------------------------------------------------------------------------


def test_make_waves_counts_shapes_and_seed():
    from imblearn_gan.datasets import make_waves

    X, y = make_waves(n_samples=330, imbalance=10, n_steps=24, random_state=0)
    again, _ = make_waves(n_samples=330, imbalance=10, n_steps=24, random_state=0)
    assert X.shape == (330, 24) and np.bincount(y).tolist() == [300, 30]
    np.testing.assert_array_equal(X, again)
    assert not np.array_equal(X, make_waves(330, n_steps=24, random_state=1)[0])
    assert np.bincount(make_waves(210, imbalance=20, random_state=0)[1]).tolist() == [200, 10]


@pytest.mark.parametrize("minority", ["sawtooth", "sine"])
def test_make_waves_class_is_the_shape(minority):
    from imblearn_gan.datasets import make_waves

    # Setup: no noise; a sawtooth's largest one-step fall is its drop, a
    # sine's is at most 2 pi f / n_steps of its amplitude
    X, y = make_waves(400, imbalance=3, noise=0.0, minority=minority, random_state=0)
    fall = (-np.diff(X, axis=1)).max(1) / np.ptp(X, axis=1)
    saw = y == (1 if minority == "sawtooth" else 0)

    # Assert: the two shapes separate on that statistic alone, whatever the
    # offset and amplitude (but for sawtooths whose window holds no drop)
    assert np.mean(fall[saw] > fall[~saw].max()) > 0.95
    assert X[saw].mean() == pytest.approx(0, abs=0.15)


def test_series_specs_load_by_name():
    X, y = load_dataset("waves:20")
    assert X.shape == (550, 30) and np.bincount(y).tolist() == [524, 26]
    frame, _ = load_dataset("waves:10", as_frame=True)
    assert frame.shape == (550, 30)
    for spec in ("waves:x", "aeon:10", "aeon:GunPoint:"):
        with pytest.raises(InputError, match="'waves:RATIO' or 'aeon:NAME:RATIO'"):
            load_dataset(spec)


def test_load_series_needs_aeon_or_loads_a_bundled_problem():
    try:
        import aeon  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"pip install 'imblearn-gan\[series\]'"):
            load_dataset("aeon:GunPoint:10")
        return
    from imblearn_gan.datasets import load_series

    X, y = load_series("GunPoint", ratio=10)
    assert X.shape == (110, 150) and np.bincount(y).tolist() == [100, 10]
    X, y = load_dataset("aeon:BasicMotions:5")
    assert X.shape == (72, 600) and np.bincount(y).tolist() == [60, 12]
    X20, _ = load_series("ItalyPowerDemand", 20, minority="2")
    assert X20.shape == (547 + 27, 24)
    with pytest.raises(InputError, match="choose from"):
        load_series("Car")
    with pytest.raises(InputError, match="classes are"):
        load_series("GunPoint", minority="7")
