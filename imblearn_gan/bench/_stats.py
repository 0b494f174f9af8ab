"""Summaries of the tidy rows: means, mean ranks, Friedman and Wilcoxon tests.

Ranks and tests follow Demsar (2006), "Statistical comparisons of classifiers
over multiple data sets", JMLR 7: each dataset counts once (its mean over
folds and repeats), samplers are ranked per dataset (1 = best, ties share the
mean rank), the Friedman test asks whether any sampler differs, and a
Wilcoxon signed-rank test pairs each sampler with the baseline (SMOTE) over
the datasets. With n datasets the smallest two-sided Wilcoxon p-value is
2 / 2**n (0.25 for 3 datasets, 0.0625 for 5): use several datasets.
"""

import numpy as np

from ._runner import LOWER_IS_BETTER, METRICS

GROUP = ["classifier", "train_fraction", "metric"]


# the metrics summarize ranks by default (log_loss is left out)
RANKED_METRICS = ("balanced_accuracy", "f1", "g_mean", "roc_auc", "pr_auc")


def summarize(rows, quality_metrics=RANKED_METRICS):
    """Mean per dataset/sampler/classifier/metric, and mean ranks of samplers.

    Ranks: for each dataset, classifier and quality metric, samplers are
    ranked by their mean over folds (1 = best, ties share the mean rank;
    ``log_loss`` and ``fit_time``: lower is better).

    Parameters
    ----------
    rows : list of dict or DataFrame
        Tidy rows of :func:`run_benchmark` or :func:`benchmark`.
    quality_metrics : sequence of str, \
default=("balanced_accuracy", "f1", "g_mean", "roc_auc", "pr_auc")
        The metrics that are ranked.

    Returns
    -------
    means : DataFrame
        Indexed by dataset, classifier, metric (and train_fraction when
        there are several), one column per sampler: the mean over folds.
    ranks : DataFrame
        Mean ranks per classifier and metric, per classifier over the
        metrics (metric ``"ALL"``) and overall (``("ALL", "ALL")``), one
        column per sampler.

    See Also
    --------
    compare : Mean ranks with Friedman and Wilcoxon tests.

    Examples
    --------
    >>> from imblearn_gan.bench import run_benchmark, summarize
    >>> rows = run_benchmark(["glass2", "wine-2"], ["none", "ros"], ["logreg"],
    ...                      n_splits=2, metrics=["roc_auc", "pr_auc"])
    >>> means, ranks = summarize(rows)
    >>> means.shape
    (4, 2)
    >>> float(ranks.loc[("ALL", "ALL")].sum())  # two samplers: ranks 1 and 2
    3.0
    """
    import pandas as pd

    frame = pd.DataFrame(rows)
    index = ["dataset", "classifier", "metric"]
    if "train_fraction" in frame and frame.train_fraction.nunique() > 1:
        index.insert(2, "train_fraction")
    means = frame.pivot_table(index=index, columns="sampler", values="value", aggfunc="mean")
    metric = means.index.get_level_values("metric")
    quality = means[metric.isin(quality_metrics)]
    lower = quality.index.get_level_values("metric").isin(list(LOWER_IS_BETTER))
    rank = pd.concat([quality[~lower].rank(axis=1, ascending=False),
                      quality[lower].rank(axis=1, ascending=True)]).sort_index()
    by_metric = rank.groupby(level=["classifier", "metric"]).mean()
    by_classifier = rank.groupby(level="classifier").mean()
    by_classifier.index = pd.MultiIndex.from_tuples(
        [(c, "ALL") for c in by_classifier.index], names=["classifier", "metric"])
    overall = rank.mean().to_frame().T
    overall.index = pd.MultiIndex.from_tuples([("ALL", "ALL")], names=["classifier", "metric"])
    return means, pd.concat([by_metric, by_classifier, overall])


def dataset_means(rows):
    """One value per dataset, classifier, train fraction, metric and sampler:
    the mean over repeats and folds (NaN folds, from failed fits, skipped)."""
    import pandas as pd

    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    return frame.groupby(["dataset", *GROUP, "sampler"], sort=True).value.mean().unstack("sampler")


def _ranks(wide, metric):
    return wide.rank(axis=1, ascending=metric in LOWER_IS_BETTER)


def _friedman(wide):
    from scipy.stats import friedmanchisquare

    complete = wide.dropna()
    if complete.shape[1] < 3 or complete.shape[0] < 2:
        return np.nan, np.nan
    if np.allclose(complete.to_numpy(), complete.to_numpy()[:, :1]):
        return 0.0, 1.0  # every sampler equal on every dataset
    statistic, p_value = friedmanchisquare(*complete.to_numpy().T)
    return float(statistic), float(p_value)


def _wilcoxon(a, b):
    from scipy.stats import wilcoxon

    pair = np.column_stack([a, b])
    pair = pair[~np.isnan(pair).any(axis=1)]
    diff = pair[:, 0] - pair[:, 1]
    if len(diff) < 2 or np.all(diff == 0):
        return np.nan
    return float(wilcoxon(pair[:, 0], pair[:, 1], zero_method="zsplit").pvalue)


def compare(rows, baseline="smote"):
    """The comparison table and the Friedman tests.

    Each dataset counts once (its mean over folds and repeats); samplers are
    ranked per dataset, classifier, train fraction and metric (1 = best).

    Parameters
    ----------
    rows : list of dict or DataFrame
        Tidy rows of :func:`run_benchmark` or :func:`benchmark`.
    baseline : str, default="smote"
        The sampler every other one is compared with (Wilcoxon signed-rank
        test over the datasets).

    Returns
    -------
    table : DataFrame
        One row per classifier, train fraction, metric and sampler with
        ``mean`` (over datasets), ``std``, ``mean_rank`` (over datasets),
        ``wilcoxon_p`` (vs ``baseline``; NaN for the baseline itself or when
        it was not run) and ``n_datasets``.
    friedman : DataFrame
        One row per classifier, train fraction and metric with
        ``statistic``, ``p_value``, ``n_datasets``, ``n_samplers``.

    See Also
    --------
    summarize : Per-dataset means and mean ranks.

    Examples
    --------
    >>> from imblearn_gan.bench import compare, run_benchmark
    >>> rows = run_benchmark(["glass2", "wine-2", "ecoli3"], ["none", "ros", "smote"],
    ...                      ["logreg"], n_splits=2, metrics=["roc_auc"])
    >>> table, friedman = compare(rows, baseline="smote")
    >>> table[["sampler", "n_datasets"]].values.tolist()
    [['none', 3], ['ros', 3], ['smote', 3]]
    >>> int(friedman.n_samplers.iloc[0])
    3
    """
    import pandas as pd

    means = dataset_means(rows)
    table, friedman = [], []
    for (classifier, fraction, metric), block in means.groupby(level=GROUP, sort=False):
        wide = block.droplevel(GROUP)
        ranks = _ranks(wide, metric)
        statistic, p_value = _friedman(wide)
        friedman.append({"classifier": classifier, "train_fraction": fraction, "metric": metric,
                         "statistic": statistic, "p_value": p_value,
                         "n_datasets": int(wide.dropna().shape[0]),
                         "n_samplers": wide.shape[1]})
        for sampler in wide.columns:
            p = (_wilcoxon(wide[sampler].to_numpy(), wide[baseline].to_numpy())
                 if baseline in wide and sampler != baseline else np.nan)
            table.append({"classifier": classifier, "train_fraction": fraction, "metric": metric,
                          "sampler": sampler, "mean": wide[sampler].mean(),
                          "std": wide[sampler].std(), "mean_rank": ranks[sampler].mean(),
                          "wilcoxon_p": p, "n_datasets": int(wide[sampler].notna().sum())})
    return pd.DataFrame(table), pd.DataFrame(friedman)


def rank_matrix(rows, metrics=tuple(METRICS)):
    """Ranks per (dataset, classifier, train fraction, metric) row and sampler."""
    import pandas as pd

    means = dataset_means(rows)
    parts = [_ranks(block, metric) for metric, block in means.groupby(level="metric")
             if metric in metrics]
    return pd.concat(parts) if parts else means.iloc[:0]


def head_to_head(rows, focus, datasets=None, quality_metrics=RANKED_METRICS):
    """Where each ``focus`` sampler stands against every other sampler of the run.

    Per dataset and classifier, a sampler's score is its mean rank among all
    samplers of the run over ``quality_metrics`` (1 = best). Each focus
    sampler is then paired with each other sampler: mean of those ranks,
    wins/losses/ties over the (dataset, classifier, metric) cells, a Wilcoxon
    signed-rank test over the (dataset, classifier) pairs, and the median fit
    time of each.

    Parameters
    ----------
    rows : list of dict or DataFrame
        Tidy rows of :func:`benchmark` (one train fraction).
    focus : sequence of str
        Sampler labels to pair with all others.
    datasets : sequence of str, default=None
        Only these datasets (all by default).
    quality_metrics : sequence of str
        The metrics that are ranked.

    Returns
    -------
    table : DataFrame
        One row per focus and peer sampler: ``focus, peer, n_pairs,
        focus_rank, peer_rank, wins, losses, ties, wilcoxon_p, focus_fit_s,
        peer_fit_s``.

    Examples
    --------
    >>> from imblearn_gan.bench import head_to_head, run_benchmark
    >>> rows = run_benchmark(["glass2", "wine-2"], ["none", "ros", "smote"], ["logreg"],
    ...                      n_splits=2, metrics=["roc_auc", "fit_time"])
    >>> head_to_head(rows, ["ros"]).peer.tolist()
    ['none', 'smote']
    """
    import pandas as pd

    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    if datasets is not None:
        frame = frame[frame.dataset.isin(list(datasets))]
    means = dataset_means(frame)
    fit = frame[frame.metric == "fit_time"].groupby("sampler").value.median()
    cells = means[means.index.get_level_values("metric").isin(quality_metrics)]
    ranked = pd.concat([_ranks(block, m) for m, block in cells.groupby(level="metric")])
    per_pair = ranked.groupby(level=["dataset", "classifier"]).mean()
    # +1 where higher is better, -1 where lower is: a positive signed difference is a win
    sign = np.where(cells.index.get_level_values("metric").isin(list(LOWER_IS_BETTER)), -1.0, 1.0)
    table = []
    for name in focus:
        if name not in per_pair:
            continue
        for peer in per_pair.columns:
            if peer == name:
                continue
            diff = (cells[name] - cells[peer]).to_numpy() * sign
            table.append({
                "focus": name, "peer": peer, "n_pairs": int(per_pair[[name, peer]].dropna().shape[0]),
                "focus_rank": per_pair[name].mean(), "peer_rank": per_pair[peer].mean(),
                "wins": int(np.sum(diff > 0)), "losses": int(np.sum(diff < 0)),
                "ties": int(np.sum(diff == 0)),
                "wilcoxon_p": _wilcoxon(per_pair[name].to_numpy(), per_pair[peer].to_numpy()),
                "focus_fit_s": fit.get(name, np.nan), "peer_fit_s": fit.get(peer, np.nan)})
    return pd.DataFrame(table)
