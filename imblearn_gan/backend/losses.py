"""Losses: WGAN-GP, the original GAN loss, the gradient penalty, and the ELBO."""

import math

import torch
from torch.nn import functional as F

from .nets import merged_segments


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
    return alpha * real + (1 - alpha) * fake


def gradient_penalty(interp_score, interpolates):
    """WGAN-GP penalty ``E[(||grad critic(x_hat)|| - 1)^2]`` on interpolates.

    ``interp_score`` is the critic's score of ``interpolates`` (computed in
    the same pass as the real and fake scores). With PacGAN the gradient norm
    is taken per pack, the critic's unit.
    """
    (grad,) = torch.autograd.grad(interp_score.sum(), interpolates, create_graph=True)
    return penalty_from_gradient(grad, interp_score.shape[0])


def penalty_from_gradient(grad, n_packs):
    """``E[(||g|| - 1)^2]`` over packs, from the critic's input gradient
    ``grad`` (one row per generated row; a pack's norm spans its rows)."""
    grad = grad.reshape(n_packs, -1)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


# -- ELBO (VAE) ------------------------------------------------------------------


def reconstruction_loss(raw, x, spans, log_sigma):
    """Negative log-likelihood of encoded rows ``x`` under a decoder output.

    Walks the spans (through the helper that also applies the output
    activations, so runs of numeric columns cost one slice): numeric spans get a
    Gaussian with mean ``raw`` (``tanh(raw)`` for the tanh spans of mode
    encoding) and standard deviation ``exp(log_sigma)`` per column; softmax
    spans (categories, modes) get the cross-entropy of the one-hot target.
    Returns the per-row sum averaged over the batch, with the Gaussian's
    constant ``log(2 pi) / 2`` left in so the value is a true NLL.
    """
    total = torch.zeros((), device=raw.device)
    for activation, start, stop in merged_segments(spans):
        block, target = raw[:, start:stop], x[:, start:stop]
        if activation == "softmax":
            total = total + F.cross_entropy(block, target.argmax(1), reduction="sum")
            continue
        mean = torch.tanh(block) if activation == "tanh" else block
        log_s = log_sigma[start:stop]
        nll = 0.5 * ((target - mean) / log_s.exp()) ** 2 + log_s + 0.5 * math.log(2 * math.pi)
        total = total + nll.sum()
    return total / raw.shape[0]


def kl_to_standard_normal(mu, log_var):
    """``KL(N(mu, exp(log_var)) || N(0, I))``, summed over latent dims, batch mean."""
    return 0.5 * (mu.pow(2) + log_var.exp() - 1.0 - log_var).sum(1).mean()
