"""The pilot of loss-proportional sampling: a logistic regression in torch.

A (multinomial) logistic regression is fitted full-batch with L-BFGS on
standardised features; the standardisation is then folded into the weights,
so scoring a chunk of raw rows is one matrix product and a softmax.

Automatic stop: training runs in rounds of ``ROUND_ITERATIONS`` L-BFGS
iterations (one "epoch" of :func:`backend.loop.train`, the whole pilot sample
as one batch) and stops when a round improves the training loss by less than
``tol`` relative to its value (:class:`RelativeImprovement`), or after
``max_iter`` iterations.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from .loop import train

ROUND_ITERATIONS = 10


class RelativeImprovement:
    """Stop when ``monitor`` improved by less than ``tol * |previous|`` in
    the last epoch. A callback for :func:`backend.loop.train`."""

    def __init__(self, monitor="loss", tol=1e-4):
        self.monitor = monitor
        self.tol = tol

    def on_epoch_end(self, history):
        if len(history) < 2:
            return None
        before, after = history[-2][self.monitor], history[-1][self.monitor]
        return "stop" if before - after < self.tol * max(abs(before), 1e-12) else None


@dataclass
class LinearPilot:
    """A fitted linear softmax model in the units of the raw features.

    ``predict_proba(X)`` returns class probabilities (float64) with one
    column per class index ``0 .. n_classes - 1``.
    """

    coef: np.ndarray  # (n_features, n_classes), float64
    intercept: np.ndarray  # (n_classes,), float64
    history: list = field(default_factory=list)
    device: str = "cpu"

    def predict_proba(self, X):
        # float64 logits (a chunk-sized copy): a row's score then does not
        # depend, even in the last float32 bit, on the chunk it is scored in
        X = torch.as_tensor(X, device=self.device).double()
        coef = torch.as_tensor(self.coef, device=self.device)
        intercept = torch.as_tensor(self.intercept, device=self.device)
        return torch.softmax(torch.addmm(intercept, X, coef), dim=1).cpu().numpy()


def fit_logistic_pilot(X, codes, n_classes, weights=None, *, tol=1e-4, max_iter=200,
                       device="cpu", generator=None):
    """Fit a multinomial logistic regression with full-batch L-BFGS.

    Parameters
    ----------
    X : ndarray (m, d), float32 or float64
        The pilot's training rows.
    codes : ndarray (m,) of int
        Class index of each row, in ``0 .. n_classes - 1``.
    n_classes : int
    weights : ndarray (m,) or None
        Row weights of the loss (the incoming sample weights).
    tol : float
        Relative improvement of the loss per round below which training stops.
    max_iter : int
        Upper bound on L-BFGS iterations.
    device : torch.device or str
    generator : torch.Generator or None

    Returns
    -------
    LinearPilot
        Its ``history`` has one record per round: ``loss`` (weighted mean
        cross-entropy plus the L2 term), ``dur``.

    Notes
    -----
    The objective is the weighted mean log-loss plus ``0.5 * ||W||^2 / sum(w)``
    on standardised features: scikit-learn's ``C=1`` penalty, which keeps the
    weights finite on separable data.
    """
    device = torch.device(device)
    X64 = np.asarray(X, dtype=np.float64)
    mean = X64.mean(axis=0)
    scale = X64.std(axis=0)
    scale[scale == 0] = 1.0
    Z = torch.as_tensor((X64 - mean) / scale, dtype=torch.float32, device=device)
    y = torch.as_tensor(np.asarray(codes, dtype=np.int64), device=device)
    w = torch.ones(len(codes), device=device) if weights is None else \
        torch.as_tensor(np.asarray(weights, dtype=np.float32), device=device)
    linear = torch.nn.Linear(Z.shape[1], n_classes).to(device)
    torch.nn.init.zeros_(linear.weight)  # convex problem: zero start is deterministic
    torch.nn.init.zeros_(linear.bias)
    step = _LBFGSStep(linear, l2=1.0 / float(w.sum()))
    history = train(
        step, (Z, y, w), epochs=max(1, math.ceil(max_iter / ROUND_ITERATIONS)),
        batch_size=Z.shape[0], generator=generator, modules=(linear,),
        callbacks=(RelativeImprovement("loss", tol),),
    )
    W = linear.weight.detach().double().cpu().numpy().T / scale[:, None]
    b = linear.bias.detach().double().cpu().numpy() - mean @ W
    return LinearPilot(coef=W, intercept=b, history=history, device=str(device))


class _LBFGSStep:
    """One round of L-BFGS on the full batch; returns the loss after it."""

    def __init__(self, linear, l2):
        self.linear = linear
        self.l2 = l2
        self.optimizer = torch.optim.LBFGS(
            linear.parameters(), lr=1.0, max_iter=ROUND_ITERATIONS, history_size=10,
            line_search_fn="strong_wolfe", tolerance_grad=1e-7, tolerance_change=1e-10,
        )

    def _objective(self, Z, y, w):
        losses = torch.nn.functional.cross_entropy(self.linear(Z), y, reduction="none")
        penalty = 0.5 * self.l2 * self.linear.weight.pow(2).sum()
        return (w * losses).sum() / w.sum() + penalty

    def __call__(self, batch, epoch):
        Z, y, w = batch

        def closure():
            self.optimizer.zero_grad(set_to_none=True)
            loss = self._objective(Z, y, w)
            loss.backward()
            return loss

        self.optimizer.step(closure)
        with torch.no_grad():  # the loss the round ended with (the stopping signal)
            return {"loss": float(self._objective(Z, y, w))}
