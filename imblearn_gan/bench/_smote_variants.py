"""Three samplers of the ``smote-variants`` package as imbalanced-learn samplers.

``polynom_fit_SMOTE_star``, ``ProWSyn`` and ``SMOTE_IPF`` head the ranking of
85 SMOTE variants on 104 datasets (Kovacs, 2019, "An empirical comparison and
evaluation of minority oversampling techniques on a large number of imbalanced
datasets", Applied Soft Computing 83). They are peers to compare with, not
part of the package's API. smote-variants works on numeric binary problems, so
the benchmark gives them the scaled, one-hot encoded table.

Install for these three: ``pip install --no-deps smote-variants`` plus its
import-time needs (metric-learn, minisom, seaborn, pandas: the ``bench``
extra); its tensorflow, keras and mkl requirements serve other samplers.
"""

import logging
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_X_y

from ..exceptions import InputError

METHODS = {"polynom-fit-smote-star": "polynom_fit_SMOTE_star", "prowsyn": "ProWSyn",
           "smote-ipf": "SMOTE_IPF"}


def import_smote_variants():
    """The ``smote_variants`` module, its INFO logging silenced, or an InputError saying how
    to install it."""
    try:
        import smote_variants
    except ImportError as exc:
        raise InputError(
            f"This sampler needs the smote-variants package ({exc}): pip install --no-deps "
            "smote-variants, with the package's [bench] extra for what it imports."
        ) from None
    logging.getLogger("smote_variants").setLevel(logging.WARNING)
    return smote_variants


class SmoteVariantsSampler(BaseEstimator):
    """One over-sampler of ``smote-variants`` behind ``fit_resample``.

    Parameters
    ----------
    method : {'polynom-fit-smote-star', 'prowsyn', 'smote-ipf'}, default='prowsyn'
        Which sampler (``polynom_fit_SMOTE_star``, ``ProWSyn``, ``SMOTE_IPF``).
    random_state : int or None, default=None
        Passed to the sampler.
    """

    _parameter_constraints: ClassVar[dict] = {
        "method": [StrOptions(set(METHODS))],
        "random_state": [int, None],
    }

    def __init__(self, method="prowsyn", random_state=None):
        self.method = method
        self.random_state = random_state

    def fit_resample(self, X, y):
        """The rows the sampler returns (SMOTE_IPF also removes noisy rows); a DataFrame
        in gives a DataFrame out."""
        self._validate_params()
        columns = getattr(X, "columns", None)
        X, y = check_X_y(X, y, dtype=np.float64)
        labels = np.unique(y)
        if len(labels) != 2:
            raise InputError(f"{self.method} handles two classes; got {len(labels)}.")
        sv = import_smote_variants()
        sampler = getattr(sv, METHODS[self.method])(random_state=self.random_state)
        X_res, y_res = sampler.sample(X, y)
        X_res, y_res = np.asarray(X_res, dtype=np.float64), np.asarray(y_res).astype(y.dtype)
        if columns is not None:  # a DataFrame comes back as one, as from imbalanced-learn
            import pandas as pd

            X_res = pd.DataFrame(X_res, columns=columns)
        return X_res, y_res
