"""Time the default ``GANOverSampler().fit_resample`` on the 1,000 x 10 problem.

For A/B comparisons of two versions of the package, interleaved in one
session (a noisy shared machine makes separate sessions incomparable)::

    git worktree add /tmp/before 01da90b
    PYTHONPATH=/tmp/before python benchmarks/fit_small.py
    PYTHONPATH=. python benchmarks/fit_small.py

Prints which package was imported and the seconds of ``--repeats`` fits after
one untimed warm-up fit. ``--speed-table`` times ``speed.py``'s fit instead
(10,000 x 20 mixed table, 10 epochs at batch 500), without CTGAN;
``--params`` times the 1,000 x 10 fit with other parameters (JSON), e.g.
larger minibatches and fewer updates::

    PYTHONPATH=. python benchmarks/fit_small.py --params '{"batch_size": 512, "epochs": 125}'

``--softmax`` only times torch's CPU softmax over a narrow last dimension
against the transposed one that ``nets.row_softmax`` uses.

With ``--ops``, it also counts the tensor operations that reach torch's
dispatcher during a short fit (forward, backward and optimiser steps, each
aten call once) and prints them per generator update (``n_critic`` critic
updates and one generator update): the fit's work is that many small
operations, so their count, times the few microseconds each costs to
dispatch, bounds how fast an update can be (only operations inside the
training step count: not encoding, neighbour search or the epoch loop). It
also replays the updates' matrix products alone (the same shapes, on random data, one thread) and
prints their time per 1,000 updates: the arithmetic floor of this
architecture on this machine, whatever the rest of the step costs, and adds
the other operations at the cost of torch's cheapest view and cheapest
kernel call: a bound on how fast eager PyTorch can run this update here.
"""

import argparse
import collections
import json
import math
import statistics
import time

import torch
from sklearn.datasets import make_classification

import imblearn_gan
from imblearn_gan import GANOverSampler
from imblearn_gan.backend.steps import GANStep


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ops", action="store_true",
                        help="also count dispatched tensor operations per update")
    parser.add_argument("--speed-table", action="store_true",
                        help="time speed.py's fit instead: 10,000 x 20 mixed table, "
                             "10 epochs at batch 500 (no CTGAN)")
    parser.add_argument("--params", type=json.loads, default={},
                        help='other sampler parameters for the 1,000 x 10 fit, as JSON, '
                             'e.g. \'{"batch_size": 512, "epochs": 125}\'')
    parser.add_argument("--softmax", action="store_true",
                        help="only time torch's CPU softmax over a narrow last dimension "
                             "against the same softmax transposed (nets.row_softmax)")
    args = parser.parse_args(argv)
    if args.softmax:
        return time_softmax()
    if args.ops and (args.speed_table or args.params):
        parser.error("--ops counts the 1,000 x 10 default fit; leave out --speed-table "
                     "and --params")
    if args.speed_table:
        from speed import make_table

        X, y = make_table(10_000)
        params = {"epochs": 10, "batch_size": 500}
        GANOverSampler(random_state=0, epochs=1, batch_size=500).fit(X, y)  # warm-up
    else:
        X, y = make_classification(n_samples=1000, n_features=10, weights=[0.9],
                                   random_state=0)
        params = args.params
        GANOverSampler(random_state=0, **{**params, "epochs": 2}).fit_resample(X, y)  # warm-up
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        sampler = GANOverSampler(random_state=0, **params)
        if args.speed_table:
            sampler.fit(X, y)
        else:
            sampler.fit_resample(X, y)
        times.append(time.perf_counter() - start)
    print(imblearn_gan.__file__, params or "defaults", [round(t, 2) for t in times])
    if args.ops and not args.speed_table:
        count_ops(X, y, min(times))


def count_ops(X, y, seconds, epochs=2):
    """Dispatched aten operations per generator update of a default fit."""
    from torch.utils._python_dispatch import TorchDispatchMode

    counts = collections.Counter()
    products = []  # (name, input shapes) of the updates' matrix products
    in_update = [False]

    class Count(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            name = str(func).split(".")[1]
            if in_update[0]:
                counts[name] += 1
            if in_update[0] and name in ("mm", "addmm", "bmm"):
                products.append((name, [tuple(a.shape) for a in args
                                        if isinstance(a, torch.Tensor)]))
            return func(*args, **(kwargs or {}))

    def update(self, *args, **kwargs):  # GANStep.__call__, flagged
        in_update[0] = True
        try:
            return step_call(self, *args, **kwargs)
        finally:
            in_update[0] = False

    sampler = GANOverSampler(random_state=0, epochs=epochs)
    step_call = GANStep.__call__
    GANStep.__call__ = update
    try:
        with Count():
            sampler.fit(X, y)
    finally:
        GANStep.__call__ = step_call
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
    flops = sum(2 * math.prod(shapes[-2]) * shapes[-1][-1] for _, shapes in products)
    replay = replay_products(products) / updates
    print(f"matrix products: {len(products) / updates:.0f} per update, "
          f"{flops / updates / 1e6:.1f} MFLOP; replayed alone (same shapes, 1 thread) "
          f"they take {replay * 1e3:.2f} ms per update, {replay * auto_updates:.2f} s for "
          f"the default's {auto_updates} updates ({flops / updates / replay / 1e9:.0f} GFLOP/s)")
    views = sum(n for name, n in counts.items() if name in VIEW_OPS) / updates
    others = per_update - views - len(products) / updates
    view_s, kernel_s = cheapest_seconds()
    bound = (replay + view_s * views + kernel_s * others) * auto_updates
    print(f"the cheapest operations cost {view_s * 1e6:.1f} us (a view: x.t()) and "
          f"{kernel_s * 1e6:.1f} us (a kernel: x.add_(1) on one number); the products' "
          f"replay plus {views:.0f} views and {others:.0f} other operations at those costs: "
          f"{bound:.2f} s for {auto_updates} updates, the least this update can take in eager "
          f"PyTorch here (measured fit: {seconds:.2f} s)")


def time_softmax(repeats=2000):
    """Microseconds per softmax of a (rows, width) block over its last
    dimension, and of the same block transposed over its first (the
    narrow category spans' case), one thread, median of 5 rounds."""
    from imblearn_gan.backend.nets import row_softmax

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for rows, width in [(128, 3), (128, 5), (500, 5), (500, 12), (500, 32)]:
            x = torch.randn(rows, width)
            assert torch.allclose(torch.softmax(x, dim=1), row_softmax(x), atol=1e-6)
            timings = {}
            for name, op in [("last dim", lambda x=x: torch.softmax(x, dim=1)),
                             ("transposed", lambda x=x: torch.softmax(x.t(), dim=0).t())]:
                rounds = []
                for _ in range(5):
                    start = time.perf_counter()
                    for _ in range(repeats):
                        op()
                    rounds.append((time.perf_counter() - start) / repeats * 1e6)
                timings[name] = statistics.median(rounds)
            print(f"{rows} x {width}: softmax over the last dim {timings['last dim']:.1f} us, "
                  f"transposed {timings['transposed']:.1f} us "
                  f"({timings['last dim'] / timings['transposed']:.1f}x)")
    finally:
        torch.set_num_threads(previous)


# operations that only make a new view of a tensor (no kernel runs)
VIEW_OPS = {"t", "view", "slice", "detach", "expand", "as_strided", "transpose",
            "unsqueeze", "squeeze", "select", "alias", "_reshape_alias", "permute",
            "unbind", "split", "split_with_sizes", "chunk", "narrow"}


def cheapest_seconds(n=20_000):
    """Seconds per call of torch's cheapest operations: a view (``x.t()``)
    and a kernel (``x.add_(1)`` on a one-element tensor). Every operation
    pays at least its kind's dispatch cost."""
    x, y = torch.zeros(1), torch.zeros(2, 2)
    result = []
    for op in (y.t, lambda: x.add_(1)):
        for _ in range(1000):
            op()
        start = time.perf_counter()
        for _ in range(n):
            op()
        result.append((time.perf_counter() - start) / n)
    return tuple(result)


def replay_products(products, repeats=20):
    """Seconds to run ``products`` once (median of ``repeats``), on random
    tensors of the recorded shapes, with one thread (the samplers' default)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        calls = [(getattr(torch, name), [torch.randn(shape) for shape in shapes])
                 for name, shapes in products]
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            for op, tensors in calls:
                op(*tensors)
            times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(previous)
    return statistics.median(times)


if __name__ == "__main__":
    main()
