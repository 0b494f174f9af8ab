"""Data, threads and memory helpers shared by the suite's modules (no benchmarks here).

asv runs every benchmark (one name, one parameter combination) in a process of
its own, forked from a server that has imported the suite. So whatever a
``setup`` builds or warms up belongs to that process alone; ``cached`` keeps
the data across the repeats of one process, whose ``setup`` asv re-runs
before every sample.
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from threadpoolctl import threadpool_limits

# the cores this process may run on (2 on the reference machine); the
# "every core" settings of the Tomek benchmarks use them all
N_CORES = len(os.sched_getaffinity(0))

_DATA = {}
_WARMED = set()


# -- measurement helpers ------------------------------------------------------
def cached(key, build, *args):
    """``build(*args)``, computed once per process."""
    if key not in _DATA:
        _DATA[key] = build(*args)
    return _DATA[key]


def warm_up_once(key, run):
    """Call ``run()`` once per process: the lazy imports, thread pools and
    first-call allocations it pays are not counted in any timed call."""
    if key not in _WARMED:
        run()
        _WARMED.add(key)


def rss_mib():
    """The process's resident set now, in MiB (NaN where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def reset_peak_rss():
    """Reset the kernel's resident-set high-water mark to the current RSS.

    asv's ``peakmem_`` reads ``getrusage``'s ``ru_maxrss`` after the call.
    Resetting at the end of ``setup`` makes that the peak *from then on*:
    imports, data and warm-up (all in the RSS) but not the transient peaks of
    building the data. Linux only; elsewhere the peak includes the setup.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def limit_threads(n_threads):
    """torch's intra-op threads and every BLAS / OpenMP pool (threadpoolctl)
    set to ``n_threads``; returns the limiter, whose
    ``restore_original_limits()`` undoes the pools."""
    torch.set_num_threads(n_threads)
    return threadpool_limits(limits=n_threads)


class _Benchmark:
    """Timing attributes and the RSS-after-setup track shared by every class.

    ``number = 1`` and ``warmup_time = 0``: each sample is one call, after a
    fresh ``setup``, with no warm-up calls (``setup`` warms up once per process
    on a small slice instead). ``repeat = (1, 3, 30.0)``: up to 3 samples, fewer
    once 30 s have passed (asv's ``--quick`` takes exactly one).
    ``track_rss_after_setup`` runs the same ``setup`` without the call; the
    peak a call adds is ``peakmem_`` minus it (``run_suite.py`` reports both).
    """

    number = 1
    repeat = (1, 3, 30.0)
    min_run_count = 1
    rounds = 1
    warmup_time = 0
    timeout = 900

    def teardown(self, *params):
        """Undo the thread limits a ``setup`` set with ``limit_threads`` (as ``self.limits``)."""
        limits = getattr(self, "limits", None)
        if limits is not None:
            limits.restore_original_limits()

    def track_rss_after_setup(self, *params):
        return rss_mib()

    track_rss_after_setup.unit = "MiB"


# -- data -----------------------------------------------------------------------
def make_small():
    """The 1,000 x 10 problem, 10% minority."""
    from sklearn.datasets import make_classification

    return make_classification(n_samples=1000, n_features=10, weights=[0.9],
                               random_state=0)


def make_mixed(n_rows=10_000, seed=0):
    """A 10,000 x 20 table ``(X, y)``: 15 numeric columns (gaussian, skewed,
    bimodal, integer) and 5 categorical ones (pandas ``category``, 3-12
    levels, some drawn from a numeric column); ``y`` about 10% positives."""
    rng = np.random.default_rng(seed)
    n = n_rows
    cols = {f"gauss_{j}": rng.normal(mu, sd, n)
            for j, (mu, sd) in enumerate([(0, 1), (50, 10), (-3, 0.5), (1000, 250)])}
    cols.update(lognorm_0=rng.lognormal(0.0, 1.0, n), lognorm_1=rng.lognormal(3.0, 0.75, n),
                expon_0=rng.exponential(2.0, n), uniform_0=rng.uniform(-1, 1, n))
    for j, (a, b, sd, p) in enumerate([(-2, 2, 0.6, 0.5), (10, 30, 3, 0.3), (0, 5, 1, 0.8)]):
        cols[f"bimodal_{j}"] = np.where(rng.random(n) < p, rng.normal(a, sd, n),
                                        rng.normal(b, sd, n))
    cols.update(int_poisson=rng.poisson(3.0, n), int_age=rng.integers(18, 90, n),
                int_binomial=rng.binomial(20, 0.3, n),
                int_heavy=np.floor(rng.pareto(2.5, n) * 10).astype(np.int64))
    cols["region"] = rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1])
    cols["plan"] = np.where(cols["gauss_0"] < -0.5, "basic",
                            np.where(cols["gauss_0"] < 1.0, "standard", "premium"))
    zipf = 1.0 / np.arange(1, 13)
    cols["segment"] = rng.choice([f"seg_{k:02d}" for k in range(12)], n, p=zipf / zipf.sum())
    cols["channel"] = np.where(cols["bimodal_0"] > 0, rng.choice(["web", "app", "partner"], n),
                               rng.choice(["branch", "phone", "mail"], n))
    grade = np.clip((np.argsort(np.argsort(cols["lognorm_0"])) * 8) // n, 0, 7)
    cols["grade"] = np.array(list("ABCDEFGH"))[grade]
    X = pd.DataFrame(cols)
    for name in ("region", "plan", "segment", "channel", "grade"):
        X[name] = X[name].astype("category")
    score = (0.8 * X["gauss_0"] + 0.7 * np.log(X["lognorm_0"])
             + 1.0 * (X["plan"] == "premium") + 0.8 * (X["bimodal_0"] > 0)
             - 0.02 * (X["int_age"] - 50) + rng.logistic(0, 0.5, n))
    y = (score > np.quantile(score, 0.9)).to_numpy().astype(np.int64)
    return X, y


def make_gaussian(n_rows, n_features, seed=0):
    """Two overlapping Gaussian classes (float64), about 10% minority shifted
    by 0.5 in every feature."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n_rows) < 0.1).astype(np.int64)
    X = rng.standard_normal((n_rows, n_features))
    X[y == 1] += 0.5
    return X, y


def make_logistic(n_rows, n_features=20, seed=0, chunk=1_000_000):
    """float32 standard normal features and a logistic label (about 7%
    positives), built chunk by chunk so no float64 copy of ``X`` exists."""
    rng = np.random.default_rng(seed)
    coef = (rng.standard_normal(n_features) * 2 / np.sqrt(n_features)).astype(np.float32)
    X = np.empty((n_rows, n_features), dtype=np.float32)
    y = np.empty(n_rows, dtype=np.int64)
    for start in range(0, n_rows, chunk):
        stop = min(start + chunk, n_rows)
        X[start:stop] = rng.standard_normal((stop - start, n_features), dtype=np.float32)
        logits = X[start:stop] @ coef - 3.5
        y[start:stop] = rng.random(stop - start) < 1 / (1 + np.exp(-logits))
    return X, y
