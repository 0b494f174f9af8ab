"""The benchmark's figures: mean ranks with confidence intervals, learning curves."""

import numpy as np

from ._runner import LOWER_IS_BETTER, METRICS
from ._stats import dataset_means, rank_matrix


def critical_difference(k, n, alpha=0.05):
    """Nemenyi critical difference of mean ranks (k samplers, n blocks):
    ``q_alpha * sqrt(k (k + 1) / (6 n))``, q_alpha the studentized range
    quantile over sqrt(2) (2.343 for k = 3, as in Demsar 2006, table 5)."""
    from scipy.stats import studentized_range

    if k < 2 or n == 0:
        return None
    q = studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2)
    return float(q * np.sqrt(k * (k + 1) / (6.0 * n)))


def plot_ranks(rows, path, metrics=tuple(METRICS)):
    """One panel per metric: each sampler's mean rank over datasets x
    classifiers (x fractions) with a 95% t-interval (clipped to the rank
    range); the Nemenyi critical difference is drawn as a red bar: mean ranks
    further apart than it differ at the 5% level. Lower rank = better."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.stats import t

    ranks = rank_matrix(rows, metrics)
    metrics = [m for m in metrics if m in set(ranks.index.get_level_values("metric"))]
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics) + 1.5,
                                                        0.35 * ranks.shape[1] + 1.6),
                             sharey=True, squeeze=False)
    order = ranks.mean().sort_values().index
    for ax, metric in zip(axes[0], metrics):
        block = ranks.xs(metric, level="metric")[order]
        n = block.notna().sum()
        mean = block.mean()
        half = (t.ppf(0.975, np.maximum(n - 1, 1)) * block.std() / np.sqrt(n)).fillna(0)
        low, high = np.clip(mean - half, 1, len(order)), np.clip(mean + half, 1, len(order))
        ax.errorbar(mean, np.arange(len(order)), xerr=[mean - low, high - mean], fmt="o",
                    capsize=3)
        ax.set_xlim(0.5, len(order) + 0.5)
        cd = critical_difference(len(order), int(block.dropna().shape[0]))
        if cd is not None:
            ax.plot([1, 1 + cd], [-0.8, -0.8], color="crimson", lw=3)
            ax.text(1, -1.1, f"CD {cd:.2f}", color="crimson", fontsize=8)
        ax.set_title(metric + (" (lower better)" if metric in LOWER_IS_BETTER else ""), fontsize=9)
        ax.set_xlabel("mean rank (1 = best)")
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].set_yticks(np.arange(len(order)), order)
    axes[0][0].invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_learning_curves(rows, path, metrics=("balanced_accuracy", "pr_auc", "g_mean", "f1")):
    """One panel per metric: mean over datasets and classifiers against the
    training fraction, one line per sampler."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    means = dataset_means(rows)
    metrics = [m for m in metrics if m in set(means.index.get_level_values("metric"))]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.6), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        curve = means.xs(metric, level="metric").groupby(level="train_fraction").mean()
        for sampler in curve.columns:
            ax.plot(curve.index, curve[sampler], marker="o", label=sampler)
        ax.set_xscale("log")
        ax.set_xticks(curve.index, [f"{f:g}" for f in curve.index])
        ax.set_xlabel("fraction of each training fold")
        ax.set_title(metric, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
