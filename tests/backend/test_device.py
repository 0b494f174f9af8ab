"""Device resolution, the thread policy, and a CUDA round trip when available."""

import pickle

import numpy as np
import pytest
import torch

from imblearn_gan import GANOverSampler
from imblearn_gan.backend import resolve_device, torch_threads

requires_cuda = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="CUDA is not available"
)


def test_resolve_device_auto():
    # Run
    device = resolve_device("auto")

    # Assert
    assert isinstance(device, torch.device)
    assert device.type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize("spec", ["cpu", torch.device("cpu")])
def test_resolve_device_cpu(spec):
    # Run / Assert
    assert resolve_device(spec) == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
@pytest.mark.parametrize("spec", ["cuda", "cuda:0"])
def test_resolve_device_cuda_without_cuda_is_an_error(spec):
    # Run / Assert: an explicit request never falls back silently
    with pytest.raises(ValueError, match="CUDA is not available.*device='auto'"):
        resolve_device(spec)


@pytest.mark.parametrize("spec", ["gpu-please", "", "cuda:x"])
def test_resolve_device_garbage_is_an_error(spec):
    # Run / Assert
    with pytest.raises(ValueError, match="'device' parameter must be"):
        resolve_device(spec)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_sampler_with_cuda_device_without_cuda_is_a_value_error():
    # Setup
    X = np.random.RandomState(0).normal(size=(40, 2))
    y = np.r_[np.zeros(30, int), np.ones(10, int)]
    sampler = GANOverSampler(epochs=1, learning_rate=1e-3, anchor=None, device="cuda",
                             random_state=0)

    # Run / Assert
    with pytest.raises(ValueError, match="CUDA is not available"):
        sampler.fit_resample(X, y)


def test_torch_threads_restores_the_previous_count():
    # Setup
    before = torch.get_num_threads()
    inside = 2 if before == 1 else 1

    # Run
    with torch_threads(inside):
        during = torch.get_num_threads()

    # Assert
    assert during == inside
    assert torch.get_num_threads() == before


def test_torch_threads_restores_after_an_error():
    # Setup
    before = torch.get_num_threads()

    # Run
    with pytest.raises(RuntimeError, match="boom"):
        with torch_threads(1 if before != 1 else 2):
            raise RuntimeError("boom")

    # Assert
    assert torch.get_num_threads() == before


def test_torch_threads_none_leaves_the_setting_alone():
    # Setup
    before = torch.get_num_threads()

    # Run
    with torch_threads(None):
        during = torch.get_num_threads()

    # Assert
    assert during == before == torch.get_num_threads()


@requires_cuda
def test_fit_on_cuda_then_sample_on_cpu_after_pickling():
    # Setup
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-2, 1, size=(120, 3)), rng.normal(2, 1, size=(30, 3))]
    y = np.r_[np.zeros(120, int), np.ones(30, int)]
    sampler = GANOverSampler(
        epochs=2, learning_rate=1e-3, generator_widths=(16,),
        critic_widths=(16,), noise_dim=4, batch_size=64, device="cuda", random_state=0,
    )

    # Run
    X_res, y_res = sampler.fit_resample(X, y)
    restored = pickle.loads(pickle.dumps(sampler))
    X_new = restored.sample(10, y=1, random_state=0)

    # Assert: trained on the GPU, kept on the CPU, usable anywhere
    assert sampler.device_.type == "cuda"
    assert X_res.shape == (240, 3) and np.all(np.isfinite(X_res))
    assert np.bincount(y_res).tolist() == [120, 120]
    assert all(p.device.type == "cpu" for p in restored.generator_.parameters())
    assert X_new.shape == (10, 3) and np.all(np.isfinite(X_new))
    np.testing.assert_array_equal(X_new, sampler.sample(10, y=1, random_state=0))


def test_every_torch_sampler_reports_its_device():
    # Setup: device="auto" on every sampler that runs torch
    from imblearn_gan import LossProportionalSampler, TomekPruner, VAEOverSampler
    from tests._fast import FAST_GAN, FAST_VAE

    X = np.random.RandomState(0).normal(size=(200, 3))
    y = np.r_[np.zeros(170, int), np.ones(30, int)]
    samplers = [
        GANOverSampler(**{**FAST_GAN, "device": "auto"}),
        VAEOverSampler(**{**FAST_VAE, "device": "auto"}),
        TomekPruner(device="auto"),
        LossProportionalSampler(device="auto", random_state=0),
    ]
    expected = resolve_device("auto")

    for sampler in samplers:
        # Run
        sampler.fit_resample(X, y)

        # Assert
        assert sampler.device_ == expected, type(sampler).__name__
