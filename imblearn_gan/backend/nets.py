"""MLP building blocks for generators, critics, encoders and decoders."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from .encoding import iter_spans


def mlp(in_dim, widths, *, norm=None, activation="relu", dropout=0.0):
    """Hidden layers ``in_dim -> widths[0] -> ... -> widths[-1]``.

    norm : None, "batch" or "layer"; activation : "relu" or "leaky_relu".
    Returns the ``nn.Sequential`` and its output width.
    """
    layers, width = [], in_dim
    for out in widths:
        layers.append(nn.Linear(width, out))
        if norm == "batch":
            layers.append(nn.BatchNorm1d(out))
        elif norm == "layer":
            layers.append(nn.LayerNorm(out))
        layers.append(nn.ReLU() if activation == "relu" else nn.LeakyReLU(0.2))
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = out
    return nn.Sequential(*layers), width


class ConditionalGenerator(nn.Module):
    """Noise and a one-hot class in, raw encoded row out (heads unapplied).

    Widening hidden layers with batch norm and ReLU, as the design asks.
    """

    def __init__(self, noise_dim, n_classes, widths, out_dim):
        super().__init__()
        self.body, width = mlp(noise_dim + n_classes, widths, norm="batch")
        self.head = nn.Linear(width, out_dim)

    def forward(self, noise, cond):
        return self.head(self.body(torch.cat([noise, cond], dim=1)))


class ConditionalCritic(nn.Module):
    """Critic / discriminator on ``pac`` rows at once, each with its class.

    No batch norm (the gradient penalty is per sample), LeakyReLU, narrowing
    widths. ``forward`` returns the score and the last hidden features (for
    feature matching).
    """

    def __init__(self, in_dim, n_classes, widths, pac=1, dropout=0.0):
        super().__init__()
        self.pac = pac
        self.body, width = mlp(
            (in_dim + n_classes) * pac, widths, activation="leaky_relu",
            dropout=dropout,
        )
        self.head = nn.Linear(width, 1)

    def forward(self, x, cond):
        features = self.body(self._pack(x, cond))
        return self.head(features).squeeze(1), features

    def _plain_layers(self):
        """``[(linear, slope), ...]`` for the hidden layers, when the body is
        Linear and LeakyReLU layers only (the closed forms below); else None."""
        layers = list(self.body)
        if [type(m) for m in layers] != [nn.Linear, nn.LeakyReLU] * (len(layers) // 2):
            return None
        return [(layers[i], layers[i + 1].negative_slope) for i in range(0, len(layers), 2)]

    def _hidden_pass(self, packed, layers):
        """Inputs and pre-activations of each hidden layer, and the last
        hidden output (no autograd)."""
        inputs, pres, h = [], [], packed
        for linear, slope in layers:
            inputs.append(h)
            pre = torch.addmm(linear.bias, h, linear.weight.t())
            pres.append(pre)
            h = F.leaky_relu(pre, slope)
        return inputs, pres, h

    def _pack(self, x, cond):
        return torch.cat([x, cond], dim=1).reshape(-1, self.body[0].in_features)

    @staticmethod
    def _hidden_backward(d_h, layers, pres, inputs=None, grads=None):
        """Back through the hidden layers from ``d_h``, the loss's gradient
        with respect to the last hidden output. With ``grads``, each layer's
        weight and bias gradients go into it (``inputs``: the layers'
        inputs) and the input gradient is not needed; without, returns the
        gradient with respect to the packed input."""
        for i in reversed(range(len(layers))):
            linear, slope = layers[i]
            d_pre = torch.ops.aten.leaky_relu_backward(d_h, pres[i], slope, False)
            if grads is not None:
                grads[linear.weight] = d_pre.t() @ inputs[i]
                grads[linear.bias] = d_pre.sum(0)
            if i or grads is None:
                d_h = d_pre @ linear.weight
        return d_h

    def wgan_gp_gradients(self, real, fake, cond, interp, gp_weight):
        """The WGAN-GP critic loss and its weight gradients, written out.

        ``loss = mean D(fake) - mean D(real) + gp_weight * GP``, with GP the
        gradient penalty ``mean (||grad_x D(interp)|| - 1)^2`` over packs
        (skipped when ``interp`` is None). Sets each parameter's ``.grad``
        and returns ``(loss, real_score, fake_score, gp)``, tensors (gp None
        without ``interp``).
        Returns None when the body is not Linear and LeakyReLU layers only.

        A LeakyReLU network's input gradient is a product of its weights and
        the 1-or-slope masks of its pre-activations (whose own derivative is
        0 almost everywhere), so the penalty is a first-order function of the
        weights and both its value and its weight gradient have closed
        forms: forward and backward by hand, without autograd's graph
        (``torch.autograd.grad(create_graph=True)`` needs a double backward;
        ``tests/backend/test_nets.py`` checks both against it). The
        interpolates' scores are not part of the loss, so their rows only run
        the hidden layers (for the masks), and the score's backward covers
        the real and fake packs alone.
        """
        layers = self._plain_layers()
        if layers is None:
            return None
        parts = [real, fake] if interp is None else [real, fake, interp]
        with torch.no_grad():
            packed = self._pack(torch.cat(parts), cond.repeat(len(parts), 1))
            inputs, pres, h = self._hidden_pass(packed, layers)
            m = real.shape[0] // self.pac  # packs per part
            score = torch.addmm(self.head.bias, h[: 2 * m], self.head.weight.t()).squeeze(1)
            real_score, fake_score = score[:m], score[m:]
            loss = fake_score.mean() - real_score.mean()  # losses.critic_loss("wgan-gp")
            # d loss / d score: -1/m on real packs, +1/m on fake ones
            d_score = torch.full((2 * m, 1), 1.0 / m, dtype=h.dtype, device=h.device)
            d_score[:m] = -1.0 / m
            # the loss is a difference of means: the head's bias cancels, and
            # its gradient is exactly 0 (summing the +-1/m in float32 is not,
            # and Adam would turn that rounding into a steady drift)
            grads = {self.head.weight: d_score.t() @ h[: 2 * m],
                     self.head.bias: torch.zeros_like(self.head.bias)}
            self._hidden_backward(d_score @ self.head.weight, layers,
                                  [pre[: 2 * m] for pre in pres],
                                  [h_in[: 2 * m] for h_in in inputs], grads)
            gp = None
            if interp is not None:
                gp = self._penalty_gradients(layers, pres, m, real.shape[1], gp_weight, grads)
                loss = loss + gp_weight * gp
        for param, grad in grads.items():
            param.grad = grad
        return loss, real_score, fake_score, gp

    def _penalty_gradients(self, layers, pres, m, width, gp_weight, grads):
        """The penalty on the last ``m`` packs and its weight gradients
        (times ``gp_weight``), added to ``grads``.

        Chain: ``g_L = w_head``; ``e_i = g_i * mask_i``; ``g_(i-1) = e_i W_i``;
        ``g_0`` is the input gradient, of which each pack's ``width`` columns
        per row (not the condition) enter the norm. Backward along the chain
        from ``g_0``: ``dW_i += e_i^T dg_(i-1)``, ``de_i = dg_(i-1) W_i^T``,
        ``dg_i = de_i * mask_i``, ``dw_head += sum dg_L``.
        """
        masks = [pre[-m:] for pre in pres]
        chain, g = [], self.head.weight.expand(m, -1)
        for (linear, slope), pre in zip(reversed(layers), reversed(masks)):
            e = torch.ops.aten.leaky_relu_backward(g, pre, slope, False)
            chain.append(e)
            g = e @ linear.weight
        chain.reverse()  # chain[i]: e of hidden layer i
        rows = g.reshape(m * self.pac, -1)  # one row per generated row
        g_x = rows[:, :width].reshape(m, -1)
        norm = g_x.norm(2, dim=1)
        gp = ((norm - 1) ** 2).mean()
        # d (gp_weight * gp) / d g_x; a zero gradient has no direction: 0
        scale = torch.where(norm > 0, gp_weight * 2 * (norm - 1) / (m * norm.clamp_min(1e-30)), 0)
        d_g = torch.zeros_like(rows)
        d_g[:, :width] = (scale.unsqueeze(1) * g_x).reshape(m * self.pac, width)
        d_g = d_g.reshape(m, -1)
        for i, (linear, slope) in enumerate(layers):
            grads[linear.weight] = torch.addmm(grads[linear.weight], chain[i].t(), d_g)
            d_e = d_g @ linear.weight.t()
            d_g = torch.ops.aten.leaky_relu_backward(d_e, masks[i], slope, False)
        grads[self.head.weight] = grads[self.head.weight] + d_g.sum(0, keepdim=True)
        return gp

    def score_input_gradient(self, x, cond):
        """``(score, grad)``: the packs' scores and the gradient of ``-mean
        score`` (the WGAN generator loss) with respect to ``x``, written out
        as in :meth:`wgan_gp_gradients` (no autograd, no weight gradients).
        Returns None when the body is not Linear and LeakyReLU layers only.
        """
        layers = self._plain_layers()
        if layers is None:
            return None
        with torch.no_grad():
            _, pres, h = self._hidden_pass(self._pack(x, cond), layers)
            score = torch.addmm(self.head.bias, h, self.head.weight.t()).squeeze(1)
            d_h = (-1.0 / score.shape[0]) * self.head.weight.expand(score.shape[0], -1)
            d_x = self._hidden_backward(d_h, layers, pres)
            grad = d_x.reshape(x.shape[0], -1)[:, : x.shape[1]]
        return score, grad


# -- recurrent (series) ------------------------------------------------------

RECURRENT = {"gru": nn.GRU, "lstm": nn.LSTM}


def as_steps(x, n_channels):
    """Rows ``(n, n_channels * n_steps)``, channel-major (channel ``c``, step
    ``t`` at column ``c * n_steps + t``, as ``X3d.reshape(n, -1)`` flattens an
    ``(n, n_channels, n_steps)`` array) -> ``(n, n_steps, n_channels)``."""
    return x.reshape(x.shape[0], n_channels, -1).transpose(1, 2)


def as_rows(x):
    """``(n, n_steps, n_channels)`` -> channel-major rows; inverse of :func:`as_steps`."""
    return x.transpose(1, 2).reshape(x.shape[0], -1)


class RecurrentStack(nn.Module):
    """Recurrent layers (GRU or LSTM) of the given widths, one after the other,
    over ``(n, n_steps, features)``; returns every step's last hidden output."""

    def __init__(self, cell, in_dim, widths):
        super().__init__()
        layers, width = [], in_dim
        for out in widths:
            layers.append(RECURRENT[cell](width, out, batch_first=True))
            width = out
        self.layers = nn.ModuleList(layers)
        self.out_dim = width

    def forward(self, h):
        for layer in self.layers:
            h = layer(h)[0]
        return h


class RecurrentGenerator(nn.Module):
    """RCGAN generator: one recurrent pass over the steps of a series.

    Every step's input is the series' noise vector, its one-hot class and,
    when anchored, the anchor series' channels at that step; a linear head
    maps each step's hidden output to ``n_channels`` values. The noise is
    one vector per series (repeated at each step), so one latent coordinate
    moves a whole series. ``cond`` is what :class:`ConditionalGenerator`
    gets: the one-hot class, then the anchor row when ``anchored``.
    Output: raw channel-major rows, as the tabular generator's.
    """

    def __init__(self, noise_dim, n_classes, widths, n_steps, n_channels, cell="gru",
                 anchored=False):
        super().__init__()
        self.n_classes, self.n_steps, self.n_channels = n_classes, n_steps, n_channels
        in_dim = noise_dim + n_classes + (n_channels if anchored else 0)
        self.body = RecurrentStack(cell, in_dim, widths)
        self.head = nn.Linear(self.body.out_dim, n_channels)

    def forward(self, noise, cond):
        steps = torch.cat([noise, cond[:, : self.n_classes]], dim=1)
        steps = steps.unsqueeze(1).expand(-1, self.n_steps, -1)
        if cond.shape[1] > self.n_classes:  # anchored: the anchor's channels per step
            steps = torch.cat([steps, as_steps(cond[:, self.n_classes :], self.n_channels)], 2)
        return as_rows(self.head(self.body(steps)))


class RecurrentCritic(nn.Module):
    """RCGAN critic on ``pac`` series at once, each with its class.

    At every step the recurrent layers read the channels of the ``pac``
    series of a pack (and, when anchored, of their anchors) and their
    one-hot classes; a linear head scores each step's hidden output and the
    pack's score is the mean over steps (every step is judged, as in
    RCGAN). No normalisation layers, so the gradient penalty stays per pack.
    ``forward`` returns the score and the step-averaged hidden features
    (feature matching).

    The gradient penalty goes through autograd's double backward
    (``GANStep._critic_pass``): :meth:`wgan_gp_gradients` and
    :meth:`score_input_gradient` return None, the interface's "no closed
    form" answer. cuDNN's RNN kernels have no double backward, so on CUDA
    that pass runs with cuDNN disabled (torch's native recurrent kernels).
    """

    def __init__(self, n_channels, n_classes, widths, cell="gru", pac=1, anchored=False):
        super().__init__()
        self.pac, self.n_classes, self.n_channels = pac, n_classes, n_channels
        per_row = n_channels * (2 if anchored else 1) + n_classes
        self.body = RecurrentStack(cell, per_row * pac, widths)
        self.head = nn.Linear(self.body.out_dim, 1)

    def forward(self, x, cond):
        steps = as_steps(x, self.n_channels)
        n, n_steps = steps.shape[:2]
        parts = [steps, cond[:, None, : self.n_classes].expand(-1, n_steps, -1)]
        if cond.shape[1] > self.n_classes:
            parts.append(as_steps(cond[:, self.n_classes :], self.n_channels))
        per_row = torch.cat(parts, dim=2)
        # a pack's pac consecutive series side by side at every step
        packed = per_row.reshape(n // self.pac, self.pac, n_steps, -1).transpose(1, 2)
        hidden = self.body(packed.reshape(n // self.pac, n_steps, -1))
        return self.head(hidden).squeeze(2).mean(1), hidden.mean(1)

    def wgan_gp_gradients(self, real, fake, cond, interp, gp_weight):
        """No closed form for a recurrent critic: None (the step's autograd path)."""

    def score_input_gradient(self, x, cond):
        """No closed form for a recurrent critic: None (the step's autograd path)."""


class Classifier(nn.Module):
    """Small MLP classifier on encoded rows (the auxiliary-classifier loss)."""

    def __init__(self, in_dim, n_classes, widths):
        super().__init__()
        self.body, width = mlp(in_dim, widths, activation="leaky_relu")
        self.head = nn.Linear(width, n_classes)

    def forward(self, x):
        return self.head(self.body(x))


def gumbel_softmax(logits, tau, generator):
    # F.gumbel_softmax draws from the global RNG; this draws from ours
    u = torch.rand(logits.shape, generator=generator, device=logits.device)
    exponential = (-torch.log(u.clamp_min(1e-10))).clamp_min(1e-10)
    gumbel = -torch.log(exponential)
    return row_softmax((logits + gumbel) / tau)


def row_softmax(logits):
    """``softmax(logits, dim=1)``. On the CPU, torch's softmax over a last
    dimension narrower than 16 is several times slower than over the first
    one, and category spans are mostly that narrow, so narrow blocks are
    softmaxed transposed (equal up to rounding)."""
    if logits.device.type == "cpu" and logits.shape[1] < 16:
        return torch.softmax(logits.t(), dim=0).t()
    return torch.softmax(logits, dim=1)


def merged_segments(spans):
    """Merge consecutive spans that share a pass-through activation, so an
    all-numeric table costs one slice, not one per column."""
    segments = []
    for span, start, stop in iter_spans(spans):
        if (segments and span.activation in ("linear", "tanh")
                and segments[-1][0] == span.activation and segments[-1][2] == start):
            segments[-1] = (span.activation, segments[-1][1], stop)
        else:
            segments.append((span.activation, start, stop))
    return segments


def apply_activations(raw, spans, *, tau=0.2, generator=None):
    """Apply each span's output activation to a raw network output.

    Softmax spans use Gumbel-softmax (temperature ``tau``) when a torch
    ``generator`` is given (training), and a plain softmax otherwise.
    """
    parts = []
    for activation, start, stop in merged_segments(spans):
        block = raw[:, start:stop]
        if activation == "tanh":
            parts.append(torch.tanh(block))
        elif activation == "softmax":
            if generator is None:
                parts.append(row_softmax(block))
            else:
                parts.append(gumbel_softmax(block, tau, generator))
        else:
            parts.append(block)
    return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)


# -- VAE / adversarial autoencoder -------------------------------------------


class ConditionalEncoder(nn.Module):
    """Encoded row and one-hot class in; mean and log-variance of q(z | x, y) out.

    ReLU hidden layers without normalisation (the posterior of one row must
    not depend on the rest of its minibatch).
    """

    def __init__(self, in_dim, n_classes, widths, latent_dim):
        super().__init__()
        self.body, width = mlp(in_dim + n_classes, widths)
        self.mu = nn.Linear(width, latent_dim)
        self.log_var = nn.Linear(width, latent_dim)

    def forward(self, x, cond):
        hidden = self.body(torch.cat([x, cond], dim=1))
        # clamped: exp(log_var) stays finite however far training drifts
        return self.mu(hidden), self.log_var(hidden).clamp(-12.0, 8.0)


class ConditionalDecoder(nn.Module):
    """Latent code and one-hot class in; raw encoded row out (heads unapplied).

    ``log_sigma`` is the learned standard deviation (log) of the Gaussian
    likelihood of each encoded column; only numeric spans use it. It is
    clamped to ``[log(sigma_min), 0]`` (encoded units) so the likelihood
    cannot collapse onto single rows.
    """

    def __init__(self, latent_dim, n_classes, widths, out_dim, sigma_min=0.01):
        super().__init__()
        self.body, width = mlp(latent_dim + n_classes, widths)
        self.head = nn.Linear(width, out_dim)
        self.log_sigma = nn.Parameter(torch.full((out_dim,), math.log(0.1)))
        self.log_sigma_min = math.log(sigma_min)

    def forward(self, z, cond):
        return self.head(self.body(torch.cat([z, cond], dim=1)))

    def clamped_log_sigma(self):
        return self.log_sigma.clamp(self.log_sigma_min, 0.0)
