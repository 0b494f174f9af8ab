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
        packed = torch.cat([x, cond], dim=1).reshape(-1, self.body[0].in_features)
        features = self.body(packed)
        return self.head(features).squeeze(1), features

    def forward_with_input_gradient(self, x, cond, n_last):
        """``forward`` plus the gradient of each pack's score with respect to
        its rows of ``x``, for the last ``n_last`` rows (a multiple of
        ``pac``): ``(score, features, grad)``, grad (n_last, width), a
        first-order function of the weights (for the gradient penalty).

        A LeakyReLU network's input gradient is a product of its weights
        and the 1-or-slope masks of its pre-activations, so it is written
        out here: one backward pass then trains on the penalty, where
        ``torch.autograd.grad(create_graph=True)`` needs a double backward.
        Same value (the masks' own derivative is 0 almost everywhere).
        ``grad`` is ``None`` when the body has other layers (dropout).
        """
        layers = list(self.body)
        if not all(isinstance(m, (nn.Linear, nn.LeakyReLU)) for m in layers):
            score, features = self(x, cond)
            return score, features, None
        h = torch.cat([x, cond], dim=1).reshape(-1, layers[0].in_features)
        last = n_last // self.pac
        linears, masks = [], []
        for layer in layers:
            if isinstance(layer, nn.Linear):
                linears.append(layer)
            else:
                masks.append((h[h.shape[0] - last :].detach(), layer.negative_slope))
            h = layer(h)
        grad = self.head.weight.expand(last, -1)
        for linear, (pre, slope) in zip(reversed(linears), reversed(masks)):
            grad = torch.ops.aten.leaky_relu_backward(grad, pre, slope, False)
            grad = grad @ linear.weight
        grad = grad.reshape(n_last, -1)[:, : x.shape[1]]
        return self.head(h).squeeze(1), h, grad


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
    return F.softmax((logits + gumbel) / tau, dim=1)


def _segments(spans):
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
    for activation, start, stop in _segments(spans):
        block = raw[:, start:stop]
        if activation == "tanh":
            parts.append(torch.tanh(block))
        elif activation == "softmax":
            if generator is None:
                parts.append(F.softmax(block, dim=1))
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
