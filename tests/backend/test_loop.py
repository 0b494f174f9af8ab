"""The training loop: history, batching, stopping, divergence, seeding."""

import math

import pytest
import torch

from imblearn_gan.backend import EarlyStopping, class_balanced_weights, train
from imblearn_gan.exceptions import TrainingDivergedError


def make_generator(seed=0):
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


class RecordingStep:
    """A fake step: records every batch, returns fixed or computed losses."""

    def __init__(self, losses=None):
        self.losses = losses or (lambda batch, epoch: {"loss": 1.0, "other": 2.0})
        self.batches = []

    def __call__(self, batch, epoch):
        self.batches.append((epoch, batch))
        return self.losses(batch, epoch)


def test_one_record_per_epoch_with_the_step_keys():
    # Setup
    step = RecordingStep()
    tensors = (torch.arange(10.0).unsqueeze(1),)

    # Run
    history = train(step, tensors, epochs=4, batch_size=4, generator=make_generator())

    # Assert
    assert len(history) == 4
    assert [record["epoch"] for record in history] == [1, 2, 3, 4]
    for record in history:
        assert set(record) == {"epoch", "dur", "loss", "other"}
        assert record["loss"] == pytest.approx(1.0)
        assert record["other"] == pytest.approx(2.0)
        assert record["dur"] >= 0.0


def test_losses_are_averaged_weighted_by_batch_size():
    # Setup: the step reports its batch size, batches are 4, 4 and 2 rows
    step = RecordingStep(lambda batch, epoch: {"size": float(batch[0].shape[0])})
    tensors = (torch.zeros(10, 1),)

    # Run
    history = train(step, tensors, epochs=1, batch_size=4, generator=make_generator())

    # Assert
    assert history[0]["size"] == pytest.approx((4 * 4 + 4 * 4 + 2 * 2) / 10)


def test_every_row_once_per_epoch_and_tensors_aligned():
    # Setup
    step = RecordingStep()
    index = torch.arange(23)
    tensors = (index.float().unsqueeze(1), index)

    # Run
    train(step, tensors, epochs=3, batch_size=5, generator=make_generator())

    # Assert
    for epoch in range(3):
        seen = torch.cat([batch[1] for e, batch in step.batches if e == epoch])
        assert sorted(seen.tolist()) == list(range(23))
    for _, (x, i) in step.batches:
        assert torch.equal(x.squeeze(1).long(), i)  # rows stay aligned across tensors


@pytest.mark.parametrize(
    "n_rows, batch_size", [(257, 256), (513, 256), (9, 4), (5, 2), (3, 2), (64, 64)]
)
def test_batches_never_contain_a_single_row(n_rows, batch_size):
    # Setup
    step = RecordingStep()
    tensors = (torch.arange(n_rows),)

    # Run
    train(step, tensors, epochs=2, batch_size=batch_size, generator=make_generator())

    # Assert: no batch of one row, and still every row exactly once
    for epoch in range(2):
        batches = [batch[0] for e, batch in step.batches if e == epoch]
        assert min(len(batch) for batch in batches) >= 2
        assert sorted(torch.cat(batches).tolist()) == list(range(n_rows))


def test_modules_train_during_steps_and_eval_after():
    # Setup
    module = torch.nn.BatchNorm1d(1)
    modes = []
    step = RecordingStep(lambda batch, epoch: modes.append(module.training) or {"loss": 0.0})

    # Run
    train(step, (torch.zeros(8, 1),), epochs=2, batch_size=4,
          generator=make_generator(), modules=[module])

    # Assert
    assert modes and all(modes)
    assert not module.training


def test_early_stopping_stops_after_patience_stale_epochs():
    # Setup: a constant loss never improves after the first epoch
    step = RecordingStep(lambda batch, epoch: {"loss": 0.5})
    callback = EarlyStopping("loss", patience=3)

    # Run
    history = train(step, (torch.zeros(8, 1),), epochs=100, batch_size=4,
                    generator=make_generator(), callbacks=[callback])

    # Assert: one epoch sets the best, then 3 stale ones
    assert len(history) == 1 + 3


@pytest.mark.parametrize("mode, sign", [("min", -1.0), ("max", 1.0)])
def test_early_stopping_does_not_stop_while_improving(mode, sign):
    # Setup
    step = RecordingStep(lambda batch, epoch: {"score": sign * epoch})
    callback = EarlyStopping("score", patience=2, mode=mode)

    # Run
    history = train(step, (torch.zeros(8, 1),), epochs=12, batch_size=4,
                    generator=make_generator(), callbacks=[callback])

    # Assert
    assert len(history) == 12


def test_early_stopping_min_delta():
    # Setup: improvements of 0.01 per epoch are below min_delta=0.1
    step = RecordingStep(lambda batch, epoch: {"loss": 1.0 - 0.01 * epoch})
    callback = EarlyStopping("loss", patience=2, min_delta=0.1)

    # Run
    history = train(step, (torch.zeros(8, 1),), epochs=50, batch_size=4,
                    generator=make_generator(), callbacks=[callback])

    # Assert
    assert len(history) == 3


def test_early_stopping_returns_stop_instead_of_raising():
    # Setup
    callback = EarlyStopping("loss", patience=1)

    # Run
    decision = callback.on_epoch_end([{"loss": 1.0}, {"loss": 1.0}])

    # Assert
    assert decision == "stop"
    assert callback.on_epoch_end([{"loss": 1.0}, {"loss": 0.5}]) is None


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_loss_raises_training_diverged(bad):
    # Setup: the loss goes bad at the third epoch
    step = RecordingStep(lambda batch, epoch: {"d_loss": bad if epoch == 2 else 0.0,
                                               "g_loss": 0.0})

    # Run / Assert
    with pytest.raises(TrainingDivergedError, match="epoch 3: d_loss"):
        train(step, (torch.zeros(8, 1),), epochs=5, batch_size=4,
              generator=make_generator())
    assert issubclass(TrainingDivergedError, FloatingPointError)


def test_row_weights_draw_rows_in_proportion():
    # Setup: the first half weighs 3, the second 1, row 0 weighs nothing
    weights = torch.cat([torch.full((500,), 3.0), torch.full((500,), 1.0)])
    weights[0] = 0.0
    step = RecordingStep()
    index = torch.arange(1000)

    # Run
    train(step, (index,), epochs=5, batch_size=100, generator=make_generator(),
          row_weights=weights)

    # Assert: 5000 draws; 75% expected in the first half (sd 0.6%)
    drawn = torch.cat([batch[0] for _, batch in step.batches])
    assert drawn.numel() == 5000
    share = (drawn < 500).float().mean().item()
    assert share == pytest.approx(0.75, abs=0.03)
    assert not torch.any(drawn == 0)
    assert len(drawn.unique()) < 1000  # with replacement: not a permutation


def test_class_balanced_weights_give_each_class_equal_mass():
    # Setup: classes of 90, 9 and 1 rows; row weights 2 on the first 45 rows
    labels = torch.repeat_interleave(torch.arange(3), torch.tensor([90, 9, 1]))
    row_weights = torch.ones(100, dtype=torch.float64)
    row_weights[:45] = 2.0

    # Run
    plain = class_balanced_weights(labels, 3)
    weighted = class_balanced_weights(labels, 3, row_weights)

    # Assert
    per_class = torch.zeros(3, dtype=torch.float64).index_add_(0, labels, plain)
    assert torch.allclose(per_class, torch.ones(3, dtype=torch.float64))
    assert torch.allclose(weighted, plain * row_weights)


def test_same_generator_seed_same_history():
    # Setup: the loss depends on the order of the rows
    def losses(batch, epoch):
        return {"first": batch[0][0, 0].item()}

    tensors = (torch.arange(50.0).unsqueeze(1),)

    # Run
    runs = [
        train(RecordingStep(losses), tensors, epochs=3, batch_size=8,
              generator=make_generator(seed))
        for seed in (0, 0, 1)
    ]

    # Assert
    def without_time(history):
        return [{k: v for k, v in r.items() if k != "dur"} for r in history]

    assert without_time(runs[0]) == without_time(runs[1])
    assert without_time(runs[0]) != without_time(runs[2])


def test_verbose_draws_progress_on_stderr(capsys):
    # Setup
    step = RecordingStep()

    # Run
    train(step, (torch.zeros(8, 1),), epochs=2, batch_size=4,
          generator=make_generator(), verbose=1)

    # Assert
    captured = capsys.readouterr()
    assert "epoch 2/2" in captured.err
    assert "loss=1.000" in captured.err
    assert captured.out == ""
