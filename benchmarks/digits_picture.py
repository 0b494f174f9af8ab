"""A picture of generated digits: real '3's above, GANOverSampler's '3's below.

Reproduce the published picture and numbers from the repository root::

    PYTHONPATH=. python benchmarks/digits_picture.py

which fits ``GANOverSampler(random_state=0)`` (every other parameter at its
default) on all 10 classes of scikit-learn's digits, draws ``docs/digits_3.png``
and writes ``benchmarks/results/digits_picture.json``. A smoke test of the
script (seconds, the picture is noise)::

    PYTHONPATH=. python benchmarks/digits_picture.py --epochs 2 \\
        --out /tmp/digits_3.png --json /tmp/digits_picture.json

What is measured
----------------
One class-conditional model learns the ten digits (1,797 rows of 8 x 8 pixels,
values 0..16); ``sample(n, y=3)`` then draws ``--n-samples`` '3's.

- Not copies: for each generated '3', the Euclidean distance (in pixel units)
  to its nearest real '3', against each real '3''s distance to its nearest
  *other* real '3'. Generated rows no nearer to the data than the data is to
  itself are new digits, not copies; the count of exact copies (distance 0)
  is given too.
- Still '3's: the fraction of generated '3's that a logistic regression
  trained on all real digits labels '3'; for reference, the fraction of real
  '3's labelled '3' by the same model under 5-fold cross-validation.
"""

import argparse
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from _common import RESULTS_DIR, machine, markdown_table, timed, write_json

from imblearn_gan import GANOverSampler

DIGIT = 3
DOCS_DIR = RESULTS_DIR.parent.parent / "docs"


def nearest_distances(query, reference, exclude_self=False):
    """Euclidean distance of each query row to its nearest reference row."""
    d2 = ((query**2).sum(1)[:, None] - 2 * query @ reference.T + (reference**2).sum(1))
    if exclude_self:
        np.fill_diagonal(d2, np.inf)
    return np.sqrt(np.clip(d2.min(axis=1), 0, None))


def classifier():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))


def draw(real, fake, path, n_cols, n_rows, title):
    """Grid: ``n_rows`` rows of real digits, then ``n_rows`` of generated ones."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2 * n_rows, n_cols, figsize=(n_cols * 0.8, 2 * n_rows * 0.8 + 0.9))
    axes = np.atleast_2d(axes)
    for i, ax in enumerate(axes.flat):
        group, k = (real, i) if i < n_rows * n_cols else (fake, i - n_rows * n_cols)
        ax.imshow(group[k].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16,
                  interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
    for r in range(2 * n_rows):
        axes[r, 0].set_ylabel("real" if r < n_rows else "generated", fontsize=8)
    # a line between the two groups
    line_y = axes[n_rows - 1, 0].get_position().y0 - 0.01
    fig.add_artist(plt.Line2D([0.05, 0.95], [line_y, line_y], color="tab:red", lw=1.5))
    fig.suptitle(title, fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return path


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=None,
                        help="GANOverSampler epochs (default: the sampler's default)")
    parser.add_argument("--seed", type=int, default=0, help="random_state of the sampler")
    parser.add_argument("--n-samples", type=int, default=500,
                        help="generated '3's for the statistics")
    parser.add_argument("--cols", type=int, default=10, help="digits per picture row")
    parser.add_argument("--rows", type=int, default=2, help="picture rows per group")
    parser.add_argument("--out", default=str(DOCS_DIR / "digits_3.png"))
    parser.add_argument("--json", default=str(RESULTS_DIR / "digits_picture.json"))
    return parser.parse_args(argv)


def main(argv=None):
    from pathlib import Path

    args = parse_args(argv)
    meta = machine()
    X, y = load_digits(return_X_y=True)
    extra = {} if args.epochs is None else {"epochs": args.epochs}
    sampler = GANOverSampler(random_state=args.seed, **extra)
    print(f"fitting {sampler!r} ...", file=sys.stderr, flush=True)
    fit_s, _ = timed(sampler.fit, X, y)
    n_show = args.rows * args.cols
    fake = sampler.sample(max(args.n_samples, n_show), y=DIGIT, random_state=args.seed)
    real = X[y == DIGIT]

    gen_nn = nearest_distances(fake, real)
    real_nn = nearest_distances(real, real, exclude_self=True)
    copies = int(np.sum(nearest_distances(fake, X) == 0))
    model = classifier().fit(X, y)
    as_digit = float(np.mean(model.predict(fake) == DIGIT))
    cv_pred = cross_val_predict(classifier(), X, y, cv=5)
    real_as_digit = float(np.mean(cv_pred[y == DIGIT] == DIGIT))

    rng = np.random.default_rng(args.seed)
    shown_real = real[rng.choice(len(real), n_show, replace=False)]
    epochs = len(sampler.history_)  # epochs run (the parameter may be "auto")
    title = (f"Digit {DIGIT}: real (top) vs generated by GANOverSampler (bottom)\n"
             f"one conditional model of all 10 digits, epochs={epochs}, "
             f"random_state={args.seed}")
    path = draw(shown_real, fake[:n_show], Path(args.out), args.cols, args.rows, title)

    stats = {
        "generated_to_nearest_real": {"mean": float(gen_nn.mean()),
                                      "median": float(np.median(gen_nn)),
                                      "min": float(gen_nn.min())},
        "real_to_nearest_other_real": {"mean": float(real_nn.mean()),
                                       "median": float(np.median(real_nn)),
                                       "min": float(real_nn.min())},
        "exact_copies_of_a_training_row": copies,
        "generated_classified_as_digit": as_digit,
        "real_classified_as_digit_cv5": real_as_digit,
    }
    print(f"### Generated '{DIGIT}'s: {len(fake)} rows, epochs={epochs}, "
          f"fit {fit_s:.1f} s\n")
    print(markdown_table(
        ["rows", f"distance to nearest real '{DIGIT}': mean", "median", "min"],
        [[f"generated '{DIGIT}'s", *stats["generated_to_nearest_real"].values()],
         [f"real '{DIGIT}'s (nearest other real)",
          *stats["real_to_nearest_other_real"].values()]]))
    print()
    print(markdown_table(
        ["measure", "value"],
        [["exact copies of a training row", f"{copies} / {len(fake)}"],
         [f"generated labelled '{DIGIT}' by LogisticRegression", as_digit],
         [f"real '{DIGIT}'s labelled '{DIGIT}' (5-fold CV, reference)", real_as_digit]]))
    result = {"machine": meta, "params": sampler.get_params(), "fit_s": fit_s,
              "n_generated": len(fake), "picture": str(path), **stats}
    json_path = write_json(result, args.json)
    print(f"\nwrote {path} and {json_path}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
