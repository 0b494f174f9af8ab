"""Parameter text shared by several samplers, inserted with ``Substitution``."""

from imblearn.over_sampling.base import BaseOverSampler


class Substitution:
    """Fill ``{name}`` fields of a docstring (braces in examples are doubled)."""

    def __init__(self, **params):
        self.params = params

    def __call__(self, obj):
        obj.__doc__ = obj.__doc__.format(**self.params)
        return obj


_sampling_strategy_docstring = BaseOverSampler._sampling_strategy_docstring

_random_state_docstring = """random_state : int, RandomState instance or None, default=None
        Seeds every random draw of the fit (weights, noise, shuffling, the
        rows generated). An int makes ``fit_resample`` reproducible on CPU.""".rstrip()

_neighbor_scaling_docstring = """neighbor_scaling : {{"minmax", "standard"}} or None, \
default="{default}"
        The metric in which each row's ``n_neighbors`` same-class neighbours
        are found. ``"minmax"``: numeric columns scaled to [0, 1] by their
        training range; ``"standard"``: z-scores of the numeric columns;
        ``None``: the columns' own units, as SMOTE sees them at
        the head of a pipeline. With ``"minmax"`` and ``None``, one-hot cells
        of categorical columns are half the median standard deviation of the
        scaled numeric columns, so a different category adds half that
        median's square to a squared distance (SMOTENC adds the whole
        square); with ``"standard"``, one-hot cells of 1.""".rstrip()

_copy_guard_docstring = """copy_threshold : float, default=0.25
        A generated row is a *near-copy* when its distance to the closest
        training row (any class; in the encoded space: scaled numbers,
        one-hot categories) is below ``copy_threshold`` x the median
        distance between the class's own training rows and their nearest
        neighbours (distinct rows). ``near_copy_rate_`` is measured with it.

    drop_copies : bool, default=False
        Drop generated near-copies and draw again until each class has its
        exact count (at most 10 rounds; if rows are still missing, a
        ``UserWarning`` says so and the least close of the remaining rows
        fill the gap, so counts stay exact).""".rstrip()

_training_rows_docstring = """train_encoded_ : ndarray of shape (n_samples, n_encoded)
        Encoded training rows: the rows generation starts from (anchors of
        the GAN, latent codes of the VAE) and the reference of the near-copy
        guard.
    train_labels_ : ndarray of shape (n_samples,)
        Class index of each training row.
    train_weights_ : ndarray of shape (n_samples,) or None
        Sample weight of each training row when the weights were unequal
        (generation then draws its starting rows in proportion to them);
        ``None`` otherwise.
    neighbors_ : ndarray of shape (n_samples, n_neighbors) or None
        Indices of each training row's nearest rows of its class (``None``
        when the sampler does not use them).
    copy_scale_ : ndarray of shape (n_classes,)
        Per class, the median nearest-neighbour distance of its training
        rows (encoded space); the near-copy threshold is ``copy_threshold``
        x this.
    near_copy_rate_ : dict
        Per class label, the fraction of near-copies among rows drawn from
        the fitted model before any guard (a probe of as many rows as the
        class has, at least 50 and at most 1,000; on tables of over 268,435
        rows at most ``2**28 / n_samples``, but at least 200).""".rstrip()

_neural_docstring = """categorical_features : "auto", array-like of int or str, or None, \
default="auto"
        Columns modelled as categorical (one-hot, softmax head; only seen
        categories are generated). ``"auto"`` uses pandas dtypes (category,
        object, string, bool) and, for object arrays, the non-numeric
        columns; indices or column names select them explicitly; ``None``
        treats all columns as numeric.

    numeric_encoding : {{"standard", "quantile", "mode"}}, default="standard"
        Scaling of numeric columns: z-score, normal scores of the empirical
        quantiles, or mode-specific normalisation (a Gaussian mixture per
        column, as in CTGAN). Decoded values stay within the training range;
        integer-valued columns are rounded.

    epochs : int or "auto", default={epochs}
        Passes over the training rows. ``"auto"`` picks enough epochs for
        about {updates:,} minibatch updates, so small tables train as long as
        large ones (at batch size {batch_size}, a 1,000-row table gets
        {small_epochs} epochs).

    batch_size : int, default={batch_size}
        Rows per minibatch (capped at the number of rows).

    learning_rate : float, default={learning_rate}
        Adam learning rate.

    device : "auto", "cpu", "cuda" or "cuda:N", default="auto"
        Where to train. ``"auto"`` picks CUDA when available. Fitted networks
        are kept on the CPU, so a fitted sampler pickles and loads anywhere.

    n_threads : int or None, default=1
        torch intra-op threads during ``fit`` and ``sample`` (restored after).
        The networks are small: one thread is as fast as two on a quiet
        machine and does not collapse when the other cores are busy (e.g.
        under ``GridSearchCV(n_jobs=...)``). ``None`` keeps torch's setting.

    verbose : int, default=0
        Print a progress bar with the losses of each epoch (stderr).""".rstrip()
