"""Imbalanced datasets that load offline, plus user CSVs and imbalanced-learn's
collection.

Fifteen binary problems from the KEEL repository ship as CSV files with the
package; three more are derived from scikit-learn's bundled datasets (digits,
breast cancer, wine). ``load_dataset("csv:PATH:TARGET")`` reads a user file;
imbalanced-learn's ``fetch_datasets`` names load when online (then cached).
Series, one per row: ``make_waves`` (synthetic) and ``load_series`` (aeon's
bundled problems, with aeon installed), also by name in ``load_dataset``
(``"waves:RATIO"``, ``"aeon:NAME:RATIO"``).
"""

from ._load import (
           fetch_dataset,
           list_datasets,
           list_fetchable_datasets,
           load_csv,
           load_dataset,
)
from ._series import load_series, make_waves

__all__ = ["fetch_dataset", "list_datasets", "list_fetchable_datasets", "load_csv",
           "load_dataset", "load_series", "make_waves"]
