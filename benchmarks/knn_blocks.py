"""Same-class neighbour search: automatic cache-sized blocks against 1,024-row blocks.

``backend.neighbors.kneighbors`` computes distances block by block. Blocks of
1,024 query rows against a 9,000-row class write 37 MiB of distances that
``topk`` then reads back; the automatic block keeps at most 2**20 distances
(4 MiB). This script checks that both give identical neighbour tables on every
bundled dataset in the three ``neighbor_scaling`` metrics and on the 10,000-row
table of ``speed.py``, then times ``same_class_neighbors`` on that table
(two interleaved rounds of 5 runs each, median of 10; one torch thread). Reproduce::

    PYTHONPATH=. python benchmarks/knn_blocks.py

(about a minute). Writes benchmarks/results/knn_blocks.md.
"""

import statistics
import time
from pathlib import Path

import numpy as np
import torch
from speed import make_table

from imblearn_gan import GANOverSampler
from imblearn_gan.backend.encoding import TabularEncoder
from imblearn_gan.backend.neighbors import same_class_neighbors
from imblearn_gan.datasets import list_datasets, load_dataset

RESULTS = Path(__file__).parent / "results"


def spaces(X, y):
    defaults = GANOverSampler().get_params()
    encoder = TabularEncoder(defaults["categorical_features"],
                             defaults["numeric_encoding"]).fit(X)
    labels = torch.as_tensor(np.unique(y, return_inverse=True)[1])
    for scaling in ("minmax", "standard", None):
        Z = torch.as_tensor(np.asarray(encoder.neighbor_space(X, scaling)), dtype=torch.float32)
        yield scaling, Z, labels


def main():
    torch.set_num_threads(1)
    cases = [(name, *load_dataset(name, as_frame=True)) for name in list_datasets()]
    cases.append(("speed.py table, 10,000 rows", *make_table(10000)))
    lines = ["| table | rows | largest class | metrics with identical neighbours |",
             "|---|--:|--:|---|"]
    for name, X, y in cases:
        same = [str(scaling) for scaling, Z, labels in spaces(X, y)
                if torch.equal(same_class_neighbors(Z, labels, 5, chunk_size=1024),
                               same_class_neighbors(Z, labels, 5))]
        lines.append(f"| {name} | {len(y)} | {np.bincount(np.unique(y, return_inverse=True)[1]).max()} "
                     f"| {', '.join(same) or 'NONE'} of 3 |")
    _, Z, labels = next(spaces(*cases[-1][1:]))
    timings = {}
    for label, chunk in [("1,024-row blocks", 1024), ("automatic blocks", None)] * 2:
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            same_class_neighbors(Z, labels, 5, chunk_size=chunk)
            runs.append(time.perf_counter() - start)
        timings.setdefault(label, []).extend(runs)
    lines += ["", "| search on the 10,000-row table (min-max metric) | median s | min s |",
              "|---|--:|--:|"]
    lines += [f"| {label} | {statistics.median(v):.3f} | {min(v):.3f} |"
              for label, v in timings.items()]
    text = ("<!-- written by benchmarks/knn_blocks.py -->\n"
            "# Neighbour search: automatic blocks vs 1,024-row blocks\n\n" + "\n".join(lines) + "\n")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "knn_blocks.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
