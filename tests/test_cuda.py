"""The CUDA path of every torch sampler (skipped without a GPU).

CI has no GPU, so these run where one is lent (CONTRIBUTING.md, "Run the
tests"); with ``IMBLEARN_GAN_TEST_DEVICE=cuda`` the rest of the suite runs on
the GPU as well.
"""

import numpy as np
import pytest
import torch
from imblearn.under_sampling import TomekLinks
from numpy.testing import assert_array_equal

from imblearn_gan import (
    GANOverSampler,
    LossProportionalSampler,
    TomekPruner,
    VAEOverSampler,
)
from tests._fast import FAST_GAN, FAST_VAE

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available")
pd = pytest.importorskip("pandas")

NEURAL = {"gan": (GANOverSampler, FAST_GAN), "vae": (VAEOverSampler, FAST_VAE)}


def make_mixed_frame(n_samples=300, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({
        "num": rng.normal(size=n_samples),
        "count": rng.randint(0, 10, size=n_samples).astype(np.int64),
        "flag": rng.rand(n_samples) > 0.5,
        "color": pd.Categorical(rng.choice(["red", "green", "blue"], n_samples)),
    })
    y = pd.Series(np.r_[np.zeros(n_samples - 60, int), np.ones(60, int)], name="target")
    return X, y


@pytest.mark.parametrize("name", list(NEURAL))
def test_neural_sampler_on_cuda_is_reproducible_and_keeps_the_table(name):
    # Setup
    cls, fast = NEURAL[name]
    X, y = make_mixed_frame()
    params = {**fast, "device": "cuda", "epochs": 3}

    # Run: two fits with one seed
    first = cls(**params)
    X_a, y_a = first.fit_resample(X, y)
    X_b, y_b = cls(**params).fit_resample(X, y)

    # Assert: trained on the GPU, the same rows twice, the table's columns,
    # dtypes and categories, one net on the CPU
    assert first.device_.type == "cuda"
    pd.testing.assert_frame_equal(X_a, X_b)
    assert_array_equal(y_a, y_b)
    assert list(X_a.columns) == list(X.columns)
    assert (X_a.dtypes == X.dtypes).all()
    assert set(X_a["color"].unique()) <= set(X["color"].cat.categories)
    assert y_a.value_counts().tolist() == [240, 240]
    net = first.generator_ if name == "gan" else first.decoder_
    assert all(p.device.type == "cpu" for p in net.parameters())


@pytest.mark.parametrize("loss, anchor", [("bce", None), ("bce", "segment"),
                                          ("wgan-gp", "segment")])
def test_gan_on_cuda_learns_the_minority(loss, anchor):
    # Setup: minority centred at +3, majority at -3 (as the CPU quality test)
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-3, 1, size=(400, 2)), rng.normal(3, 1, size=(40, 2))]
    y = np.r_[np.zeros(400, int), np.ones(40, int)]
    gan = GANOverSampler(**{**FAST_GAN, "device": "cuda", "epochs": 120, "loss": loss,
                            "anchor": anchor, "generator_widths": (32,),
                            "critic_widths": (32,)})

    # Run
    X_res, _ = gan.fit_resample(X, y)

    # Assert: the new rows sit with the minority, not the majority
    new = X_res[len(X):]
    assert new.shape == (360, 2) and np.isfinite(new).all()
    assert np.linalg.norm(new.mean(0) - X[y == 1].mean(0)) < 1.0
    assert (np.linalg.norm(new - 3, axis=1) < np.linalg.norm(new + 3, axis=1)).mean() >= 0.8


@pytest.mark.parametrize("chunk_size", [16, 256])
def test_tomek_on_cuda_removes_the_rows_imblearn_removes(chunk_size):
    # Setup: clustered rows far from the origin, with twins in other tiles
    # (close runner-up neighbours, exact ties: the re-scan and tie order run)
    rng = np.random.RandomState(1)
    centres = rng.normal(size=(60, 6)) * 5
    X = centres[rng.randint(60, size=4000)] + rng.normal(size=(4000, 6)) * 0.3 + 50
    X[3900:] = X[rng.randint(3900, size=100)]
    y = (rng.rand(4000) < 0.2).astype(int)

    # Run
    pruner = TomekPruner(algorithm="brute", device="cuda", chunk_size=chunk_size)
    pruner.fit_resample(X, y)

    # Assert
    reference = TomekLinks()
    reference.fit_resample(X, y)
    assert pruner.algorithm_ == "brute"
    assert_array_equal(pruner.sample_indices_, reference.sample_indices_)


def test_tomek_on_cuda_default_tiles_across_blocks():
    # Setup: 40,000 rows, so "auto"'s 16,384-row tiles make 3 blocks (cross
    # tiles, second-best blocks, the re-scan), with twins across blocks
    rng = np.random.RandomState(2)
    centres = rng.normal(size=(200, 6)) * 5
    X = centres[rng.randint(200, size=40_000)] + rng.normal(size=(40_000, 6)) * 0.3
    X[39_000:] = X[rng.randint(39_000, size=1000)]
    y = (rng.rand(40_000) < 0.2).astype(int)

    # Run
    pruner = TomekPruner(algorithm="brute", device="cuda")
    pruner.fit_resample(X, y)

    # Assert
    reference = TomekLinks()
    reference.fit_resample(X, y)
    assert_array_equal(pruner.sample_indices_, reference.sample_indices_)
    assert pruner.n_rechecked_ > 0  # the twins' exact ties were replayed


def test_loss_proportional_on_cuda_keeps_an_unbiased_total_weight():
    # Setup
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20_000, 5))
    y = (X[:, 0] + rng.normal(size=20_000) > 2).astype(int)

    # Run
    sampler = LossProportionalSampler(sample_size=0.3, sampling_strategy="majority",
                                      device="cuda", random_state=0)
    _, y_res = sampler.fit_resample(X, y)

    # Assert: every minority row kept, about 30% of the majority, and the
    # 1/p weights sum to about the majority's size
    weights = sampler.sample_weight_
    assert (y_res == 1).sum() == (y == 1).sum()
    assert abs((y_res == 0).sum() / (y == 0).sum() - 0.3) < 0.02
    assert abs(weights[y_res == 0].sum() / (y == 0).sum() - 1) < 0.05
