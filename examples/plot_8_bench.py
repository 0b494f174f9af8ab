"""
A small benchmark: which resampler helps my classifier?
=======================================================

:func:`imblearn_gan.bench.benchmark` is what the ``imblearn-gan bench`` command runs:
repeated stratified k-fold cross-validation of samplers x classifiers x datasets, each
sampler inside a pipeline fitted on the training folds only. Here three bundled datasets,
four samplers (no resampling, a tuned decision threshold, SMOTE and the GAN), logistic
regression, 3 folds. To stay under a minute the GAN trains for 100 epochs (about 200
generator updates instead of its default 500), so its numbers here are not the default
GAN's.
"""

# %%
# Run it
# ------
import matplotlib.pyplot as plt
import numpy as np

from imblearn_gan.bench import benchmark, compare

result = benchmark(["glass2", "ecoli3", "wine-2"],
                   ["none", "threshold", "smote", "gan:epochs=100"], ["logreg"],
                   n_splits=3, metrics=["balanced_accuracy", "g_mean", "roc_auc", "pr_auc"],
                   random_state=0)
print(f"{len(result.rows)} rows in {result.seconds:.0f} s, {len(result.errors)} errors")
print(result.rows[0])

# %%
# Mean ranks and tests
# --------------------
# ``compare`` gives, per metric and sampler, the mean over datasets, the mean rank
# (1 = best) and a Wilcoxon test against the baseline; ``friedman`` tests whether any
# sampler differs. With three datasets no Wilcoxon test can reach p < 0.25: a run this small shows
# a trend at most.
table, friedman = compare(result.rows, baseline="smote")
print(table[["metric", "sampler", "mean", "mean_rank", "wilcoxon_p"]].round(3).to_string())

# %%
# The rank plot
# -------------
# One panel per metric: each sampler's mean rank over the datasets. The CLI's
# ``--out DIR`` writes the same kind of figure, with confidence intervals and the
# Nemenyi critical difference, as ``ranks.png``.
metrics = list(dict.fromkeys(table["metric"]))
order = table.groupby("sampler")["mean_rank"].mean().sort_values().index
fig, axes = plt.subplots(1, len(metrics), figsize=(3 * len(metrics), 2.8), sharey=True)
for ax, metric in zip(axes, metrics):
    ranks = table[table.metric == metric].set_index("sampler")["mean_rank"][order]
    ax.plot(ranks, np.arange(len(order)), "o")
    ax.set_xlim(0.5, len(order) + 0.5)
    ax.set_title(metric, fontsize=9)
    ax.set_xlabel("mean rank (1 = best)")
    ax.grid(axis="x", alpha=0.3)
axes[0].set_yticks(np.arange(len(order)), order)
axes[0].invert_yaxis()
fig.tight_layout()

# %%
# From the command line the same run is::
#
#     imblearn-gan bench --datasets glass2,ecoli3,wine-2 \
#         --samplers none,threshold,smote,gan:epochs=100 --classifiers logreg \
#         --cv 3 --metrics balanced_accuracy,g_mean,roc_auc,pr_auc --out results/
plt.show()
