"""Fixed-length series as rows: a synthetic two-shape problem (``make_waves``)
and aeon's bundled classification series (``load_series``), made imbalanced."""

import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn_compat.utils._param_validation import validate_params

from ..exceptions import InputError

# aeon's classification problems that ship inside its wheel (no download)
# and hold series of one length
AEON_BUNDLED = ("ACSF1", "ArrowHead", "BasicMotions", "GunPoint", "ItalyPowerDemand", "OSULeaf")


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 4, None, closed="left")],
        "imbalance": [Interval(numbers.Real, 1, None, closed="left")],
        "n_steps": [Interval(numbers.Integral, 4, None, closed="left")],
        "noise": [Interval(numbers.Real, 0, None, closed="left")],
        "minority": [StrOptions({"sawtooth", "sine"})],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_waves(n_samples=550, *, imbalance=10, n_steps=30, noise=0.1,
               minority="sawtooth", random_state=None):
    """Sine and sawtooth waves, one series per row; the shape is the class.

    Each series is ``offset + amplitude * shape(frequency * t + phase)`` on
    ``n_steps`` equally spaced ``t`` in [0, 1), plus Gaussian noise, with
    offset ~ U(-1, 1), amplitude ~ U(0.5, 2), frequency ~ U(1, 3) cycles and
    phase ~ U(0, 1) drawn per series. ``shape`` is a sine for one class and
    a sawtooth (rising ramp from -1 to 1, then a drop) for the other. With
    random phases and offsets no single step tells the classes apart; the
    shape of the whole series does.

    Parameters
    ----------
    n_samples : int, default=550
        Number of series (rows).
    imbalance : float, default=10
        Majority rows per minority row: the minority class gets
        ``round(n_samples / (1 + imbalance))`` rows (at least 2).
    n_steps : int, default=30
        Steps per series (columns).
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to every step.
    minority : {"sawtooth", "sine"}, default="sawtooth"
        The shape of the minority class (label 1).
    random_state : int, RandomState instance or None, default=None
        Seed of every draw.

    Returns
    -------
    X : ndarray of shape (n_samples, n_steps)
        The series, float64.
    y : ndarray of shape (n_samples,)
        1 for the minority shape, 0 for the other; minority rows last.

    See Also
    --------
    load_series : Real series from aeon's bundled datasets.

    Examples
    --------
    >>> from collections import Counter
    >>> from imblearn_gan.datasets import make_waves
    >>> X, y = make_waves(n_samples=220, imbalance=10, random_state=0)
    >>> X.shape, Counter(y.tolist())
    ((220, 30), Counter({0: 200, 1: 20}))
    """
    rng = check_random_state(random_state)
    n_minority = max(2, round(n_samples / (1 + imbalance)))
    y = np.r_[np.zeros(n_samples - n_minority, dtype=int), np.ones(n_minority, dtype=int)]
    t = np.arange(n_steps) / n_steps
    offset = rng.uniform(-1, 1, (n_samples, 1))
    amplitude = rng.uniform(0.5, 2, (n_samples, 1))
    cycles = rng.uniform(1, 3, (n_samples, 1)) * t + rng.uniform(0, 1, (n_samples, 1))
    sine = np.sin(2 * np.pi * cycles)
    sawtooth = 2 * (cycles - np.floor(cycles)) - 1
    is_minority = (y == 1)[:, None]
    minority_shape, majority_shape = (sawtooth, sine) if minority == "sawtooth" else (sine, sawtooth)
    shape = np.where(is_minority, minority_shape, majority_shape)
    X = offset + amplitude * shape + noise * rng.standard_normal((n_samples, n_steps))
    return X, y


@validate_params(
    {
        "name": [str],
        "ratio": [Interval(numbers.Real, 1, None, closed="left")],
        "minority": [None, str, numbers.Integral],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def load_series(name, ratio=10, *, minority=None, random_state=0):
    """Load one of aeon's bundled classification series, made imbalanced.

    Reads the train and test splits of an equal-length problem that ships
    inside the ``aeon`` package (no download; ``pip install
    'imblearn-gan[series]'``). One class becomes the minority (label 1),
    every other class the majority (label 0), and the minority is
    subsampled to ``round(n_majority / ratio)`` rows (at least 2).
    Multichannel series are flattened channel-major: channel ``c`` at step
    ``t`` is column ``c * n_steps + t``, what ``GANOverSampler(n_channels=...)``
    reads.

    Parameters
    ----------
    name : str
        An equal-length problem bundled with aeon: ``"ACSF1"`` (1,460
        steps), ``"ArrowHead"`` (251), ``"BasicMotions"`` (6 channels x 100),
        ``"GunPoint"`` (150), ``"ItalyPowerDemand"`` (24), ``"OSULeaf"``
        (427).
    ratio : float, default=10
        Majority rows per minority row after subsampling.
    minority : str or int, default=None
        The class label (as aeon spells it) that becomes the minority; the
        first label in sorted order when None.
    random_state : int, RandomState instance or None, default=0
        Seed of the subsample.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels * n_steps)
        The series, float64.
    y : ndarray of shape (n_samples,)
        1 for the minority class, 0 for the others.

    See Also
    --------
    make_waves : A synthetic two-shape problem (no aeon needed).

    Examples
    --------
    >>> from collections import Counter
    >>> from imblearn_gan.datasets import load_series
    >>> X, y = load_series("GunPoint", ratio=10)  # doctest: +SKIP
    >>> X.shape, Counter(y.tolist())  # doctest: +SKIP
    ((110, 150), Counter({0: 100, 1: 10}))
    """
    X3d, labels = _read_aeon(name)
    classes = np.unique(labels)
    chosen = classes[0] if minority is None else str(minority)
    if chosen not in classes:
        raise InputError(
            f"Class {minority!r} is not in aeon's {name!r}; its classes are {classes.tolist()}."
        )
    y = (labels == chosen).astype(int)
    rng = check_random_state(random_state)
    n_keep = min(int(y.sum()), max(2, round((y == 0).sum() / ratio)))
    keep = np.sort(np.r_[np.flatnonzero(y == 0),
                         rng.choice(np.flatnonzero(y == 1), n_keep, replace=False)])
    return X3d[keep].reshape(len(keep), -1), y[keep]


def _read_aeon(name):
    try:
        from aeon.datasets import load_classification
    except ImportError:
        raise ImportError(
            "load_series needs aeon: pip install 'imblearn-gan[series]'."
        ) from None
    if name not in AEON_BUNDLED:
        raise InputError(
            f"Unknown bundled aeon problem {name!r}; choose from {list(AEON_BUNDLED)} "
            "(they ship inside aeon and load offline)."
        )
    X, y = load_classification(name)
    return np.asarray(X, dtype=np.float64), np.asarray(y).astype(str)
