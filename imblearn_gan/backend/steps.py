"""Step functions for :func:`loop.train`: one per model family (GAN, VAE).

A step takes a minibatch and the epoch, updates its networks, and returns a
dict of float losses for the history.
"""

import copy
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from .losses import (
    critic_loss,
    generator_loss,
    gradient_penalty,
    interpolate,
    kl_to_standard_normal,
    reconstruction_loss,
    score_summary,
)
from .nets import apply_activations


@dataclass
class GANConfig:
    """What a GAN step needs beyond its networks."""

    loss: str = "wgan-gp"  # or "bce"
    n_critic: int = 3
    gp_weight: float = 10.0
    noise_dim: int = 32
    pac: int = 1
    instance_noise: float = 0.0  # std at epoch 0, annealed linearly to 0
    feature_matching: float = 0.0
    aux_weight: float = 0.0
    tau: float = 0.2  # Gumbel-softmax temperature
    ema_decay: float = 0.0  # > 0: keep an exponential moving average of the generator
    epochs: int = 1


def capped_decay(decay, updates):
    """The moving-average decay for a run of ``updates`` generator updates:
    ``decay``, unless its horizon ``1 / (1 - decay)`` exceeds a tenth of the
    run; then ``1 - 10 / updates``, so the untrained start weighs at most
    about ``exp(-10)`` in the average (0: no averaging)."""
    if decay <= 0 or updates >= 10 / (1 - decay):
        return decay
    return max(0.0, 1 - 10 / updates)


def residual_mask(spans, device=None):
    """1 on the columns of linear (numeric) spans, 0 elsewhere: the columns an
    anchored generator predicts as anchor + offset."""
    return torch.cat([
        torch.full((span.width,), float(span.activation == "linear"), device=device)
        for span in spans
    ])


def generator_output(raw, spans, anchor=None, mask=None, *, tau=0.2, generator=None):
    """A conditional generator's raw output -> encoded rows.

    Anchored generators predict ``anchor + offset`` on the numeric columns;
    then each span gets its activation (Gumbel-softmax when a torch
    ``generator`` is given, for training; plain softmax otherwise). The one
    place both training and sampling decode a generator's output. ``mask``
    is ``residual_mask(spans)``, passed in by callers that reuse it.
    """
    if anchor is not None:
        mask = residual_mask(spans, anchor.device) if mask is None else mask
        raw = raw + anchor * mask
    return apply_activations(raw, spans, tau=tau, generator=generator)


@contextmanager
def without_cudnn(device):
    """cuDNN off on CUDA inside the block (its RNN kernels have no double
    backward); only the ``enabled`` flag changes, and only on CUDA."""
    if device.type != "cuda" or not torch.backends.cudnn.enabled:
        yield
        return
    torch.backends.cudnn.enabled = False
    try:
        yield
    finally:
        torch.backends.cudnn.enabled = True


class GANStep:
    """Conditional GAN step: ``n_critic`` critic updates, then one generator update.

    The batch is ``(x_real, y_index)``; fakes are drawn for the same classes,
    so the generator learns every class at once.

    Anchored mode (``pool`` given): the batch is
    ``(anchor, y_index, neighbor_index)``. The generator sees a real anchor
    row besides noise and class and predicts ``anchor + offset`` on numeric
    columns; the critic judges pairs, (anchor, a random point on the segment
    to one of its same-class nearest neighbours in ``pool``) against
    (anchor, generated row). A copy of the anchor is a pair no real pair
    looks like, so copying does not pay. With ``pac > 1`` the rows of a pack
    share one anchor, so the critic sees how far one anchor's rows vary.

    Optional parts, each off at 0: instance noise on the critic's inputs,
    feature matching on the critic's last hidden layer, and an auxiliary
    classifier (trained on real rows) whose cross-entropy on fake rows keeps
    them on their class's side.
    """

    def __init__(self, generator, critic, spans, n_classes, config, torch_gen,
                 learning_rate, classifier=None, pool=None):
        self.generator, self.critic, self.classifier = generator, critic, classifier
        self.spans, self.n_classes, self.cfg, self.rng = spans, n_classes, config, torch_gen
        self.pool = pool
        self.mask = None if pool is None else residual_mask(spans, pool.device)
        # betas: the WGAN-GP / CTGAN choice; fused: one kernel per update, not per tensor
        adam = {"lr": learning_rate, "betas": (0.5, 0.9), "fused": True}
        self.opt_g = torch.optim.Adam(generator.parameters(), **adam)
        self.opt_d = torch.optim.Adam(critic.parameters(), **adam)
        self.opt_c = (
            torch.optim.Adam(classifier.parameters(), lr=1e-3, fused=True)
            if classifier else None
        )
        self.generator_average = None
        if config.ema_decay > 0:
            self.generator_average = copy.deepcopy(generator).requires_grad_(False).eval()
            # weights and batch-norm statistics (float state), averaged in one call
            pairs = [(avg, live) for avg, live in zip(
                self.generator_average.state_dict().values(),
                generator.state_dict().values()) if avg.is_floating_point()]
            self._average, self._live = map(list, zip(*pairs))

    def _update_average(self):
        """``average <- decay * average + (1 - decay) * live``, after a
        generator update: the averaged generator the sampler keeps."""
        torch._foreach_lerp_(self._average, self._live, 1.0 - self.cfg.ema_decay)

    def _noise(self, n, device):
        return torch.randn(n, self.cfg.noise_dim, generator=self.rng, device=device)

    def fake(self, cond, anchor=None):
        """Generated rows (heads applied, Gumbel-softmax for categories)."""
        raw = self.generator(self._noise(cond.shape[0], cond.device), cond)
        return generator_output(raw, self.spans, anchor, self.mask, tau=self.cfg.tau,
                                generator=self.rng)

    def _blur(self, x, sigma):
        # instance noise: the same blur on real and fake keeps supports overlapping
        if sigma <= 0:
            return x
        return x + sigma * torch.randn(x.shape, generator=self.rng, device=x.device)

    def _pad_to_pac(self, batch):
        # the critic scores packs of `pac` rows: top the batch up with random rows
        n = batch[0].shape[0]
        short = (-n) % self.cfg.pac
        if not short:
            return batch
        extra = torch.randint(n, (short,), generator=self.rng, device=batch[0].device)
        return tuple(torch.cat([t, t[extra]]) for t in batch)

    def _pack_by_anchor(self, batch):
        # the first ceil(n / pac) anchors of the (shuffled) batch, each pac
        # times in a row: a pack is pac real kernel points, or pac generated
        # rows, of one anchor, so the critic sees how one anchor's rows vary
        pac = self.cfg.pac
        keep = -(-batch[0].shape[0] // pac)
        return tuple(t[:keep].repeat_interleave(pac, 0) for t in batch)

    def _unpack(self, batch):
        """-> real rows, labels, critic/generator condition and anchor (None
        when not anchored)."""
        if self.pool is not None and self.cfg.pac > 1:
            batch = self._pack_by_anchor(batch)
        batch = self._pad_to_pac(batch)
        y = batch[1]
        cond = F.one_hot(y, self.n_classes).float()
        if self.pool is None:
            return batch[0], y, cond, None
        anchor, neighbors = batch[0], batch[2]
        pick = torch.randint(neighbors.shape[1], (y.shape[0],), generator=self.rng,
                             device=y.device)
        rows = torch.arange(y.shape[0], device=y.device)
        real = self._on_segment(anchor, self.pool[neighbors[rows, pick]])
        return real, y, torch.cat([cond, anchor], dim=1), anchor

    def _on_segment(self, anchor, neighbor):
        """A point between anchor and neighbour (SMOTE's kernel): numeric
        columns interpolate at u ~ U(0, 1); the other spans take the
        neighbour's value with probability u, the anchor's otherwise."""
        n = anchor.shape[0]
        u = torch.rand(n, 1, generator=self.rng, device=anchor.device)
        numeric = anchor + u * (neighbor - anchor)
        take = torch.rand(n, 1, generator=self.rng, device=anchor.device) < u
        other = torch.where(take, neighbor, anchor)
        return self.mask * numeric + (1 - self.mask) * other

    def __call__(self, batch, epoch):
        cfg = self.cfg
        x_real, y, cond, anchor = self._unpack(batch)
        sigma = cfg.instance_noise * (1 - epoch / cfg.epochs)
        real_in = self._blur(x_real, sigma)
        penalise = cfg.loss == "wgan-gp"

        for _ in range(cfg.n_critic):
            with torch.no_grad():
                fake = self.fake(cond, anchor)
            fake_in = self._blur(fake, sigma)
            interp = interpolate(real_in, fake_in, self.rng) if penalise else None
            loss_d, real_score, fake_score, gp = self._critic_gradients(
                real_in, fake_in, cond, interp)
            self.opt_d.step()
            self.opt_d.zero_grad(set_to_none=True)

        out = {
            "d_loss": loss_d.item(),
            "d_real": score_summary(cfg.loss, real_score),
            "d_fake": score_summary(cfg.loss, fake_score),
        }
        if penalise:
            out["gp"] = gp.item()  # the last critic update's penalty
        if self.classifier is not None:
            out["aux_loss"] = self._classifier_step(x_real, y)

        fake = self.fake(cond, anchor)
        loss_g = self._generator_backward(fake, sigma, real_in, cond, y)
        self.opt_g.step()
        self.opt_g.zero_grad(set_to_none=True)
        if self.generator_average is not None:
            self._update_average()
        # the generator's backward also reached the classifier
        if self.opt_c is not None:
            self.opt_c.zero_grad(set_to_none=True)
        out["g_loss"] = loss_g.item()
        return out

    def _critic_gradients(self, real_in, fake_in, cond, interp):
        """One critic loss and its weight gradients (in ``.grad``): by hand
        for the WGAN-GP loss on a Linear/LeakyReLU critic (every critic the
        samplers build), by autograd for ``"bce"`` and, as a safety net, for
        other critic bodies (tests use a dropout critic to compare the two).
        -> ``(loss, real_score, fake_score, gp)``, gp None without ``interp``."""
        cfg = self.cfg
        if cfg.loss == "wgan-gp":
            done = self.critic.wgan_gp_gradients(real_in, fake_in, cond, interp,
                                                 cfg.gp_weight)
            if done is not None:
                return done
        rows = [real_in, fake_in] + ([] if interp is None else [interp])
        scores, gp = self._critic_pass(torch.cat(rows), cond, len(rows), interp is not None)
        real_score, fake_score = scores.chunk(len(rows))[:2]  # one score per pack
        loss_d = critic_loss(cfg.loss, real_score, fake_score)
        if gp is not None:
            loss_d = loss_d + cfg.gp_weight * gp
        loss_d.backward()
        return loss_d.detach(), real_score.detach(), fake_score.detach(), gp

    def _generator_backward(self, fake, sigma, real_in, cond, y):
        """The generator loss; its gradient reaches the generator's weights
        (and the auxiliary classifier's, which the caller clears), never the
        critic's. With the WGAN loss and no feature matching, the critic's
        input gradient is written out (``score_input_gradient``) and
        ``(fake * grad).sum()`` carries it into the generator's backward."""
        cfg = self.cfg
        fake_in = self._blur(fake, sigma)
        done = None
        if cfg.loss == "wgan-gp" and not cfg.feature_matching:
            done = self.critic.score_input_gradient(fake_in.detach(), cond)
        if done is None:
            # the critic only passes the gradient on: no weight gradients for it
            self.critic.requires_grad_(False)
            try:
                loss_g = self._generator_loss(fake_in, real_in, cond)
                loss_g = loss_g + self._aux_loss(fake, y)
                loss_g.backward()
            finally:
                self.critic.requires_grad_(True)
            return loss_g
        fake_score, grad = done
        aux = self._aux_loss(fake, y)
        ((fake_in * grad).sum() + aux).backward()
        return generator_loss(cfg.loss, fake_score) + aux.detach()

    def _aux_loss(self, fake, y):
        if self.classifier is None:
            return torch.zeros((), device=fake.device)
        return self.cfg.aux_weight * F.cross_entropy(self.classifier(fake), y)

    def _generator_loss(self, fake_in, real_in, cond):
        cfg = self.cfg
        fake_score, fake_features = self.critic(fake_in, cond)
        loss_g = generator_loss(cfg.loss, fake_score)
        if cfg.feature_matching:
            with torch.no_grad():
                _, real_features = self.critic(real_in, cond)
            gap = real_features.mean(0) - fake_features.mean(0)
            loss_g = loss_g + cfg.feature_matching * (gap**2).sum()
        return loss_g

    def _critic_pass(self, rows, cond, parts, penalise):
        """Critic scores of ``rows`` (``parts`` stacked batches, each with
        ``cond``) and, when ``penalise``, the gradient penalty on the last
        batch by double backward (critics without a closed form)."""
        cond = cond.repeat(parts, 1)
        if not penalise:
            return self.critic(rows, cond)[0], None
        # the interpolates' pass must start from a leaf
        n = rows.shape[0] // parts
        interp = rows[-n:].requires_grad_(True)
        # cuDNN's RNN kernels have no double backward: the penalised pass of a
        # recurrent critic runs on torch's native kernels (no effect elsewhere)
        with without_cudnn(rows.device):
            interp_score = self.critic(interp, cond[-n:])[0]
        scores = torch.cat([self.critic(rows[:-n], cond[:-n])[0], interp_score])
        return scores, gradient_penalty(interp_score, interp)

    def _classifier_step(self, x_real, y):
        loss = F.cross_entropy(self.classifier(x_real), y)
        loss.backward()
        self.opt_c.step()
        self.opt_c.zero_grad(set_to_none=True)
        return loss.item()


# -- VAE / adversarial autoencoder -----------------------------------------------


@dataclass
class VAEConfig:
    """What a VAE / AAE step needs beyond its networks."""

    model: str = "vae"  # or "aae": a latent discriminator replaces the KL term
    beta: float = 1.0  # weight of the KL (or adversarial) term


def reparameterize(mu, log_var, generator):
    """``z = mu + sigma * eps`` with ``eps`` from our own generator."""
    eps = torch.randn(mu.shape, generator=generator, device=mu.device)
    return mu + (0.5 * log_var).exp() * eps


def decoder_output(raw, spans, log_sigma=None, *, generator=None):
    """A decoder's raw output -> encoded rows, its mean or a draw.

    Without a torch ``generator``: the likelihood's mean (numeric columns)
    and softmax probabilities (categorical spans, decoded by argmax). With
    one: a draw from the likelihood, Gaussian noise of the learned
    ``exp(log_sigma)`` on numeric columns and a Gumbel-max draw of each
    categorical span (a sample of the softmax, as one-hot).
    """
    if generator is None:
        return apply_activations(raw, spans)
    mask = residual_mask(spans, raw.device)  # 1 on linear (numeric) columns
    noise = torch.randn(raw.shape, generator=generator, device=raw.device)
    raw = raw + mask * log_sigma.exp() * noise
    # tau -> 0: the Gumbel-softmax is a one-hot draw from the softmax
    return apply_activations(raw, spans, tau=1e-3, generator=generator)


class VAEStep:
    """Conditional VAE (or adversarial autoencoder) step: one ELBO update.

    The batch is ``(x, y_index)``. The encoder sees the row and its one-hot
    class, the decoder the latent code and the class, so one model serves
    every class. ``"vae"`` minimises ``recon + beta * KL(q(z|x,y) || N(0, I))``.
    ``"aae"`` replaces the KL term with ``beta`` times the non-saturating
    loss of fooling a class-conditional discriminator on the latent code,
    then updates that discriminator (prior draws real, codes fake).
    """

    def __init__(self, encoder, decoder, spans, n_classes, config, torch_gen,
                 learning_rate, discriminator=None):
        self.encoder, self.decoder, self.discriminator = encoder, decoder, discriminator
        self.spans, self.n_classes, self.cfg, self.rng = spans, n_classes, config, torch_gen
        params = list(encoder.parameters()) + list(decoder.parameters())
        self.opt = torch.optim.Adam(params, lr=learning_rate, fused=True)
        self.opt_d = (
            torch.optim.Adam(discriminator.parameters(), lr=learning_rate,
                             betas=(0.5, 0.9), fused=True)
            if discriminator is not None else None
        )

    def __call__(self, batch, epoch):
        x, y = batch[0], batch[1]
        cond = F.one_hot(y, self.n_classes).float()
        mu, log_var = self.encoder(x, cond)
        z = reparameterize(mu, log_var, self.rng)
        raw = self.decoder(z, cond)
        recon = reconstruction_loss(raw, x, self.spans, self.decoder.clamped_log_sigma())
        out = {"recon": recon.item()}
        if self.discriminator is None:
            kl = kl_to_standard_normal(mu, log_var)
            loss = recon + self.cfg.beta * kl
            out["kl"] = kl.item()
        else:
            # the encoder tries to make its codes look like prior draws
            fake_score, _ = self.discriminator(z, cond)
            adv = generator_loss("bce", fake_score)
            loss = recon + self.cfg.beta * adv
            out["g_loss"] = adv.item()
        loss.backward()
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        if self.discriminator is not None:
            out.update(self._discriminator_step(z.detach(), cond))
        out["loss"] = loss.item()
        return out

    def _discriminator_step(self, z, cond):
        prior = torch.randn(z.shape, generator=self.rng, device=z.device)
        scores, _ = self.discriminator(torch.cat([prior, z]), torch.cat([cond, cond]))
        real_score, fake_score = scores.chunk(2)
        loss_d = critic_loss("bce", real_score, fake_score)
        loss_d.backward()
        self.opt_d.step()
        # the encoder's backward also reached the discriminator: clear it every step
        self.opt_d.zero_grad(set_to_none=True)
        return {"d_loss": loss_d.item(), "d_real": score_summary("bce", real_score),
                "d_fake": score_summary("bce", fake_score)}
