"""Neural over-samplers."""

from ._gan import GANOverSampler
from ._vae import VAEOverSampler

__all__ = ["GANOverSampler", "VAEOverSampler"]
