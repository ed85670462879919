"""The training child as a program: config in, JSON events out, files written."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_child(run_dir: Path) -> tuple[int, list[dict]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "workers"), str(ROOT / "platform")])}
    result = subprocess.run([sys.executable, "-m", "trainer", str(run_dir)], env=env, capture_output=True, text=True, timeout=300)
    events = []
    for line in result.stdout.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            pass
    return result.returncode, events


def write_config(run_dir: Path, data: dict, spec: dict, epochs: int = 2) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps({
        "run_id": 1, "spec": spec, "dataset": data, "batch_events_per_second": 1000,
        "compile": {"loss": "sparse_categorical_crossentropy", "from_logits": True, "metrics": ["accuracy"]},
        "hyperparameters": {"epochs": epochs, "batch_size": 64, "optimizer": "sgd", "learning_rate": 0.01, "seed": 1, "validation_split": 0.25},
    }))


def test_npz_digits_train_and_every_epoch_is_reported(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, size=(200, 8, 8, 1), dtype=np.uint8)
    y = rng.integers(0, 10, size=200)
    np.savez(tmp_path / "data.npz", x=x, y=y)
    spec = {"input_shape": [64], "layers": [{"type": "Rescaling", "args": {"scale": 1 / 255}}, {"type": "Dense", "args": {"units": 10}}]}
    write_config(tmp_path / "run", {"format": "npz", "path": str(tmp_path / "data.npz")}, spec)
    code, events = run_child(tmp_path / "run")
    assert code == 0, events
    kinds = [e["type"] for e in events]
    assert kinds.count("epoch") == 2 and kinds[-1] == "done"
    begin = next(e for e in events if e["type"] == "train_begin")
    assert begin["steps"] == 3  # 150 training items at batch 64 → ceil(150/64)
    batches = [e for e in events if e["type"] == "batch"]
    assert {b["batch"] for b in batches} >= {3}  # the last batch of an epoch is always reported
    assert all(isinstance(e["ts"], float) for e in events)
    assert (tmp_path / "run" / "model.keras").is_file() and (tmp_path / "run" / "history.csv").is_file()


def test_mismatched_data_and_model_fail_with_a_clear_error(tmp_path):
    np.savez(tmp_path / "data.npz", x=np.zeros((20, 8, 8, 1), np.uint8), y=np.zeros(20, np.int64))
    spec = {"input_shape": [10], "layers": [{"type": "Dense", "args": {"units": 2}}]}
    write_config(tmp_path / "run", {"format": "npz", "path": str(tmp_path / "data.npz")}, spec)
    code, events = run_child(tmp_path / "run")
    assert code == 1
    assert events[-1]["type"] == "error" and "the model expects (10,)" in events[-1]["message"]


@pytest.mark.parametrize("data", [{"format": "csv", "path": "/x"}, {"format": "image_folder", "path": "/nonexistent"}])
def test_bad_data_configuration_is_reported_not_crashed(tmp_path, data):
    spec = {"input_shape": [8, 8, 3], "layers": [{"type": "Flatten", "args": {}}, {"type": "Dense", "args": {"units": 2}}]}
    write_config(tmp_path / "run", data, spec)
    code, events = run_child(tmp_path / "run")
    assert code == 1 and events[-1]["type"] == "error" and events[-1]["message"]
