"""Time the default ``GANOverSampler().fit_resample`` on the 1,000 x 10 problem.

``make_classification(n_samples=1000, n_features=10, weights=[0.9])``, one
untimed warm-up fit, then ``--repeats`` timed fits; prints which package was
imported and the seconds of each fit::

    PYTHONPATH=. python benchmarks/fit_small.py

``--params`` times the same fit with other parameters (JSON), e.g. larger
minibatches and fewer updates::

    PYTHONPATH=. python benchmarks/fit_small.py --repeats 3 --params '{"batch_size": 512, "epochs": 125}'

``--speed-table`` times ``speed.py``'s fit instead (10,000 x 20 mixed table,
10 epochs at batch 500), without CTGAN. To compare two versions of the
package, run the script once with each on ``PYTHONPATH``, interleaved, on the
same machine.
"""

import argparse
import json
import time

from sklearn.datasets import make_classification

import imblearn_gan
from imblearn_gan import GANOverSampler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--speed-table", action="store_true",
                        help="time speed.py's fit instead: 10,000 x 20 mixed table, "
                             "10 epochs at batch 500 (no CTGAN)")
    parser.add_argument("--params", type=json.loads, default={},
                        help='other sampler parameters for the 1,000 x 10 fit, as JSON, '
                             'e.g. \'{"batch_size": 512, "epochs": 125}\'')
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    main()
