"""The one module that imports private scikit-learn / imblearn names.

They come through ``sklearn_compat`` (a dependency of imbalanced-learn), as in
``imblearn/base.py``, so version differences stay in one place.
"""

from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

__all__ = ["_fit_context", "validate_data"]
