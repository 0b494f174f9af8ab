"""Fast sampler settings shared by the tests (one table for all five).

Explicit for every hyper-parameter that drives run time: the defaults are
tuned for quality, not for a test suite, and may change.

The device is the CPU by default, so the suite needs no GPU. Set
``IMBLEARN_GAN_TEST_DEVICE=cuda`` to run every test that uses these settings
on a GPU instead (CONTRIBUTING.md, "Run the tests").
"""

import os

DEVICE = os.environ.get("IMBLEARN_GAN_TEST_DEVICE", "cpu")

FAST_GAN = dict(
    epochs=2,
    learning_rate=1e-3,
    generator_widths=(16,),
    critic_widths=(16,),
    noise_dim=4,
    n_critic=2,
    batch_size=64,
    device=DEVICE,
    random_state=0,
)

FAST_VAE = dict(
    epochs=2,
    learning_rate=1e-3,
    latent_dim=2,
    encoder_widths=(16,),
    decoder_widths=(16,),
    batch_size=64,
    device=DEVICE,
    random_state=0,
)

# -- every sampler of the package ----------------------------------------------

# The five public samplers, in the order the reliability tests list them.
ALL_SAMPLERS = (
    "GANOverSampler",
    "VAEOverSampler",
    "TomekPruner",
    "DownsampleUpweight",
    "LossProportionalSampler",
)

# Fast settings per sampler (class name -> parameters).
FAST_SETTINGS = {
    "GANOverSampler": FAST_GAN,
    "VAEOverSampler": FAST_VAE,
    "TomekPruner": {"device": DEVICE},
    "DownsampleUpweight": {"random_state": 0},
    "LossProportionalSampler": {
        "cross_fit": 2, "pilot_max_iter": 30, "device": DEVICE, "random_state": 0,
    },
}


def fast_samplers():
    """An instance, with ``FAST_SETTINGS``, of every one of ``ALL_SAMPLERS``
    that ``imblearn_gan`` exports (a missing one is left out; the reliability
    tests check that none is)."""
    import imblearn_gan

    samplers = []
    for name in ALL_SAMPLERS:
        cls = getattr(imblearn_gan, name, None)
        if cls is None:
            continue
        samplers.append(cls(**FAST_SETTINGS[name]))
    return samplers
