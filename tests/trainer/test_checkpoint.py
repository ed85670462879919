"""The epoch checkpoint survives a kill in the middle of a save (see trainer/checkpoint.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from trainer.checkpoint import METADATA, WEIGHTS, atomic_backup_make  # noqa: E402


def _model():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, size=32)


class _Epochs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen: list[int] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.seen.append(epoch)


def test_saves_leave_no_partial_files_and_a_new_fit_resumes_after_the_last_epoch(tmp_path):
    x, y = _data()
    _model().fit(x, y, epochs=2, verbose=0, callbacks=[atomic_backup_make(keras, tmp_path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == [WEIGHTS, METADATA]
    assert json.loads((tmp_path / METADATA).read_text())["epoch"] == 2
    epochs = _Epochs()
    _model().fit(x, y, epochs=4, verbose=0, callbacks=[atomic_backup_make(keras, tmp_path), epochs])
    assert epochs.seen == [2, 3]


@pytest.mark.parametrize("broken", [WEIGHTS, METADATA])
def test_a_checkpoint_truncated_by_a_kill_restarts_from_epoch_one_with_a_log_line(tmp_path, broken):
    x, y = _data()
    _model().fit(x, y, epochs=2, verbose=0, callbacks=[atomic_backup_make(keras, tmp_path)])
    path = tmp_path / broken
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 3)])  # what a SIGKILL mid-write leaves
    lines: list[str] = []
    epochs = _Epochs()
    history = _model().fit(x, y, epochs=3, verbose=0, callbacks=[atomic_backup_make(keras, tmp_path, log=lines.append), epochs])
    assert epochs.seen == [0, 1, 2]
    assert len(history.history["loss"]) == 3
    assert len(lines) == 1 and "could not be read" in lines[0] and "epoch 1" in lines[0]
    assert json.loads((tmp_path / METADATA).read_text())["epoch"] == 3
