"""Quality and privacy of synthetic rows, as plain functions.

- fidelity: :func:`classifier_two_sample_auc`, :func:`marginal_distances`,
  :func:`correlation_difference`;
- utility: :func:`utility_scores`;
- privacy / memorisation: :func:`distance_to_closest_record`,
  :func:`memorization_scores`;
- all of them per generated class: :func:`quality_report`.

See the Synthetic-data quality guide.
"""

from ._fidelity import (
    classifier_two_sample_auc,
    correlation_difference,
    marginal_distances,
)
from ._privacy import distance_to_closest_record, memorization_scores
from ._report import quality_report
from ._utility import utility_scores

__all__ = [
    "classifier_two_sample_auc",
    "correlation_difference",
    "distance_to_closest_record",
    "marginal_distances",
    "memorization_scores",
    "quality_report",
    "utility_scores",
]
