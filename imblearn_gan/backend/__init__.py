"""Shared PyTorch backend of the neural samplers (torch only; no estimators)."""

from .device import resolve_device, torch_threads
from .encoding import Span, TabularEncoder
from .loop import EarlyStopping, class_balanced_weights, train
from .seeding import make_torch_generator

__all__ = [
    "EarlyStopping",
    "Span",
    "TabularEncoder",
    "class_balanced_weights",
    "make_torch_generator",
    "resolve_device",
    "torch_threads",
    "train",
]
