"""Device selection and the CPU thread policy."""

from contextlib import contextmanager

import torch


def resolve_device(device):
    """Map the ``device`` parameter to a :class:`torch.device`.

    ``"auto"`` picks CUDA when it is available and the CPU otherwise. An
    explicit CUDA device on a machine without one is an error, not a silent
    fallback.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"The 'device' parameter must be 'auto', 'cpu', 'cuda' or 'cuda:N'. "
            f"Got {device!r} instead."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine. Use device='auto' or device='cpu'."
        )
    return resolved


@contextmanager
def torch_threads(n_threads):
    """Run the block with ``n_threads`` torch intra-op threads, then restore.

    ``None`` leaves torch's setting alone. The samplers default to 1: their
    matrices are small, and with 2 threads a busy second core slows every
    matmul 10-70x (the thread policy in the Performance page of the docs).
    """
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)
