"""VAEOverSampler: a conditional VAE (or adversarial autoencoder) as an over-sampler."""

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ..backend import class_balanced_weights, train
from ..backend.nets import ConditionalCritic, ConditionalDecoder, ConditionalEncoder
from ..backend.steps import VAEConfig, VAEStep, decoder_output, reparameterize
from ..base import BaseGenerativeOverSampler
from ..utils._docstring import (
    Substitution,
    _copy_guard_docstring,
    _neighbor_scaling_docstring,
    _neural_docstring,
    _random_state_docstring,
    _sampling_strategy_docstring,
    _training_rows_docstring,
)
from ..utils._validation import check_widths


def default_architecture(n_encoded):
    """``(latent_dim, hidden_width)`` for ``n_encoded`` encoded columns.

    The reference 64-32-[4,4]-4-32-64 on 8x8 digits, scaled: the hidden
    layer is half the input, ``clip(round(n / 2), 32, 256)``, the latent a
    sixteenth, ``clip(round(n / 16), 4, 32)`` (the floors keep small tables
    from a 2-unit code that cannot reconstruct them).
    """
    hidden = int(np.clip(round(n_encoded / 2), 32, 256))
    latent = int(np.clip(round(n_encoded / 16), 4, 32))
    return latent, hidden


@Substitution(
    sampling_strategy=_sampling_strategy_docstring,
    random_state=_random_state_docstring,
    neural=_neural_docstring.format(epochs='"auto"', batch_size=64, learning_rate=1e-3,
                                  updates=1000, small_epochs=63),
    neighbor_scaling=_neighbor_scaling_docstring.format(default="standard"),
    copy_guard=_copy_guard_docstring,
    training_rows=_training_rows_docstring,
)
class VAEOverSampler(BaseGenerativeOverSampler):
    """Over-sample with a class-conditional VAE trained on all classes.

    One encoder and one decoder, both given the class label, learn every
    class at once; ``fit_resample`` then decodes latent codes of each class
    (by default points between the codes of neighbouring rows of the class)
    into as many rows as ``sampling_strategy`` asks. Numeric columns have a
    Gaussian likelihood, categorical columns a softmax (cross-entropy), so
    mixed tables work; generated categories are always ones seen in training.

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    model : {{"vae", "aae"}}, default="vae"
        ``"vae"``: the ELBO, reconstruction + ``beta`` x KL(q(z|x, y) || N(0, I)).
        ``"aae"``: adversarial autoencoder; a class-conditional discriminator
        on the latent code (prior draws against codes) replaces the KL term,
        weighted by ``beta``.

    latent_dim : int or "auto", default="auto"
        Size of the latent code. ``"auto"``: ``clip(round(n / 16), 4, 32)``
        for ``n`` encoded columns (4 for the 64 pixels of 8x8 digits, 8 for
        128 columns).

    encoder_widths : tuple of int or "auto", default="auto"
        Hidden widths of the encoder (ReLU after each). ``"auto"``: one layer
        of ``clip(round(n / 2), 32, 256)`` (32 for 64 columns: the reference
        64-32-[4,4]-4-32-64; never narrower than 32, so a 9-column table
        gets 9-32-[4,4]-4-32-9).

    decoder_widths : tuple of int or "auto", default="auto"
        Hidden widths of the decoder. ``"auto"``: the encoder's, reversed.
        Widths are positive ints; with ``model="aae"`` the encoder needs at
        least one layer (the latent critic is as wide as its first).

    beta : float, default=0.5
        Weight of the KL term (or of the adversarial term for ``"aae"``).
        Larger: smoother, blurrier rows; smaller: sharper, closer to copies.

    latent_sampling : {{"interpolate", "posterior", "prior"}}, default="interpolate"
        Where the latent codes of generated rows come from.

        - ``"interpolate"`` (default): a random point between the codes
          (drawn from q(z | x, y)) of a training row of the class and of one
          of its ``n_neighbors`` nearest rows of the class, i.e. SMOTE's
          kernel in the latent space; the decoder maps it back onto the data.
        - ``"posterior"``: the code of a random training row of the class,
          drawn from q(z | x, y).
        - ``"prior"``: N(0, I), the textbook VAE. With few minority rows
          the decoder's class input alone does not place the rows well
          (see the VAE guide).

    n_neighbors : int, default=5
        Same-class neighbours per row for ``"interpolate"``.

    {neighbor_scaling}

    balance_classes : bool, default=True
        Draw training minibatches with every class equally likely (rows
        weighted by 1 / class size, times any ``sample_weight``), so the
        model learns the minority as well as the majority.

    decoder_noise : bool, default=True
        Draw generated rows from the decoder's likelihood: Gaussian noise of
        the learned per-column standard deviation on numeric columns, a
        draw from the softmax for each categorical column. ``False`` returns
        the likelihood's mean and the most likely category.

    {copy_guard}

    {neural}

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of rows to generate per class.
    classes_ : ndarray
        Class labels seen in ``fit``.
    class_counts_ : ndarray
        Rows per class seen in ``fit``.
    encoder_ : TabularEncoder
        The fitted column encoder (``encoder_.spans_`` is the layout).
    encoder_net_ : torch.nn.Module
        The trained inference network q(z | x, y), on the CPU.
    decoder_ : torch.nn.Module
        The trained decoder p(x | z, y), on the CPU; ``decoder_.log_sigma``
        holds the learned (log) standard deviation of each numeric column.
    discriminator_ : torch.nn.Module or None
        The latent discriminator (``"aae"`` only).
    latent_dim_ : int
        The latent size used (``latent_dim`` resolved).
    {training_rows}
    history_ : list of dict
        Per epoch: ``loss``, ``recon`` (negative log-likelihood per row),
        ``kl`` (``"vae"``) or ``g_loss``, ``d_loss``, ``d_real``, ``d_fake``
        (``"aae"``: the encoder's adversarial loss, the discriminator's loss
        and its mean probability on prior draws and on codes), ``dur``.
    device_ : torch.device
        The device training ran on.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X has string column names.

    See Also
    --------
    GANOverSampler : Over-sample with a class-conditional GAN.
    imblearn.over_sampling.SMOTE : Interpolate between minority neighbours.

    Notes
    -----
    Sample weights: ``fit_resample(X, y, sample_weight=w)`` sets
    ``sample_weight_``; original rows keep ``w``, generated rows get the mean
    ``w`` of their class (1 without weights), and unequal weights make heavier
    rows more frequent in training minibatches and as the rows that
    ``latent_sampling`` starts from. Each class that
    ``sampling_strategy`` grows needs at least 2 rows.

    References
    ----------
    .. [1] Kingma, D. P. and M. Welling, "Auto-Encoding Variational Bayes", 2014.
    .. [2] Sohn, K., H. Lee and X. Yan, "Learning Structured Output
       Representation using Deep Conditional Generative Models", 2015.
    .. [3] Higgins, I. et al., "beta-VAE: Learning Basic Visual Concepts with a
       Constrained Variational Framework", 2017.
    .. [4] Makhzani, A. et al., "Adversarial Autoencoders", 2016.
    .. [5] Xu, L. et al., "Modeling Tabular Data using Conditional GAN" (TVAE),
       2019.

    Examples
    --------
    >>> from collections import Counter
    >>> from imblearn_gan import VAEOverSampler
    >>> from imblearn_gan.datasets import load_dataset
    >>> X, y = load_dataset("glass2")
    >>> print(f"Original dataset shape {{Counter(y.tolist())}}")
    Original dataset shape Counter({{0: 197, 1: 17}})
    >>> vae = VAEOverSampler(epochs=5, random_state=0)
    >>> X_res, y_res = vae.fit_resample(X, y)
    >>> print(f"Resampled dataset shape {{Counter(y_res.tolist())}}")
    Resampled dataset shape Counter({{0: 197, 1: 197}})
    >>> vae.sample(3, y=1).shape
    (3, 9)
    """

    # one cheap update per batch (no critic steps): more of them than the GAN
    _auto_updates = 1000

    _parameter_constraints: dict = {
        **BaseGenerativeOverSampler._parameter_constraints,
        "model": [StrOptions({"vae", "aae"})],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left"),
                       StrOptions({"auto"})],
        "encoder_widths": [tuple, list, StrOptions({"auto"})],
        "decoder_widths": [tuple, list, StrOptions({"auto"})],
        "beta": [Interval(numbers.Real, 0, None, closed="left")],
        "decoder_noise": ["boolean"],
        "latent_sampling": [StrOptions({"prior", "posterior", "interpolate"})],
        "balance_classes": ["boolean"],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        model="vae",
        latent_dim="auto",
        encoder_widths="auto",
        decoder_widths="auto",
        beta=0.5,
        decoder_noise=True,
        latent_sampling="interpolate",
        n_neighbors=5,
        neighbor_scaling="standard",
        balance_classes=True,
        copy_threshold=0.25,
        drop_copies=False,
        categorical_features="auto",
        numeric_encoding="standard",
        epochs="auto",
        batch_size=64,
        learning_rate=1e-3,
        device="auto",
        n_threads=1,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.model = model
        self.latent_dim = latent_dim
        self.encoder_widths = encoder_widths
        self.decoder_widths = decoder_widths
        self.beta = beta
        self.decoder_noise = decoder_noise
        self.latent_sampling = latent_sampling
        self.n_neighbors = n_neighbors
        self.neighbor_scaling = neighbor_scaling
        self.balance_classes = balance_classes
        self.copy_threshold = copy_threshold
        self.drop_copies = drop_copies
        self.categorical_features = categorical_features
        self.numeric_encoding = numeric_encoding
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose

    def _check_params(self):
        # the adversarial autoencoder's latent critic is as wide as the
        # encoder's first layer, so "aae" needs one
        for name in ("encoder_widths", "decoder_widths"):
            if getattr(self, name) != "auto":
                check_widths(self, name, allow_empty=name == "decoder_widths"
                             or self.model != "aae")

    def _architecture(self, n_encoded):
        latent, hidden = default_architecture(n_encoded)
        latent = latent if self.latent_dim == "auto" else self.latent_dim
        enc = (hidden,) if self.encoder_widths == "auto" else tuple(self.encoder_widths)
        dec = enc[::-1] if self.decoder_widths == "auto" else tuple(self.decoder_widths)
        return latent, enc, dec

    def _uses_neighbors(self):
        return self.latent_sampling == "interpolate"

    def _train(self, Z, labels, n_classes, spans, torch_gen, neighbors, row_weights=None):
        device, width = Z.device, Z.shape[1]
        epochs = self._n_epochs(Z.shape[0])
        latent, enc_widths, dec_widths = self._architecture(width)
        encoder = ConditionalEncoder(width, n_classes, enc_widths, latent).to(device)
        decoder = ConditionalDecoder(latent, n_classes, dec_widths, width).to(device)
        discriminator = None
        if self.model == "aae":
            # LeakyReLU critic without batch norm, as the GAN's
            discriminator = ConditionalCritic(latent, n_classes, (enc_widths[0],) * 2).to(device)
        step = VAEStep(encoder, decoder, spans, n_classes,
                       VAEConfig(model=self.model, beta=self.beta), torch_gen,
                       self.learning_rate, discriminator=discriminator)
        modules = [m for m in (encoder, decoder, discriminator) if m is not None]
        if self.balance_classes:
            row_weights = class_balanced_weights(labels, n_classes, row_weights)
        history = train(step, (Z, labels), epochs=epochs,
                        batch_size=min(self.batch_size, Z.shape[0]), generator=torch_gen,
                        modules=modules, row_weights=row_weights, verbose=self.verbose)
        return {"encoder_net_": encoder, "decoder_": decoder,
                "discriminator_": discriminator, "latent_dim_": latent,
                "history_": history}

    def _generate_encoded(self, n_samples, class_index, torch_gen):
        cond = torch.zeros(n_samples, len(self.classes_))
        cond[:, class_index] = 1.0
        if self.latent_sampling == "prior":
            z = torch.randn(n_samples, self.latent_dim_, generator=torch_gen)
        else:
            z = self._posterior_draws(n_samples, class_index, cond, torch_gen)
        raw = self.decoder_(z, cond)
        return decoder_output(raw, self.encoder_.spans_, self.decoder_.clamped_log_sigma(),
                              generator=torch_gen if self.decoder_noise else None).numpy()

    def _posterior_draws(self, n_samples, class_index, cond, torch_gen):
        """Codes of random training rows of the class, drawn from q(z | x, y);
        ``"interpolate"``: a random point between the codes of a row and of
        one of its ``n_neighbors`` nearest rows of the class (SMOTE's kernel,
        in the latent space)."""
        pick = self._draw_rows(class_index, n_samples, torch_gen)
        Z = torch.as_tensor(self.train_encoded_)
        z = reparameterize(*self.encoder_net_(Z[pick], cond), torch_gen)
        if self.latent_sampling == "posterior":
            return z
        neighbors = torch.as_tensor(self.neighbors_)[pick]
        choice = torch.randint(neighbors.shape[1], (n_samples,), generator=torch_gen)
        other = neighbors[torch.arange(n_samples), choice]
        z_other = reparameterize(*self.encoder_net_(Z[other], cond), torch_gen)
        u = torch.rand(n_samples, 1, generator=torch_gen)
        return z + u * (z_other - z)
