"""``python -m imblearn_gan.bench [options]`` runs the benchmark; the
``imblearn-gan`` console script calls :func:`main` (``imblearn-gan bench
[options]``). Both live in :mod:`imblearn_gan.bench._cli`."""

import sys

from ._cli import main, parse_args, run_bench

__all__ = ["main", "parse_args", "run_bench"]

if __name__ == "__main__":  # python -m imblearn_gan.bench [options]
    sys.exit(run_bench(prog="python -m imblearn_gan.bench"))
