"""Time the default ``GANOverSampler().fit_resample`` on the 1,000 x 10 problem.

For A/B comparisons of two versions of the package, interleaved in one
session (a noisy shared machine makes separate sessions incomparable)::

    git worktree add /tmp/before 01da90b
    PYTHONPATH=/tmp/before python benchmarks/fit_small.py
    PYTHONPATH=. python benchmarks/fit_small.py

Prints which package was imported and the seconds of ``--repeats`` fits after
one untimed warm-up fit.
"""

import argparse
import time

from sklearn.datasets import make_classification

import imblearn_gan
from imblearn_gan import GANOverSampler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    X, y = make_classification(n_samples=1000, n_features=10, weights=[0.9], random_state=0)
    GANOverSampler(random_state=0, epochs=2).fit_resample(X, y)  # warm-up
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        GANOverSampler(random_state=0).fit_resample(X, y)
        times.append(time.perf_counter() - start)
    print(imblearn_gan.__file__, [round(t, 2) for t in times])


if __name__ == "__main__":
    main()
