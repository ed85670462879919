"""The trainer's ``transfer`` program as a child process: what each strategy trains, counted."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from datasets.bundled import shapes_build

ROOT = Path(__file__).resolve().parents[2]

# The "valid" base of conftest: block1 Conv(3→4, no bias) 108 + BN 16, block2 Conv(4→8) 288 + BN 32.
# BN's gamma and beta (8 + 16) could learn, its moving mean and variance (8 + 16) never do.
HEAD = 8 * 3 + 3  # GAP over 8 channels → Dense(3)
EXPECTED = {
    # strategy: (trainable, non-trainable)
    "head": (HEAD, 108 + 16 + 288 + 32),
    "last_n": (288 + HEAD, 108 + 16 + 32),  # N = 4: block2's conv, BN, ReLU, pool; BN stays frozen
    "all": (108 + 288 + HEAD, 16 + 32),  # every conv learns; all BN layers stay frozen
}


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("images") / "shapes"
    shapes_build(folder, per_class=6, size=20, classes=("circle", "square", "triangle"), seed=3)
    return folder


def run_transfer(run_dir: Path, base: Path, images: Path, strategy: str, preprocessing: str = "unit") -> tuple[int, list[dict]]:
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({
        "run_id": 9, "program": "transfer", "spec": {}, "batch_events_per_second": 1000,
        "options": {"base_model": "test", "base_model_path": str(base), "base_preprocessing": preprocessing, "dropout": 0.2},
        "compile": {"loss": "sparse_categorical_crossentropy", "from_logits": False, "metrics": ["accuracy"]},
        "hyperparameters": {"epochs": 1, "batch_size": 8, "optimizer": "adam", "learning_rate": 0.01, "seed": 1, "validation_split": 0.25,
                            "strategy": strategy, "trainable_layers": 4},
        "dataset": {"format": "image_folder", "path": str(images), "class_names": ["circle", "square", "triangle"]},
    }))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "workers"), str(ROOT / "platform")])}
    done = subprocess.run([sys.executable, "-m", "trainer", str(run_dir)], env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def count(text: str, label: str) -> int:
    return int(re.search(rf"^{label}: ([\d,]+)$", text, re.M).group(1).replace(",", ""))


@pytest.mark.parametrize("strategy", sorted(EXPECTED))
def test_each_strategy_trains_exactly_the_parameters_it_says(tmp_path, keras_files, images, strategy):
    code, events = run_transfer(tmp_path / "run", keras_files["valid"], images, strategy)
    assert code == 0, events[-1]
    summary = next(e for e in events if e["type"] == "summary")
    trainable, frozen = EXPECTED[strategy]
    assert (count(summary["text"], "Trainable params"), count(summary["text"], "Non-trainable params")) == (trainable, frozen)
    assert summary["text"].startswith(f"Strategy: {strategy} —") and summary["total_params"] == trainable + frozen
    assert [e["type"] for e in events].count("epoch") == 1 and events[-1]["type"] == "done"
    assert "val_accuracy" in events[-1]["final_metrics"]
    insight = json.loads((tmp_path / "run" / "insight" / "insight.json").read_text())
    layers = insight["transfer"]["base_layers"]
    assert insight["transfer"]["trainable_params"] == trainable and len(insight["confusion_matrix"]) == 3
    assert [layer["trainable"] for layer in layers if layer["class"] == "BatchNormalization"] == [False, False]
    assert [layer["trainable"] for layer in layers if layer["class"] == "Conv2D"] == {
        "head": [False, False], "last_n": [False, True], "all": [True, True]}[strategy]
    assert (tmp_path / "run" / "model.keras").is_file() and (tmp_path / "run" / "history.csv").is_file()


def test_a_saved_classifier_is_cut_at_its_pooling_and_grey_images_fit_a_grey_input(tmp_path, keras_files, images):
    code, events = run_transfer(tmp_path / "run", keras_files["classifier"], images, "head", preprocessing="none")
    assert code == 0, events[-1]
    summary = next(e for e in events if e["type"] == "summary")["text"]
    # Conv(1→3) 30 frozen; its old Dense(2) is dropped; the new head is Dense(3) on 3 features.
    assert count(summary, "Trainable params") == 3 * 3 + 3 and count(summary, "Non-trainable params") == 30


def test_a_missing_base_file_is_reported_to_the_learner(tmp_path, images):
    code, events = run_transfer(tmp_path / "run", tmp_path / "gone.keras", images, "head")
    assert code == 1 and events[-1]["type"] == "error" and "base model file gone.keras is missing" in events[-1]["message"]


def test_the_saved_transfer_model_answers_feature_maps_for_the_layers_the_run_page_offers(tmp_path, keras_files, images):
    code, events = run_transfer(tmp_path / "run", keras_files["valid"], images, "head")
    assert code == 0
    summary = next(e for e in events if e["type"] == "summary")["text"]
    assert re.search(r"block2_conv \(Conv2D\).*\bN\b", summary), "the summary marks each frozen base layer"
    insight = json.loads((tmp_path / "run" / "insight" / "insight.json").read_text())
    assert [layer["class"] for layer in insight["layers"]] == ["Rescaling", "GlobalAveragePooling2D", "Dropout", "Dense"]
    job = tmp_path / "job"
    job.mkdir()
    (job / "request.json").write_text(json.dumps({"kind": "feature_maps", "image": "input.png", "layer": insight["layers"][0]["index"]}))
    (job / "input.png").write_bytes(next((images / "circle").iterdir()).read_bytes())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "workers"), str(ROOT / "platform")])}
    done = subprocess.run([sys.executable, "-m", "trainer.infer", str(tmp_path / "run"), str(job)], env=env, capture_output=True, text=True, timeout=300)
    result = json.loads((job / "result.json").read_text())
    assert done.returncode == 0, result
    assert result["shape"] == [32, 32, 3] and result["layer_name"] == "preprocess"
