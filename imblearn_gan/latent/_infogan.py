"""InfoGAN: a GAN with interpretable latent codes, as a transformer and a code predictor."""

import numbers

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..backend import torch_threads, train
from ..backend.latent_steps import CodeHead, InfoGANStep, LatentGANConfig
from ..backend.nets import ConditionalCritic, ConditionalGenerator
from ..exceptions import InputError
from ..utils._docstring import Substitution
from ._base import BaseLatentGAN, _shared_docstring


@Substitution(shared=_shared_docstring.format(
    updates=BaseLatentGAN._auto_updates, loss="bce", n_critic=1,
    why_loss=("The default here, as in the InfoGAN paper, with one critic update per "
              'generator update: about half the fit time of ``"wgan-gp"`` with three, '
              "for a categorical code that matched the digits less well in the "
              "measurements of the user guide's latent page.")))
class InfoGAN(BaseLatentGAN):
    """Information-maximising GAN: a categorical and continuous latent code.

    The generator sees noise and a code: one of ``n_categories`` categories
    and ``n_continuous`` numbers uniform on ``[-1, 1]``. A head ``Q`` on the
    critic's last hidden layer reads the code back from generated rows, and
    generator and ``Q`` maximise a lower bound of the mutual information
    between code and row [1]_, so each category comes to stand for a kind of
    row and each continuous code for a smooth variation within it. Without
    labels, the categories often follow the classes (digits, for instance).

    ``transform`` returns ``Q``'s reading of real rows: the probability of
    each category, then the mean of each continuous code.
    ``predict`` and ``predict_proba`` give the category alone.
    ``inverse_transform`` generates rows from codes (the category taken as
    the argmax of its columns, the noise at its mean 0). Numeric columns
    only (z-scored inside; encode categorical columns first).

    Parameters
    ----------
    n_categories : int, default=10
        Size of the categorical code (0: none).

    n_continuous : int, default=2
        Number of continuous codes.

    noise_dim : int, default=16
        Size of the incompressible noise beside the code.

    info_weight : float, default=1.0
        Weight of the mutual-information term in the losses of generator and
        critic.

    {shared}

    Attributes
    ----------
    encoder_ : TabularEncoder
        The fitted column scaler (z-scores; it also decodes).
    generator_ : torch.nn.Module
        ``G``: noise and code -> encoded row (on the CPU, float64).
    critic_ : torch.nn.Module
        The critic ``D(x)`` whose last hidden layer ``Q`` reads (on the
        CPU, float64).
    code_head_ : torch.nn.Module
        ``Q``: categorical logits and continuous means (CPU, float64).
    history_ : list of dict
        Per epoch: ``g_loss``, ``d_loss``, ``d_real``, ``d_fake``, ``gp``,
        ``info_loss`` (the generator's information term) and
        ``code_accuracy`` (how often ``Q`` recovers the category of a
        generated row), ``dur`` (seconds).
    device_ : torch.device
        The device training ran on.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X has string column names.

    See Also
    --------
    BiGAN : A GAN with an encoder, for latent codes of any width.
    sklearn.cluster.KMeans : The clustering baseline for the categorical code.

    Notes
    -----
    Category indices are arbitrary: category 3 is not digit 3. Match them to
    labels (the user guide's :doc:`/user_guide/latent` page does so with the
    Hungarian algorithm) or use the probabilities as features.

    References
    ----------
    .. [1] Chen, X. et al., "InfoGAN: Interpretable Representation Learning
       by Information Maximizing Generative Adversarial Nets", NeurIPS 2016.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from imblearn_gan.latent import InfoGAN
    >>> X, _ = load_digits(return_X_y=True)
    >>> infogan = InfoGAN(epochs=2, random_state=0).fit(X)
    >>> infogan.transform(X[:5]).shape  # 10 category probabilities, 2 continuous codes
    (5, 12)
    >>> infogan.predict(X[:5]).shape, infogan.predict_proba(X[:5]).shape
    ((5,), (5, 10))
    >>> infogan.inverse_transform(infogan.transform(X[:5])).shape
    (5, 64)
    """

    _parameter_constraints: dict = {
        **BaseLatentGAN._parameter_constraints,
        "n_categories": [Interval(numbers.Integral, 0, None, closed="left")],
        "n_continuous": [Interval(numbers.Integral, 0, None, closed="left")],
        "noise_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "info_weight": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        n_categories=10,
        n_continuous=2,
        noise_dim=16,
        info_weight=1.0,
        loss="bce",
        n_critic=1,
        gp_weight=10.0,
        generator_widths=(64, 128),
        critic_widths=(128, 64),
        epochs="auto",
        batch_size=64,
        learning_rate=1e-3,
        device="auto",
        n_threads=1,
        random_state=None,
        verbose=0,
    ):
        self.n_categories = n_categories
        self.n_continuous = n_continuous
        self.noise_dim = noise_dim
        self.info_weight = info_weight
        self.loss = loss
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.generator_widths = generator_widths
        self.critic_widths = critic_widths
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def _code_width(self):
        return self.n_categories + self.n_continuous

    def _train(self, rows, torch_gen):
        device, width = rows.device, rows.shape[1]
        generator = ConditionalGenerator(self.noise_dim, self._code_width(),
                                         tuple(self.generator_widths), width).to(device)
        critic = ConditionalCritic(width, 0, tuple(self.critic_widths)).to(device)
        code_head = CodeHead(self.critic_widths[-1], self.n_categories,
                             self.n_continuous).to(device)
        config = LatentGANConfig(loss=self.loss, n_critic=self.n_critic,
                                 gp_weight=self.gp_weight, noise_dim=self.noise_dim,
                                 n_categories=self.n_categories,
                                 n_continuous=self.n_continuous, info_weight=self.info_weight)
        step = InfoGANStep(generator, critic, code_head, config, torch_gen, self.learning_rate)
        history = train(step, (rows,), epochs=self._n_epochs(rows.shape[0]),
                        batch_size=min(self.batch_size, rows.shape[0]), generator=torch_gen,
                        modules=[generator, critic, code_head], verbose=self.verbose)
        return {"generator_": generator, "critic_": critic, "code_head_": code_head,
                "history_": history}

    def _read_codes(self, rows):
        """Q on real rows -> (categorical logits, continuous means)."""
        return self.code_head_(self.critic_(rows, rows.new_zeros(rows.shape[0], 0))[1])

    def _encode(self, rows):
        logits, mean = self._read_codes(rows)
        return torch.cat([torch.softmax(logits, dim=1), mean], dim=1)

    def _decode(self, codes):
        k = self.n_categories
        one_hot = torch.zeros_like(codes[:, :k])
        if k:
            one_hot[torch.arange(codes.shape[0]), codes[:, :k].argmax(1)] = 1.0
        noise = codes.new_zeros(codes.shape[0], self.noise_dim)  # the noise's mean
        return self.generator_(noise, torch.cat([one_hot, codes[:, k:]], dim=1))

    def predict_proba(self, X):
        """Probability of each category of the code, as ``Q`` reads ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric rows with the columns seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_categories)
        """
        self._check_categories()
        return self.transform(X)[:, : self.n_categories]

    def predict(self, X):
        """The most probable category of the code for each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric rows with the columns seen in ``fit``.

        Returns
        -------
        categories : ndarray of shape (n_samples,)
            Category indices in ``range(n_categories)``.
        """
        return np.argmax(self.predict_proba(X), axis=1)

    @staticmethod
    def _check_shape(name, values, shape):
        """``values`` as a float64 array of ``shape`` (one row broadcast), or an error."""
        values = np.asarray(values, dtype=np.float64)
        try:
            return np.broadcast_to(values, shape).copy()
        except ValueError:
            raise InputError(
                f"{name} must have shape {shape} (or one row of {shape[1]} values). Got "
                f"shape {values.shape}."
            ) from None

    def _check_categories(self):
        check_is_fitted(self, "encoder_")
        if self.n_categories == 0:
            raise AttributeError(
                "InfoGAN was fitted with n_categories=0: there is no categorical "
                "code to predict. Refit with n_categories >= 2."
            )

    def generate(self, categories, continuous=None, noise=None, random_state=None):
        """Rows generated for given categories and continuous codes.

        Parameters
        ----------
        categories : array-like of int of shape (n_samples,)
            Category of each row, in ``range(n_categories)``.
        continuous : array-like of shape (n_samples, n_continuous), default=None
            Continuous codes; ``None`` draws them uniformly on ``[-1, 1]``.
        noise : array-like of shape (noise_dim,) or (n_samples, noise_dim), default=None
            The noise beside the code (one vector is shared by every row).
            ``None`` draws it from N(0, I) when ``random_state`` is given and
            sets it to its mean 0 otherwise.
        random_state : int, RandomState instance or None, default=None
            Seeds the drawn noise and continuous codes.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from imblearn_gan.latent import InfoGAN
        >>> X, _ = load_digits(return_X_y=True)
        >>> infogan = InfoGAN(epochs=2, random_state=0).fit(X)
        >>> infogan.generate([0, 0, 1], random_state=0).shape
        (3, 64)
        """
        check_is_fitted(self, "encoder_")
        categories = np.asarray(categories)
        if categories.ndim != 1 or categories.dtype.kind not in "iu" or (
                categories.size and not np.all((categories >= 0)
                                               & (categories < max(self.n_categories, 1)))):
            raise InputError(
                f"categories must be a 1-D array of ints in range({self.n_categories}). "
                f"Got {categories!r}."
            )
        n, rng = categories.shape[0], check_random_state(random_state)
        if continuous is None:
            continuous = rng.uniform(-1, 1, size=(n, self.n_continuous))
        if noise is None:
            noise = (rng.standard_normal((n, self.noise_dim)) if random_state is not None
                     else np.zeros((n, self.noise_dim)))
        continuous = self._check_shape("continuous", continuous, (n, self.n_continuous))
        noise = self._check_shape("noise", noise, (n, self.noise_dim))
        one_hot = np.eye(self.n_categories)[categories] if self.n_categories else np.zeros((n, 0))
        codes = torch.as_tensor(np.hstack([one_hot, continuous]))
        with torch.no_grad(), torch_threads(self.n_threads):
            rows = self.generator_(torch.as_tensor(noise), codes).numpy()
        return self.encoder_.inverse_transform(rows)
