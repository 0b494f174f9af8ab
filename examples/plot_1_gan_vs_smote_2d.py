"""
GAN vs SMOTE on a two-dimensional problem
=========================================

SMOTE draws each new minority row on the segment between a minority row and one of its
nearest minority neighbours. :class:`~imblearn_gan.GANOverSampler` learns a smooth,
class-conditional version of that kernel: its generator gets a real minority row (the
*anchor*) and noise, and its critic compares the result with points between the anchor
and its neighbours. On two features we can look at where each method puts its rows.
"""

# %%
# A two-class problem with a curved minority
# ------------------------------------------
# 600 majority rows and 40 minority rows from scikit-learn's two moons.
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.datasets import make_moons

from imblearn_gan import GANOverSampler

X_all, y_all = make_moons(n_samples=1200, noise=0.2, random_state=0)
rng = np.random.default_rng(0)
keep = np.r_[np.flatnonzero(y_all == 0)[:600], rng.choice(np.flatnonzero(y_all == 1), 40,
                                                         replace=False)]
X, y = X_all[keep], y_all[keep]
print(Counter(y.tolist()))

# %%
# Balance it with both samplers
# -----------------------------
# Both append the new rows after the original ones. The GAN runs with its defaults
# (about 500 generator updates, a second or two on a CPU).
X_smote, y_smote = SMOTE(random_state=0).fit_resample(X, y)
gan = GANOverSampler(random_state=0)
X_gan, y_gan = gan.fit_resample(X, y)
print("SMOTE:", Counter(y_smote.tolist()), " GAN:", Counter(y_gan.tolist()))

# %%
# Where the new rows lie
# ----------------------
# Grey: majority rows; blue: the 40 real minority rows; orange: generated rows. The light
# blue cloud is the minority's true distribution (all 600 minority rows of the full data
# set, which neither sampler saw).
fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), sharex=True, sharey=True)
for ax, (name, X_res) in zip(axes, [("SMOTE", X_smote), ("GANOverSampler", X_gan)]):
    new = X_res[len(X):]
    ax.scatter(*X_all[y_all == 1].T, s=4, color="tab:blue", alpha=0.12,
               label="true minority distribution")
    ax.scatter(*X[y == 0].T, s=4, color="0.7", label="majority")
    ax.scatter(*new.T, s=6, color="tab:orange", alpha=0.6, label="generated")
    ax.scatter(*X[y == 1].T, s=22, color="tab:blue", edgecolor="k", label="real minority")
    ax.set_title(f"{name}: {len(new)} new rows")
axes[0].legend(loc="lower left", fontsize=8)
fig.tight_layout()

# %%
# SMOTE's rows sit on straight lines between real minority rows. The GAN's rows form
# small clouds around the real rows and between neighbours, spread in every direction
# rather than along segments. Neither method can invent the part of the moon that its
# 40 rows do not cover.
#
# How far from a real row?
# ------------------------
# The distance of each generated row to its closest real minority row, relative to the
# real rows' own nearest-neighbour distance: small values are near-copies.
from sklearn.neighbors import NearestNeighbors

real = X[y == 1]
scale = np.median(NearestNeighbors(n_neighbors=2).fit(real).kneighbors(real)[0][:, 1])
nn = NearestNeighbors(n_neighbors=1).fit(real)
fig, ax = plt.subplots(figsize=(6, 3.2))
for name, X_res in [("SMOTE", X_smote), ("GANOverSampler", X_gan)]:
    distance = nn.kneighbors(X_res[len(X):])[0][:, 0] / scale
    ax.hist(distance, bins=40, range=(0, 2), histtype="step", lw=2, label=name)
    print(f"{name}: {np.mean(distance < 0.25):.0%} of the rows closer than 0.25 x scale")
ax.set_xlabel("distance to the closest real minority row / median NN distance")
ax.set_ylabel("generated rows")
ax.legend()
fig.tight_layout()

# %%
# Fewer of the GAN's rows are near-copies. The GAN also measures this itself:
# ``near_copy_rate_`` is, per class, the share of a probe of its draws that lie closer to a
# training row of any class than ``copy_threshold=0.25`` times the class's median
# nearest-neighbour distance, measured in its own encoding (standardised columns), so
# the numbers differ from the histogram's. ``drop_copies=True`` would replace those rows.
print(gan.near_copy_rate_)
