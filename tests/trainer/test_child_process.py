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


def write_program_config(run_dir: Path, program: str, data_path: Path, *, epochs: int = 2, batch_size: int = 32, lr: float = 0.05, options=None, extra_hp=None) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps({
        "run_id": 7, "program": program, "options": options or {}, "spec": {}, "compile": {},
        "dataset": {"format": "tabular", "path": str(data_path)}, "batch_events_per_second": 1000,
        "hyperparameters": {"epochs": epochs, "batch_size": batch_size, "optimizer": "adam", "learning_rate": lr, "seed": 3, "validation_split": 0.2, **(extra_hp or {})},
    }))


def test_linear_regression_with_gradient_tape_learns_w_and_b_and_reports_them_every_epoch(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(2, 2, size=(400, 1)).astype(np.float32)
    y = (0.8 * x[:, 0] + 0.7 + rng.normal(0, 0.1, size=400)).astype(np.float32)
    np.savez(tmp_path / "data.npz", x=x, y=y, feature_names=np.array(["x"]))
    write_program_config(tmp_path / "run", "linear_tape", tmp_path / "data.npz", epochs=30, lr=0.02)
    code, events = run_child(tmp_path / "run")
    assert code == 0, events[-1]
    epochs = [e for e in events if e["type"] == "epoch"]
    assert len(epochs) == 30 and {"loss", "val_loss", "w", "b"} <= set(epochs[0]["metrics"])
    assert epochs[-1]["metrics"]["loss"] < epochs[0]["metrics"]["loss"]
    learned = json.loads((tmp_path / "run" / "model.json").read_text())
    assert abs(learned["w"] - 0.8) < 0.05 and abs(learned["b"] - 0.7) < 0.1
    assert (tmp_path / "run" / "history.csv").read_text().splitlines()[0].startswith("epoch,loss,val_loss,w,b")


def test_wide_and_deep_trains_two_inputs_with_checkpoint_and_early_stopping(tmp_path):
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    np.savez(tmp_path / "data.npz", x=data.data.astype(np.float32), y=data.target.astype(np.float32), feature_names=np.array(data.feature_names))
    write_program_config(tmp_path / "run", "wide_deep", tmp_path / "data.npz", epochs=3, lr=0.01,
                         options={"wide_features": [0, 1, 2], "deep_features": list(range(10)), "hidden_units": [16, 16], "patience": 2})
    code, events = run_child(tmp_path / "run")
    assert code == 0, events[-1]
    summary = next(e for e in events if e["type"] == "summary")
    assert "wide" in summary["text"] and "deep" in summary["text"] and "concatenate" in summary["text"]
    # 10·16+16 + 16·16+16 + (3+16)·1+1 parameters
    assert summary["total_params"] == 176 + 272 + 20
    assert (tmp_path / "run" / "best.keras").is_file() and (tmp_path / "run" / "model.keras").is_file()
    insight = json.loads((tmp_path / "run" / "insight" / "insight.json").read_text())
    assert insight["regression"]["val_items"] == 88 and insight["regression"]["epochs_run"] <= 3
    assert "mae" in events[-1]["final_metrics"] and "best_val_loss" in events[-1]["final_metrics"]


def test_a_classifier_run_writes_its_insight_and_answers_predictions_and_feature_maps(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 255, size=(120, 8, 8, 1), dtype=np.uint8)
    y = (x.reshape(120, -1).mean(axis=1) > 127).astype(np.int64)
    np.savez(tmp_path / "data.npz", x=x, y=y)
    run_dir = tmp_path / "run"
    spec = {"input_shape": [8, 8, 1], "layers": [{"type": "Rescaling", "args": {"scale": 1 / 255}}, {"type": "Conv2D", "args": {"filters": 4, "kernel_size": 3, "padding": "same"}},
                                                 {"type": "Flatten", "args": {}}, {"type": "Dense", "args": {"units": 2}}]}
    write_config(run_dir, {"format": "npz", "path": str(tmp_path / "data.npz"), "class_names": ["dark", "light"]}, spec)
    code, events = run_child(run_dir)
    assert code == 0, events[-1]
    insight = json.loads((run_dir / "insight" / "insight.json").read_text())
    matrix = np.array(insight["confusion_matrix"])
    assert matrix.shape == (2, 2) and matrix.sum() == insight["val_items"] == 30
    assert insight["class_names"] == ["dark", "light"] and len(insight["per_class_accuracy"]) == 2
    assert len(insight["samples"]) == 16 and (run_dir / "insight" / insight["samples"][0]["file"]).is_file()
    assert insight["templates"] == []  # not a Flatten → Dense model
    weights = [json.loads(line) for line in (run_dir / "insight" / "weights.jsonl").read_text().splitlines()]
    assert [w["epoch"] for w in weights] == [0, 1, 2] and [layer["layer"] for layer in weights[0]["layers"]] == [2, 4]
    assert all(e["metrics"]["learning_rate"] == pytest.approx(0.01) for e in events if e["type"] == "epoch")

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "workers"), str(ROOT / "platform")])}
    for kind, extra in (("predict", {}), ("feature_maps", {"layer": 2})):
        job = tmp_path / kind
        job.mkdir()
        from PIL import Image

        Image.fromarray(np.full((20, 20), 250, np.uint8)).save(job / "input.png")
        (job / "request.json").write_text(json.dumps({"kind": kind, "image": "input.png", **extra}))
        done = subprocess.run([sys.executable, "-m", "trainer.infer", str(run_dir), str(job)], env=env, capture_output=True, text=True, timeout=120)
        result = json.loads((job / "result.json").read_text())
        assert done.returncode == 0, result
        if kind == "predict":
            assert [c["name"] for c in result["classes"]] == ["dark", "light"]
            assert sum(c["probability"] for c in result["classes"]) == pytest.approx(1.0, abs=1e-4)
        else:
            assert result["shape"] == [8, 8, 4] and len(result["channels"]) == 4 and (job / "map_00.png").is_file()


def test_softmax_regression_writes_one_weight_template_per_class(tmp_path):
    rng = np.random.default_rng(2)
    np.savez(tmp_path / "data.npz", x=rng.integers(0, 16, size=(60, 8, 8, 1)).astype(np.uint8), y=rng.integers(0, 3, size=60))
    spec = {"input_shape": [8, 8, 1], "layers": [{"type": "Flatten", "args": {}}, {"type": "Dense", "args": {"units": 3}}]}
    write_config(tmp_path / "run", {"format": "npz", "path": str(tmp_path / "data.npz")}, spec, epochs=1)
    code, events = run_child(tmp_path / "run")
    assert code == 0, events[-1]
    insight = json.loads((tmp_path / "run" / "insight" / "insight.json").read_text())
    assert [t["unit"] for t in insight["templates"]] == [0, 1, 2]
    from PIL import Image

    with Image.open(tmp_path / "run" / "insight" / insight["templates"][0]["file"]) as image:
        assert image.mode == "RGB" and image.size == (96, 96)


def test_unknown_programs_are_reported(tmp_path):
    write_program_config(tmp_path / "run", "no_such_program", tmp_path / "data.npz")
    code, events = run_child(tmp_path / "run")
    assert code == 1 and "unknown training program" in events[-1]["message"]


def test_the_run_records_that_cached_batches_keep_their_contents_but_change_order_each_epoch(tmp_path):
    rng = np.random.default_rng(5)
    np.savez(tmp_path / "data.npz", x=rng.integers(0, 255, size=(250, 4, 4, 1), dtype=np.uint8), y=rng.integers(0, 3, size=250))
    spec = {"input_shape": [4, 4, 1], "layers": [{"type": "Flatten", "args": {}}, {"type": "Dense", "args": {"units": 3}}]}
    run_dir = tmp_path / "run"
    write_config(run_dir, {"format": "npz", "path": str(tmp_path / "data.npz")}, spec, epochs=3)
    config = json.loads((run_dir / "config.json").read_text())
    config["hyperparameters"]["batch_size"] = 10
    (run_dir / "config.json").write_text(json.dumps(config))
    code, events = run_child(run_dir)
    assert code == 0, events[-1]
    shuffle = json.loads((run_dir / "insight" / "insight.json").read_text())["shuffle"]
    assert shuffle["steps_per_epoch"] == 19 and [e["epoch"] for e in shuffle["epochs"]] == [1, 2, 3]
    assert shuffle["order_changed"] is True and shuffle["contents_changed"] is False
    assert all(len(batch) == 10 for batch in shuffle["epochs"][0]["first_batches"])
