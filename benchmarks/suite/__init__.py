"""asv suite: speed and peak memory of imblearn_gan's samplers against their peers.

Run it from the repository root through ``benchmarks/run_suite.py``, which
runs asv on the installed environment and tabulates the ratios::

    flock /tmp/imblearn_gan_bench.lock python benchmarks/run_suite.py --quick
    flock /tmp/imblearn_gan_bench.lock python benchmarks/run_suite.py --full

or asv directly (``--set-commit-hash`` makes asv save the results of an
existing environment; the working tree may be dirty)::

    asv machine --yes
    asv run --config benchmarks/asv.conf.json -E existing:$(which python) \\
        --set-commit-hash $(git rev-parse HEAD) --quick -b '^tomek\\.'

Modules
-------
``neural``: GANOverSampler / VAEOverSampler against ctgan's CTGAN / TVAE.
``tomek``: TomekPruner against imbalanced-learn's TomekLinks.
``selection``: LossProportionalSampler / DownsampleUpweight against a full
LogisticRegression fit and imbalanced-learn's RandomUnderSampler.
``grid``: GridSearchCV of GAN pipelines with 1 or 2 workers x 1 or 2 threads.
``dask_selection``: LossProportionalSampler in memory and on dask threads, with a
check that both keep the same rows.
``neighbors``: the GAN's and the VAE's same-class neighbour search, default
(random-projection trees for large classes) against exact, with its recall.
``common``: data, thread and memory helpers (no benchmarks).

Quick and full
--------------
Every class declares its full grid in ``params``. The quick subset is a set
of asv ``--bench`` regular expressions (``QUICK`` below), which asv matches
against ``name(param, ...)``, e.g. ``tomek.TomekFit.time_fit_resample('TomekPruner',
10000, 10)``: one thread, 10k and 100k rows for Tomek, 1M rows for the
selection samplers. ``run_suite.py --quick`` passes them together with asv's
``--quick`` (one call per benchmark); ``--full`` runs the whole grid with each
class's ``repeat``. Both write to the same asv results file; asv keeps the
values of the combinations a run did not select.

What is measured
----------------
``time_*``: seconds of one call (asv's median over samples). ``peakmem_*``: the
process's peak resident set during the call (asv's ``ru_maxrss``; the setup
resets the high-water mark when it ends, so data, imports and warm-up are in
it but not the setup's transient peaks). ``track_rss_after_setup``: the
resident set after the same setup, without the call, so that ``peakmem_``
minus it is what the call adds.
"""

# asv --bench regexes of the quick subset (matched against "name(param, ...)")
QUICK = [
    r"^neural\.(SmallFitResample|MixedFit)\.\w+\('\w+', 1\)$",
    r"^neural\.RowsScaling\.\w+\('\w+', (1000|100000)\)$",
    r"^tomek\.TomekFit\.\w+\('\w+', (10000|100000), \d+\)$",
    r"^tomek\.TomekSameRows\.",
    r"^selection\.SelectionFit\.\w+\('\w+', 1000000, 1\)$",
    r"^grid\.GridSearch\.time_fit",
    r"^dask_selection\.DaskSelection\.\w+\('[\w-]+', 1000000\)$",
]

# per benchmark class: how its cases are named (formatted with its
# parameters other than "implementation")
CASES = {
    "neural.SmallFitResample": ("fit_resample 1,000 x 10, default settings (peers: fit on "
                                "the minority, sample the rest), threads={threads}"),
    "neural.MixedFit": "fit 10,000 x 20 mixed, 10 epochs, batch 500, threads={threads}",
    "neural.RowsScaling": ("fit_resample make_classification {n_rows:,} x 10, 10% minority, "
                           "default settings"),
    "neighbors.SameClassNeighbors": ("same-class 5 nearest rows, make_classification "
                                     "{n_rows:,} x 10, 10% minority"),
    "tomek.TomekFit": "fit_resample Gaussian {n_rows:,} x {n_features}, every core",
    "tomek.TomekSameRows": "same rows removed, Gaussian {n_rows:,} x {n_features}",
    "selection.SelectionFit": "{n_rows:,} x 20 float32, threads={threads}",
    "grid.GridSearch": "GridSearchCV, 6 GAN + LogisticRegression fits on yeast4",
    "dask_selection.DaskSelection": ("LossProportionalSampler {n_rows:,} x 20 float32, "
                                     "generated in 250,000-row blocks"),
}

# per benchmark class: the (ours, peer) pairs compared; None: no peer
PAIRS = {
    "neural.SmallFitResample": [("GANOverSampler", "CTGAN"), ("VAEOverSampler", "TVAE")],
    "neural.MixedFit": [("GANOverSampler", "CTGAN"), ("VAEOverSampler", "TVAE")],
    "neural.RowsScaling": [("GANOverSampler", "SMOTE"), ("VAEOverSampler", "SMOTE")],
    "neighbors.SameClassNeighbors": [("approximate", "exact")],
    "tomek.TomekFit": [("TomekPruner", "TomekLinks")],
    "selection.SelectionFit": [
        ("LossProportionalSampler", "LogisticRegression"),
        ("LossProportionalSampler", "RandomUnderSampler"),
        ("DownsampleUpweight", "LogisticRegression"),
        ("DownsampleUpweight", "RandomUnderSampler"),
    ],
    "dask_selection.DaskSelection": [("in-memory", "threads")],
    "grid.GridSearch": [("jobs=2 threads=1", "jobs=1 threads=1"),
                        ("jobs=2 threads=1", "jobs=2 threads=2"),
                        ("jobs=1 threads=1", "jobs=1 threads=2")],
}

# per benchmark class: the threads / cores each implementation used
THREADS = {
    "neural.SmallFitResample": (
        "ours n_threads=threads; CTGAN / TVAE torch.set_num_threads(threads); for all, "
        "BLAS / OpenMP pools limited to threads (threadpoolctl); CTGAN's and TVAE's "
        "DataTransformer runs joblib Parallel(n_jobs=-1) over the columns whatever the "
        "setting"),
    "neural.MixedFit": (
        "ours n_threads=threads; CTGAN / TVAE torch.set_num_threads(threads); for all, "
        "BLAS / OpenMP pools limited to threads (threadpoolctl). CTGAN's and TVAE's "
        "DataTransformer.transform runs joblib Parallel(n_jobs=-1) over the columns "
        "(loky worker processes on every core, started in the warm-up) whatever the "
        "setting, and those workers' memory is not in the peak"),
    "neural.RowsScaling": (
        "one thread for all: ours n_threads=1 (the default), SMOTE's default; BLAS / "
        "OpenMP pools limited to one thread (threadpoolctl)"),
    "neighbors.SameClassNeighbors": "one torch thread, BLAS / OpenMP pools limited to one",
    "tomek.TomekFit": (
        "every core for both: TomekPruner n_threads=os cores; TomekLinks n_jobs=-1 "
        "(scikit-learn's OpenMP brute force or joblib-threaded KD-tree queries); no pool "
        "limited"),
    "selection.SelectionFit": (
        "for all, torch.set_num_threads(threads) and BLAS / OpenMP pools limited to "
        "threads (threadpoolctl); LossProportionalSampler n_threads=threads; "
        "DownsampleUpweight and RandomUnderSampler are single-threaded numpy"),
    "dask_selection.DaskSelection": (
        "in-memory: one torch thread; threads: dask's threaded scheduler with 2 threads, "
        "n_threads=1 in every task"),
    "grid.GridSearch": (
        "jobs=j threads=t: GridSearchCV(n_jobs=j) (loky workers), GANOverSampler(n_threads=t); "
        "the default policy is jobs=2 threads=1 on 2 cores"),
}
