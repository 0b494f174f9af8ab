"""The single training loop: epochs, minibatches, history, stopping.

Models differ only in the *step* they pass in: a callable
``step(batch, epoch) -> dict of float losses`` that does its own forward,
backward and optimiser updates (see ``steps.py``). History is data (a list of
per-epoch dicts); a callback stops training by returning ``"stop"``.
"""

import math
import sys
import time

import torch

from ..exceptions import TrainingDivergedError


class EarlyStopping:
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    A callback for :func:`train`: ``on_epoch_end(history)`` returns ``"stop"``.
    """

    def __init__(self, monitor, patience=10, min_delta=0.0, mode="min"):
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.mode = mode

    def on_epoch_end(self, history):
        sign = 1.0 if self.mode == "min" else -1.0
        best, stale = math.inf, 0
        for record in history:  # stateless: derived from the history alone
            value = sign * record[self.monitor]
            if value < best - self.min_delta:
                best, stale = value, 0
            else:
                stale += 1
        return "stop" if stale >= self.patience else None


def class_balanced_weights(labels, n_classes, row_weights=None):
    """Row weights for :func:`train` that make every class equally likely in a
    minibatch (1 / class size), times any incoming row weights."""
    counts = torch.bincount(labels, minlength=n_classes).double()
    balanced = (1.0 / counts)[labels]
    return balanced if row_weights is None else balanced * row_weights


def resolve_epochs(epochs, n_rows, batch_size, updates):
    """``epochs``, or for ``"auto"`` enough epochs for about ``updates``
    minibatches of ``batch_size`` rows (at least one epoch; batches are
    counted as :func:`train` cuts them)."""
    if epochs != "auto":
        return epochs
    batches_per_epoch = -(-n_rows // min(batch_size, n_rows))
    return max(1, -(-updates // batches_per_epoch))


def _batches(order, batch_size):
    """Split an index order into minibatches; never leave a batch of one row
    (batch norm cannot train on it): fold it into the previous batch."""
    chunks = list(torch.split(order, batch_size))
    if len(chunks) > 1 and chunks[-1].numel() < 2:
        last = chunks.pop()
        chunks[-1] = torch.cat([chunks[-1], last])
    return chunks


def _progress(epoch, epochs, record, width=24):
    done = int(width * epoch / epochs)
    losses = " ".join(
        f"{k}={v:.3f}" for k, v in record.items() if k not in ("epoch", "dur")
    )
    sys.stderr.write(
        f"\r[{'#' * done}{'.' * (width - done)}] epoch {epoch}/{epochs} "
        f"{record['dur']:.2f}s {losses}"
    )
    if epoch == epochs:
        sys.stderr.write("\n")
    sys.stderr.flush()


def train(
    step,
    tensors,
    *,
    epochs,
    batch_size,
    generator,
    modules=(),
    callbacks=(),
    row_weights=None,
    verbose=0,
):
    """Run ``epochs`` epochs of ``step`` over minibatches of ``tensors``.

    Parameters
    ----------
    step : callable ``(batch, epoch) -> dict[str, float]``
    tensors : tuple of tensors sharing their first dimension (rows)
    epochs, batch_size : int
    generator : torch.Generator that orders the rows (reproducibility)
    modules : nn.Modules put in train mode during training, eval mode after
    callbacks : objects with ``on_epoch_end(history)``; returning ``"stop"`` stops
    row_weights : optional tensor; rows are then drawn with replacement with
        these probabilities (e.g. class-balanced batches) instead of shuffled
    verbose : int; > 0 draws a progress bar on stderr

    Returns
    -------
    history : list of dict
        One record per epoch: ``epoch``, ``dur`` (seconds) and the mean of
        every loss the step returned, weighted by batch size.

    Raises
    ------
    TrainingDivergedError
        When a loss is NaN or infinite.
    """
    n_rows = tensors[0].shape[0]
    device = tensors[0].device
    history = []
    for epoch in range(epochs):
        for module in modules:
            module.train()
        start = time.perf_counter()
        if row_weights is None:
            order = torch.randperm(n_rows, generator=generator, device=device)
        else:
            order = torch.multinomial(
                row_weights, n_rows, replacement=True, generator=generator
            )
        sums, seen = {}, 0
        for index in _batches(order, batch_size):
            losses = step(tuple(t[index] for t in tensors), epoch)
            for key, value in losses.items():
                sums[key] = sums.get(key, 0.0) + value * index.numel()
            seen += index.numel()
        record = {"epoch": epoch + 1}
        record.update({key: value / seen for key, value in sums.items()})
        record["dur"] = time.perf_counter() - start
        bad = [k for k, v in record.items() if not math.isfinite(v)]
        if bad:
            raise TrainingDivergedError(
                f"Training diverged at epoch {epoch + 1}: {', '.join(bad)} became "
                "NaN or infinite. Lower learning_rate, or scale extreme columns."
            )
        history.append(record)
        if verbose:
            _progress(epoch + 1, epochs, record)
        if any(cb.on_epoch_end(history) == "stop" for cb in callbacks):
            break
    for module in modules:
        module.eval()
    return history
