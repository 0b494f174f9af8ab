"""What the GAN and the VAE share through their base class, tested on both:
pipelines, reproducibility and the near-copy guard.

For the guard, a stand-in for the generator (``copies_and_centres``) makes
the distances to training rows known exactly.
"""

import pickle
from collections import Counter

import numpy as np
import pytest
import torch
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neighbors import NearestNeighbors

from imblearn_gan import GANOverSampler, VAEOverSampler
from tests._fast import FAST_GAN, FAST_VAE
from imblearn_gan.backend.device import resolve_device
from tests.over_sampling.test_gan import _bad_inputs, imbalanced_problem, make_blobs, plain_score

SAMPLERS = [(GANOverSampler, FAST_GAN), (VAEOverSampler, FAST_VAE),
            (VAEOverSampler, {**FAST_VAE, "model": "aae"})]
IDS = ["gan", "vae", "aae"]


@pytest.fixture(params=SAMPLERS, ids=IDS)
def sampler_class(request):
    cls, fast = request.param

    def make(**params):
        return cls(**{**fast, **params})

    make.cls = cls
    return make


@pytest.mark.parametrize(
    "cls, params",
    [(GANOverSampler, {**FAST_GAN, "epochs": 30}),
     (VAEOverSampler, {**FAST_VAE, "epochs": 30, "latent_dim": 4,
                       "encoder_widths": (32,), "decoder_widths": (32,)}),
     (VAEOverSampler, {**FAST_VAE, "epochs": 30, "latent_dim": 4, "model": "aae",
                       "encoder_widths": (32,), "decoder_widths": (32,)})],
    ids=["gan", "vae", "aae"],
)
def test_pipeline_lifts_balanced_accuracy_over_the_plain_classifier(cls, params):
    # Setup: 23 minority rows in 400; plain logistic regression scores 0.63
    X, y = imbalanced_problem()
    cv = StratifiedKFold(3)
    pipe = Pipeline([("sampler", cls(**params)), ("clf", LogisticRegression())])

    # Run
    scores = cross_validate(pipe, X, y, cv=cv, scoring="balanced_accuracy")["test_score"]

    # Assert: resampling on the training folds lifts the same classifier
    assert len(scores) == 3 and np.all(np.isfinite(scores))
    assert scores.mean() > plain_score(X, y, cv) + 0.05


def test_different_random_state_different_rows(sampler_class):
    # Setup
    X, y = make_blobs([80, 20])

    # Run
    X_a, _ = sampler_class(random_state=0, epochs=60).fit_resample(X, y)
    X_b, _ = sampler_class(random_state=1, epochs=60).fit_resample(X, y)

    # Assert: the original rows are kept as they are; every generated row
    # differs between the seeds, yet both sets sit with the minority
    assert np.array_equal(X_a[:len(X)], X_b[:len(X)])
    assert np.all(np.any(X_a[len(X):] != X_b[len(X):], axis=1))
    minority = X[y == 1].mean(0)
    for X_new in (X_a[len(X):], X_b[len(X):]):
        assert np.linalg.norm(X_new.mean(0) - minority) < np.linalg.norm(
            X_new.mean(0) - X[y == 0].mean(0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_output_dtype_preserved(sampler_class, dtype):
    # Setup
    X, y = make_blobs([80, 20], dtype=dtype)

    # Run
    X_res, _ = sampler_class().fit_resample(X, y)

    # Assert
    assert X_res.dtype == dtype
    assert np.all(np.isfinite(X_res))


def test_fit_ignores_and_keeps_the_global_torch_rng(sampler_class):
    # Setup
    X, y = make_blobs([80, 20])

    # Run
    torch.manual_seed(1)
    X_a, _ = sampler_class().fit_resample(X, y)
    state = torch.get_rng_state()
    torch.manual_seed(2)
    X_b, _ = sampler_class().fit_resample(X, y)
    torch.manual_seed(1)
    sampler_class().fit_resample(X, y)

    # Assert: the output does not depend on the global seed, nor does the fit
    # advance the caller's stream
    np.testing.assert_array_equal(X_a, X_b)
    assert torch.equal(torch.get_rng_state(), state)


def test_pickled_sampler_samples_identically(sampler_class):
    # Setup: with the guard on, so its fitted state travels too
    X, y = make_blobs([80, 20])
    sampler = sampler_class(drop_copies=True).fit(X, y)

    # Run
    restored = pickle.loads(pickle.dumps(sampler))

    # Assert
    np.testing.assert_array_equal(sampler.sample(10, y=1, random_state=0),
                                  restored.sample(10, y=1, random_state=0))
    assert restored.device_ == sampler.device_ == resolve_device(FAST_GAN["device"])


def test_plot_history_writes_png(sampler_class, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    # Setup
    X, y = make_blobs([80, 20])
    sampler = sampler_class(epochs=3).fit(X, y)
    path = tmp_path / "history.png"

    # Run
    fig = sampler.plot_history(path=path)
    plt.close(fig)

    # Assert: a PNG with one panel of losses (and one of scores when adversarial)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) == (1 if "kl" in sampler.history_[0] else 2)


@pytest.mark.parametrize("case", list(_bad_inputs()))
def test_bad_input_raises_value_error_naming_the_problem(sampler_class, case):
    # Setup
    X, y, match = _bad_inputs()[case]

    # Run / Assert: a ValueError with a clear message, never a torch error
    with pytest.raises(ValueError, match=match) as excinfo:
        sampler_class().fit_resample(X, y)
    assert "torch" not in type(excinfo.value).__module__


def make_grid_problem():
    """Minority rows on a 5 x 5 grid of spacing 1 (values off the integers,
    so nothing is rounded), majority rows on four such grids far away; both
    columns have the same spread, so encoded distances are raw ones / std."""
    grid = np.array([[i, j] for i in range(5) for j in range(5)], dtype=float)
    majority = np.concatenate([grid + offset for offset in [(20, 20), (20, 40),
                                                             (40, 20), (40, 40)]])
    X = np.r_[majority, grid] + 0.1
    y = np.r_[np.zeros(100, int), np.ones(25, int)]
    return X, y


def copies_and_centres(self, n_samples, class_index, torch_gen):
    """Stand-in for the generator: even rows copy a training row of the class,
    odd rows sit at the centre of a grid cell (0.707 spacing from every row)."""
    rows = np.flatnonzero(self.train_labels_ == class_index)
    Z = self.train_encoded_
    out = np.empty((n_samples, Z.shape[1]), dtype=np.float32)
    for i in range(n_samples):
        a = rows[(i // 2) % 4 * 6]  # grid rows (0,0), (1,1), (2,2), (3,3) ...
        out[i] = Z[a] if i % 2 == 0 else (Z[a] + Z[a + 6]) / 2  # ... and (i+1, j+1)
    return out


def test_near_copy_rate_is_measured_on_a_constructed_case(sampler_class, monkeypatch):
    # Setup: half of all draws are copies of training rows
    monkeypatch.setattr(sampler_class.cls, "_generate_encoded", copies_and_centres)
    X, y = make_grid_problem()

    # Run
    sampler = sampler_class(copy_threshold=0.5).fit(X, y)

    # Assert: the scale is the 1-unit spacing, encoded; half are copies
    std = X[:, 0].std()
    np.testing.assert_allclose(sampler.copy_scale_ * std, [1.0, 1.0], rtol=1e-5)
    assert sampler.near_copy_rate_ == {0: 0.5, 1: 0.5}
    # a looser threshold than the 0.707 of the centres counts them too
    assert sampler_class(copy_threshold=0.8).fit(X, y).near_copy_rate_ == {0: 1.0, 1: 1.0}


def test_drop_copies_keeps_exactly_the_far_rows(sampler_class, monkeypatch):
    # Setup
    monkeypatch.setattr(sampler_class.cls, "_generate_encoded", copies_and_centres)
    X, y = make_grid_problem()

    # Run
    X_res, y_res = sampler_class(copy_threshold=0.5, drop_copies=True).fit_resample(X, y)

    # Assert: exact counts, and every new row is a cell centre (0.707 from its
    # closest training row), none a copy
    new = X_res[len(X):]
    assert Counter(y_res.tolist()) == {0: 100, 1: 100}
    dist, _ = NearestNeighbors(n_neighbors=1).fit(X).kneighbors(new)
    np.testing.assert_allclose(dist[:, 0], np.sqrt(0.5), rtol=1e-5)


def test_drop_copies_with_a_strict_threshold_on_a_trained_model(sampler_class):
    # Setup
    X, y = make_blobs([120, 30], n_features=2)
    sampler = sampler_class(epochs=20, copy_threshold=0.5, drop_copies=True)

    # Run
    X_res, y_res = sampler.fit_resample(X, y)

    # Assert: measured independently, every generated row is at least
    # 0.5 x the class's median NN distance from every training row
    Z_train = sampler.encoder_.transform(X)
    Z_new = sampler.encoder_.transform(X_res[len(X):])
    minority = Z_train[y == 1]
    spacing = np.median(NearestNeighbors(n_neighbors=2).fit(minority).kneighbors()[0][:, 0])
    dist = NearestNeighbors(n_neighbors=1).fit(Z_train).kneighbors(Z_new)[0][:, 0]
    assert Counter(y_res.tolist()) == {0: 120, 1: 120}
    assert sampler.copy_scale_[1] == pytest.approx(spacing, rel=1e-5)
    assert dist.min() >= 0.5 * spacing


def test_drop_copies_warns_and_keeps_counts_when_it_cannot_avoid_copies(sampler_class,
                                                                       monkeypatch):
    # Setup: every draw is a copy or 0.707 away; a threshold of 1.0 rejects all
    monkeypatch.setattr(sampler_class.cls, "_generate_encoded", copies_and_centres)
    X, y = make_grid_problem()
    sampler = sampler_class(copy_threshold=1.0, drop_copies=True)

    # Run / Assert
    with pytest.warns(UserWarning, match="kept 0 of 75 rows of class 1"):
        X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 100, 1: 100}
    # the gap is filled with the least close rows: the cell centres
    dist, _ = NearestNeighbors(n_neighbors=1).fit(X).kneighbors(X_res[len(X):])
    np.testing.assert_allclose(dist[:, 0], np.sqrt(0.5), rtol=1e-5)


def test_the_probe_leaves_the_generated_rows_unchanged(sampler_class, monkeypatch):
    # Setup: the same fit with and without the probe's draws
    X, y = make_blobs([80, 20], n_features=2)
    probed_rows, _ = sampler_class().fit_resample(X, y)
    monkeypatch.setattr(sampler_class.cls, "_probe_near_copies", lambda self: {})

    # Run
    plain_rows, _ = sampler_class().fit_resample(X, y)

    # Assert: the probe draws from a copy of the sampling stream
    np.testing.assert_array_equal(probed_rows, plain_rows)

