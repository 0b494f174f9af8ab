"""BaseGenerativeOverSampler: encode -> train -> sample -> decode.

The neural over-samplers (GAN, VAE) share everything here and differ only in
``_train`` (networks and step function) and ``_generate_encoded``.
"""

import numbers
from abc import abstractmethod
from contextlib import contextmanager

import numpy as np
import torch
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .backend import TabularEncoder, make_torch_generator, resolve_device, torch_threads
from .exceptions import InputError, TrainingDivergedError
from .utils._compat import _fit_context
from .utils._validation import (
    check_class_sizes,
    check_mixed_X_y,
    check_sample_weight,
    plain_label,
)
from .utils._weights import SampleWeightMixin, generated_weights


class BaseGenerativeOverSampler(SampleWeightMixin, BaseOverSampler):
    """Base class of the neural over-samplers. Not for direct use.

    ``fit(X, y)`` trains one class-conditional model; ``fit_resample`` also
    appends the rows ``sampling_strategy`` asks for; ``sample(n, y=label)``
    generates rows of a class after ``fit``.

    Sample weights (docs/weights.md): ``fit_resample(X, y, sample_weight=w)``
    sets ``sample_weight_``: the original rows keep ``w``, generated rows get
    the mean ``w`` of their class (all ones without ``w``). Unequal weights
    also reach training: ``_train`` gets ``row_weights`` and minibatch rows
    are drawn with probability proportional to their weight.
    """

    _min_class_samples = 2
    # epochs="auto": enough epochs for about this many minibatch updates, so
    # a 200-row table trains as long as a 2,000-row one
    _auto_updates = 500

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "numeric_encoding": [StrOptions({"standard", "quantile", "mode"})],
        "neighbor_scaling": [StrOptions({"minmax", "standard"}), None],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "device": [str, torch.device],
        "n_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        # categorical stays False: in scikit-learn it marks estimators whose
        # input *is* integer-coded categories (OneHotEncoder, CategoricalNB);
        # estimators that also accept categorical columns, such as
        # HistGradientBoosting or SMOTENC, leave it unset.
        tags.input_tags.allow_nan = False
        return tags

    def _check_X_y(self, X, y):
        return check_mixed_X_y(self, X, y)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the class-conditional model on ``X, y`` without resampling.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights; heavier rows are drawn more often in training.

        Returns
        -------
        self : object
        """
        check_classification_targets(y)
        with self._unfitted_on_error():
            X, y, _ = self._check_X_y(X, y)
            self.sampling_strategy_ = check_sampling_strategy(
                self.sampling_strategy, y, self._sampling_type
            )
            self._fit_model(X, y, check_sample_weight(sample_weight, len(y)))
        return self

    def _fit_resample(self, X, y, sample_weight=None):
        with self._unfitted_on_error():
            weights = check_sample_weight(sample_weight, len(y))
            self._fit_model(X, y, weights)
            X_parts, y_parts = [X], [y]
            for label, n_new in self.sampling_strategy_.items():
                if n_new > 0:
                    X_parts.append(self._sample(n_new, label, self._sample_rng))
                    y_parts.append(np.full(n_new, label, dtype=y.dtype))
            y_res = np.concatenate(y_parts)
            self.sample_weight_ = np.concatenate(
                [weights, generated_weights(weights, y, y_res[len(y):])]
            )
        return _stack(X_parts), y_res

    def _fit_model(self, X, y, weights):
        """Encode, train, and set every fitted attribute at the end.

        ``fit`` and ``_fit_resample`` run it inside ``_unfitted_on_error``.
        """
        fitted = self._train_model(X, y, weights)
        for name, value in fitted.items():
            setattr(self, name, value)

    @contextmanager
    def _unfitted_on_error(self):
        """A fit that fails or is interrupted (KeyboardInterrupt, a diverging
        loss) leaves the sampler unfitted: no fitted attribute survives, not
        even those of an earlier fit (``n_features_in_`` and
        ``sampling_strategy_`` already describe the new data by then)."""
        try:
            yield
        except BaseException:
            for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
                delattr(self, name)
            self.__dict__.pop("_sample_rng", None)
            raise

    def _check_params(self):
        """Checks the declarative constraints cannot express (subclasses)."""

    def _train_model(self, X, y, weights):
        """Encode and train; return the fitted attributes (set by the caller)."""
        self._check_params()
        rng = check_random_state(self.random_state)
        device = resolve_device(self.device)
        classes, y_index, counts = np.unique(y, return_inverse=True, return_counts=True)
        check_class_sizes(
            classes, counts, self.sampling_strategy_, self._min_class_samples,
            type(self).__name__,
        )
        encoder = TabularEncoder(
            self.categorical_features, self.numeric_encoding,
            random_state=rng.randint(2**31 - 1),
        ).fit(X)
        Z = torch.as_tensor(encoder.transform(X), device=device)
        # the rows' neighbours (anchored GAN, interpolating VAE) are found in
        # this metric; z-scores of the standard encoding are Z itself, so that
        # case shares Z instead of holding a second copy of the table
        if not self._uses_neighbors():
            space = None
        elif self.neighbor_scaling == "standard" and self.numeric_encoding == "standard":
            space = Z
        else:
            space = torch.as_tensor(encoder.neighbor_space(X, self.neighbor_scaling),
                                    device=device)
        labels = torch.as_tensor(y_index, device=device)
        # equal weights keep the shuffled epochs (and the output) of an unweighted fit
        uniform = np.all(weights == weights[0])
        extra = {} if uniform else {"row_weights": torch.as_tensor(weights, device=device)}
        forked = [device] if device.type == "cuda" else []
        with torch_threads(self.n_threads if device.type == "cpu" else None), \
                torch.random.fork_rng(devices=forked):
            # weight init (nn.Linear) draws from torch's global RNG only: seed
            # it from our stream inside a fork, so the caller's state is kept
            torch.manual_seed(int(rng.randint(2**31 - 1)))
            torch_gen = make_torch_generator(rng, device)
            fitted = self._train(Z, labels, len(classes), encoder.spans_, torch_gen,
                                 space, **extra)
        for module in fitted.values():
            if isinstance(module, torch.nn.Module):
                module.to("cpu").eval()  # fitted nets live on the CPU: pickle anywhere
        fitted.update(
            device_=device, encoder_=encoder, classes_=classes,
            class_counts_=counts, _sample_rng=rng,
        )
        return fitted

    def sample(self, n_samples, y=None, random_state=None):
        """Generate rows of one class (or of given classes) after ``fit``.

        Parameters
        ----------
        n_samples : int
            Number of rows to generate.
        y : label or array-like of shape (n_samples,), default=None
            Class of the rows: one label for all of them, or one per row.
            ``None`` means the smallest class seen in ``fit``.
        random_state : int, RandomState instance or None, default=None
            Seed of the draws. ``None`` continues the fitted sampler's own
            stream, so successive calls return different rows.

        Returns
        -------
        X_new : ndarray or DataFrame of shape (n_samples, n_features)
            Same layout, dtypes and categories as the ``X`` given to ``fit``.
        """
        check_is_fitted(self, "encoder_")
        if not isinstance(n_samples, numbers.Integral) or n_samples < 0:
            raise InputError(f"n_samples must be a non-negative int. Got {n_samples!r}.")
        if y is None:
            y = self.classes_[np.argmin(self.class_counts_)]
        rng = self._sample_rng if random_state is None else check_random_state(random_state)
        labels = np.asarray(y)
        if labels.ndim == 0:
            return self._sample(n_samples, labels.item(), rng)
        if labels.shape != (n_samples,):
            raise InputError(
                f"y must be one label or {n_samples} labels. Got shape {labels.shape}."
            )
        parts = {label: self._sample(int(np.sum(labels == label)), label, rng)
                 for label in np.unique(labels)}
        order = np.argsort(np.argsort(labels, kind="stable"), kind="stable")
        return _take(_stack([parts[label] for label in np.unique(labels)]), order)

    def _sample(self, n_samples, label, rng):
        matches = np.flatnonzero(self.classes_ == label)
        if matches.size == 0:
            label = plain_label(label)
            raise InputError(
                f"Unknown class {label!r}: the sampler was fitted on classes "
                f"{self.classes_.tolist()}."
            )
        with torch.no_grad(), torch_threads(self.n_threads):
            torch_gen = make_torch_generator(rng)
            Z = self._generate_encoded(n_samples, int(matches[0]), torch_gen)
        if not np.all(np.isfinite(Z)):
            # decoding would turn NaN into wrong categories and integers
            raise TrainingDivergedError(
                f"The generator of {type(self).__name__} produced NaN or infinite "
                "values; its weights are not finite. Refit with a lower learning_rate."
            )
        return self.encoder_.inverse_transform(Z)

    def plot_history(self, path=None, ax=None):
        """Plot ``history_`` (losses and discriminator outputs) to a PNG.

        Needs matplotlib (``pip install imblearn-gan[plot]``). See
        :func:`imblearn_gan.plotting.plot_history`.
        """
        from .plotting import plot_history

        check_is_fitted(self, "history_")
        return plot_history(self.history_, path=path, ax=ax,
                            title=type(self).__name__)

    def _n_epochs(self, n_rows):
        """Resolve ``epochs``; ``"auto"`` targets ``_auto_updates`` minibatches."""
        if self.epochs != "auto":
            return self.epochs
        batches_per_epoch = -(-n_rows // min(self.batch_size, n_rows))  # as loop.train
        return max(1, -(-self._auto_updates // batches_per_epoch))

    @abstractmethod
    def _uses_neighbors(self):
        """Whether ``_train`` searches same-class neighbours (in ``space``)."""

    @abstractmethod
    def _train(self, Z, labels, n_classes, spans, torch_gen, space, row_weights=None):
        """Train on encoded rows; return a dict of fitted attributes
        (networks, ``history_``). ``space`` holds the same rows as ``Z`` in
        the ``neighbor_scaling`` metric, for finding same-class neighbours
        (``None`` when ``_uses_neighbors()`` is false).
        ``row_weights`` (a float64 tensor, given
        only when the sample weights are unequal) goes to
        ``backend.loop.train``, which then draws rows in proportion to it."""

    @abstractmethod
    def _generate_encoded(self, n_samples, class_index, torch_gen):
        """Return ``n_samples`` encoded rows (ndarray) of one class."""


def _stack(parts):
    if hasattr(parts[0], "iloc"):
        import pandas as pd

        return pd.concat(parts, ignore_index=True)
    return np.concatenate(parts, axis=0)


def _take(X, order):
    return X.iloc[order].reset_index(drop=True) if hasattr(X, "iloc") else X[order]
