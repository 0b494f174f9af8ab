"""BiGAN: a GAN with an encoder learned beside its generator, as a transformer."""

import numbers

from sklearn.utils._param_validation import Interval

from ..backend import train
from ..backend.latent_steps import BiGANStep, LatentEncoder, LatentGANConfig
from ..backend.nets import ConditionalCritic, ConditionalGenerator
from ..utils._docstring import Substitution
from ..utils._validation import check_widths
from ._base import BaseLatentGAN, _shared_docstring


@Substitution(shared=_shared_docstring.format(
    updates=BaseLatentGAN._auto_updates, loss="wgan-gp", n_critic=3,
    why_loss=("The default here: on digits its codes reconstruct rows better than "
              "the cross-entropy loss's (the user guide's latent page).")))
class BiGAN(BaseLatentGAN):
    """Bidirectional GAN: latent codes of rows, and rows of latent codes.

    A generator ``G`` maps codes ``z ~ N(0, I)`` to rows, an encoder ``E``
    maps rows to codes, and a critic sees pairs: it tells ``(x, E(x))`` for
    real rows from ``(G(z), z)``. At the optimum of that game ``E`` inverts
    ``G`` [1]_. ``transform`` returns ``E(x)``, ``inverse_transform`` returns
    ``G(z)``, so ``inverse_transform(transform(X))`` reconstructs ``X``
    without a reconstruction loss ever being trained. Numeric columns only
    (z-scored inside; encode categorical columns first).

    Parameters
    ----------
    n_components : int, default=8
        Width of the latent code.

    encoder_widths : tuple of int, default=(128, 64)
        Hidden widths of the encoder (LeakyReLU 0.2 after each, no
        normalisation, so a row's code does not depend on its batch).

    {shared}

    Attributes
    ----------
    encoder_ : TabularEncoder
        The fitted column scaler (z-scores; it also decodes).
    generator_ : torch.nn.Module
        ``G``: code -> encoded row (on the CPU, float64).
    encoder_net_ : torch.nn.Module
        ``E``: encoded row -> code (on the CPU, float64).
    critic_ : torch.nn.Module
        The joint critic ``D(x, z)`` (on the CPU, float64).
    history_ : list of dict
        Per epoch: ``g_loss`` (generator and encoder), ``d_loss``,
        ``d_real`` and ``d_fake`` (mean critic score of the ``(x, E(x))`` and
        ``(G(z), z)`` pairs, or the discriminator's mean probability for
        ``"bce"``), ``gp``, ``dur`` (seconds).
    device_ : torch.device
        The device training ran on.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X has string column names.

    See Also
    --------
    InfoGAN : A GAN whose latent code has a categorical and continuous part.
    sklearn.decomposition.PCA : The linear baseline of the same width.

    Notes
    -----
    The features are unsupervised: nothing makes them separate classes. The
    user guide's :doc:`/user_guide/latent` page measures them against the
    raw columns and PCA.

    References
    ----------
    .. [1] Donahue, J., P. Kraehenbuehl and T. Darrell, "Adversarial Feature
       Learning", ICLR 2017.
    .. [2] Dumoulin, V. et al., "Adversarially Learned Inference", ICLR 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from imblearn_gan.latent import BiGAN
    >>> X, _ = load_digits(return_X_y=True)
    >>> bigan = BiGAN(n_components=4, epochs=2, random_state=0).fit(X)
    >>> codes = bigan.transform(X[:5])
    >>> codes.shape
    (5, 4)
    >>> bigan.inverse_transform(codes).shape
    (5, 64)
    >>> bigan.get_feature_names_out().tolist()
    ['bigan0', 'bigan1', 'bigan2', 'bigan3']
    """

    _parameter_constraints: dict = {
        **BaseLatentGAN._parameter_constraints,
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "encoder_widths": [tuple, list],
    }

    def __init__(
        self,
        *,
        n_components=8,
        encoder_widths=(128, 64),
        loss="wgan-gp",
        n_critic=3,
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
        self.n_components = n_components
        self.encoder_widths = encoder_widths
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

    def _check_params(self):
        super()._check_params()
        check_widths(self, "encoder_widths")

    def _code_width(self):
        return self.n_components

    def _train(self, rows, torch_gen):
        device, width, latent = rows.device, rows.shape[1], self.n_components
        generator = ConditionalGenerator(latent, 0, tuple(self.generator_widths),
                                         width).to(device)
        encoder = LatentEncoder(width, tuple(self.encoder_widths), latent).to(device)
        # the joint critic D(x, z): the package's critic on the concatenated
        # pair, with no class (its closed-form WGAN-GP gradients apply)
        critic = ConditionalCritic(width + latent, 0, tuple(self.critic_widths)).to(device)
        config = LatentGANConfig(loss=self.loss, n_critic=self.n_critic,
                                 gp_weight=self.gp_weight, noise_dim=latent)
        step = BiGANStep(generator, encoder, critic, config, torch_gen, self.learning_rate)
        history = train(step, (rows,), epochs=self._n_epochs(rows.shape[0]),
                        batch_size=min(self.batch_size, rows.shape[0]), generator=torch_gen,
                        modules=[generator, encoder, critic], verbose=self.verbose)
        return {"generator_": generator, "encoder_net_": encoder, "critic_": critic,
                "history_": history}

    def _encode(self, rows):
        return self.encoder_net_(rows)

    def _decode(self, codes):
        return self.generator_(codes, codes.new_zeros(codes.shape[0], 0))
