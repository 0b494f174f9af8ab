"""Fast settings of the latent-feature GANs for the tests (one table)."""

from tests._fast import DEVICE

FAST_LATENT = {
    "epochs": 2,
    "batch_size": 32,
    "generator_widths": (8,),
    "critic_widths": (8,),
    "device": DEVICE,
    "random_state": 0,
}

FAST_SETTINGS = {
    "BiGAN": {**FAST_LATENT, "n_components": 2, "encoder_widths": (8,)},
    "InfoGAN": {**FAST_LATENT, "n_categories": 3, "n_continuous": 1, "noise_dim": 2},
}
