"""GANOverSampler: a class-conditional GAN as an imbalanced-learn over-sampler."""

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ..backend import class_balanced_weights, train
from ..backend.neighbors import same_class_neighbors
from ..backend.nets import Classifier, ConditionalCritic, ConditionalGenerator
from ..backend.steps import GANConfig, GANStep, capped_decay, generator_output
from ..base import BaseGenerativeOverSampler
from ..utils._docstring import (
    Substitution,
    _neighbor_scaling_docstring,
    _neural_docstring,
    _random_state_docstring,
    _sampling_strategy_docstring,
)
from ..utils._validation import check_widths


@Substitution(
    sampling_strategy=_sampling_strategy_docstring,
    random_state=_random_state_docstring,
    neural=_neural_docstring.format(epochs='"auto"', batch_size=128, learning_rate=1e-3,
                                  updates=1000, small_epochs=125),
    neighbor_scaling=_neighbor_scaling_docstring.format(default="minmax") + """
        ``"minmax"`` ranked closer to SMOTE than ``"standard"`` in each of
        three CV seeds (``benchmarks/README.md``).""",
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

    anchor : {{"segment", "neighbors", "mix", "pick", None}}, default="segment"
        How the generator is conditioned besides the class label.

        - ``"segment"`` (default): the generator also receives a real row of
          the class (the anchor) and outputs anchor + a learned offset on
          numeric columns; the critic compares (anchor, generated row) with
          (anchor, a random point between the anchor and one of its
          ``n_neighbors`` nearest same-class rows). Categorical columns of
          that point come from the anchor or the neighbour. The generator so
          learns a smooth, class-conditional version of SMOTE's kernel; an
          exact copy of the anchor is a pair no real pair looks like.
        - ``"neighbors"`` (DAGAN-style): as ``"segment"``, but the real pairs
          end at the neighbour itself (wider spread).
        - ``"mix"`` (experimental): as ``"segment"``, but the numeric offset
          is a learned mix of the directions to the anchor's ``n_neighbors``
          neighbours times a learned length in [0, 1], so every generated
          row lies in the simplex of the anchor and its neighbours, where
          SMOTE's segments lie (a free offset under-disperses and points
          where the segments do not go: ``benchmarks/gan_spread.py``).
        - ``"pick"`` (experimental): as ``"mix"``, but the generator draws
          one neighbour from its learned preferences instead of mixing them
          (a mix is pulled towards the neighbours' mean), so each row lies on
          one segment, as SMOTE's do, at a learned length.
        - ``None``: a plain conditional GAN from noise and label only.

        See ``benchmarks/README.md`` for how each one compares with SMOTE.

    n_neighbors : int, default=5
        Same-class neighbours per anchor that form the critic's real pairs.

    {neighbor_scaling}

    loss : {{"wgan-gp", "bce"}}, default="wgan-gp"
        ``"wgan-gp"``: Wasserstein critic without batch norm, gradient penalty
        ``gp_weight``, ``n_critic`` critic steps per generator step.
        ``"bce"``: the original GAN (non-saturating generator loss).

    n_critic : int, default=3
        Critic (discriminator) updates per generator update.

    gp_weight : float, default=10.0
        Weight of the gradient penalty (``"wgan-gp"`` only).

    gp_every : int, default=1
        Lazy gradient penalty: compute it on one critic update in
        ``gp_every`` (counted over the whole run), with its weight
        multiplied by ``gp_every`` so its expected strength is unchanged.
        ``gp_every=3`` ranked worse against SMOTE and, with the penalty in
        closed form, saves little time (benchmarks/README.md, ablations).

    generator_widths : tuple of int, default=(64, 128)
        Hidden widths of the generator (batch norm and ReLU after each):
        positive ints; ``()`` makes it one linear map.

    critic_widths : tuple of int, default=(128, 64)
        Hidden widths of the critic (LeakyReLU 0.2 after each): at least
        one, positive ints.

    noise_dim : int, default=32
        Size of the generator's noise input.

    pac : int, default=2
        PacGAN: the critic scores packs of ``pac`` rows, which penalises mode
        collapse. 1 disables it.

    pack_by_anchor : bool, default=True
        With an ``anchor`` and ``pac > 1``: the rows of a pack share one
        anchor (``pac`` real kernel points of that anchor against ``pac``
        generated rows from it), so the critic sees how far rows from one
        anchor vary and can penalise a generator that ignores its noise.
        Each minibatch then holds ``batch_size / pac`` anchors, ``pac``
        times each. False packs rows of different anchors.

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
    anchors_ : ndarray of shape (n_samples, n_encoded)
        Encoded training rows, the anchors ``sample`` draws from (only with
        ``anchor`` is not None; ``None`` otherwise).
    anchor_labels_ : ndarray of shape (n_samples,)
        Class index of each anchor.
    generator_ : torch.nn.Module
        The trained generator, on the CPU: the moving average of its
        updates when ``ema_decay > 0``, else the last iterate.
    critic_ : torch.nn.Module
        The trained critic (discriminator), on the CPU.
    ema_decay_ : float
        The decay the generator's moving average used: ``ema_decay``, or
        less on short runs (its horizon ``1 / (1 - decay)`` is capped at a
        tenth of the generator updates); 0 when not averaged.
    anchor_neighbors_ : ndarray of shape (n_samples, n_neighbors) or None
        Same-class neighbours of each anchor (only with ``anchor="mix"`` or
        ``"pick"``).

    anchor_weights_ : ndarray of shape (n_samples,) or None
        Sample weight of each anchor when the weights were unequal (anchors
        are then drawn in proportion to it); ``None`` otherwise.
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
    .. [1] M. Mirza and S. Osindero, "Conditional Generative Adversarial Nets",
       2014.
    .. [2] I. Gulrajani et al., "Improved Training of Wasserstein GANs", 2017.
    .. [3] L. Xu et al., "Modeling Tabular Data using Conditional GAN", 2019.
    .. [4] Z. Lin et al., "PacGAN: The power of two samples in generative
       adversarial networks", 2018.
    .. [5] Y. Yazici et al., "The Unusual Effectiveness of Averaging in GAN
       Training", 2019.

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
    """

    # 1,000 generator updates (each after n_critic critic updates): 500 left
    # the GAN under-trained and behind SMOTE (benchmarks/README.md, ablations)
    _auto_updates = 1000

    _parameter_constraints: dict = {
        **BaseGenerativeOverSampler._parameter_constraints,
        "anchor": [StrOptions({"neighbors", "segment", "mix", "pick"}), None],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "loss": [StrOptions({"wgan-gp", "bce"})],
        "n_critic": [Interval(numbers.Integral, 1, None, closed="left")],
        "gp_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "gp_every": [Interval(numbers.Integral, 1, None, closed="left")],
        "generator_widths": [tuple, list],
        "critic_widths": [tuple, list],
        "noise_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "pac": [Interval(numbers.Integral, 1, None, closed="left")],
        "pack_by_anchor": ["boolean"],
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
        n_neighbors=5,
        neighbor_scaling="minmax",
        loss="wgan-gp",
        n_critic=3,
        gp_weight=10.0,
        gp_every=1,
        generator_widths=(64, 128),
        critic_widths=(128, 64),
        noise_dim=32,
        pac=2,
        pack_by_anchor=True,
        ema_decay=0.99,
        instance_noise=0.0,
        feature_matching=0.0,
        aux_classifier_weight=0.0,
        balance_classes=False,
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
        self.n_neighbors = n_neighbors
        self.neighbor_scaling = neighbor_scaling
        self.loss = loss
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.gp_every = gp_every
        self.generator_widths = generator_widths
        self.critic_widths = critic_widths
        self.noise_dim = noise_dim
        self.pac = pac
        self.pack_by_anchor = pack_by_anchor
        self.ema_decay = ema_decay
        self.instance_noise = instance_noise
        self.feature_matching = feature_matching
        self.aux_classifier_weight = aux_classifier_weight
        self.balance_classes = balance_classes
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
        check_widths(self, "generator_widths")
        check_widths(self, "critic_widths", allow_empty=False)

    def _train(self, Z, labels, n_classes, spans, torch_gen, space, row_weights=None):
        device, width = Z.device, Z.shape[1]
        epochs = self._n_epochs(Z.shape[0])
        batch_size = min(self.batch_size, Z.shape[0])
        # the condition is the one-hot class, plus the anchor row when anchored
        n_cond = n_classes + (width if self.anchor else 0)
        # "mix", "pick": k neighbour logits and a length follow the row (generator_output)
        directed = self.anchor in ("mix", "pick")
        n_out = width + (self.n_neighbors + 1 if directed else 0)
        generator = ConditionalGenerator(
            self.noise_dim, n_cond, tuple(self.generator_widths), n_out
        ).to(device)
        critic = ConditionalCritic(
            width, n_cond, tuple(self.critic_widths), pac=self.pac
        ).to(device)
        classifier = None
        if self.aux_classifier_weight > 0:
            classifier = Classifier(width, n_classes, tuple(self.critic_widths)).to(device)
        config = GANConfig(
            loss=self.loss, n_critic=self.n_critic, gp_weight=self.gp_weight,
            gp_every=self.gp_every,
            noise_dim=self.noise_dim, pac=self.pac,
            instance_noise=self.instance_noise,
            feature_matching=self.feature_matching,
            aux_weight=self.aux_classifier_weight, epochs=epochs,
            segment=self.anchor in ("segment", "mix", "pick"), mix=directed,
            pick=self.anchor == "pick", pack_by_anchor=self.pack_by_anchor,
            ema_decay=capped_decay(self.ema_decay, epochs * -(-Z.shape[0] // batch_size)),
        )
        tensors, pool, neighbors = (Z, labels), None, None
        if self.anchor:
            pool = Z
            neighbors = same_class_neighbors(space, labels, self.n_neighbors)
            tensors = (Z, labels, neighbors)
        step = GANStep(generator, critic, spans, n_classes, config, torch_gen,
                       self.learning_rate, classifier=classifier, pool=pool)
        modules = [m for m in (generator, critic, classifier) if m is not None]
        anchor_weights = row_weights  # sampling draws anchors by sample weight only
        if self.balance_classes:
            row_weights = class_balanced_weights(labels, n_classes, row_weights)
        history = train(
            step, tensors, epochs=epochs, batch_size=batch_size, generator=torch_gen,
            modules=modules, row_weights=row_weights, verbose=self.verbose,
        )
        if step.generator_average is not None:
            generator = step.generator_average
        fitted = {"generator_": generator, "critic_": critic, "history_": history,
                  "ema_decay_": config.ema_decay,
                  "anchors_": None, "anchor_labels_": None, "anchor_weights_": None,
                  "anchor_neighbors_": None}
        if self.anchor:
            fitted.update(anchors_=Z.cpu().numpy(), anchor_labels_=labels.cpu().numpy())
            if directed:
                fitted["anchor_neighbors_"] = neighbors.cpu().numpy()
            if anchor_weights is not None:  # anchors are then drawn by weight
                fitted["anchor_weights_"] = anchor_weights.cpu().numpy()
        return fitted

    def _generate_encoded(self, n_samples, class_index, torch_gen):
        pick = None
        if self.anchors_ is not None:
            rows = torch.as_tensor(np.flatnonzero(self.anchor_labels_ == class_index))
            pick = rows[self._draw_anchors(rows, n_samples, torch_gen)]
        return self._generate_from_anchors(pick, n_samples, class_index, torch_gen)

    def _generate_from_anchors(self, pick, n_samples, class_index, torch_gen):
        """Encoded rows of class ``class_index`` from the anchors at rows
        ``pick`` of ``anchors_`` (``None`` when not anchored); call under
        ``torch.no_grad()``. ``benchmarks/gan_spread.py`` picks the anchors
        itself to measure each row's offset from its own."""
        cond = torch.zeros(n_samples, len(self.classes_))
        cond[:, class_index] = 1.0
        anchor = directions = None
        if pick is not None:
            anchors = torch.as_tensor(self.anchors_)
            anchor = anchors[pick]
            cond = torch.cat([cond, anchor], dim=1)
            table = getattr(self, "anchor_neighbors_", None)  # absent in old pickles
            if table is not None:
                directions = anchors[torch.as_tensor(table)[pick]] - anchor.unsqueeze(1)
        noise = torch.randn(n_samples, self.noise_dim, generator=torch_gen)
        draw = torch_gen if self.anchor == "pick" and directions is not None else None
        return generator_output(self.generator_(noise, cond), self.encoder_.spans_,
                                anchor, directions=directions, draw=draw).numpy()

    def _draw_anchors(self, rows, n_samples, torch_gen):
        """Positions in ``rows`` of the anchors: uniform, or by sample weight."""
        weights = getattr(self, "anchor_weights_", None)  # absent in old pickles
        if weights is None or not weights[rows.numpy()].any():
            return torch.randint(rows.numel(), (n_samples,), generator=torch_gen)
        return torch.multinomial(torch.as_tensor(weights[rows.numpy()]), n_samples,
                                 replacement=True, generator=torch_gen)
