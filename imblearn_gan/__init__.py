"""imblearn-gan: neural and loss-aware resampling for imbalanced-learn."""

from .over_sampling import GANOverSampler, VAEOverSampler
from .under_sampling import DownsampleUpweight, LossProportionalSampler, TomekPruner

__version__ = "0.1.0"

__all__ = [
    "DownsampleUpweight",
    "GANOverSampler",
    "LossProportionalSampler",
    "TomekPruner",
    "VAEOverSampler",
    "__version__",
]
