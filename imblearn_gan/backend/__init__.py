"""Shared PyTorch backend of the neural samplers (torch only; no estimators)."""

from .device import resolve_device, torch_threads
from .encoding import Span, TabularEncoder
from .loop import EarlyStopping, train
from .seeding import make_torch_generator

__all__ = [
    "EarlyStopping",
    "Span",
    "TabularEncoder",
    "make_torch_generator",
    "resolve_device",
    "torch_threads",
    "train",
]
