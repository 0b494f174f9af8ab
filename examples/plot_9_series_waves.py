"""
Series: a recurrent GAN on sine and sawtooth waves
==================================================

Each row of ``X`` is one series of 30 steps. :func:`~imblearn_gan.datasets.make_waves`
draws sine waves (the majority) and sawtooth waves (the minority, 1 in 11) with random
offsets, amplitudes, frequencies and phases, so the class is the shape of the whole
series, not the value of any step. :class:`~imblearn_gan.GANOverSampler` with
``network="lstm"`` trains a recurrent generator and critic over the steps (RCGAN); it is
still an imbalanced-learn sampler, so it goes into a pipeline like any other. This
example shows generated waves beside real ones, and what one latent coordinate of the
generator does at a fixed class.
"""

# %%
# Fit the recurrent GAN
# ---------------------
# One small LSTM layer (32 units) in the generator and in the critic; ``epochs="auto"``
# gives a recurrent network about 200 generator updates. The generator is anchored (the
# default): it reads a real series of the class and outputs an offset at every step.
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import torch

from imblearn_gan import GANOverSampler
from imblearn_gan.datasets import make_waves

X, y = make_waves(n_samples=220, imbalance=10, random_state=0)
print(X.shape, Counter(y.tolist()))

gan = GANOverSampler(network="lstm", generator_widths=(32,), critic_widths=(32,),
                     random_state=0)
X_res, y_res = gan.fit_resample(X, y)
print(Counter(y_res.tolist()), f"{len(gan.history_)} epochs")

# %%
# Generated waves beside real ones
# --------------------------------
# Six series per panel: real ones on the left, generated ones on the right, one row per
# class. The generated sawtooths keep the ramp-and-drop shape and the spread of offsets
# and amplitudes of the real minority, which has 20 series to learn from.
names = {0: "sine (majority)", 1: "sawtooth (minority)"}
steps = np.arange(X.shape[1])
fig, axes = plt.subplots(2, 2, figsize=(8, 5), sharex=True, sharey=True)
rng = np.random.RandomState(0)
for row, label in enumerate((0, 1)):
    real = X[y == label][rng.choice(np.sum(y == label), 6, replace=False)]
    fake = gan.sample(6, y=label, random_state=1)
    for col, (series, kind) in enumerate(((real, "real"), (fake, "generated"))):
        ax = axes[row, col]
        ax.plot(steps, series.T, lw=1.2, alpha=0.85)
        ax.set_title(f"{kind}: {names[label]}", fontsize=10)
for ax in axes[1]:
    ax.set_xlabel("step")
for ax in axes[:, 0]:
    ax.set_ylabel("value")
fig.tight_layout()

# %%
# A latent traversal at a fixed class
# -----------------------------------
# The generator's input is a noise vector (one per series), the one-hot class and the
# anchor series. Fix the class (sawtooth), the anchor (one real sawtooth, dashed) and
# every noise coordinate at 0, then move one coordinate from -2.5 to 2.5 (columns). The
# rows are the three coordinates that move the output most. Generated series are decoded
# with the fitted encoder, as ``sample`` does. Anchored, the generator keeps the anchor's
# shape; the noise moves the series around it, here mostly its level and the depth of the
# drops.
anchor = torch.as_tensor(gan.train_encoded_[gan.train_labels_ == 1][:1])
values = np.linspace(-2.5, 2.5, 5)


def traverse(coordinate):
    noise = torch.zeros(len(values), gan.noise_dim)
    noise[:, coordinate] = torch.as_tensor(values, dtype=noise.dtype)
    cond = torch.cat([torch.eye(2)[[1] * len(values)], anchor.repeat(len(values), 1)], 1)
    with torch.no_grad():
        offsets = gan.generator_(noise, cond)  # anchored: anchor + offset per step
    return gan.encoder_.inverse_transform((offsets + anchor).numpy())


spread = [np.ptp(traverse(k), axis=0).mean() for k in range(gan.noise_dim)]
top = np.argsort(spread)[::-1][:3]
real_anchor = gan.encoder_.inverse_transform(anchor.numpy())[0]
fig, axes = plt.subplots(len(top), len(values), figsize=(10, 5), sharex=True, sharey=True)
for row, coordinate in enumerate(top):
    for col, series in enumerate(traverse(coordinate)):
        ax = axes[row, col]
        ax.plot(steps, real_anchor, "--", color="0.6", lw=1)
        ax.plot(steps, series, color="C3", lw=1.5)
        if row == 0:
            ax.set_title(f"z = {values[col]:+.1f}", fontsize=10)
    axes[row, 0].set_ylabel(f"noise[{coordinate}]")
fig.suptitle("sawtooth class, one anchor: one noise coordinate moves per row")
fig.tight_layout()
plt.show()
