"""imblearn-gan: neural and loss-aware resampling for imbalanced-learn."""

import importlib

from .over_sampling import GANOverSampler, VAEOverSampler
from .under_sampling import DownsampleUpweight, LossProportionalSampler, TomekPruner

__version__ = "0.2.0"

__all__ = [
    "DownsampleUpweight",
    "GANOverSampler",
    "LossProportionalSampler",
    "TomekPruner",
    "VAEOverSampler",
    "__version__",
]

# Submodules load on first access (``imblearn_gan.datasets`` after ``import imblearn_gan``),
# as scikit-learn's do, so the package import stays light.
_SUBMODULES = ("bench", "calibration", "datasets", "latent", "metrics", "pipeline",
               "plotting")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
