"""Losses: WGAN-GP, the original GAN loss, and the gradient penalty."""

import torch
from torch.nn import functional as F


def critic_loss(loss, real_score, fake_score):
    """Critic / discriminator loss to minimise."""
    if loss == "wgan-gp":
        return fake_score.mean() - real_score.mean()
    ones, zeros = torch.ones_like(real_score), torch.zeros_like(fake_score)
    return F.binary_cross_entropy_with_logits(
        real_score, ones
    ) + F.binary_cross_entropy_with_logits(fake_score, zeros)


def generator_loss(loss, fake_score):
    """Generator loss to minimise (non-saturating for ``"bce"``)."""
    if loss == "wgan-gp":
        return -fake_score.mean()
    return F.binary_cross_entropy_with_logits(fake_score, torch.ones_like(fake_score))


def score_summary(loss, score):
    """What the history records: D's mean probability, or the mean critic score."""
    if loss == "wgan-gp":
        return score.mean().item()
    return torch.sigmoid(score).mean().item()


def interpolate(real, fake, generator):
    """Random points on the segments between real and fake rows (for the GP)."""
    alpha = torch.rand(real.shape[0], 1, generator=generator, device=real.device)
    return (alpha * real + (1 - alpha) * fake).requires_grad_(True)


def gradient_penalty(interp_score, interpolates):
    """WGAN-GP penalty ``E[(||grad critic(x_hat)|| - 1)^2]`` on interpolates.

    ``interp_score`` is the critic's score of ``interpolates`` (computed in
    the same pass as the real and fake scores). With PacGAN the gradient norm
    is taken per pack, the critic's unit.
    """
    (grad,) = torch.autograd.grad(interp_score.sum(), interpolates, create_graph=True)
    grad = grad.reshape(interp_score.shape[0], -1)  # one row per pack
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()
