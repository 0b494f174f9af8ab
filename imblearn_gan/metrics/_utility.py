"""Utility: does a classifier trained with the synthetic rows do better on real data?"""

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import HasMethods
from sklearn_compat.utils._param_validation import validate_params

from ..exceptions import InputError
from ._tables import as_frames, encode


@validate_params(
    {
        "X_train": ["array-like"],
        "y_train": ["array-like"],
        "X_synthetic": ["array-like"],
        "y_synthetic": ["array-like"],
        "X_test": ["array-like"],
        "y_test": ["array-like"],
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
    },
    prefer_skip_nested_validation=True,
)
def utility_scores(X_train, y_train, X_synthetic, y_synthetic, X_test, y_test, *,
                   estimator=None):
    """Test on held-out real rows a classifier trained three ways.

    - ``trtr`` (train real, test real): the real training rows only, the
      baseline;
    - ``augmented``: the real training rows plus the synthetic rows, what
      an over-sampler gives a classifier;
    - ``tstr`` (train synthetic, test real): the real rows of every class
      that was generated are *replaced* by the synthetic rows of that
      class; the other classes keep their real rows. It shows whether the
      synthetic rows alone carry the class.

    Rows are encoded together (numeric columns and one-hot categories),
    then every encoded column is standardised with the mean and standard
    deviation of the real training rows, so ``trtr`` does not depend on the
    synthetic rows.

    Parameters
    ----------
    X_train, y_train : real training rows and labels.
    X_synthetic, y_synthetic : generated rows and their labels.
    X_test, y_test : held-out real rows and labels.
    estimator : classifier with ``predict_proba``, default=None
        ``None`` uses ``LogisticRegression(max_iter=2000)``.

    Returns
    -------
    scores : dict of str to float
        ``{setting}_balanced_accuracy`` and ``{setting}_roc_auc`` for each
        setting above (ROC-AUC is one-vs-rest macro for more than two
        classes; NaN when the test rows have a single class).

    See Also
    --------
    quality_report : Every metric, per generated class.

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn_gan.metrics import utility_scores
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(0, 1, (60, 2)), rng.normal(2, 1, (60, 2))]
    >>> y = np.repeat([0, 1], 60)
    >>> train, test = np.arange(120) % 2 == 0, np.arange(120) % 2 == 1
    >>> scores = utility_scores(X[train], y[train], X[train][y[train] == 1],
    ...                         y[train][y[train] == 1], X[test], y[test])
    >>> round(scores["tstr_balanced_accuracy"], 1) == round(
    ...     scores["trtr_balanced_accuracy"], 1)
    True
    """
    train, synthetic, test = as_frames(X_train=X_train, X_synthetic=X_synthetic,
                                       X_test=X_test)
    y_train, y_synthetic, y_test = (np.asarray(y) for y in (y_train, y_synthetic, y_test))
    for name, X, y in (("train", train, y_train), ("synthetic", synthetic, y_synthetic),
                       ("test", test, y_test)):
        if len(X) != len(y):
            raise InputError(f"X_{name} has {len(X)} rows but y_{name} has {len(y)}.")
    Z_train, Z_synthetic, Z_test = encode([train, synthetic, test])
    # rescale by the real training rows alone, so that the trtr baseline does
    # not depend on the synthetic rows (the encoder saw all three tables)
    scaler = StandardScaler().fit(Z_train)
    Z_train, Z_synthetic, Z_test = (scaler.transform(Z) for Z in (Z_train, Z_synthetic, Z_test))
    kept = ~np.isin(y_train, np.unique(y_synthetic))
    settings = {
        "trtr": (Z_train, y_train),
        "augmented": (np.vstack([Z_train, Z_synthetic]), np.r_[y_train, y_synthetic]),
        "tstr": (np.vstack([Z_train[kept], Z_synthetic]), np.r_[y_train[kept], y_synthetic]),
    }
    estimator = LogisticRegression(max_iter=2000) if estimator is None else estimator
    scores = {}
    for name, (Z, y) in settings.items():
        if np.unique(y).size < 2:
            raise InputError(
                f"The {name} training set has a single class ({np.unique(y).tolist()}); "
                "a classifier needs at least two."
            )
        model = clone(estimator).fit(Z, y)
        scores[f"{name}_balanced_accuracy"] = float(
            balanced_accuracy_score(y_test, model.predict(Z_test)))
        scores[f"{name}_roc_auc"] = _roc_auc(model, Z_test, y_test)
    return scores


def _roc_auc(model, Z, y):
    if np.unique(y).size < 2 or not np.isin(y, model.classes_).all():
        return float("nan")
    proba = model.predict_proba(Z)
    if len(model.classes_) == 2:
        return float(roc_auc_score(y == model.classes_[1], proba[:, 1]))
    try:
        return float(roc_auc_score(y, proba, multi_class="ovr", labels=model.classes_))
    except ValueError:  # a class of the model is missing from the test rows
        return float("nan")
