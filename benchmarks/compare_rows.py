"""Two rows files of ``quality.py`` (or the CLI), compared value by value.

Tells whether a re-run reproduces a published run: per sampler, how many
(dataset, classifier, fold, metric) score values differ and by how much
(``fit_time`` left out). For example, whether seed 0 of the published GAN
comparison reproduces on glass2::

    PYTHONPATH=. python benchmarks/quality.py --datasets glass2 --out /tmp/check
    python benchmarks/compare_rows.py benchmarks/results/quality_rows.csv /tmp/check/quality_rows.csv

Results reproduce bit for bit on one kind of CPU; another CPU's matrix
kernels round differently, which moves the neural samplers' scores.

Only the rows present in both files are compared.
"""

import argparse

import pandas as pd

KEY = ["dataset", "sampler", "classifier", "repeat", "fold", "metric"]


def compare(old, new):
    """Per sampler: values compared, values that differ, largest difference."""
    both = old.merge(new, on=[k for k in KEY if k in old and k in new],
                     suffixes=("_old", "_new"))
    both = both[both["metric"] != "fit_time"]
    diff = (both["value_old"] - both["value_new"]).abs()
    return (both.assign(diff=diff).groupby("sampler")["diff"]
            .agg(compared="size", differ=lambda d: int((d > 0).sum()), largest="max"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    args = parser.parse_args(argv)
    print(compare(pd.read_csv(args.old), pd.read_csv(args.new)).to_markdown())


if __name__ == "__main__":
    main()
