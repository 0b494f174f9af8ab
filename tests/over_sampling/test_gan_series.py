"""GANOverSampler on series: the recurrent generator and critic (``network``).

The recurrent nets go through the same ``GANStep`` and ``loop.train`` as the
MLP; their gradient penalty goes through autograd's double backward, which
the tests check against finite differences and by its effect in training.
"""

import pickle
from collections import Counter

import numpy as np
import pytest
import torch
from imblearn.utils.estimator_checks import parametrize_with_checks as checks_imblearn
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.utils._testing import ignore_warnings
from sklearn_compat.utils.estimator_checks import (
    parametrize_with_checks as checks_sklearn,
)

from imblearn_gan import GANOverSampler
from imblearn_gan.backend.losses import gradient_penalty
from imblearn_gan.backend.nets import (
    RecurrentCritic,
    RecurrentGenerator,
    as_rows,
    as_steps,
)
from imblearn_gan.backend.steps import GANConfig, GANStep
from imblearn_gan.datasets import make_waves
from imblearn_gan.exceptions import InputError
from tests._fast import FAST_GAN

FAST = {**FAST_GAN, "network": "gru"}

# a series is numeric: string columns are categorical, which a recurrent network refuses
RECURRENT_EXPECTED_FAILED = {
    "check_samplers_string": "a recurrent network reads numeric series; strings are refused",
}


def make_sampler(**params):
    return GANOverSampler(**{**FAST, **params})


def small_waves(n_samples=66, n_steps=12, seed=0):
    return make_waves(n_samples, imbalance=10, n_steps=n_steps, random_state=seed)


# -- layout ------------------------------------------------------------------


def test_rows_and_steps_are_channel_major():
    # Setup: 2 series, 2 channels, 3 steps; channel c, step t at column c * 3 + t
    x3d = torch.arange(12.0).reshape(2, 2, 3)

    # Run
    steps = as_steps(x3d.reshape(2, -1), n_channels=2)

    # Assert
    assert steps.shape == (2, 3, 2)
    assert steps[1, 2].tolist() == x3d[1, :, 2].tolist()
    assert torch.equal(as_rows(steps), x3d.reshape(2, -1))


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("anchored", [False, True])
def test_recurrent_nets_shapes_and_packs(cell, anchored):
    # Setup: 3 channels x 5 steps, 2 classes, packs of 2
    torch.manual_seed(0)
    n, n_channels, n_steps = 6, 3, 5
    width = n_channels * n_steps
    cond = torch.cat([torch.eye(2)[torch.tensor([0, 1] * 3)]]
                     + ([torch.randn(n, width)] if anchored else []), dim=1)
    generator = RecurrentGenerator(4, 2, (8, 6), n_steps, n_channels, cell, anchored)
    critic = RecurrentCritic(n_channels, 2, (8,), cell, pac=2, anchored=anchored)

    # Run
    rows = generator(torch.randn(n, 4), cond)
    score, features = critic(rows, cond)

    # Assert: one row per series, one score per pack; a pack's score moves
    # with any of its series
    assert rows.shape == (n, width)
    assert score.shape == (n // 2,) and features.shape == (n // 2, 8)
    moved = rows.detach().clone()
    moved[1, 0] += 1.0
    new_score = critic(moved, cond)[0]
    assert new_score[0] != score[0] and torch.equal(new_score[1:], score[1:])


# -- the gradient penalty of a recurrent critic ----------------------------------------


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_recurrent_penalty_matches_finite_differences(cell):
    # Setup: float64 critic on 2 channels x 4 steps, packs of 2
    torch.manual_seed(0)
    critic = RecurrentCritic(2, 3, (6,), cell, pac=2).double()
    interp = torch.randn(4, 8, dtype=torch.float64)
    cond = torch.eye(3, dtype=torch.float64)[torch.tensor([0, 2, 1, 1])]

    def penalty_by_differences(eps=1e-6):
        # the input gradient by central differences, then E[(||g|| - 1)^2] per pack
        with torch.no_grad():
            grad = torch.zeros_like(interp)
            for i, j in np.ndindex(*interp.shape):
                step = torch.zeros_like(interp)
                step[i, j] = eps
                up = critic(interp + step, cond)[0].sum()
                down = critic(interp - step, cond)[0].sum()
                grad[i, j] = (up - down) / (2 * eps)
            return ((grad.reshape(2, -1).norm(dim=1) - 1) ** 2).mean()

    def penalty():
        leaf = interp.clone().requires_grad_(True)
        return gradient_penalty(critic(leaf, cond)[0], leaf)

    # Run: the penalty by double backward and its weight gradient
    gp = penalty()
    gp.backward()
    weight = critic.body.layers[0].weight_hh_l0
    direction = torch.randn_like(weight)
    predicted = (weight.grad * direction).sum()
    with torch.no_grad():
        weight += 1e-6 * direction
    up = penalty().detach()
    with torch.no_grad():
        weight -= 2e-6 * direction
    down = penalty().detach()

    # Assert: the penalty equals the one the finite-difference input gradient
    # gives, and its weight gradient (the double backward) matches central
    # differences of the penalty along a random direction
    torch.testing.assert_close(gp.detach(), penalty_by_differences(), rtol=1e-6, atol=1e-8)
    torch.testing.assert_close(predicted, (up - down) / 2e-6, rtol=1e-5, atol=1e-8)


def _interpolate_gradient_gap(gp_weight):
    """Train a GRU GAN; mean | ||grad D(x_hat)|| - 1 | at fresh interpolates."""
    X, y = small_waves()
    gan = make_sampler(anchor=None, epochs=15, learning_rate=1e-2, gp_weight=gp_weight,
                       pac=1, generator_widths=(16,), critic_widths=(16,), n_critic=3)
    gan.fit(X, y)
    real = torch.as_tensor(gan.train_encoded_)
    labels = torch.as_tensor(gan.train_labels_)
    cond = torch.nn.functional.one_hot(labels, 2).float()
    with torch.no_grad():
        fake = gan.generator_(torch.randn(len(real), gan.noise_dim,
                                          generator=torch.Generator().manual_seed(1)), cond)
    alpha = torch.rand(len(real), 1, generator=torch.Generator().manual_seed(2))
    interp = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(gan.critic_(interp, cond)[0].sum(), interp)
    return (grad.norm(dim=1) - 1).abs().mean().item(), gan


def test_gradient_penalty_pulls_the_recurrent_critics_slope_to_one():
    # Run: the same fit with and without the penalty
    gap_penalised, gan = _interpolate_gradient_gap(10.0)
    gap_free, _ = _interpolate_gradient_gap(0.0)

    # Assert: with the penalty the interpolates' gradient norm stays near 1
    # (the recorded penalty falls); without it, the critic's slope runs away
    assert gap_penalised < 0.3
    assert gap_free > 10 * gap_penalised
    assert gan.history_[-1]["gp"] < 0.2 * gan.history_[0]["gp"]


def test_recurrent_critic_has_no_closed_form_and_the_step_uses_autograd():
    # Setup: one GANStep on a GRU critic (float64, CPU)
    torch.manual_seed(0)
    critic = RecurrentCritic(1, 2, (6,), "gru", pac=1).double()
    generator = RecurrentGenerator(3, 2, (6,), 5, 1, "gru").double()
    real = torch.randn(4, 5, dtype=torch.float64)
    fake = torch.randn(4, 5, dtype=torch.float64)
    cond = torch.eye(2, dtype=torch.float64)[torch.tensor([0, 1, 0, 1])]
    interp = 0.25 * real + 0.75 * fake
    step = GANStep(generator, critic, [], 2, GANConfig(gp_weight=10.0),
                   torch.Generator().manual_seed(0), 1e-3)

    # Run: the step's critic gradients, and the same loss by hand
    loss, _, _, gp = step._critic_gradients(real, fake, cond, interp)
    by_step = [p.grad.clone() for p in critic.parameters()]
    critic.zero_grad(set_to_none=True)
    leaf = interp.clone().requires_grad_(True)
    reference_gp = gradient_penalty(critic(leaf, cond)[0], leaf)
    reference = critic(fake, cond)[0].mean() - critic(real, cond)[0].mean() + 10 * reference_gp
    reference.backward()

    # Assert
    assert critic.wgan_gp_gradients(real, fake, cond, interp, 10.0) is None
    assert critic.score_input_gradient(real, cond) is None
    torch.testing.assert_close(gp.detach(), reference_gp.detach())
    torch.testing.assert_close(loss, reference.detach())
    for got, param in zip(by_step, critic.parameters()):
        torch.testing.assert_close(got, param.grad)


# -- the sampler --------------------------------------------------------------------


@pytest.mark.parametrize("network", ["gru", "lstm"])
@pytest.mark.parametrize("anchor", ["segment", None])
def test_series_counts_dtype_and_history(network, anchor):
    # Setup
    X, y = small_waves()

    # Run
    gan = make_sampler(network=network, anchor=anchor)
    X_res, y_res = gan.fit_resample(X.astype(np.float32), y)

    # Assert
    assert Counter(y_res.tolist()) == {0: 60, 1: 60}
    assert X_res.shape == (120, 12) and X_res.dtype == np.float32
    assert np.all(np.isfinite(X_res))
    assert_array_equal(X_res[:66], X.astype(np.float32))
    assert isinstance(gan.generator_, RecurrentGenerator)
    assert isinstance(gan.critic_, RecurrentCritic)
    assert len(gan.history_) == 2
    assert {"g_loss", "d_loss", "d_real", "d_fake", "gp"} <= set(gan.history_[0])


def test_series_same_random_state_same_output():
    X, y = small_waves()
    first = make_sampler().fit_resample(X, y)[0]
    again = make_sampler().fit_resample(X, y)[0]
    other = make_sampler(random_state=1).fit_resample(X, y)[0]
    assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_multichannel_series_and_sample_and_pickle():
    # Setup: two channels of 6 steps, flattened channel-major
    X, y = small_waves(n_steps=12)

    # Run
    gan = make_sampler(n_channels=2).fit(X, y)
    rows = gan.sample(5, y=1, random_state=0)
    restored = pickle.loads(pickle.dumps(gan))

    # Assert
    assert gan.generator_.n_channels == 2 and gan.generator_.n_steps == 6
    assert rows.shape == (5, 12)
    assert_array_equal(restored.sample(5, y=1, random_state=0), rows)


@pytest.mark.parametrize("n_channels, n_features", [(5, 12), (7, 12)])
def test_columns_not_a_series_of_n_channels_is_an_error(n_channels, n_features):
    X, y = small_waves(n_steps=n_features)
    with pytest.raises(InputError, match=f"n_channels={n_channels} needs"):
        make_sampler(n_channels=n_channels).fit(X, y)
    assert not hasattr(make_sampler(n_channels=n_channels), "generator_")


def test_categorical_columns_with_a_recurrent_network_is_an_error():
    pd = pytest.importorskip("pandas")
    X, y = small_waves()
    frame = pd.DataFrame(X).assign(kind=pd.Categorical(["a", "b"] * 33))
    frame.columns = [str(c) for c in frame.columns]
    with pytest.raises(InputError, match=r"network='gru' reads each row as a numeric series"):
        make_sampler().fit(frame, y)


def test_mode_encoding_with_a_recurrent_network_is_an_error():
    X, y = small_waves()
    with pytest.raises(InputError, match="mode-encoded"):
        make_sampler(numeric_encoding="mode").fit(X, y)


def test_unknown_network_is_a_parameter_error():
    X, y = small_waves()
    with pytest.raises(ValueError, match="The 'network' parameter of GANOverSampler"):
        GANOverSampler(network="transformer").fit(X, y)


def test_grid_search_over_the_network():
    from imblearn.pipeline import Pipeline

    # Setup
    X, y = small_waves()
    pipe = Pipeline([("gan", make_sampler()), ("clf", LogisticRegression())])
    grid = GridSearchCV(pipe, {"gan__network": ["mlp", "gru"]}, cv=StratifiedKFold(2),
                        scoring="balanced_accuracy")

    # Run
    grid.fit(X, y)

    # Assert: both networks ran on both folds
    assert [p["gan__network"] for p in grid.cv_results_["params"]] == ["mlp", "gru"]
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    assert grid.predict(X).shape == y.shape


@pytest.mark.slow
def test_generated_waves_have_the_minority_shape():
    # Setup: sawtooth (minority) vs sine; a sawtooth drops once per cycle, so
    # its largest one-step fall is far larger than a sine's of the same amplitude
    X, y = make_waves(330, imbalance=10, noise=0.0, random_state=0)
    largest_fall = lambda rows: (-np.diff(rows, axis=1)).max(1) / np.ptp(rows, axis=1)

    # Run
    gan = GANOverSampler(network="gru", generator_widths=(32,), critic_widths=(32,),
                         epochs=40, random_state=0, n_threads=1).fit(X, y)
    sawtooth, sine = gan.sample(200, y=1, random_state=0), gan.sample(200, y=0, random_state=0)

    # Assert: the generated classes differ as the real ones do
    real_saw, real_sine = np.median(largest_fall(X[y == 1])), np.median(largest_fall(X[y == 0]))
    assert real_saw > 2 * real_sine
    assert np.median(largest_fall(sawtooth)) > 1.5 * np.median(largest_fall(sine))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_recurrent_penalty_runs_on_cuda_without_cudnn_double_backward():
    X, y = small_waves()
    gan = make_sampler(device="cuda", epochs=3).fit(X, y)
    assert gan.device_.type == "cuda" and np.isfinite(gan.history_[-1]["gp"])
    assert torch.backends.cudnn.enabled  # restored after the penalised pass


# -- conformance ----------------------------------------------------------------------


@checks_sklearn([GANOverSampler(**{**FAST_GAN, "network": "lstm"})],
                expected_failed_checks=lambda est: RECURRENT_EXPECTED_FAILED)
def test_recurrent_sampler_passes_sklearn_checks(estimator, check):
    check(estimator)


@pytest.mark.slow  # imbalanced-learn's checks fit on larger, multiclass data
@checks_imblearn([GANOverSampler(**{**FAST_GAN, "network": "lstm"})],
                 expected_failed_checks=lambda est: RECURRENT_EXPECTED_FAILED)
def test_recurrent_sampler_passes_imblearn_checks(estimator, check):
    with ignore_warnings(category=(FutureWarning, ConvergenceWarning, UserWarning)):
        check(estimator)
