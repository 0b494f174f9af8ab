"""
InfoGAN on digits: a categorical and a continuous code
======================================================

:class:`~imblearn_gan.latent.InfoGAN` learns scikit-learn's ``load_digits`` (1,797 images
of 8 x 8 pixels, one row of 64 numbers each) **without their labels**. Its generator sees
noise and a code: one of 10 categories and two numbers in [-1, 1]; a head on the
discriminator must read the code back from the image, so the categories come to stand for
kinds of digit and the continuous codes for smooth changes within one. In the picture each
row fixes a category, each column moves the first continuous code from -1 to 1, the noise
stays at 0. The fit takes a few seconds on one thread (the default settings: about 1,500
minibatch updates).
"""

# %%
# Fit without labels
# ------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.datasets import load_digits

from imblearn_gan.latent import InfoGAN

X, y = load_digits(return_X_y=True)
infogan = InfoGAN(random_state=0).fit(X)
print(f"{len(infogan.history_)} epochs, {sum(r['dur'] for r in infogan.history_):.1f} s")
print(f"the discriminator's head recovers the category of generated images: "
      f"{infogan.history_[-1]['code_accuracy']:.1%}")

# %%
# Which category is which digit?
# ------------------------------
# The category indices are arbitrary. The labels serve only now, to name them: the
# Hungarian algorithm matches categories to digits so that as many images as possible
# agree, and the matched accuracy says how well the categories found the digits.
category = infogan.predict(X)
counts = np.zeros((10, 10), dtype=int)
np.add.at(counts, (category, y), 1)
rows, digits = linear_sum_assignment(-counts)
print(f"matched accuracy of the categories: {counts[rows, digits].sum() / len(y):.1%}")

# %%
# Categories down, the continuous code across
# -------------------------------------------
# Rows are ordered by their matched digit; the label on the left gives the category, the
# digit it was matched to, and the share of that category's images that are that digit.
steps = np.linspace(-1, 1, 8)
order = rows[np.argsort(digits)]
fig, axes = plt.subplots(10, len(steps), figsize=(len(steps) * 0.8, 8.6))
for r, k in enumerate(order):
    continuous = np.column_stack([steps, np.zeros_like(steps)])  # code 1 moves, code 2 at 0
    images = infogan.generate(np.full(len(steps), k), continuous=continuous)
    for c, image in enumerate(images):
        ax = axes[r, c]
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        ax.set_xticks([])
        ax.set_yticks([])
    purity = counts[k].max() / max(counts[k].sum(), 1)
    axes[r, 0].set_ylabel(f"c={k}: {digits[rows == k][0]}\n({purity:.0%})", fontsize=7,
                          rotation=0, ha="right", va="center")
for c, value in enumerate(steps):
    axes[-1, c].set_xlabel(f"{value:+.1f}", fontsize=7)
fig.suptitle("InfoGAN on digits: category per row, continuous code 1 per column", fontsize=9)
fig.subplots_adjust(left=0.2, right=0.98, top=0.95, bottom=0.05, wspace=0.05, hspace=0.05)
plt.show()

# %%
# The same codes as features
# --------------------------
# ``transform`` returns the category probabilities and the two continuous codes (12
# columns); in a pipeline they feed a classifier like any other transformer's output. The
# :doc:`user guide </user_guide/latent>` measures them with few labels, against k-means,
# the raw pixels and PCA of the same width.
print(infogan.transform(X[:3]).round(2))
