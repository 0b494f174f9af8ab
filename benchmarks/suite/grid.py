"""GridSearchCV over a GAN + LogisticRegression pipeline: the thread policy.

``GridSearch``
    ``GridSearchCV(make_pipeline(GANOverSampler(epochs=20, n_threads=t),
    LogisticRegression()), {"ganoversampler__noise_dim": [16, 32]}, cv=3,
    n_jobs=j)`` on the bundled yeast4 table (1,484 x 8): 6 fits. The
    ``implementation`` names the setting, ``jobs=j threads=t``: j joblib
    (loky) workers, each fit with t torch threads. The comparisons set the
    default policy (2 workers x 1 thread on 2 cores) against one worker and
    against 2 workers x 2 threads (4 threads on 2 cores: oversubscribed).

Each process warms up once with a one-fit search, untimed (the loky workers
then exist before the timed call, as they do in a session that has run a
search before).
"""

from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

import imblearn_gan
from imblearn_gan.datasets import load_dataset
from imblearn_gan.pipeline import make_pipeline

from .common import _Benchmark, cached, reset_peak_rss, warm_up_once

SETTINGS = {"jobs=1 threads=1": (1, 1), "jobs=2 threads=1": (2, 1),
            "jobs=1 threads=2": (1, 2), "jobs=2 threads=2": (2, 2)}


def search(n_jobs, threads, grid=(16, 32)):
    pipe = make_pipeline(
        imblearn_gan.GANOverSampler(epochs=20, n_threads=threads, random_state=0, device="cpu"),
        LogisticRegression(max_iter=1000))
    return GridSearchCV(pipe, {"ganoversampler__noise_dim": list(grid)}, cv=3, n_jobs=n_jobs,
                        scoring="balanced_accuracy")


class GridSearch(_Benchmark):
    """``GridSearchCV(...).fit`` of 6 GAN pipelines on yeast4."""

    params = (tuple(SETTINGS),)
    param_names = ("implementation",)

    def setup(self, implementation):
        n_jobs, threads = SETTINGS[implementation]
        self.X, self.y = cached("yeast4", load_dataset, "yeast4")
        warm_up_once(("grid", implementation),
                     lambda: search(n_jobs, threads, grid=(16,)).fit(self.X, self.y))
        self.search = search(n_jobs, threads)
        reset_peak_rss()

    def time_fit(self, implementation):
        self.search.fit(self.X, self.y)
