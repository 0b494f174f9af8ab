"""The latent-feature GANs' step functions (backend/latent_steps.py)."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from imblearn_gan.backend.latent_steps import (
    BiGANStep,
    CodeHead,
    InfoGANStep,
    LatentEncoder,
    LatentGANConfig,
    critic_gradients,
    info_loss,
)
from imblearn_gan.backend.nets import ConditionalCritic, ConditionalGenerator
from imblearn_gan.latent import BiGAN, InfoGAN
from tests.latent._fast import FAST_SETTINGS


def _rows(n=32, width=5, seed=0):
    return torch.randn(n, width, generator=torch.Generator().manual_seed(seed))


def test_closed_form_critic_gradients_match_autograd():
    # Setup: the same critic, once through its closed form, once through autograd
    torch.manual_seed(0)
    critic = ConditionalCritic(5, 0, (16, 8))
    real, fake = _rows(seed=1), _rows(seed=2)
    cfg = LatentGANConfig(loss="wgan-gp", gp_weight=10.0)

    # Run
    loss, *_ = critic_gradients(critic, real, fake, cfg, torch.Generator().manual_seed(3))
    closed = [p.grad.clone() for p in critic.parameters()]
    critic.zero_grad(set_to_none=True)
    critic.wgan_gp_gradients = lambda *args: None  # force the autograd path
    loss_auto, *_ = critic_gradients(critic, real, fake, cfg, torch.Generator().manual_seed(3))
    auto = [p.grad for p in critic.parameters()]

    # Assert
    torch.testing.assert_close(loss, loss_auto, rtol=1e-5, atol=1e-5)
    for a, b in zip(closed, auto):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_info_loss_is_small_for_a_perfect_reading_and_large_otherwise():
    # Setup
    categories = torch.tensor([0, 1, 2, 1])
    continuous = torch.tensor([[0.5], [-0.5], [0.0], [1.0]])
    perfect = 20 * F.one_hot(categories, 3).float()

    # Run
    low = info_loss(perfect, continuous, categories, continuous)
    high = info_loss(-perfect, -continuous, categories, continuous)

    # Assert
    assert low.item() < 1e-6
    assert high.item() > 10


@pytest.mark.parametrize("loss", ["wgan-gp", "bce"])
def test_steps_update_every_network_and_leave_critic_trainable(loss):
    # Setup
    torch.manual_seed(0)
    rng = torch.Generator().manual_seed(0)
    x = _rows()
    cfg = LatentGANConfig(loss=loss, n_critic=2, noise_dim=2, n_categories=3, n_continuous=1)
    gen, enc = ConditionalGenerator(2, 0, (8,), 5), LatentEncoder(5, (8,), 2)
    joint = ConditionalCritic(7, 0, (8,))
    info_gen, critic = ConditionalGenerator(2, 4, (8,), 5), ConditionalCritic(5, 0, (8,))
    head = CodeHead(8, 3, 1)
    nets = [gen, enc, joint, info_gen, critic, head]
    before = [[p.detach().clone() for p in net.parameters()] for net in nets]

    # Run
    out_bigan = BiGANStep(gen, enc, joint, cfg, rng, 1e-2)((x,), 0)
    out_info = InfoGANStep(info_gen, critic, head, cfg, rng, 1e-2)((x,), 0)

    # Assert
    assert {"d_loss", "g_loss", "d_real", "d_fake"} <= set(out_bigan)
    assert {"info_loss", "code_accuracy"} <= set(out_info)
    assert ("gp" in out_bigan) == (loss == "wgan-gp")
    for net, old in zip(nets, before):
        assert any(not torch.equal(p, q) for p, q in zip(net.parameters(), old))
        assert all(p.requires_grad for p in net.parameters())


@pytest.mark.parametrize("Estimator, loss", [(BiGAN, "bce"), (InfoGAN, "wgan-gp")])
def test_the_other_loss_fits_too(Estimator, loss):
    # Setup
    X = np.random.RandomState(0).randn(60, 4)

    # Run
    model = Estimator(**{**FAST_SETTINGS[Estimator.__name__], "loss": loss}).fit(X)

    # Assert
    assert np.isfinite(model.transform(X)).all()
    assert ("gp" in model.history_[0]) == (loss == "wgan-gp")
