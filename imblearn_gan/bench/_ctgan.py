"""CTGAN and TVAE (the ``ctgan`` package) as imbalanced-learn over-samplers.

They are peers to compare with, not part of the package's API: CTGAN and
TVAE are unconditional synthesizers with no class-balancing interface, so the
benchmark trains one model per class to grow, on that class's rows of the
training fold, and samples the rows ``sampling_strategy`` asks for.
"""

import numbers
from typing import ClassVar

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ..backend import torch_threads
from ..exceptions import InputError
from ..utils._validation import check_mixed_X_y, check_sample_weight


class CTGANFamilyOverSampler(BaseOverSampler):
    """Over-sample each class with its own CTGAN or TVAE model.

    Generated rows get the mean incoming ``sample_weight`` of their class
    (1.0 without weights); kept rows keep theirs (``sample_weight_``).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        As in imbalanced-learn's over-samplers.
    random_state : int, RandomState instance or None, default=None
        Seeds each per-class model (through ctgan's own ``set_random_state``,
        which swaps and then restores the global NumPy and torch states).
    model : {'ctgan', 'tvae'}, default='ctgan'
        Which synthesizer of the ``ctgan`` package to train.
    epochs : int, default=300
        Training epochs of each model (ctgan's default).
    batch_size : int, default=500
        Minibatch size (ctgan's default; must be a multiple of CTGAN's ``pac``, 10).
    n_threads : int or None, default=1
        Torch intra-op threads while training and sampling; None leaves torch alone.
    model_params : dict or None, default=None
        Further keyword arguments of ``ctgan.CTGAN`` or ``ctgan.TVAE``.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of rows generated per class.
    sample_weight_ : ndarray of shape (n_samples_new,)
        Weight of every returned row.
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseOverSampler._parameter_constraints,
        "random_state": ["random_state"],
        "model": [StrOptions({"ctgan", "tvae"})],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "n_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "model_params": [dict, None],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, model="ctgan",
                 epochs=300, batch_size=500, n_threads=1, model_params=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.model = model
        self.epochs = epochs
        self.batch_size = batch_size
        self.n_threads = n_threads
        self.model_params = model_params

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags

    def _check_X_y(self, X, y):
        return check_mixed_X_y(self, X, y)

    def _fit_resample(self, X, y, sample_weight=None):
        import pandas as pd

        weights = check_sample_weight(sample_weight, len(y))
        frame = X if hasattr(X, "iloc") else pd.DataFrame(X, columns=[str(i) for i in range(X.shape[1])])
        discrete = [c for c in frame.columns
                    if str(frame[c].dtype) in ("category", "object", "bool")]
        rng = check_random_state(self.random_state)
        new_X, new_y, new_w = [], [], []
        for label, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            rows = frame[y == label]
            generated = self._generate(rows, discrete, n_new, int(rng.randint(2**31 - 1)))
            new_X.append(generated.astype(frame.dtypes.to_dict()))
            new_y.append(np.full(n_new, label, dtype=y.dtype))
            new_w.append(np.full(n_new, weights[y == label].mean()))
        out = pd.concat([frame, *new_X], ignore_index=True)
        self.sample_weight_ = np.concatenate([weights, *new_w])
        X_res = out if hasattr(X, "iloc") else out.to_numpy(dtype=X.dtype if X.dtype.kind in "biuf" else object)
        return X_res, np.concatenate([y, *new_y])

    def _generate(self, rows, discrete, n_new, seed):
        """Train one model on ``rows`` and sample ``n_new`` rows of its class."""
        from ctgan import CTGAN, TVAE

        if len(rows) < 2:
            raise InputError(
                f"{self.model.upper()} needs at least 2 rows of a class to learn it; "
                f"got {len(rows)}."
            )
        params = {"epochs": self.epochs, "batch_size": self.batch_size,
                  "enable_gpu": False, **(self.model_params or {})}
        model = (CTGAN if self.model == "ctgan" else TVAE)(**params)
        model.set_random_state(seed)
        with torch_threads(self.n_threads):
            model.fit(rows.reset_index(drop=True), discrete_columns=discrete)
            return model.sample(n_new)
