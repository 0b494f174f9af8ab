"""The critic's closed-form input gradient (the gradient penalty's fast path)."""

import pytest
import torch

from imblearn_gan.backend.nets import ConditionalCritic


@pytest.mark.parametrize("pac", [1, 2])
def test_critic_input_gradient_matches_double_backward(pac):
    # Setup
    from imblearn_gan.backend.losses import gradient_penalty, penalty_from_gradient

    torch.manual_seed(0)
    critic = ConditionalCritic(7, 3, (16, 8), pac=pac).double()
    x = torch.randn(12, 7, dtype=torch.float64)
    cond = torch.randn(12, 3, dtype=torch.float64)
    rows, conds = torch.cat([x, x.flip(0)]), torch.cat([cond, cond])

    # Run: closed form on the last 12 rows, autograd's double backward on them
    scores, _, grad = critic.forward_with_input_gradient(rows, conds, 12)
    closed = penalty_from_gradient(grad, 12 // pac)
    grads_closed = torch.autograd.grad(closed, list(critic.parameters()), allow_unused=True)
    interp = x.flip(0).clone().requires_grad_(True)
    reference = gradient_penalty(critic(interp, cond)[0], interp)
    grads_ref = torch.autograd.grad(reference, list(critic.parameters()), allow_unused=True)

    # Assert: same scores, same penalty, same parameter gradients
    torch.testing.assert_close(scores, critic(rows, conds)[0])
    torch.testing.assert_close(closed, reference)
    for param, a, b in zip(critic.parameters(), grads_closed, grads_ref):
        a = torch.zeros_like(param) if a is None else a  # biases: no gradient
        b = torch.zeros_like(param) if b is None else b
        torch.testing.assert_close(a, b, atol=1e-12, rtol=1e-9)


def test_critic_input_gradient_declines_other_layers():
    # Setup: dropout has no closed form here
    critic = ConditionalCritic(4, 2, (8,), dropout=0.1)

    # Run
    _, _, grad = critic.forward_with_input_gradient(torch.randn(6, 4), torch.randn(6, 2), 2)

    # Assert
    assert grad is None


def test_gan_step_double_backward_fallback_matches_closed_form():
    # Setup: two copies of one critic, one with a (practically inert) dropout
    # layer, which has no closed form and takes the double-backward path
    from imblearn_gan.backend.encoding import Span
    from imblearn_gan.backend.nets import ConditionalGenerator
    from imblearn_gan.backend.steps import GANConfig, GANStep

    spans = [Span("numeric", 3, "linear", 0)]
    outputs = []
    for dropout in (0.0, 1e-12):
        torch.manual_seed(0)
        generator = ConditionalGenerator(4, 2, (8,), 3)
        critic = ConditionalCritic(3, 2, (8,), dropout=dropout)
        step = GANStep(generator, critic, spans, 2, GANConfig(n_critic=1, noise_dim=4),
                       torch.Generator().manual_seed(1), 1e-3)
        x = torch.randn(16, 3, generator=torch.Generator().manual_seed(2))
        y = torch.arange(16) % 2

        # Run
        outputs.append(step((x, y), 0))

    # Assert: the same scores, penalty and losses either way
    closed, fallback = outputs
    assert closed.keys() == fallback.keys()
    for key in closed:
        assert closed[key] == pytest.approx(fallback[key], rel=1e-5, abs=1e-6), key
