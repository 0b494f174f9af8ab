"""imblearn-gan: neural and loss-aware resampling for imbalanced-learn."""

from .over_sampling import GANOverSampler

__version__ = "0.1.0"

__all__ = ["GANOverSampler", "__version__"]
