"""Contracts and properties of VAEOverSampler.

Every sampler is built with explicit fast settings (``FAST``): the defaults
of ``epochs``, the widths and ``latent_dim`` are tuned for quality and may
change, so no test relies on them.
"""

from collections import Counter

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.exceptions import NotFittedError

from imblearn_gan import VAEOverSampler
from imblearn_gan.over_sampling._vae import default_architecture
from tests._fast import FAST_VAE
from tests.over_sampling.test_gan import (
    assert_neighbors_in,
    make_blobs,
    make_mixed_frame,
    make_wide_and_spiky,
    scaled_for_neighbors,
)

pd = pytest.importorskip("pandas")

FAST = FAST_VAE
MODELS = ["vae", "aae"]


def make_sampler(**params):
    return VAEOverSampler(**{**FAST, **params})


# -- class counts ------------------------------------------------------------


@pytest.mark.parametrize(
    "sampling_strategy, expected",
    [
        ("auto", {0: 100, 1: 100, 2: 100}),
        ("minority", {0: 100, 1: 40, 2: 100}),
        ({1: 60, 2: 80}, {0: 100, 1: 60, 2: 80}),
        (lambda y: {1: 50}, {0: 100, 1: 50, 2: 20}),
    ],
    ids=["auto", "minority", "dict", "callable"],
)
@pytest.mark.parametrize("model", MODELS)
def test_class_counts_match_sampling_strategy(sampling_strategy, expected, model):
    # Setup
    X, y = make_blobs([100, 40, 20])

    # Run
    X_res, y_res = make_sampler(model=model, sampling_strategy=sampling_strategy).fit_resample(X, y)

    # Assert: counts, and the original rows first, unchanged
    assert Counter(y_res.tolist()) == expected
    assert X_res.shape == (len(y_res), 3)
    assert_array_equal(X_res[: len(X)], X)
    assert_array_equal(y_res[: len(y)], y)


def test_float_sampling_strategy_and_string_labels():
    # Setup
    X, y = make_blobs([100, 20])
    labels = np.array(["common", "rare"])[y]

    # Run
    _, y_res = make_sampler(sampling_strategy=0.5).fit_resample(X, labels)

    # Assert
    assert Counter(y_res.tolist()) == {"common": 100, "rare": 50}
    assert y_res.dtype == labels.dtype


# -- dtypes and layout -------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_mixed_dataframe_round_trip(model):
    # Setup
    X, y = make_mixed_frame()
    n = len(X)

    # Run
    X_res, y_res = make_sampler(model=model).fit_resample(X, y)

    # Assert: layout, dtypes, categories seen in training, numeric range
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    pd.testing.assert_frame_equal(X_res.iloc[:n], X)
    assert Counter(y_res.tolist()) == {0: 90, 1: 90}
    new = X_res.iloc[n:]
    for column in ["color", "city", "flag"]:
        assert set(new[column]) <= set(X[column]), column
    assert new["count"].dtype == np.int64
    for column in ["num", "count"]:
        assert X[column].min() <= new[column].min() <= new[column].max() <= X[column].max()


# -- reproducibility ---------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("latent_sampling", ["interpolate", "posterior", "prior"])
def test_same_random_state_same_output(model, latent_sampling):
    # Setup
    X, y = make_blobs([80, 20, 15])
    params = {"model": model, "latent_sampling": latent_sampling}
    first, second = make_sampler(**params), make_sampler(**params)

    # Run
    X_a, _ = first.fit_resample(X, y)
    X_b, _ = first.fit_resample(X, y)  # same instance, refitted
    X_c, _ = second.fit_resample(X, y)  # a fresh instance

    # Assert
    assert_array_equal(X_a, X_b)
    assert_array_equal(X_a, X_c)
    assert _without_durations(first.history_) == _without_durations(second.history_)
    assert first.near_copy_rate_ == second.near_copy_rate_


def _without_durations(history):
    return [{k: v for k, v in record.items() if k != "dur"} for record in history]


# -- fit then sample -----------------------------------------------------------


def test_fit_then_sample():
    # Setup
    X, y = make_blobs([80, 20, 15], dtype=np.float32)
    sampler = make_sampler().fit(X, y)

    # Run
    X_one = sampler.sample(7, y=2)
    X_many = sampler.sample(6, y=[0, 2, 1, 2, 0, 0], random_state=0)
    X_default = sampler.sample(4)
    X_a, X_b = sampler.sample(5, y=1), sampler.sample(5, y=1)

    # Assert
    assert X_one.shape == (7, 3) and X_one.dtype == np.float32
    assert X_many.shape == (6, 3) and X_default.shape == (4, 3)
    assert not np.allclose(X_a, X_b)  # the stream continues
    assert_array_equal(sampler.classes_, [0, 1, 2])
    assert len(sampler.history_) == FAST["epochs"]


def test_sample_dataframe_and_errors():
    # Setup
    X, y = make_mixed_frame()
    sampler = make_sampler().fit(X, y)

    # Run
    X_new = sampler.sample(12, y=1, random_state=0)

    # Assert
    assert list(X_new.columns) == list(X.columns)
    pd.testing.assert_series_equal(X_new.dtypes, X.dtypes)
    with pytest.raises(ValueError, match="Unknown class 7"):
        sampler.sample(3, y=7)
    with pytest.raises(ValueError, match="non-negative int"):
        sampler.sample(-1)
    with pytest.raises(ValueError, match="3 labels"):
        sampler.sample(3, y=[0, 1])
    with pytest.raises(NotFittedError):
        make_sampler().sample(3, y=0)


# -- history -------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, keys",
    [("vae", {"loss", "recon", "kl"}), ("aae", {"loss", "recon", "g_loss", "d_loss",
                                                 "d_real", "d_fake"})],
)
def test_history_has_one_record_per_epoch(model, keys):
    # Setup
    X, y = make_blobs([80, 20])

    # Run
    sampler = make_sampler(model=model, epochs=3).fit(X, y)

    # Assert
    assert [record["epoch"] for record in sampler.history_] == [1, 2, 3]
    for record in sampler.history_:
        assert set(record) == keys | {"epoch", "dur"}
        assert all(np.isfinite(value) for value in record.values())
        if model == "aae":
            assert 0.0 <= record["d_real"] <= 1.0 and 0.0 <= record["d_fake"] <= 1.0
        else:
            assert record["kl"] >= 0.0


# -- options and architecture -----------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"model": "aae", "latent_sampling": "prior"},
        {"latent_sampling": "posterior", "decoder_noise": False},
        {"balance_classes": False, "n_neighbors": 2},
        {"numeric_encoding": "quantile"},
        {"numeric_encoding": "mode"},
        {"model": "aae", "numeric_encoding": "mode", "beta": 0.5},
        {"encoder_widths": (8, 4), "decoder_widths": (4, 8, 16), "latent_dim": 3},
    ],
    ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items()),
)
def test_options_fit_and_produce_valid_rows(params):
    # Setup
    X, y = make_mixed_frame(n_samples=151)

    # Run
    X_res, y_res = make_sampler(**params).fit_resample(X, y)

    # Assert
    assert Counter(y_res.tolist()) == {0: 121, 1: 121}
    new = X_res.iloc[len(X):]
    assert np.all(np.isfinite(new[["num", "count"]].to_numpy(dtype=float)))
    assert set(new["color"]) <= set(X["color"]) and set(new["city"]) <= set(X["city"])


@pytest.mark.parametrize(
    "n_encoded, expected", [(64, (4, 32)), (9, (4, 32)), (128, (8, 64)), (2000, (32, 256))]
)
def test_default_architecture_scales_with_the_encoded_width(n_encoded, expected):
    # Run / Assert: 64 inputs give the reference 64-32-[4,4]-4-32-64
    assert default_architecture(n_encoded) == expected


def test_auto_architecture_is_used():
    # Setup: 64 numeric columns
    X, y = make_blobs([60, 20], n_features=64)

    # Run
    sampler = VAEOverSampler(epochs=1, device="cpu", random_state=0).fit(X, y)

    # Assert: 64 -> 32 -> [4, 4]; 4 -> 32 -> 64
    assert sampler.latent_dim_ == 4
    assert sampler.encoder_net_.body[0].in_features == 64 + 2
    assert sampler.encoder_net_.mu.out_features == 4
    assert sampler.decoder_.body[0].out_features == 32
    assert sampler.decoder_.head.out_features == 64


# -- weights, pipelines, bad input ----------------------------------------------------


def test_sample_weight_of_generated_rows_is_the_class_mean():
    # Setup
    X, y = make_blobs([80, 20])
    weights = np.r_[np.ones(80), np.full(20, 3.0)]

    # Run
    sampler = make_sampler()
    _, y_res = sampler.fit_resample(X, y, sample_weight=weights)

    # Assert
    assert sampler.sample_weight_.shape == y_res.shape
    assert_array_equal(sampler.sample_weight_[:100], weights)
    assert_array_equal(sampler.sample_weight_[100:], 3.0)


@pytest.mark.parametrize(
    "params, match",
    [({"model": "gan"}, "'model' parameter"), ({"beta": -1.0}, "'beta' parameter"),
     ({"copy_threshold": -0.1}, "'copy_threshold' parameter"),
     ({"latent_sampling": "grid"}, "'latent_sampling' parameter"),
     ({"encoder_widths": (16, 0)}, "'encoder_widths' parameter.*positive ints"),
     ({"decoder_widths": (4.5,)}, "'decoder_widths' parameter.*positive ints"),
     ({"model": "aae", "encoder_widths": ()}, "'encoder_widths' parameter.*non-empty")],
)
def test_bad_parameters(params, match):
    # Setup
    X, y = make_blobs([30, 10])

    # Run / Assert
    with pytest.raises(ValueError, match=match):
        make_sampler(**params).fit_resample(X, y)


# -- quality -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"model": "vae"},
        {"model": "aae"},
        {"model": "vae", "latent_sampling": "posterior"},
        pytest.param(
            {"model": "vae", "latent_sampling": "prior"},
            marks=pytest.mark.xfail(
                strict=True,
                reason=(
                    "Prior sampling (z ~ N(0, I) with the minority label) lands "
                    "between the classes: new-row mean (-0.57, -0.71) after 60 "
                    "epochs, (0.49, 0.60) after 200, for a minority at (3, 3); "
                    "the decoder leans on z, not on the label: why the default "
                    "samples around the class's own codes."
                ),
            ),
        ),
    ],
    ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items()),
)
def test_generated_minority_matches_the_minority_distribution(params):
    # Setup: a correlated 2-D Gaussian minority at (3, 3), majority at (-3, -3)
    rng = np.random.RandomState(0)
    cov = np.array([[1.0, 0.6], [0.6, 1.0]])
    X = np.r_[rng.normal(-3, 1, size=(400, 2)),
              rng.multivariate_normal([3, 3], cov, size=60)]
    y = np.r_[np.zeros(400, int), np.ones(60, int)]
    sampler = make_sampler(epochs=60, latent_dim=2, encoder_widths=(32,),
                           decoder_widths=(32,), **params)

    # Run
    X_res, _ = sampler.fit_resample(X, y)

    # Assert: mean, spread and correlation of the 340 new rows
    new, real = X_res[len(X):], X[y == 1]
    assert new.shape == (340, 2)
    assert np.linalg.norm(new.mean(0) - real.mean(0)) < 0.35
    ratio = new.std(0) / real.std(0)
    assert np.all((ratio > 0.6) & (ratio < 1.4)), ratio
    assert abs(np.corrcoef(new.T)[0, 1] - np.corrcoef(real.T)[0, 1]) < 0.3


# -- the VAE's backend pieces -----------------------------------------------------------


def test_reconstruction_loss_is_the_gaussian_and_categorical_nll():
    from imblearn_gan.backend import Span
    from imblearn_gan.backend.losses import kl_to_standard_normal, reconstruction_loss

    # Setup: one numeric column, one 3-category column, two rows
    spans = [Span("numeric", 1, "linear", 0), Span("categorical", 3, "softmax", 1)]
    raw = torch.tensor([[0.5, 2.0, 0.0, 0.0], [-1.0, 0.0, 1.0, 0.0]])
    x = torch.tensor([[1.0, 1.0, 0.0, 0.0], [-1.0, 0.0, 0.0, 1.0]])
    log_sigma = torch.log(torch.tensor([0.5, 1.0, 1.0, 1.0]))

    # Run
    loss = reconstruction_loss(raw, x, spans, log_sigma).item()

    # Assert: mean over rows of -log N(x; raw, 0.5^2) - log softmax(raw)[target]
    gauss = [-np.log(0.5 * np.sqrt(2 * np.pi)) - 0.5 * ((x0 - m) / 0.5) ** 2
             for x0, m in [(1.0, 0.5), (-1.0, -1.0)]]
    cat = [np.log(np.exp(2.0) / (np.exp(2.0) + 2)), np.log(1 / (1 + np.e + 1))]
    assert loss == pytest.approx(-(gauss[0] + cat[0] + gauss[1] + cat[1]) / 2, rel=1e-6)
    # KL(N(mu, sigma^2) || N(0, 1)) of mu=1, sigma=1 is 1/2 per dimension
    kl = kl_to_standard_normal(torch.ones(4, 2), torch.zeros(4, 2)).item()
    assert kl == pytest.approx(1.0)


def test_decoder_output_draws_one_hot_categories_and_noisy_numbers():
    from imblearn_gan.backend import Span
    from imblearn_gan.backend.steps import decoder_output

    # Setup: logits favour category 0 at 2:1 odds over category 1
    spans = [Span("numeric", 1, "linear", 0), Span("categorical", 2, "softmax", 1)]
    raw = torch.tensor([[0.0, float(np.log(2.0)), 0.0]]).repeat(20000, 1)
    log_sigma = torch.log(torch.tensor([0.5, 1.0, 1.0]))
    gen = torch.Generator().manual_seed(0)

    # Run
    mean = decoder_output(raw, spans, log_sigma)
    draw = decoder_output(raw, spans, log_sigma, generator=gen)

    # Assert: the mean is the raw numeric value and the softmax; a draw adds
    # N(0, 0.5^2) noise and picks category 0 with probability 2/3
    assert torch.allclose(mean[:, 0], torch.zeros(20000))
    assert torch.allclose(mean[0, 1:], torch.tensor([2 / 3, 1 / 3]))
    assert draw[:, 0].std().item() == pytest.approx(0.5, rel=0.03)
    assert torch.allclose(draw[:, 1:].sum(1), torch.ones(20000))
    # one-hot up to Gumbel near-ties (decoding takes the argmax anyway)
    assert (draw[:, 1:].max(1).values > 0.99).float().mean().item() > 0.99
    assert (draw[:, 1:].argmax(1) == 0).float().mean().item() == pytest.approx(2 / 3, abs=0.015)


@pytest.mark.parametrize("scaling", ["minmax", "standard", None])
def test_neighbor_scaling_sets_the_metric_of_the_interpolation_neighbors(scaling):
    # Setup
    X, y = make_wide_and_spiky()

    # Run
    table = make_sampler(n_neighbors=3, epochs=1, neighbor_scaling=scaling).fit(X, y).neighbors_

    # Assert: the shared neighbour metric, as for the GAN's anchors
    assert_neighbors_in(scaled_for_neighbors(X, scaling), y, table, 3)
