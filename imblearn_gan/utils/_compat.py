"""The one module that imports private scikit-learn / imblearn names.

They come through ``sklearn_compat`` (a dependency of imbalanced-learn), as in
``imblearn/base.py``, so version differences stay in one place.
"""

from imblearn.pipeline import _fit_resample_one, _fit_transform_one
from sklearn.pipeline import _name_estimators
from sklearn.utils import _safe_indexing
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
from sklearn.utils._user_interface import _print_elapsed_time
from sklearn.utils.metadata_routing import _routing_enabled
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

__all__ = [
    "_fit_context",
    "_fit_resample_one",
    "_fit_transform_one",
    "_name_estimators",
    "_openmp_effective_n_threads",
    "_print_elapsed_time",
    "_routing_enabled",
    "_safe_indexing",
    "imblearn_dataset_names",
    "validate_data",
]


def imblearn_dataset_names():
    """Names of imbalanced-learn's ``fetch_datasets`` collection (its private
    ``MAP_NAME_ID`` table; imported on first use)."""
    from imblearn.datasets._zenodo import MAP_NAME_ID

    return list(MAP_NAME_ID)
