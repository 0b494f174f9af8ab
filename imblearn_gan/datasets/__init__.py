"""Imbalanced datasets that load offline.

Fifteen binary problems from the KEEL repository ship as CSV files with the
package; three more are derived from scikit-learn's bundled datasets.
"""

from ._load import list_datasets, load_dataset

__all__ = ["list_datasets", "load_dataset"]
