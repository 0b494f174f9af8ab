"""Latent features: GANs as scikit-learn transformers (``fit``, ``transform`` to
latent codes, ``inverse_transform`` back to rows), on the samplers' backend."""

from ._bigan import BiGAN
from ._infogan import InfoGAN

__all__ = ["BiGAN", "InfoGAN"]
