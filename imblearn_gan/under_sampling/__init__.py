"""Under-samplers: they remove rows (and may weight the rows they keep)."""

from ._downsample_upweight import DownsampleUpweight
from ._loss_proportional import LossProportionalSampler
from ._tomek import TomekPruner

__all__ = ["DownsampleUpweight", "LossProportionalSampler", "TomekPruner"]
