"""BaseLatentGAN: validate -> scale -> train -> encode / decode, for BiGAN and InfoGAN.

The two latent-feature GANs share everything but their networks, their step
function and what ``transform`` reads off the trained model. Training runs
through the backend's one loop (``backend.loop.train``) with a step from
``backend.latent_steps``; device, threads and seeding follow the samplers'
policy (``backend.device``, ``backend.seeding``).
"""

import numbers
from abc import abstractmethod

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..backend import (
    TabularEncoder,
    make_torch_generator,
    resolve_device,
    torch_threads,
)
from ..backend.loop import resolve_epochs
from ..exceptions import InputError
from ..utils._compat import _fit_context, validate_data
from ..utils._validation import check_widths

_shared_docstring = """loss : {{"wgan-gp", "bce"}}, default="{loss}"
        ``"wgan-gp"``: Wasserstein critic with gradient penalty ``gp_weight``
        (the samplers' default loss). ``"bce"``: the original cross-entropy
        GAN. {why_loss}

    n_critic : int, default={n_critic}
        Critic updates per generator update.

    gp_weight : float, default=10.0
        Weight of the gradient penalty (``"wgan-gp"`` only).

    generator_widths : tuple of int, default=(64, 128)
        Hidden widths of the generator (batch norm and ReLU after each).

    critic_widths : tuple of int, default=(128, 64)
        Hidden widths of the critic (LeakyReLU 0.2 after each): at least one.

    epochs : int or "auto", default="auto"
        Passes over the training rows. ``"auto"`` picks enough epochs for
        about {updates:,} minibatch updates, whatever the table's size.

    batch_size : int, default=64
        Rows per minibatch (capped at the number of rows).

    learning_rate : float, default=1e-3
        Adam learning rate (betas 0.5 and 0.9).

    device : "auto", "cpu", "cuda" or "cuda:N", default="auto"
        Where to train. ``"auto"`` picks CUDA when available. The fitted
        networks are kept on the CPU (in float64), so a fitted transformer
        pickles anywhere, and ``transform`` runs on the CPU.

    n_threads : int or None, default=1
        torch intra-op threads during ``fit`` and ``transform`` (restored
        after), the samplers' policy: the networks are small, and one thread
        does not collapse when the other cores are busy. ``None`` keeps
        torch's setting.

    random_state : int, RandomState instance or None, default=None
        Seeds every random draw of the fit (weights, noise, shuffling). An
        int makes ``fit`` and ``transform`` reproducible on CPU.

    verbose : int, default=0
        Print a progress bar with the losses of each epoch (stderr).""".rstrip()


class BaseLatentGAN(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Base class of the latent-feature GANs. Not for direct use.

    Numeric tables only: columns are z-scored by the backend's
    :class:`~imblearn_gan.backend.TabularEncoder` (``numeric_encoding=
    "standard"``), which also maps generated rows back (clipped to the
    training range, integer-valued columns rounded).
    """

    _auto_updates = 1500

    _parameter_constraints: dict = {
        "loss": [StrOptions({"wgan-gp", "bce"})],
        "n_critic": [Interval(numbers.Integral, 1, None, closed="left")],
        "gp_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "generator_widths": [tuple, list],
        "critic_widths": [tuple, list],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "device": [str, torch.device],
        "n_threads": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.target_tags.required = False
        return tags

    # -- input ------------------------------------------------------------

    def _validate_X(self, X, reset):
        """A float 2-D array with the fitted width; a clear error for
        non-numeric columns (the latent GANs model numeric tables only)."""
        try:
            return validate_data(self, X, reset=reset, dtype=[np.float64, np.float32],
                                 accept_sparse=False, ensure_min_samples=2 if reset else 1)
        except ValueError as exc:
            if "could not convert" not in str(exc):
                raise
            raise InputError(
                f"{type(self).__name__} models numeric columns only, and X has a "
                f"non-numeric value ({exc}). Encode categorical columns first, e.g. "
                "with a ColumnTransformer holding OneHotEncoder(handle_unknown='ignore') "
                "in front of it in a Pipeline."
            ) from None

    def _check_params(self):
        check_widths(self, "generator_widths")
        check_widths(self, "critic_widths", allow_empty=False)

    def _n_epochs(self, n_rows):
        """Resolve ``epochs``; ``"auto"`` targets ``_auto_updates`` minibatches."""
        return resolve_epochs(self.epochs, n_rows, self.batch_size, self._auto_updates)

    # -- fit --------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the GAN on the rows of ``X`` (``y`` is ignored).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric training rows (at least 2).
        y : None
            Ignored; present for the pipeline API.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X = self._validate_X(X, reset=True)
        self._check_params()
        rng = check_random_state(self.random_state)
        device = resolve_device(self.device)
        scaler = TabularEncoder(categorical_features=None, numeric_encoding="standard").fit(X)
        rows = torch.as_tensor(scaler.transform(X), device=device)
        forked = [device] if device.type == "cuda" else []
        with torch_threads(self.n_threads if device.type == "cpu" else None), \
                torch.random.fork_rng(devices=forked):
            # weight init (nn.Linear) draws from torch's global RNG only: seed
            # it from our stream inside a fork, so the caller's state is kept
            torch.manual_seed(int(rng.randint(2**31 - 1)))
            torch_gen = make_torch_generator(rng, device)
            fitted = self._train(rows, torch_gen)
        for name, value in fitted.items():
            if isinstance(value, torch.nn.Module):
                # on the CPU (pickle anywhere), float64: transform is exact per row
                value = value.to("cpu").double().eval().requires_grad_(False)
            setattr(self, name, value)
        self.encoder_, self.device_ = scaler, device
        return self

    # -- encode / decode --------------------------------------------------

    def transform(self, X):
        """Latent codes of the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric rows with the columns seen in ``fit``.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_features_out)
            float64 codes (see the class's description of ``transform``).
        """
        check_is_fitted(self, "encoder_")
        X = self._validate_X(X, reset=False)
        rows = torch.as_tensor(self.encoder_.transform(X), dtype=torch.float64)
        with torch.no_grad(), torch_threads(self.n_threads):
            return self._encode(rows).numpy()

    def inverse_transform(self, X):
        """Rows generated from latent codes (the generator's output, decoded).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)
            Latent codes, as ``transform`` returns them.

        Returns
        -------
        X_rows : ndarray of shape (n_samples, n_features)
            Rows in the units of the training data, clipped to its range,
            integer-valued columns rounded.
        """
        check_is_fitted(self, "encoder_")
        codes = check_array(X, dtype=np.float64)
        if codes.shape[1] != self._n_features_out:
            raise InputError(
                f"X has {codes.shape[1]} columns, but {type(self).__name__}.inverse_transform "
                f"expects {self._n_features_out} (the width of its latent codes)."
            )
        with torch.no_grad(), torch_threads(self.n_threads):
            rows = self._decode(torch.as_tensor(codes)).numpy()
        return self.encoder_.inverse_transform(rows)

    @property
    def _n_features_out(self):
        """Width of the codes ``transform`` returns (feature names: prefix + index)."""
        return self._code_width()

    @abstractmethod
    def _code_width(self):
        """Width of the codes ``transform`` returns."""

    @abstractmethod
    def _train(self, rows, torch_gen):
        """Train on encoded rows; return the fitted attributes (networks, ``history_``)."""

    @abstractmethod
    def _encode(self, rows):
        """Encoded rows (float64 tensor) -> codes."""

    @abstractmethod
    def _decode(self, codes):
        """Codes (float64 tensor) -> encoded rows."""
