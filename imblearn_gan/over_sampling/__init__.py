"""Neural over-samplers."""

from ._gan import GANOverSampler

__all__ = ["GANOverSampler"]
