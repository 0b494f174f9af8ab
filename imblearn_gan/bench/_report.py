"""Tables (terminal and markdown) and the files a benchmark run writes."""

import json
import os
import platform
import sys
import time

import numpy as np

from ._runner import METRICS
from ._stats import compare, head_to_head


def environment():
    """Versions and the machine: recorded with every run."""
    import imblearn
    import sklearn
    import torch

    from .. import __version__

    versions = {"imblearn_gan": __version__, "scikit-learn": sklearn.__version__,
                "imbalanced-learn": imblearn.__version__, "torch": torch.__version__}
    for name in ("numpy", "scipy", "pandas", "joblib", "ctgan", "xgboost", "aeon"):
        try:
            versions[name] = getattr(__import__(name), "__version__", "unknown")
        except ImportError:
            versions[name] = None
    return {**versions, "python": platform.python_version(), "platform": platform.platform(),
            "processor": _cpu_model() or platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "argv": sys.argv, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def describe(env):
    """One line: CPU, cores, Python and the libraries that decide the figures."""
    libraries = ", ".join(f"{name} {env[name]}" for name in
                          ("imblearn_gan", "torch", "scikit-learn", "imbalanced-learn",
                           "numpy", "ctgan") if env.get(name))
    return (f"{env.get('processor')}, {env.get('cpu_count')} cores, Python {env.get('python')}; "
            f"{libraries}; finished {env.get('finished')}")


def _index(table):
    index = ["classifier", "sampler"]
    if table.train_fraction.nunique() > 1:
        index.insert(1, "train_fraction")
    return index


def means_table(table):
    """Per classifier and sampler: the mean of each metric over datasets and
    ``rank``, the mean rank over datasets and the score metrics (all but fit_time)."""
    index = _index(table)
    wide = table.pivot_table(index=index, columns="metric", values="mean", sort=False)
    quality = table[table.metric.isin(list(METRICS))]
    wide["rank"] = quality.groupby(index, sort=False).mean_rank.mean()
    order = [m for m in [*METRICS, "fit_time"] if m in wide.columns] + ["rank"]
    return wide[order].sort_index(level=index[:-1], sort_remaining=False)


def ranks_table(table, friedman):
    """Per classifier and sampler: ``mean rank (Wilcoxon p vs baseline)`` per
    metric, then one ``Friedman p`` row per classifier."""
    import pandas as pd

    index = _index(table)
    cells = table.assign(cell=[f"{r:.2f}" + ("" if np.isnan(p) else f" (p={p:.3f})")
                               for r, p in zip(table.mean_rank, table.wilcoxon_p)])
    wide = cells.pivot_table(index=index, columns="metric", values="cell", aggfunc="first",
                             sort=False)
    fried = friedman.assign(sampler="Friedman p",
                            cell=[f"{p:.3g}" if not np.isnan(p) else "n/a" for p in friedman.p_value])
    fried_wide = fried.pivot_table(index=index, columns="metric", values="cell", aggfunc="first",
                                   sort=False)
    order = [m for m in [*METRICS, "fit_time"] if m in wide.columns]
    return pd.concat([wide, fried_wide])[order].sort_index(level=index[:-1],
                                                           sort_remaining=False)


def to_text(frame, markdown, digits=3):
    frame = frame.round(digits)
    try:
        return frame.reset_index().to_markdown(index=False) if markdown else frame.to_string()
    except ImportError:  # tabulate missing
        return frame.to_string()


def head_to_head_tables(result, focus, categorical, held_out=()):
    """``[(title, table)]``: each focus sampler against every other, over all datasets,
    over those with categorical columns (SMOTE there is SMOTENC or SMOTEN) and, with
    ``held_out``, over the datasets defaults were chosen on and over the held-out ones."""
    if not focus:
        return []
    fraction = {row["train_fraction"] for row in result.rows}
    if len(fraction) > 1:
        return []
    columns = {"focus_rank": "rank", "peer_rank": "peer rank", "wilcoxon_p": "Wilcoxon p",
               "focus_fit_s": "fit s", "peer_fit_s": "peer fit s"}
    parts = []
    names = sorted({row["dataset"] for row in result.rows})
    subsets = [("all datasets", None)]
    if categorical and set(categorical) & set(names):
        subsets.append(("datasets with categorical columns: " + ", ".join(categorical),
                        categorical))
    if held_out:
        chosen_on = [name for name in names if name not in held_out]
        subsets += [("datasets the defaults were chosen on: " + ", ".join(chosen_on),
                     chosen_on),
                    ("held-out datasets: " + ", ".join(held_out), list(held_out))]
    for title, datasets in subsets:
        table = head_to_head(result.rows, focus, datasets)
        if len(table):
            table = table.rename(columns=columns).set_index(["focus", "peer"])
            heading = (f"Head to head, {title} (mean rank among all samplers per dataset and "
                       "classifier; wins/losses over dataset x classifier x metric cells; "
                       "Wilcoxon over dataset x classifier pairs; median fit seconds)")
            parts.append((heading, table))
    return parts


def render(result, baseline, focus=(), categorical=(), held_out=()):
    """The terminal summary; returns ``(text, table, friedman)``."""
    table, friedman = compare(result.rows, baseline=baseline)
    n = table.n_datasets.max() if len(table) else 0
    means_title = (f"Mean over {n} dataset(s) of each metric; rank = mean rank over datasets "
                   "and score metrics, fit time excluded (1 = best):")
    ranks_title = (f"Mean rank per metric (Wilcoxon signed-rank p vs {baseline} over datasets) "
                   "and the Friedman test across samplers:")
    parts = [means_title, "", to_text(means_table(table), False), "",
             ranks_title, "", to_text(ranks_table(table, friedman), False)]
    for title, pairs in head_to_head_tables(result, focus, categorical, held_out):
        parts += ["", title + ":", "", to_text(pairs, False)]
    if len(table) and baseline not in set(table.sampler):
        parts += ["", f"(baseline {baseline!r} was not run: no Wilcoxon tests; see --baseline)"]
    if result.errors:
        parts += ["", (f"{len(result.errors)} pipeline fit(s) failed (NaN in the results); first: "
                  f"{result.errors[0]}")]
    if result.warnings:
        parts += ["", (f"{sum(result.warnings.values())} warnings of {len(result.warnings)} kinds "
                  "were collected (listed in run.json with --out).")]
    return "\n".join(parts), table, friedman


def write_outputs(out, result, table, friedman, config):
    """rows.csv, summary.md, summary.json, run.json and the PNG figures."""
    import pandas as pd

    from ._plots import plot_learning_curves, plot_ranks

    out.mkdir(parents=True, exist_ok=True)
    rows = pd.DataFrame(result.rows)
    rows.to_csv(out / "rows.csv", index=False)
    config = {**config, "environment": config.get("environment") or environment()}
    env = config.pop("environment")
    run = {"config": config, "environment": env, "seconds": round(result.seconds, 1),
           "n_fits": int(len(rows) / max(len(config["metrics"]), 1)),
           "errors": result.errors, "adapted_to_small_classes": result.adapted,
           "warnings": dict(result.warnings.most_common())}
    (out / "run.json").write_text(json.dumps(run, indent=2, default=str) + "\n")
    summary = {**run, "table": table.to_dict(orient="records"),
               "friedman": friedman.to_dict(orient="records")}
    (out / "summary.json").write_text(json.dumps(_clean(summary), indent=2, default=str) + "\n")
    files = ["rows.csv", "run.json", "summary.json", "summary.md"]
    if result.quality:
        pd.DataFrame(result.quality).to_csv(out / "quality.csv", index=False)
        files.append("quality.csv")
    figures = []
    metrics = [m for m in config["metrics"] if m != "fit_time"]
    if metrics and rows.sampler.nunique() > 1:
        figures.append(plot_ranks(rows, out / "ranks.png", metrics).name)
    if rows.train_fraction.nunique() > 1:
        figures.append(plot_learning_curves(rows, out / "learning_curves.png").name)
    (out / "summary.md").write_text(markdown(result, table, friedman,
                                             {**config, "environment": env}, figures))
    return files + figures


def _clean(value):
    """NaN -> None, so the JSON is valid for strict parsers."""
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def markdown(result, table, friedman, config, figures):
    """summary.md: the command, both tables, per-dataset means, the figures."""
    from ._stats import dataset_means

    lines = ["# imblearn-gan bench", "", "```", "imblearn-gan bench " + " ".join(config["argv"]),
             "```", "",
             f"Machine and versions: {describe(config['environment'])}.", "",
             (f"{len(config['datasets'])} datasets, CV {config['cv']}, seed {config['seed']}, "
             # the value run.json keeps (a tenth of a second), so a summary rebuilt from
             # saved rows rounds it alike
             f"{round(result.seconds, 1):.0f} s, {len(result.errors)} failed fits."), "",
             "## Means and mean rank", "", to_text(means_table(table), True), "",
             f"## Mean rank per metric (Wilcoxon p vs {config['baseline']}; Friedman p)", "",
             to_text(ranks_table(table, friedman), True), ""]
    lines += [f"![{name}]({name})" for name in figures] + [""]
    for title, pairs in head_to_head_tables(result, config.get("focus"),
                                            config.get("categorical_datasets"),
                                            config.get("held_out") or ()):
        lines += ["## " + title.split(" (")[0], "", title[title.index("(") + 1:-1] + ".", "",
                  to_text(pairs, True), ""]
    means = dataset_means(result.rows)
    lines += ["## Per dataset (mean over folds)", "", to_text(means, True), ""]
    if result.quality:
        import pandas as pd

        quality = pd.DataFrame(result.quality).pivot_table(
            index=["class", "group", "metric"], columns="sampler", values="value")
        lines += [("## Synthetic-data quality (imblearn_gan.metrics.quality_report; mean over "
                  "datasets and folds)"), "", to_text(quality, True), ""]
    if result.errors:
        lines += ["## Failed fits", ""] + [f"- {e}" for e in result.errors[:50]] + [""]
    return "\n".join(lines)
