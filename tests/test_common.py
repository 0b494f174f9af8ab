"""Common tests: scikit-learn's and imbalanced-learn's estimator checks.

Mirrors ``imblearn/tests/test_common.py``. Every estimator of the package is
listed in ``ESTIMATORS`` with its fast settings (``INIT_PARAMS``, from the one
table in ``tests/_fast.py``, as in
``imblearn/utils/_test_common/instance_generator.py``), so the checks stay quick.
"""

import warnings

import pytest
from imblearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
)
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_checks_imblearn,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._testing import ignore_warnings
from sklearn_compat.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_checks_sklearn,
)

from imblearn_gan import (
    DownsampleUpweight,
    GANOverSampler,
    LossProportionalSampler,
    TomekPruner,
    VAEOverSampler,
)
from imblearn_gan.base import BaseGenerativeOverSampler
from tests._fast import FAST_SETTINGS

# Estimators under test, each with its fast settings (one table: tests/_fast.py).
ESTIMATORS = [GANOverSampler, VAEOverSampler, TomekPruner, DownsampleUpweight,
              LossProportionalSampler]
INIT_PARAMS = {Estimator: FAST_SETTINGS[Estimator.__name__] for Estimator in ESTIMATORS}

# check name -> reason, per estimator class. Only checks that do not apply.
EXPECTED_FAILED_CHECKS: dict = {
    GANOverSampler: {},
    DownsampleUpweight: {},
    LossProportionalSampler: {},
    VAEOverSampler: {},
    TomekPruner: {},
}


def _tested_estimators():
    for Estimator in ESTIMATORS:
        yield Estimator(**INIT_PARAMS.get(Estimator, {}))


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator), {})


def _estimator_id(estimator):
    return type(estimator).__name__


@parametrize_with_checks_sklearn(
    list(_tested_estimators()), expected_failed_checks=_expected_failed_checks
)
def test_estimators_compatibility_sklearn(estimator, check):
    # Run
    check(estimator)


@parametrize_with_checks_imblearn(
    list(_tested_estimators()), expected_failed_checks=_expected_failed_checks
)
def test_estimators_imblearn(estimator, check):
    # Run
    with ignore_warnings(category=(FutureWarning, ConvergenceWarning, UserWarning)):
        check(estimator)


@pytest.mark.parametrize("estimator", list(_tested_estimators()), ids=_estimator_id)
def test_check_param_validation(estimator):
    # Run (the check asserts one constraint per parameter and the error wording)
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", list(_tested_estimators()), ids=_estimator_id)
def test_pandas_column_name_consistency(estimator):
    # Run
    with ignore_warnings(category=FutureWarning):
        with warnings.catch_warnings(record=True) as record:
            check_dataframe_column_names_consistency(
                type(estimator).__name__, estimator
            )

    # Assert
    for warning in record:
        assert "was fitted without feature names" not in str(warning.message)


def test_init_params_cover_every_estimator():
    # Assert: a sampler without fast settings would run with its slow defaults
    for Estimator in ESTIMATORS:
        assert Estimator in INIT_PARAMS, Estimator.__name__
        if issubclass(Estimator, BaseGenerativeOverSampler):  # neural samplers
            assert "epochs" in INIT_PARAMS[Estimator], Estimator.__name__
