"""Step functions of the latent-feature GANs (BiGAN, InfoGAN) for :func:`loop.train`.

Beside ``steps.py`` and built the same way: a step takes a minibatch of
encoded rows and the epoch, updates its networks, and returns a dict of float
losses for the history. The networks are the package's own
(:class:`~.nets.ConditionalGenerator` and :class:`~.nets.ConditionalCritic`
with no class, so the same closed-form WGAN-GP gradients apply) plus the two
small heads defined here.
"""

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .losses import (
    critic_loss,
    generator_loss,
    gradient_penalty,
    interpolate,
    score_summary,
)
from .nets import mlp


@dataclass
class LatentGANConfig:
    """What a latent-feature GAN step needs beyond its networks."""

    loss: str = "wgan-gp"  # or "bce"
    n_critic: int = 3
    gp_weight: float = 10.0
    noise_dim: int = 8  # BiGAN: the latent width; InfoGAN: the incompressible noise
    n_categories: int = 0  # InfoGAN: size of the categorical code
    n_continuous: int = 0  # InfoGAN: continuous codes, uniform on [-1, 1]
    info_weight: float = 1.0  # InfoGAN: weight of the mutual-information term


class LatentEncoder(nn.Module):
    """BiGAN's encoder ``E(x)``: an encoded row in, its latent code out.

    LeakyReLU hidden layers without normalisation (a row's code must not
    depend on the rest of its minibatch) and a linear head, deterministic.
    """

    def __init__(self, in_dim, widths, latent_dim):
        super().__init__()
        self.body, width = mlp(in_dim, widths, activation="leaky_relu")
        self.head = nn.Linear(width, latent_dim)

    def forward(self, x):
        return self.head(self.body(x))


class CodeHead(nn.Module):
    """InfoGAN's ``Q`` head on the critic's last hidden features: logits of
    the categorical code and the mean of each continuous code."""

    def __init__(self, in_dim, n_categories, n_continuous):
        super().__init__()
        self.n_categories = n_categories
        self.linear = nn.Linear(in_dim, n_categories + n_continuous)

    def forward(self, features):
        out = self.linear(features)
        return out[:, : self.n_categories], out[:, self.n_categories :]


def _no_condition(x):
    # the package's critics take a class condition; these GANs have none
    return x.new_zeros(x.shape[0], 0)


def critic_gradients(critic, real, fake, cfg, rng):
    """One critic loss and its weight gradients (in ``.grad``) for real and
    fake rows without a condition: the closed form of
    :meth:`ConditionalCritic.wgan_gp_gradients` for ``"wgan-gp"`` (gradient
    penalty on random interpolates), autograd for ``"bce"``.
    -> ``(loss, real_score, fake_score, gp)``, gp None for ``"bce"``."""
    cond = _no_condition(real)
    if cfg.loss == "wgan-gp":
        interp = interpolate(real, fake, rng)
        done = critic.wgan_gp_gradients(real, fake, cond, interp, cfg.gp_weight)
        if done is not None:
            return done
    real_score, fake_score = critic(torch.cat([real, fake]), cond.repeat(2, 1))[0].chunk(2)
    loss_d = critic_loss(cfg.loss, real_score, fake_score)
    gp = None
    if cfg.loss == "wgan-gp":  # a critic body without the closed form
        interp = interp.requires_grad_(True)
        gp = gradient_penalty(critic(interp, cond)[0], interp)
        loss_d = loss_d + cfg.gp_weight * gp
    loss_d.backward()
    return loss_d.detach(), real_score.detach(), fake_score.detach(), gp


def _adam(params, learning_rate):
    # betas: the WGAN-GP / CTGAN choice, as in steps.GANStep
    return torch.optim.Adam(params, lr=learning_rate, betas=(0.5, 0.9))


class BiGANStep:
    """BiGAN step (Donahue et al. 2017): ``n_critic`` updates of the joint
    critic ``D(x, z)``, then one update of generator and encoder together.

    The critic tells real pairs ``(x, E(x))`` from generated pairs
    ``(G(z), z)``, ``z ~ N(0, I)``; generator and encoder minimise the
    critic's loss with the roles swapped (each wants its pairs taken for the
    other's). At the optimum ``E`` inverts ``G``, which makes ``E(x)`` a
    feature map and ``G(E(x))`` a reconstruction. The batch is ``(x,)``.
    """

    def __init__(self, generator, encoder, critic, config, torch_gen, learning_rate):
        self.generator, self.encoder, self.critic = generator, encoder, critic
        self.cfg, self.rng = config, torch_gen
        self.opt_ge = _adam(list(generator.parameters()) + list(encoder.parameters()),
                            learning_rate)
        self.opt_d = _adam(critic.parameters(), learning_rate)

    def _pairs(self, x):
        z = torch.randn(x.shape[0], self.cfg.noise_dim, generator=self.rng, device=x.device)
        real = torch.cat([x, self.encoder(x)], dim=1)
        fake = torch.cat([self.generator(z, _no_condition(z)), z], dim=1)
        return real, fake

    def __call__(self, batch, epoch):
        cfg, x = self.cfg, batch[0]
        for _ in range(cfg.n_critic):
            with torch.no_grad():
                real, fake = self._pairs(x)
            loss_d, real_score, fake_score, gp = critic_gradients(
                self.critic, real, fake, cfg, self.rng)
            self.opt_d.step()
            self.opt_d.zero_grad(set_to_none=True)
        out = {"d_loss": loss_d.item(), "d_real": score_summary(cfg.loss, real_score),
               "d_fake": score_summary(cfg.loss, fake_score)}
        if gp is not None:
            out["gp"] = gp.item()

        real, fake = self._pairs(x)
        # the critic only passes the gradient on: no weight gradients for it
        self.critic.requires_grad_(False)
        try:
            real_score, fake_score = self.critic(
                torch.cat([real, fake]), _no_condition(x).repeat(2, 1))[0].chunk(2)
            # roles swapped: generated pairs should score as real, real pairs as fake
            loss_ge = critic_loss(cfg.loss, fake_score, real_score)
            loss_ge.backward()
        finally:
            self.critic.requires_grad_(True)
        self.opt_ge.step()
        self.opt_ge.zero_grad(set_to_none=True)
        out["g_loss"] = loss_ge.item()
        return out


def info_loss(logits, mean, categories, continuous):
    """InfoGAN's mutual-information term (its variational lower bound, up to
    constants): the categorical code's cross-entropy plus a unit-variance
    Gaussian's negative log-likelihood of each continuous code."""
    loss = F.cross_entropy(logits, categories) if logits.shape[1] else logits.new_zeros(())
    if mean.shape[1]:
        loss = loss + 0.5 * ((mean - continuous) ** 2).sum(1).mean()
    return loss


class InfoGANStep:
    """InfoGAN step (Chen et al. 2016): ``n_critic`` updates of the critic
    and its code head ``Q``, then one generator update.

    The generator sees noise and a latent code ``c``: a categorical code
    (uniform over ``n_categories``, one-hot) and ``n_continuous`` codes
    uniform on ``[-1, 1]``. ``Q`` reads the code back from the critic's last
    hidden layer; the critic and ``Q`` minimise the adversarial loss plus
    ``info_weight`` x :func:`info_loss` on generated rows, the generator its
    own adversarial loss plus the same term, so the code must stay
    recoverable from the rows it makes. The batch is ``(x,)``.
    """

    def __init__(self, generator, critic, code_head, config, torch_gen, learning_rate):
        self.generator, self.critic, self.code_head = generator, critic, code_head
        self.cfg, self.rng = config, torch_gen
        self.opt_g = _adam(generator.parameters(), learning_rate)
        self.opt_d = _adam(list(critic.parameters()) + list(code_head.parameters()),
                           learning_rate)

    def draw_codes(self, n, device):
        """``(one_hot_and_continuous, category_index, continuous)`` for ``n`` rows."""
        cfg = self.cfg
        categories = torch.randint(max(cfg.n_categories, 1), (n,), generator=self.rng,
                                   device=device)
        one_hot = F.one_hot(categories, cfg.n_categories).float() if cfg.n_categories \
            else torch.zeros(n, 0, device=device)
        continuous = 2 * torch.rand(n, cfg.n_continuous, generator=self.rng, device=device) - 1
        return torch.cat([one_hot, continuous], dim=1), categories, continuous

    def _fake(self, n, device):
        codes, categories, continuous = self.draw_codes(n, device)
        noise = torch.randn(n, self.cfg.noise_dim, generator=self.rng, device=device)
        return self.generator(noise, codes), categories, continuous

    def _info(self, rows, categories, continuous):
        """The information term on ``rows`` (through the critic's body and Q)."""
        logits, mean = self.code_head(self.critic(rows, _no_condition(rows))[1])
        return info_loss(logits, mean, categories, continuous)

    def __call__(self, batch, epoch):
        cfg, x = self.cfg, batch[0]
        for _ in range(cfg.n_critic):
            with torch.no_grad():
                fake, categories, continuous = self._fake(x.shape[0], x.device)
            # adversarial gradients first (the closed form sets .grad) ...
            loss_d, real_score, fake_score, gp = critic_gradients(
                self.critic, x, fake, cfg, self.rng)
            # ... then Q's on the same fakes, accumulated into the shared body
            info = self._info(fake, categories, continuous)
            (cfg.info_weight * info).backward()
            self.opt_d.step()
            self.opt_d.zero_grad(set_to_none=True)
        out = {"d_loss": loss_d.item(), "d_real": score_summary(cfg.loss, real_score),
               "d_fake": score_summary(cfg.loss, fake_score)}
        if gp is not None:
            out["gp"] = gp.item()

        fake, categories, continuous = self._fake(x.shape[0], x.device)
        self.critic.requires_grad_(False)
        self.code_head.requires_grad_(False)
        try:
            score, features = self.critic(fake, _no_condition(fake))
            logits, mean = self.code_head(features)
            info = info_loss(logits, mean, categories, continuous)
            loss_g = generator_loss(cfg.loss, score) + cfg.info_weight * info
            loss_g.backward()
        finally:
            self.critic.requires_grad_(True)
            self.code_head.requires_grad_(True)
        self.opt_g.step()
        self.opt_g.zero_grad(set_to_none=True)
        out["g_loss"] = loss_g.item()
        out["info_loss"] = info.item()
        if logits.shape[1]:
            out["code_accuracy"] = (logits.argmax(1) == categories).float().mean().item()
        return out
