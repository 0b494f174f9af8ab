"""Time the default ``GANOverSampler().fit_resample`` on the 1,000 x 10 problem.

For A/B comparisons of two versions of the package, interleaved in one
session (a noisy shared machine makes separate sessions incomparable)::

    git worktree add /tmp/before 01da90b
    PYTHONPATH=/tmp/before python benchmarks/fit_small.py
    PYTHONPATH=. python benchmarks/fit_small.py

Prints which package was imported and the seconds of ``--repeats`` fits after
one untimed warm-up fit.

With ``--ops``, it also counts the tensor operations that reach torch's
dispatcher during a short fit (forward, backward and optimiser steps, each
aten call once) and prints them per generator update (``n_critic`` critic
updates and one generator update): the fit's work is that many small
operations, so their count, times the few microseconds each costs to
dispatch, bounds how fast an update can be.
"""

import argparse
import collections
import time

from sklearn.datasets import make_classification

import imblearn_gan
from imblearn_gan import GANOverSampler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ops", action="store_true",
                        help="also count dispatched tensor operations per update")
    args = parser.parse_args(argv)
    X, y = make_classification(n_samples=1000, n_features=10, weights=[0.9], random_state=0)
    GANOverSampler(random_state=0, epochs=2).fit_resample(X, y)  # warm-up
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        GANOverSampler(random_state=0).fit_resample(X, y)
        times.append(time.perf_counter() - start)
    print(imblearn_gan.__file__, [round(t, 2) for t in times])
    if args.ops:
        count_ops(X, y, min(times))


def count_ops(X, y, seconds, epochs=2):
    """Dispatched aten operations per generator update of a default fit."""
    from torch.utils._python_dispatch import TorchDispatchMode

    counts = collections.Counter()

    class Count(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            counts[str(func).split(".")[1]] += 1
            return func(*args, **(kwargs or {}))

    sampler = GANOverSampler(random_state=0, epochs=epochs)
    with Count():
        sampler.fit(X, y)
    auto = GANOverSampler(random_state=0)
    updates_per_epoch = -(-len(X) // auto.batch_size)
    updates = epochs * updates_per_epoch
    auto_updates = auto._n_epochs(len(X)) * updates_per_epoch
    per_update = sum(counts.values()) / updates
    print(f"{per_update:.0f} dispatched operations per generator update "
          f"({sampler.n_critic} critic updates + 1 generator update); the default fit "
          f"does {auto_updates} updates in {seconds:.2f} s: "
          f"{1e6 * seconds / auto_updates / per_update:.1f} us per operation")
    print("most frequent:", ", ".join(f"{name} {n / updates:.0f}"
                                      for name, n in counts.most_common(8)))


if __name__ == "__main__":
    main()
