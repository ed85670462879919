"""Labeling end to end through the real platform: upload over HTTP, label, export and import
through the Celery worker, then 'Train on this' and a real training run on the labeled set."""

from __future__ import annotations

import io
import json
import random
import re
import time
import zipfile

import pytest

from datasets.bundled import shape_image_draw
from tests.integration.test_labs import run_to_end

pytestmark = pytest.mark.integration


def png(kind: str, rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    shape_image_draw(kind, 48, rng).save(buffer, format="PNG")
    return buffer.getvalue()


def job_to_end(stack, session, url: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = session.get(f"{stack.base_url}{url}", timeout=10).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {url} did not finish\n{stack.log_tail('worker')}")


def test_labeled_set_round_trips_through_the_worker_and_trains(stack):
    session = stack.login("learner")
    base = stack.base_url
    project = session.post(f"{base}/api/labeling/projects/", json={"title": "我的形状", "kind": "classification",
                                                                     "classes": ["circle", "square"]}, timeout=10).json()
    rng = random.Random(3)
    files = [("files", (f"{kind}-{n}.png", png(kind, rng), "image/png")) for kind in ("circle", "square") for n in range(10)]
    files.append(("files", ("broken.png", b"\x89PNG\r\n\x1a\n broken", "image/png")))
    uploaded = session.post(f"{base}/api/labeling/projects/{project['id']}/images/", files=files, timeout=60)
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert len(body["created"]) == 20 and [e["name"] for e in body["errors"]] == ["broken.png"]

    classes = {c["name"]: c["id"] for c in project["classes"]}
    for kind in ("circle", "square"):
        ids = [i["id"] for i in body["created"] if i["name"].startswith(kind)]
        response = session.post(f"{base}/api/labeling/projects/{project['id']}/images/bulk/", json={"images": ids, "label": classes[kind]}, timeout=10)
        assert response.json() == {"updated": 10}
    review = session.post(f"{base}/api/labeling/projects/{project['id']}/split/", json={"seed": 11, "validation_fraction": 0.2}, timeout=10).json()
    assert review["splits"] == {"train": 16, "val": 4, "none": 0}

    export = session.post(f"{base}/api/labeling/projects/{project['id']}/exports/", json={"format": "class_folders"}, timeout=10)
    assert export.status_code == 202
    job = job_to_end(stack, session, export.json()["url"])
    assert job["status"] == "succeeded", job["message"]
    archive = session.get(f"{base}{job['download_url']}", timeout=30)
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert sum(n.endswith(".png") for n in names) == 20

    copy = session.post(f"{base}/api/labeling/projects/", json={"title": "copy", "kind": "classification"}, timeout=10).json()
    imported = session.post(f"{base}/api/labeling/projects/{copy['id']}/imports/", files={"file": ("shapes.zip", archive.content)},
                            data={"format": "auto"}, timeout=30)
    assert imported.status_code == 202, imported.text
    job = job_to_end(stack, session, imported.json()["url"])
    assert job["status"] == "succeeded", job["message"]
    copy_review = session.get(f"{base}/api/labeling/projects/{copy['id']}/review/", timeout=10).json()
    assert {c["name"]: (c["images"], c["train"], c["val"]) for c in copy_review["classes"]} == {
        c["name"]: (c["images"], c["train"], c["val"]) for c in review["classes"]}

    target = session.post(f"{base}/api/labeling/projects/{project['id']}/train/", timeout=30)
    assert target.status_code == 200, target.text
    target = target.json()
    assert target["lab_url"].endswith(f"/labs/flowers-cnn/?dataset={target['dataset']}")
    html = session.get(f"{base}{target['lab_url']}", timeout=10).text
    config = json.loads(re.search(r'<script id="builder-config" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert config["default_dataset"] == target["dataset"]
    spec = config["spec"]
    spec["layers"][-1]["args"]["units"] = 2  # what the builder does when the set has two classes
    run = session.post(f"{base}/api/runs/", json={
        "course": "deep-learning-tf", "lab": "flowers-cnn", "dataset": target["dataset"], "spec": spec,
        "hyperparameters": {**config["hyperparameters"], "epochs": 1, "batch_size": 8}}, timeout=10)
    assert run.status_code == 201, run.text
    finished = run_to_end(stack, session, run.json()["id"])
    assert finished["status"] == "succeeded", (finished["status_reason"], finished["log_tail"][-20:])
    assert any("stored split: 16 training / 4 validation" in line for line in finished["log_tail"]), finished["log_tail"]

    # Another learner sees none of it: not the project, its images, the export, nor the data set.
    other = stack.login("learner2")
    assert other.get(f"{base}/api/labeling/projects/{project['id']}/", timeout=10).status_code == 404
    assert other.get(f"{base}/api/labeling/images/{body['created'][0]['id']}/file/", timeout=10).status_code == 404
    assert other.get(f"{base}{job['url']}", timeout=10).status_code == 404
    assert other.get(f"{base}/api/datasets/{target['dataset']}/", timeout=10).status_code == 404
