"""
Generate rows on demand and inspect the training
================================================

Besides ``fit_resample``, the neural samplers have ``fit`` and ``sample(n, y=label)``:
train once, then draw as many rows of any class as needed, without resampling. Their
``history_`` records each epoch's losses, and for the GAN the critic's mean score on
real and on generated rows; :func:`~imblearn_gan.plotting.plot_history` draws it.
"""

# %%
# Fit once, sample many times
# ---------------------------
import matplotlib.pyplot as plt
import numpy as np

from imblearn_gan import GANOverSampler, VAEOverSampler
from imblearn_gan.datasets import load_dataset
from imblearn_gan.plotting import plot_history

X, y = load_dataset("ecoli3")  # 336 rows, 7 numeric columns, 35 minority rows
gan = GANOverSampler(random_state=0).fit(X, y)
rows = gan.sample(500, y=1, random_state=0)  # 500 rows of the minority class
print(rows.shape, f"{len(gan.history_)} epochs")

# %%
# The same ``random_state`` gives the same rows; another one gives new rows from the
# same model:
print(np.array_equal(rows, gan.sample(500, y=1, random_state=0)),
      np.array_equal(rows, gan.sample(500, y=1, random_state=1)))

# %%
# The rows of a class follow that class: the generated minority rows' column means
# are close to the real minority's, not to the majority's.
print("real minority ", X[y == 1].mean(axis=0).round(2))
print("generated     ", rows.mean(axis=0).round(2))
print("real majority ", X[y == 0].mean(axis=0).round(2))

# %%
# The GAN's training history
# --------------------------
# Left: the generator's and critic's losses and the gradient penalty. Right: the
# critic's mean score on real and on generated rows. A WGAN critic's scores are not
# probabilities: their gap estimates the distance between the real and the generated
# rows, so the two curves should track each other, as they do here; a gap that stayed
# open would mean the critic still tells the rows apart. Each history record also holds
# the epoch's duration (``dur``).
print(sorted(gan.history_[-1]))
fig = plot_history(gan.history_, title="GANOverSampler on ecoli3")

# %%
# The VAE's history
# -----------------
# The VAE records its reconstruction loss, its KL term and their weighted sum.
vae = VAEOverSampler(random_state=0).fit(X, y)
fig = vae.plot_history()
print(vae.sample(3, y=1, random_state=0).round(2))

# %%
# Both samplers' ``plot_history(path)`` also write the figure to a PNG file.
plt.show()
