"""scikit-learn's estimator checks on the latent-feature GANs, with fast settings."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from imblearn_gan.latent import BiGAN, InfoGAN
from tests.latent._fast import FAST_SETTINGS

ESTIMATORS = [BiGAN, InfoGAN]

# check name -> reason, per class. Only checks that do not apply.
EXPECTED_FAILED_CHECKS: dict = {BiGAN: {}, InfoGAN: {}}


def _instances():
    return [Estimator(**FAST_SETTINGS[Estimator.__name__]) for Estimator in ESTIMATORS]


@parametrize_with_checks(
    _instances(), expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS[type(est)]
)
def test_sklearn_compatible_estimator(estimator, check):
    # Run
    check(estimator)
