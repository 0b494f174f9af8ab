"""GANOverSampler: a class-conditional GAN as an imbalanced-learn over-sampler."""

import numbers

import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ..backend import class_balanced_weights, train
from ..backend.nets import (
    Classifier,
    ConditionalCritic,
    ConditionalGenerator,
    RecurrentCritic,
    RecurrentGenerator,
)
from ..backend.steps import GANConfig, GANStep, capped_decay, generator_output
from ..base import BaseGenerativeOverSampler
from ..exceptions import InputError
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

# epochs="auto" of the recurrent networks: generator updates
RECURRENT_AUTO_UPDATES = 200


@Substitution(
    sampling_strategy=_sampling_strategy_docstring,
    random_state=_random_state_docstring,
    neural=_neural_docstring.format(epochs='"auto"', batch_size=128, learning_rate=1e-3,
                                  updates=500, small_epochs=63),
    neighbor_scaling=_neighbor_scaling_docstring.format(default="minmax"),
    copy_guard=_copy_guard_docstring,
    training_rows=_training_rows_docstring,
    recurrent_updates=RECURRENT_AUTO_UPDATES,
)
class GANOverSampler(BaseGenerativeOverSampler):
    """Over-sample with a class-conditional GAN trained on all classes.

    One generator, conditioned on the class label, learns every class at once
    (the minority borrows strength from the rest); ``fit_resample`` then
    draws as many rows of each class as ``sampling_strategy`` asks for.
    Numeric and categorical columns are both modelled; generated categories
    are always ones seen in training.

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    anchor : {{"segment", None}}, default="segment"
        How the generator is conditioned besides the class label.

        - ``"segment"``: the generator also receives a real row of the class
          (the anchor) and outputs anchor + a learned offset on numeric
          columns; the critic compares (anchor, generated row) with (anchor,
          a random point between the anchor and one of its ``n_neighbors``
          nearest same-class rows). Categorical columns of that point come
          from the anchor or the neighbour. The generator so learns a smooth,
          class-conditional version of SMOTE's kernel; an exact copy of the
          anchor is a pair no real pair looks like. With ``pac > 1`` the rows
          of a pack share one anchor, so the critic sees how far the rows of
          one anchor vary.
        - ``None``: a plain conditional GAN from noise and label only.

        With a recurrent ``network`` the anchor is a real series of the
        class: the generator reads its value at each step and outputs an
        offset per step, and the critic's real pairs are points on the
        segment between two same-class series.

    network : {{"mlp", "lstm", "gru"}}, default="mlp"
        The generator and critic. ``"mlp"``: fully connected networks over
        the encoded columns (tables). ``"lstm"`` or ``"gru"``: recurrent
        networks over the steps of a fixed-length series (each row of ``X``
        is one series of ``n_channels`` channels; numeric columns only), as
        in RCGAN [6]_: the generator reads the noise, the class and (when
        anchored) the anchor's channels at every step, and the critic scores
        every step and averages. ``generator_widths`` and ``critic_widths``
        are then the hidden sizes of stacked recurrent layers. Their
        gradient penalty goes through autograd's double backward (on CUDA
        with cuDNN disabled for that pass, as cuDNN's RNN kernels have none),
        and ``epochs="auto"`` aims at {recurrent_updates} generator updates
        instead of 500. See :ref:`the series guide <series-guide>`.

    n_channels : int, default=1
        Channels of each series (recurrent networks only): a row holds
        ``n_channels * n_steps`` values, channel-major (channel ``c`` at step
        ``t`` in column ``c * n_steps + t``, as ``X3d.reshape(len(X3d), -1)``
        flattens an ``(n_samples, n_channels, n_steps)`` array).

    n_neighbors : int, default=5
        Same-class neighbours per anchor that form the critic's real pairs.

    {neighbor_scaling}

    loss : {{"wgan-gp", "bce"}}, default="wgan-gp"
        ``"wgan-gp"``: Wasserstein critic without batch norm, gradient penalty
        ``gp_weight``, ``n_critic`` critic steps per generator step.
        ``"bce"``: the original GAN (non-saturating generator loss).

    n_critic : int or "auto", default="auto"
        Critic (discriminator) updates per generator update. ``"auto"``: 2
        for ``network="mlp"``, 3 for ``"lstm"`` and ``"gru"``.

    gp_weight : float, default=10.0
        Weight of the gradient penalty (``"wgan-gp"`` only).

    generator_widths : "auto" or tuple of int, default="auto"
        Hidden widths of the generator (batch norm and ReLU after each):
        positive ints; ``()`` makes it one linear map. ``"auto"``:
        ``(64, 128)`` for ``network="mlp"``; one recurrent layer of 32 units,
        ``(32,)``, for ``"lstm"`` and ``"gru"``.

    critic_widths : "auto" or tuple of int, default="auto"
        Hidden widths of the critic (LeakyReLU 0.2 after each): at least
        one, positive ints. ``"auto"``: ``(128, 64)`` for ``network="mlp"``;
        ``(32,)`` for ``"lstm"`` and ``"gru"``.

    noise_dim : int, default=32
        Size of the generator's noise input.

    pac : int, default=2
        PacGAN: the critic scores packs of ``pac`` rows, which penalises mode
        collapse. 1 disables it. With an ``anchor``, the rows of a pack share
        one anchor (each minibatch holds ``batch_size / pac`` anchors, ``pac``
        times each), so a generator that ignores its noise is penalised.

    ema_decay : float, default=0.99
        Keep an exponential moving average of the generator's weights (and
        batch-norm statistics) over its updates, with this decay, and
        generate from the average instead of the last iterate, which
        oscillates around it. The average's horizon ``1 / (1 - ema_decay)``
        is capped at a tenth of the run's generator updates (short runs
        average over fewer), so the untrained start does not linger in it.
        0 generates from the last iterate.

    instance_noise : float, default=0.0
        Standard deviation of Gaussian noise added to the critic's real and
        fake inputs (in encoded units), annealed linearly to 0.

    feature_matching : float, default=0.0
        Weight of the feature-matching term (squared distance between the
        mean critic features of real and fake rows) in the generator loss.

    aux_classifier_weight : float, default=0.0
        Weight of an auxiliary classifier's cross-entropy on generated rows
        in the generator loss; keeps rows on their class's side of the
        boundary. 0 disables it.

    balance_classes : bool, default=False
        Draw training minibatches with every class equally likely (rows
        weighted by 1 / class size, times any ``sample_weight``), so the
        generator trains on the minority as often as on the majority.

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
    {training_rows}
    generator_ : torch.nn.Module
        The trained generator, on the CPU: the moving average of its
        updates when ``ema_decay > 0``, else the last iterate.
    critic_ : torch.nn.Module
        The trained critic (discriminator), on the CPU.
    ema_decay_ : float
        The decay the generator's moving average used: ``ema_decay``, or
        less on short runs (its horizon ``1 / (1 - decay)`` is capped at a
        tenth of the generator updates); 0 when not averaged.
    sample_weight_ : ndarray of shape (n_samples_new,)
        After ``fit_resample``: the weight of each returned row (see Notes).
    history_ : list of dict
        Per epoch: ``g_loss``, ``d_loss``, ``d_real`` and ``d_fake`` (mean
        critic score, or the discriminator's mean probability for
        ``"bce"``), ``gp``, ``aux_loss`` when used, ``dur`` (seconds).
    device_ : torch.device
        The device training ran on.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when X has string column names.

    See Also
    --------
    VAEOverSampler : Over-sample with a conditional VAE.
    imblearn.over_sampling.SMOTE : Interpolate between minority neighbours.

    Notes
    -----
    With ``fit_resample(X, y, sample_weight=w)``, ``sample_weight_`` keeps
    ``w`` for the original rows and gives each generated row the mean ``w``
    of its class (1 without ``w``); unequal weights also make training draw
    rows, and generation draw anchors, in proportion to ``w``. Each class
    that ``sampling_strategy`` grows needs at least 2 rows; with fewer,
    ``fit_resample`` raises a ``ValueError`` naming the class.

    References
    ----------
    .. [1] Mirza, M. and S. Osindero, "Conditional Generative Adversarial Nets",
       2014.
    .. [2] Gulrajani, I. et al., "Improved Training of Wasserstein GANs", 2017.
    .. [3] Xu, L. et al., "Modeling Tabular Data using Conditional GAN", 2019.
    .. [4] Lin, Z. et al., "PacGAN: The power of two samples in generative
       adversarial networks", 2018.
    .. [5] Yazici, Y. et al., "The Unusual Effectiveness of Averaging in GAN
       Training", 2019.
    .. [6] Esteban, C., S. L. Hyland and G. Rätsch, "Real-valued (Medical)
       Time Series Generation with Recurrent Conditional GANs", 2017.

    Examples
    --------
    >>> from collections import Counter
    >>> from imblearn_gan import GANOverSampler
    >>> from imblearn_gan.datasets import load_dataset
    >>> X, y = load_dataset("glass2")
    >>> print(f"Original dataset shape {{Counter(y.tolist())}}")
    Original dataset shape Counter({{0: 197, 1: 17}})
    >>> gan = GANOverSampler(epochs=5, random_state=0)
    >>> X_res, y_res = gan.fit_resample(X, y)
    >>> print(f"Resampled dataset shape {{Counter(y_res.tolist())}}")
    Resampled dataset shape Counter({{0: 197, 1: 197}})
    >>> gan.sample(3, y=1).shape
    (3, 9)

    Series, one per row, with recurrent networks:

    >>> from imblearn_gan.datasets import make_waves
    >>> X, y = make_waves(n_samples=110, imbalance=10, random_state=0)
    >>> rgan = GANOverSampler(network="lstm", epochs=2, random_state=0)
    >>> X_res, y_res = rgan.fit_resample(X, y)
    >>> print(f"Resampled series {{X_res.shape}}, {{Counter(y_res.tolist())}}")
    Resampled series (200, 30), Counter({{0: 100, 1: 100}})
    """

    @property
    def _auto_updates(self):
        # epochs="auto": about 500 generator updates (each after n_critic
        # critic updates), whatever the table's size; fewer for the recurrent
        # networks, whose updates cost more (docs/user_guide/series.md)
        return 500 if self.network == "mlp" else RECURRENT_AUTO_UPDATES

    _parameter_constraints: dict = {
        **BaseGenerativeOverSampler._parameter_constraints,
        "anchor": [StrOptions({"segment"}), None],
        "network": [StrOptions({"mlp", "gru", "lstm"})],
        "n_channels": [Interval(numbers.Integral, 1, None, closed="left")],
        "loss": [StrOptions({"wgan-gp", "bce"})],
        "n_critic": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "gp_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "generator_widths": [StrOptions({"auto"}), tuple, list],
        "critic_widths": [StrOptions({"auto"}), tuple, list],
        "noise_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "pac": [Interval(numbers.Integral, 1, None, closed="left")],
        "ema_decay": [Interval(numbers.Real, 0, 1, closed="left")],
        "instance_noise": [Interval(numbers.Real, 0, None, closed="left")],
        "feature_matching": [Interval(numbers.Real, 0, None, closed="left")],
        "aux_classifier_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "balance_classes": ["boolean"],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        anchor="segment",
        network="mlp",
        n_channels=1,
        n_neighbors=5,
        neighbor_scaling="minmax",
        loss="wgan-gp",
        n_critic="auto",
        gp_weight=10.0,
        generator_widths="auto",
        critic_widths="auto",
        noise_dim=32,
        pac=2,
        ema_decay=0.99,
        instance_noise=0.0,
        feature_matching=0.0,
        aux_classifier_weight=0.0,
        balance_classes=False,
        copy_threshold=0.25,
        drop_copies=False,
        categorical_features="auto",
        numeric_encoding="standard",
        epochs="auto",
        batch_size=128,
        learning_rate=1e-3,
        device="auto",
        n_threads=1,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.anchor = anchor
        self.network = network
        self.n_channels = n_channels
        self.n_neighbors = n_neighbors
        self.neighbor_scaling = neighbor_scaling
        self.loss = loss
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.generator_widths = generator_widths
        self.critic_widths = critic_widths
        self.noise_dim = noise_dim
        self.pac = pac
        self.ema_decay = ema_decay
        self.instance_noise = instance_noise
        self.feature_matching = feature_matching
        self.aux_classifier_weight = aux_classifier_weight
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

    def _uses_neighbors(self):
        return self.anchor is not None

    def _check_params(self):
        if self.generator_widths != "auto":
            check_widths(self, "generator_widths")
        if self.critic_widths != "auto":
            check_widths(self, "critic_widths", allow_empty=False)

    # "auto" widths per network: the tabular MLP's, and one recurrent layer of
    # 32 units each side for series (two stacked layers of the MLP's widths
    # took 163 s on waves against 35 s, and their series were told apart by a
    # two-sample classifier: AUC 0.94 against 0.48; CHANGELOG.md)
    _AUTO_WIDTHS = {"mlp": ((64, 128), (128, 64)), "lstm": ((32,), (32,)),
                    "gru": ((32,), (32,))}

    def _widths(self):
        """``(generator_widths, critic_widths)`` as tuples, ``"auto"`` resolved."""
        auto = self._AUTO_WIDTHS[self.network]
        return tuple(tuple(auto[i] if value == "auto" else value) for i, value in
                     enumerate((self.generator_widths, self.critic_widths)))

    def _n_critic(self):
        """``n_critic`` with ``"auto"`` resolved for the network."""
        if self.n_critic != "auto":
            return self.n_critic
        return 2 if self.network == "mlp" else 3

    def _train(self, Z, labels, n_classes, spans, torch_gen, neighbors, row_weights=None):
        device, width = Z.device, Z.shape[1]
        epochs = self._n_epochs(Z.shape[0])
        batch_size = min(self.batch_size, Z.shape[0])
        generator, critic = self._networks(width, n_classes, spans)
        generator, critic = generator.to(device), critic.to(device)
        classifier = None
        if self.aux_classifier_weight > 0:
            classifier = Classifier(width, n_classes, self._widths()[1]).to(device)
        config = GANConfig(
            loss=self.loss, n_critic=self._n_critic(), gp_weight=self.gp_weight,
            noise_dim=self.noise_dim, pac=self.pac,
            instance_noise=self.instance_noise,
            feature_matching=self.feature_matching,
            aux_weight=self.aux_classifier_weight, epochs=epochs,
            ema_decay=capped_decay(self.ema_decay, epochs * -(-Z.shape[0] // batch_size)),
        )
        tensors, pool = (Z, labels), None
        if self.anchor:
            pool, tensors = Z, (Z, labels, neighbors)
        step = GANStep(generator, critic, spans, n_classes, config, torch_gen,
                       self.learning_rate, classifier=classifier, pool=pool)
        modules = [m for m in (generator, critic, classifier) if m is not None]
        if self.balance_classes:
            row_weights = class_balanced_weights(labels, n_classes, row_weights)
        history = train(
            step, tensors, epochs=epochs, batch_size=batch_size, generator=torch_gen,
            modules=modules, row_weights=row_weights, verbose=self.verbose,
        )
        if step.generator_average is not None:
            generator = step.generator_average
        return {"generator_": generator, "critic_": critic, "history_": history,
                "ema_decay_": config.ema_decay}

    def _networks(self, width, n_classes, spans):
        """The generator and critic ``network`` names, for rows of ``width``
        encoded columns. Their condition is the one-hot class, plus the
        anchor row when anchored."""
        generator_widths, critic_widths = self._widths()
        if self.network == "mlp":
            n_cond = n_classes + (width if self.anchor else 0)
            return (
                ConditionalGenerator(self.noise_dim, n_cond, generator_widths, width),
                ConditionalCritic(width, n_cond, critic_widths, pac=self.pac),
            )
        n_steps = check_series_layout(spans, self.n_channels, self.network)
        anchored = self.anchor is not None
        return (
            RecurrentGenerator(self.noise_dim, n_classes, generator_widths,
                               n_steps, self.n_channels, self.network, anchored),
            RecurrentCritic(self.n_channels, n_classes, critic_widths,
                            self.network, pac=self.pac, anchored=anchored),
        )

    def _generate_encoded(self, n_samples, class_index, torch_gen):
        cond = torch.zeros(n_samples, len(self.classes_))
        cond[:, class_index] = 1.0
        anchor = None
        if self.anchor:
            # anchors: training rows of the class, drawn by sample weight
            anchor = torch.as_tensor(self.train_encoded_)[
                self._draw_rows(class_index, n_samples, torch_gen)]
            cond = torch.cat([cond, anchor], dim=1)
        noise = torch.randn(n_samples, self.noise_dim, generator=torch_gen)
        return generator_output(self.generator_(noise, cond), self.encoder_.spans_,
                                anchor).numpy()


def check_series_layout(spans, n_channels, network):
    """The number of steps of rows that a recurrent ``network`` reads as
    ``n_channels`` channels; a clear error when they are not a series."""
    other = sorted({span.column for span in spans if span.kind != "numeric" or span.width != 1})
    if other:
        raise InputError(
            f"network={network!r} reads each row as a numeric series, one encoded "
            f"column per value; columns {other[:5]} (by position) are categorical or "
            "mode-encoded. "
            "Use network='mlp' for tables, or numeric columns with "
            "numeric_encoding='standard' or 'quantile'."
        )
    if len(spans) % n_channels:
        raise InputError(
            f"network={network!r} with n_channels={n_channels} needs X's columns to be "
            f"n_channels x n_steps values; got {len(spans)} columns. "
            "Set n_channels to the number of channels of the flattened series."
        )
    return len(spans) // n_channels
