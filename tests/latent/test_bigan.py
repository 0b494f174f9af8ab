"""BiGAN: reconstruction through its codes, reproducibility, pipelines, errors."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from imblearn_gan.exceptions import InputError
from imblearn_gan.latent import BiGAN
from tests.latent._fast import FAST_SETTINGS


def _curve(n=300, seed=0):
    """Rows on a curved 2-D manifold in 8 dimensions, with a little noise."""
    rng = np.random.RandomState(seed)
    u = rng.randn(n, 2)
    return np.tanh(u) @ rng.randn(2, 8) + 0.05 * rng.randn(n, 8)


def test_decode_encode_is_nearer_the_row_than_a_random_row():
    # Setup: a table with a 2-D latent structure; codes of the same width
    X = _curve()
    bigan = BiGAN(n_components=2, epochs=20, random_state=0, device="cpu")

    # Run
    X_rec = bigan.fit(X).inverse_transform(bigan.transform(X))

    # Assert: G(E(x)) is nearer to x than to another row for most rows, and
    # under half as far from it as from a random row (0.5 and 1.0 by chance;
    # seeds 0-2 give 0.88-0.90 and 0.42-0.48)
    other = X[np.random.RandomState(1).permutation(len(X))]
    own = np.linalg.norm(X_rec - X, axis=1)
    rand = np.linalg.norm(X_rec - other, axis=1)
    assert (own < rand).mean() > 0.8
    assert own.mean() < 0.6 * rand.mean()


def test_same_seed_same_codes_and_threads_restored():
    # Setup
    X = _curve(100)
    threads = torch.get_num_threads()

    # Run
    a = BiGAN(**FAST_SETTINGS["BiGAN"]).fit(X)
    b = BiGAN(**FAST_SETTINGS["BiGAN"]).fit(X)
    c = BiGAN(**{**FAST_SETTINGS["BiGAN"], "random_state": 1}).fit(X)

    # Assert
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert not np.allclose(a.transform(X), c.transform(X))
    assert torch.get_num_threads() == threads
    assert a.transform(X).dtype == np.float64
    assert set(a.history_[0]) >= {"epoch", "g_loss", "d_loss", "d_real", "d_fake", "gp", "dur"}
    assert len(a.history_) == 2


def test_pickle_keeps_codes_and_reconstruction():
    # Setup
    X = _curve(100)
    bigan = BiGAN(**FAST_SETTINGS["BiGAN"]).fit(X)

    # Run
    loaded = pickle.loads(pickle.dumps(bigan))

    # Assert
    np.testing.assert_array_equal(loaded.transform(X), bigan.transform(X))
    codes = bigan.transform(X[:5])
    np.testing.assert_array_equal(loaded.inverse_transform(codes), bigan.inverse_transform(codes))


def test_in_a_pipeline_before_a_classifier():
    # Setup: digits 0-2, a few epochs
    X, y = load_digits(n_class=3, return_X_y=True)
    pipe = make_pipeline(
        BiGAN(n_components=8, generator_widths=(32,), encoder_widths=(32,),
              critic_widths=(32,), epochs=10, random_state=0, device="cpu"),
        LogisticRegression(max_iter=1000),
    )

    # Run
    pipe.fit(X[::2], y[::2])
    accuracy = pipe.score(X[1::2], y[1::2])

    # Assert: the codes carry the digit far above chance (1/3)
    assert accuracy > 0.7
    assert pipe[0].get_feature_names_out().tolist()[:2] == ["bigan0", "bigan1"]


def test_integer_columns_decoded_in_range_and_rounded():
    # Setup
    X, _ = load_digits(n_class=2, return_X_y=True)
    bigan = BiGAN(**FAST_SETTINGS["BiGAN"]).fit(X)

    # Run: codes far outside the prior
    rows = bigan.inverse_transform(np.full((3, 2), 50.0))

    # Assert
    assert rows.shape == (3, 64)
    assert rows.min() >= X.min() and rows.max() <= X.max()
    np.testing.assert_array_equal(rows, np.round(rows))


@pytest.mark.parametrize("X, match", [
    (np.array([["a", 1.0], ["b", 2.0]], dtype=object), "numeric columns only"),
    (np.array([[1.0, 2.0]]), "1 sample"),
])
def test_clear_errors_on_bad_input(X, match):
    # Run / Assert
    with pytest.raises(ValueError, match=match):
        BiGAN(**FAST_SETTINGS["BiGAN"]).fit(X)


def test_inverse_transform_checks_the_code_width():
    # Setup
    bigan = BiGAN(**FAST_SETTINGS["BiGAN"]).fit(_curve(50))

    # Run / Assert
    with pytest.raises(InputError, match="expects 2"):
        bigan.inverse_transform(np.zeros((4, 3)))


def test_bad_widths_name_the_parameter():
    # Run / Assert
    with pytest.raises(ValueError, match="encoder_widths"):
        BiGAN(**{**FAST_SETTINGS["BiGAN"], "encoder_widths": (0,)}).fit(_curve(50))
