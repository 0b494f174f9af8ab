"""The critic's gradients written out by hand (the WGAN-GP fast path) against autograd."""

import pytest
import torch

from imblearn_gan.backend.nets import ConditionalCritic


@pytest.mark.parametrize("widths", [(16,), (16, 8), (16, 12, 8)])
@pytest.mark.parametrize("pac", [1, 2, 3])
def test_critic_gradients_by_hand_match_autograd(pac, widths):
    # Setup
    from imblearn_gan.backend.losses import critic_loss, gradient_penalty

    torch.manual_seed(0)
    critic = ConditionalCritic(7, 3, widths, pac=pac).double()
    real, fake, cond = (torch.randn(12, w, dtype=torch.float64) for w in (7, 7, 3))
    interp = 0.3 * real + 0.7 * fake

    # Run: by hand, then autograd's double backward on the same loss
    loss, real_score, fake_score, gp = critic.wgan_gp_gradients(real, fake, cond, interp, 10.0)
    by_hand = [param.grad.clone() for param in critic.parameters()]
    critic.zero_grad(set_to_none=True)
    leaf = interp.clone().requires_grad_(True)
    reference_gp = gradient_penalty(critic(leaf, cond)[0], leaf)
    reference = critic_loss("wgan-gp", critic(real, cond)[0], critic(fake, cond)[0])
    (reference + 10.0 * reference_gp).backward()

    # Assert: same scores, penalty, loss and weight gradients
    torch.testing.assert_close(real_score, critic(real, cond)[0])
    torch.testing.assert_close(fake_score, critic(fake, cond)[0])
    torch.testing.assert_close(gp, reference_gp.detach())
    torch.testing.assert_close(loss, (reference + 10.0 * reference_gp).detach())
    for param, grad in zip(critic.parameters(), by_hand):
        torch.testing.assert_close(grad, param.grad, atol=1e-12, rtol=1e-9)


def test_critic_gradients_without_penalty_match_autograd():
    # Setup: a lazy-GP critic update (no interpolates)
    from imblearn_gan.backend.losses import critic_loss

    torch.manual_seed(0)
    critic = ConditionalCritic(5, 2, (8, 4), pac=2).double()
    real, fake, cond = (torch.randn(6, w, dtype=torch.float64) for w in (5, 5, 2))

    # Run
    loss, _, _, gp = critic.wgan_gp_gradients(real, fake, cond, None, 10.0)
    by_hand = [param.grad.clone() for param in critic.parameters()]
    critic.zero_grad(set_to_none=True)
    reference = critic_loss("wgan-gp", critic(real, cond)[0], critic(fake, cond)[0])
    reference.backward()

    # Assert
    assert gp is None
    torch.testing.assert_close(loss, reference.detach())
    for param, grad in zip(critic.parameters(), by_hand):
        torch.testing.assert_close(grad, param.grad, atol=1e-12, rtol=1e-9)


@pytest.mark.parametrize("pac", [1, 2])
def test_critic_input_gradient_by_hand_matches_autograd(pac):
    # Setup
    torch.manual_seed(0)
    critic = ConditionalCritic(7, 3, (16, 8), pac=pac).double()
    x, cond = torch.randn(12, 7, dtype=torch.float64), torch.randn(12, 3, dtype=torch.float64)

    # Run: d(-mean score)/dx by hand and by autograd
    score, grad = critic.score_input_gradient(x, cond)
    leaf = x.clone().requires_grad_(True)
    (-critic(leaf, cond)[0].mean()).backward()

    # Assert: same scores and input gradient; no weight gradients by hand
    torch.testing.assert_close(score, critic(x, cond)[0])
    torch.testing.assert_close(grad, leaf.grad, atol=1e-12, rtol=1e-9)


def test_critic_closed_forms_decline_other_layers():
    # Setup: dropout has no closed form here
    critic = ConditionalCritic(4, 2, (8,), dropout=0.1)
    x, cond = torch.randn(6, 4), torch.randn(6, 2)

    # Run / Assert
    assert critic.wgan_gp_gradients(x, x, cond, x, 10.0) is None
    assert critic.score_input_gradient(x, cond) is None
    assert all(param.grad is None for param in critic.parameters())


STEP_OPTIONS = {
    "plain": {},
    "pac=2, padded": {"pac": 2, "rows": 15},
    "instance noise": {"instance_noise": 0.5},
    "three critic updates": {"n_critic": 3},
    "aux classifier": {"aux_weight": 1.0},
    "anchored, packs of one anchor": {"anchored": True, "pac": 2},
    "feature matching (by-hand critic, autograd generator)": {"feature_matching": 0.5},
}
DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="CUDA is not available"))]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("option", list(STEP_OPTIONS))
def test_gan_step_by_hand_matches_the_autograd_path(option, device):
    # Setup: two copies of one critic, one with a (practically inert) dropout
    # layer, which has no closed form and takes autograd's double backward
    from imblearn_gan.backend.encoding import Span
    from imblearn_gan.backend.nets import Classifier, ConditionalGenerator
    from imblearn_gan.backend.steps import GANConfig, GANStep

    settings = dict(STEP_OPTIONS[option])
    rows, anchored = settings.pop("rows", 16), settings.pop("anchored", False)
    aux = settings.get("aux_weight", 0)
    config = GANConfig(**{"n_critic": 1, "noise_dim": 4, "epochs": 2, **settings})
    spans, k = [Span("numeric", 3, "linear", 0)], 3
    x = torch.randn(rows, 3, generator=torch.Generator().manual_seed(2))
    y = torch.arange(rows) % 2
    # each row's neighbours: the next k rows of its class, cyclically
    neighbors = torch.empty(rows, k, dtype=torch.long)
    for label in (0, 1):
        members = torch.nonzero(y == label).squeeze(1)
        for j in range(k):
            neighbors[members, j] = members.roll(-1 - j)
    x, y, neighbors = x.to(device), y.to(device), neighbors.to(device)
    n_cond = 2 + (3 if anchored else 0)
    outputs, grads = [], []
    for dropout in (0.0, 1e-12):
        torch.manual_seed(0)
        generator = ConditionalGenerator(4, n_cond, (8,), 3).to(device)
        critic = ConditionalCritic(3, n_cond, (8,), pac=config.pac, dropout=dropout).to(device)
        classifier = Classifier(3, 2, (8,)).to(device) if aux else None
        step = GANStep(generator, critic, spans, 2, config,
                       torch.Generator(device=device).manual_seed(1), 1e-3,
                       classifier=classifier, pool=x if anchored else None)
        seen = []
        for opt in (step.opt_d, step.opt_g):  # the gradients each update applies
            opt.step = _recording(opt, seen)
        grads.append(seen)

        # Run
        batch = (x, y, neighbors) if anchored else (x, y)
        outputs.append(step(batch, 1))

    # Assert: the same scores, penalty, losses and gradients (each critic
    # update's, then the generator's) either way: by hand against autograd
    closed, fallback = outputs
    assert closed.keys() == fallback.keys()
    for key in closed:
        assert closed[key] == pytest.approx(fallback[key], rel=1e-5, abs=1e-6), key
    # critic: 2 linears; generator: 2 linears and a batch norm
    assert len(grads[0]) == len(grads[1]) == 4 * config.n_critic + 6
    for by_hand, autograd in zip(*grads):
        torch.testing.assert_close(by_hand, autograd, atol=1e-6, rtol=1e-5)


def _recording(optimizer, seen):
    """``optimizer.step`` that first records its parameters' gradients."""
    step = optimizer.step

    def record():
        seen.extend(p.grad.clone() for group in optimizer.param_groups
                    for p in group["params"])
        return step()

    return record
