"""Fast GANOverSampler settings shared by the tests.

Explicit for every hyper-parameter that drives run time: the defaults are
tuned for quality, not for a test suite, and may change.
"""

FAST_GAN = dict(
    epochs=2,
    learning_rate=1e-3,
    anchor="neighbors",
    generator_widths=(16,),
    critic_widths=(16,),
    noise_dim=4,
    n_critic=2,
    batch_size=64,
    device="cpu",
    random_state=0,
)
