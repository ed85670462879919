"""Chapter 10's detection lab end to end at CI size: a VOC data set through the real worker, the
IoU metrics on the run, and the validation box images served only to whoever may see the run."""

from __future__ import annotations

import pytest

from tests.integration.test_labs import lab_config, run_to_end

pytestmark = pytest.mark.integration


def test_the_detection_lab_trains_reports_iou_and_shows_its_box_images_only_to_the_owner(stack):
    session = stack.login("learner")
    config = lab_config(stack, session, "detection-lite")
    body = {"course": "deep-learning-tf", "lab": "detection-lite", "dataset": "shapes-boxes",
            "hyperparameters": {**config["hyperparameters"], "epochs": 1, "batch_size": 64}}
    response = session.post(f"{stack.base_url}/api/runs/", json=body, timeout=10)
    assert response.status_code == 201, response.text
    run = run_to_end(stack, session, response.json()["id"])
    assert run["status"] == "succeeded", (run["status_reason"], run["log_tail"][-20:])
    assert len(run["epochs"]) == 1
    metrics = run["epochs"][0]["metrics"]
    assert {"loss", "val_loss", "iou", "val_iou", "accuracy", "val_accuracy"} <= set(metrics) and 0 <= metrics["val_iou"] <= 1
    assert run["charts"] == [["loss", "val_loss"], ["iou", "val_iou"]]
    assert run["target"]["name"] == "val_iou" and run["target"]["best"] == metrics["val_iou"]
    assert 0 <= run["final_metrics"]["val_hit@0.5"] <= 1
    assert any("skipped 0" in line for line in run["log_tail"])

    insight = session.get(f"{stack.base_url}/api/runs/{run['id']}/insight/", timeout=10).json()
    detection = insight["detection"]
    assert detection["class_names"] == ["circle", "square", "star", "triangle"] and detection["val_items"] == 60
    assert [b["file"] for b in detection["boxes"]] == [f"boxes/{i:02d}.png" for i in range(12)]
    assert {"model.keras", "history.csv", "tensorboard.zip"} <= {d["name"] for d in insight["downloads"]}
    url = f"{stack.base_url}/runs/{run['id']}/insight/{detection['boxes'][5]['file']}"
    image = session.get(url, timeout=10)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/png" and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert session.get(f"{stack.base_url}/runs/{run['id']}/insight/boxes/99.png", timeout=10).status_code == 404

    other = stack.login("learner2")
    assert other.get(url, timeout=10).status_code == 404
    assert other.get(f"{stack.base_url}/api/runs/{run['id']}/insight/", timeout=10).status_code == 404
