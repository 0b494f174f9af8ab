"""A picture of generated digits: real ones above, a neural sampler's below.

Reproduce the published pictures and numbers from the repository root::

    PYTHONPATH=. python benchmarks/digits_picture.py
    PYTHONPATH=. python benchmarks/digits_picture.py --sampler vae --digit 1

The first fits ``GANOverSampler(random_state=0)`` (every other parameter at
its default) on all 10 classes of scikit-learn's digits, draws
``docs/_static/digits_3.png`` and writes ``benchmarks/results/digits_picture.json``;
the second fits ``VAEOverSampler(random_state=0)`` and draws '1's into
``docs/_static/digits_1_vae.png`` and ``benchmarks/results/vae_digits_1.json``
(other combinations: ``docs/_static/digits_<digit>_<sampler>.png`` and
``results/<sampler>_digits_<digit>.json``). A smoke test of the
script (seconds, the picture is noise)::

    PYTHONPATH=. python benchmarks/digits_picture.py --epochs 2 \\
        --out /tmp/digits_3.png --json /tmp/digits_picture.json

What is measured
----------------
One class-conditional model learns the ten digits (1,797 rows of 8 x 8 pixels,
values 0..16); ``sample(n, y=digit)`` then draws ``--n-samples`` of them.

- Not copies: for each generated digit, the Euclidean distance (in pixel
  units) to its nearest real one, against each real digit's distance to its
  nearest *other* real one of the class. Generated rows no nearer to the data than the data is to
  itself are new digits, not copies; the count of exact copies (distance 0)
  is given too.
- Still the digit: the fraction of generated digits that a logistic
  regression trained on all real digits labels as the digit; for reference,
  the fraction of real ones labelled so by the same model under 5-fold
  cross-validation.
"""

import argparse
import sys

import numpy as np
from _common import RESULTS_DIR, machine, markdown_table, timed, write_json
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from imblearn_gan import GANOverSampler, VAEOverSampler

SAMPLERS = {"gan": GANOverSampler, "vae": VAEOverSampler}
DOCS_DIR = RESULTS_DIR.parent.parent / "docs" / "_static"


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
    parser.add_argument("--sampler", choices=list(SAMPLERS), default="gan")
    parser.add_argument("--digit", type=int, default=3, choices=range(10))
    parser.add_argument("--epochs", type=int, default=None,
                        help="the sampler's epochs (default: the sampler's default)")
    parser.add_argument("--seed", type=int, default=0, help="random_state of the sampler")
    parser.add_argument("--n-samples", type=int, default=500,
                        help="generated digits for the statistics")
    parser.add_argument("--cols", type=int, default=10, help="digits per picture row")
    parser.add_argument("--rows", type=int, default=2, help="picture rows per group")
    parser.add_argument("--out", default=None,
                        help="PNG path (default: docs/_static/digits_3.png for the GAN's '3's, "
                             "docs/_static/digits_<digit>_<sampler>.png otherwise)")
    parser.add_argument("--json", default=None,
                        help="JSON path (default: results/digits_picture.json for the "
                             "GAN's '3's, results/<sampler>_digits_<digit>.json otherwise)")
    args = parser.parse_args(argv)
    published = args.sampler == "gan" and args.digit == 3  # the first picture's paths
    if args.out is None:
        args.out = str(DOCS_DIR / ("digits_3.png" if published
                                   else f"digits_{args.digit}_{args.sampler}.png"))
    if args.json is None:
        args.json = str(RESULTS_DIR / ("digits_picture.json" if published
                                       else f"{args.sampler}_digits_{args.digit}.json"))
    return args


def main(argv=None):
    from pathlib import Path

    args = parse_args(argv)
    meta = machine()
    X, y = load_digits(return_X_y=True)
    extra = {} if args.epochs is None else {"epochs": args.epochs}
    digit = args.digit
    sampler = SAMPLERS[args.sampler](random_state=args.seed, **extra)
    print(f"fitting {sampler!r} ...", file=sys.stderr, flush=True)
    fit_s, _ = timed(sampler.fit, X, y)
    n_show = args.rows * args.cols
    fake = sampler.sample(max(args.n_samples, n_show), y=digit, random_state=args.seed)
    real = X[y == digit]

    gen_nn = nearest_distances(fake, real)
    real_nn = nearest_distances(real, real, exclude_self=True)
    copies = int(np.sum(nearest_distances(fake, X) == 0))
    model = classifier().fit(X, y)
    as_digit = float(np.mean(model.predict(fake) == digit))
    cv_pred = cross_val_predict(classifier(), X, y, cv=5)
    real_as_digit = float(np.mean(cv_pred[y == digit] == digit))

    rng = np.random.default_rng(args.seed)
    shown_real = real[rng.choice(len(real), n_show, replace=False)]
    epochs = len(sampler.history_)  # epochs run (the parameter may be "auto")
    title = (f"Digit {digit}: real (top) vs generated by {type(sampler).__name__} (bottom)\n"
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
    if hasattr(sampler, "near_copy_rate_"):  # the VAE's own probe, at copy_threshold
        stats["near_copy_rate_attr"] = sampler.near_copy_rate_[digit]
    print(f"### Generated '{digit}'s: {len(fake)} rows, epochs={epochs}, "
          f"fit {fit_s:.1f} s\n")
    print(markdown_table(
        ["rows", f"distance to nearest real '{digit}': mean", "median", "min"],
        [[f"generated '{digit}'s", *stats["generated_to_nearest_real"].values()],
         [f"real '{digit}'s (nearest other real)",
          *stats["real_to_nearest_other_real"].values()]]))
    print()
    print(markdown_table(
        ["measure", "value"],
        [["exact copies of a training row", f"{copies} / {len(fake)}"],
         [f"generated labelled '{digit}' by LogisticRegression", as_digit],
         [f"real '{digit}'s labelled '{digit}' (5-fold CV, reference)", real_as_digit]]))
    result = {"machine": meta, "params": sampler.get_params(), "fit_s": fit_s,
              "n_generated": len(fake), "picture": str(path), **stats}
    json_path = write_json(result, args.json)
    print(f"\nwrote {path} and {json_path}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
