"""One seed per fit: ``random_state`` -> numpy RandomState -> torch.Generator."""

import torch

_MAX_SEED = 2**31 - 1


def make_torch_generator(rng, device="cpu"):
    """Seed a :class:`torch.Generator` on ``device`` from a numpy RandomState.

    ``rng`` is the one ``check_random_state(self.random_state)`` made for this
    fit; drawing the seed from it (instead of reusing an int) keeps successive
    generators independent.
    """
    generator = torch.Generator(device=device)
    generator.manual_seed(int(rng.randint(_MAX_SEED)))
    return generator
