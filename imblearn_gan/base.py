"""BaseGenerativeOverSampler: encode -> train -> sample -> decode.

The neural over-samplers (GAN, VAE) share everything here: the training
rows, their same-class neighbour table, row weights, sampling and the
near-copy guard. They differ only in ``_train`` (networks and step function)
and ``_generate_encoded``.
"""

import copy
import numbers
import warnings
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
from .backend.copies import closest_record_distances, near_copy_rate, nn_distance_scale
from .backend.loop import resolve_epochs
from .backend.neighbors import same_class_neighbors
from .exceptions import InputError, TrainingDivergedError
from .utils._compat import _fit_context
from .utils._validation import (
    check_class_sizes,
    check_mixed_X_y,
    check_sample_weight,
    plain_label,
    stack_rows,
    take_rows,
)
from .utils._weights import SampleWeightMixin, generated_weights


class BaseGenerativeOverSampler(SampleWeightMixin, BaseOverSampler):
    """Base class of the neural over-samplers. Not for direct use.

    ``fit(X, y)`` trains one class-conditional model; ``fit_resample`` also
    appends the rows ``sampling_strategy`` asks for; ``sample(n, y=label)``
    generates rows of a class after ``fit``.

    Sample weights: ``fit_resample(X, y, sample_weight=w)`` sets
    ``sample_weight_``: the original rows keep ``w``, generated rows get the
    mean ``w`` of their class (all ones without ``w``). Unequal weights also
    reach training (``_train`` gets ``row_weights``; minibatch rows are drawn
    in proportion to them) and generation (the training rows a generated row
    starts from are drawn in proportion to them).

    Near-copy guard: after training, ``near_copy_rate_`` measures how often
    unguarded draws fall closer than ``copy_threshold`` x the class's median
    nearest-neighbour distance to a training row; ``drop_copies=True`` drops
    such rows and draws again.
    """

    _min_class_samples = 2
    _max_guard_rounds = 10
    # epochs="auto": enough epochs for about this many minibatch updates, so
    # a 200-row table trains as long as a 2,000-row one
    _auto_updates = 500

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "numeric_encoding": [StrOptions({"standard", "quantile", "mode"})],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "neighbor_scaling": [StrOptions({"minmax", "standard"}), None],
        "copy_threshold": [Interval(numbers.Real, 0, None, closed="left")],
        "drop_copies": ["boolean"],
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
            The fitted sampler.

        Examples
        --------
        >>> from imblearn_gan import GANOverSampler
        >>> from imblearn_gan.datasets import load_dataset
        >>> X, y = load_dataset("glass2")
        >>> gan = GANOverSampler(epochs=5, random_state=0).fit(X, y)
        >>> gan.classes_.tolist(), gan.class_counts_.tolist()
        ([0, 1], [197, 17])
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
        return stack_rows(X_parts), y_res

    def _fit_model(self, X, y, weights):
        """Encode, train, and set every fitted attribute at the end.

        ``fit`` and ``_fit_resample`` run it inside ``_unfitted_on_error``.
        """
        fitted = self._train_model(X, y, weights)
        for name, value in fitted.items():
            setattr(self, name, value)
        self.near_copy_rate_ = self._probe_near_copies()

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
        labels = torch.as_tensor(y_index, device=device)
        # equal weights keep the shuffled epochs (and the output) of an unweighted fit
        uniform = np.all(weights == weights[0])
        extra = {} if uniform else {"row_weights": torch.as_tensor(weights, device=device)}
        forked = [device] if device.type == "cuda" else []
        with torch_threads(self.n_threads if device.type == "cpu" else None), \
                torch.random.fork_rng(devices=forked):
            neighbors = self._same_class_neighbors(encoder, X, Z, labels)
            # weight init (nn.Linear) draws from torch's global RNG only: seed
            # it from our stream inside a fork, so the caller's state is kept
            torch.manual_seed(int(rng.randint(2**31 - 1)))
            torch_gen = make_torch_generator(rng, device)
            fitted = self._train(Z, labels, len(classes), encoder.spans_, torch_gen,
                                 neighbors, **extra)
            # the near-copy guard's scale: each class's median spacing
            copy_scale = np.array([nn_distance_scale(Z[labels == k])
                                   for k in range(len(classes))])
        for module in fitted.values():
            if isinstance(module, torch.nn.Module):
                module.to("cpu").eval()  # fitted nets live on the CPU: pickle anywhere
        fitted.update(
            device_=device, encoder_=encoder, classes_=classes,
            class_counts_=counts, _sample_rng=rng,
            train_encoded_=Z.cpu().numpy(), train_labels_=y_index,
            train_weights_=None if uniform else weights,
            neighbors_=None if neighbors is None else neighbors.cpu().numpy(),
            copy_scale_=copy_scale,
        )
        return fitted

    def _same_class_neighbors(self, encoder, X, Z, labels):
        """Each training row's ``n_neighbors`` nearest rows of its class, in
        the ``neighbor_scaling`` metric (``None`` when ``_uses_neighbors()``
        is false). z-scores of the standard encoding are ``Z`` itself, so
        that case searches ``Z`` instead of a second copy of the table."""
        if not self._uses_neighbors():
            return None
        if self.neighbor_scaling == "standard" and self.numeric_encoding == "standard":
            space = Z
        else:
            space = torch.as_tensor(encoder.neighbor_space(X, self.neighbor_scaling),
                                    device=Z.device)
        return same_class_neighbors(space, labels, self.n_neighbors)

    def _draw_rows(self, class_index, n_samples, torch_gen):
        """Indices of ``n_samples`` training rows of one class, drawn with
        replacement: uniformly, or in proportion to unequal sample weights."""
        rows = torch.as_tensor(np.flatnonzero(self.train_labels_ == class_index))
        weights = self.train_weights_
        if weights is None or not weights[rows.numpy()].any():
            return rows[torch.randint(rows.numel(), (n_samples,), generator=torch_gen)]
        draw = torch.multinomial(torch.as_tensor(weights[rows.numpy()]), n_samples,
                                 replacement=True, generator=torch_gen)
        return rows[draw]

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

        Examples
        --------
        >>> from imblearn_gan import VAEOverSampler
        >>> from imblearn_gan.datasets import load_dataset
        >>> X, y = load_dataset("glass2")
        >>> vae = VAEOverSampler(epochs=5, random_state=0).fit(X, y)
        >>> vae.sample(4, y=1).shape
        (4, 9)
        >>> vae.sample(3, y=[0, 1, 1], random_state=0).shape
        (3, 9)
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
        return take_rows(stack_rows([parts[label] for label in np.unique(labels)]), order)

    def _sample(self, n_samples, label, rng):
        """Rows of class ``label``; with ``drop_copies``, none closer than the
        near-copy threshold to a training row (see ``_sample_far_rows``)."""
        class_index = self._class_index(label)
        if not self.drop_copies or n_samples == 0:
            return self._generate(n_samples, class_index, rng)
        threshold = self.copy_threshold * self.copy_scale_[class_index]
        return self._sample_far_rows(n_samples, class_index, threshold, rng)

    def _class_index(self, label):
        matches = np.flatnonzero(self.classes_ == label)
        if matches.size == 0:
            label = plain_label(label)
            raise InputError(
                f"Unknown class {label!r}: the sampler was fitted on classes "
                f"{self.classes_.tolist()}."
            )
        return int(matches[0])

    def _generate(self, n_samples, class_index, rng):
        """Decoded rows of one class, drawn from the fitted model (no guard)."""
        with torch.no_grad(), torch_threads(self.n_threads):
            torch_gen = make_torch_generator(rng)
            Z = self._generate_encoded(n_samples, class_index, torch_gen)
        if not np.all(np.isfinite(Z)):
            # decoding would turn NaN into wrong categories and integers
            raise TrainingDivergedError(
                f"The generator of {type(self).__name__} produced NaN or infinite "
                "values; its weights are not finite. Refit with a lower learning_rate."
            )
        return self.encoder_.inverse_transform(Z)

    # -- near-copies ---------------------------------------------------------

    def _probe_near_copies(self):
        """Near-copy rate of unguarded draws, per class label. The probe
        draws from a copy of the sampling stream, so it leaves the rows that
        ``fit_resample`` and ``sample`` return unchanged."""
        rng = copy.deepcopy(self._sample_rng)
        rates = {}
        # up to 1,000 draws per class; fewer (at least 200) on tables of over
        # 268,435 rows, so that draws x training rows stay within 2**28
        cap = min(1000, max(200, 2**28 // len(self.train_labels_)))
        for k, label in enumerate(self.classes_):
            n = int(np.clip(self.class_counts_[k], 50, cap))
            X_new = self._generate(n, k, rng)
            threshold = self.copy_threshold * self.copy_scale_[k]
            with torch_threads(self.n_threads):
                rates[plain_label(label)] = near_copy_rate(
                    self.encoder_.transform(X_new), self.train_encoded_, threshold)
        return rates

    def _sample_far_rows(self, n_samples, class_index, threshold, rng):
        """Draw, drop rows closer than ``threshold`` to a training row, repeat."""
        kept, n_kept, n_drawn, n_far = [], 0, 0, 0
        for _ in range(self._max_guard_rounds):
            need = n_samples - n_kept
            if need == 0:
                break
            # draw enough for the acceptance rate seen so far (floor 5%)
            accept = max(n_far / n_drawn, 0.05) if n_drawn else 1.0
            n_draw = min(int(np.ceil(1.2 * need / accept)) + 2, 20 * need + 10)
            X_new = self._generate(n_draw, class_index, rng)
            with torch_threads(self.n_threads):
                dist = closest_record_distances(self.encoder_.transform(X_new),
                                                self.train_encoded_)
            far = np.flatnonzero(dist >= threshold)
            n_drawn, n_far = n_drawn + n_draw, n_far + far.size
            kept.append(take_rows(X_new, far[:need]))
            n_kept += min(far.size, need)
        if n_kept < n_samples:
            need = n_samples - n_kept
            label = plain_label(self.classes_[class_index])
            warnings.warn(
                f"{type(self).__name__} kept {n_kept} of {n_samples} rows of class "
                f"{label!r} after {self._max_guard_rounds} rounds: only {n_far} of "
                f"{n_drawn} draws were at least copy_threshold={self.copy_threshold} x "
                "the class's nearest-neighbour distance from every training row. The "
                f"{need} least close near-copies fill the gap. Lower copy_threshold, "
                "or train fewer epochs.", UserWarning, stacklevel=4)
            # farthest first: the far rows (all taken), then the least close copies
            farthest_first = np.argsort(-dist, kind="stable")
            kept.append(take_rows(X_new, farthest_first[far.size : far.size + need]))
        return stack_rows(kept)

    def plot_history(self, path=None, ax=None):
        """Plot ``history_`` (losses and discriminator outputs) to a PNG.

        Needs matplotlib (``pip install imblearn-gan[plot]``).

        Parameters
        ----------
        path : str or path-like, default=None
            Where to save the figure as PNG. ``None`` only returns it.
        ax : sequence of matplotlib Axes, default=None
            Axes to draw on; new ones otherwise.

        Returns
        -------
        fig : matplotlib.figure.Figure
            The figure (see :func:`imblearn_gan.plotting.plot_history`).

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from imblearn_gan import GANOverSampler
        >>> from imblearn_gan.datasets import load_dataset
        >>> X, y = load_dataset("glass2")
        >>> gan = GANOverSampler(epochs=3, random_state=0).fit(X, y)
        >>> fig = gan.plot_history()
        >>> len(fig.axes)  # losses; the critic's scores on real and fake rows
        2
        >>> plt.close(fig)
        """
        from .plotting import plot_history

        check_is_fitted(self, "history_")
        return plot_history(self.history_, path=path, ax=ax,
                            title=type(self).__name__)

    def _n_epochs(self, n_rows):
        """Resolve ``epochs``; ``"auto"`` targets ``_auto_updates`` minibatches."""
        return resolve_epochs(self.epochs, n_rows, self.batch_size, self._auto_updates)

    @abstractmethod
    def _uses_neighbors(self):
        """Whether the sampler needs each row's same-class neighbours."""

    @abstractmethod
    def _train(self, Z, labels, n_classes, spans, torch_gen, neighbors, row_weights=None):
        """Train on encoded rows; return a dict of fitted attributes
        (networks, ``history_``). ``neighbors`` (n_samples, n_neighbors) holds
        each row's same-class neighbours (``None`` when ``_uses_neighbors()``
        is false). ``row_weights`` (a float64 tensor, given only when the
        sample weights are unequal) goes to ``backend.loop.train``, which then
        draws rows in proportion to it."""

    @abstractmethod
    def _generate_encoded(self, n_samples, class_index, torch_gen):
        """Return ``n_samples`` encoded rows (ndarray) of one class."""

