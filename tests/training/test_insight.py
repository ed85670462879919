"""Run insight, downloads and questions to a finished model: who may see what, and bad input."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import pytest
from PIL import Image
from rest_framework.test import APIClient

from training.models import EpochMetric, Inference, Run
from training.services import inference_request, SubmitError
from tests.factories import LabFactory, RunFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def png_bytes(size=(20, 20), colour=(200, 30, 30), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def finished_run(db):
    """A succeeded classifier run with the files the trainer writes (model, insight, TensorBoard)."""
    run = RunFactory(status=Run.Status.SUCCEEDED)
    base = run.workspace_dir
    shutil.rmtree(base, ignore_errors=True)  # ids repeat between tests; the folder must start empty
    (base / "insight" / "samples").mkdir(parents=True)
    (base / "tensorboard" / "train").mkdir(parents=True)
    (base / "model.keras").write_bytes(b"keras-zip-bytes")
    (base / "history.csv").write_text("epoch,loss\n0,1.0\n")
    (base / "tensorboard" / "train" / "events.out.tfevents.1").write_bytes(b"\x00event")
    (base / "insight" / "samples" / "00.png").write_bytes(png_bytes())
    insight = {"class_names": ["circle", "square", "triangle"], "confusion_matrix": [[2, 0, 0], [0, 1, 1], [0, 0, 2]],
               "per_class_accuracy": [1.0, 0.5, 1.0], "val_items": 6, "val_accuracy": 0.8333,
               "samples": [{"file": "samples/00.png", "true": 0, "pred": 0, "prob": 0.9}], "templates": [],
               "layers": [{"index": 2, "name": "conv2d", "class": "Conv2D", "output_shape": [16, 16, 4]}]}
    (base / "insight" / "insight.json").write_text(json.dumps(insight))
    with open(base / "insight" / "weights.jsonl", "w") as handle:
        for epoch in (0, 1, 1):  # a resumed run reports epoch 1 twice: the last line wins
            handle.write(json.dumps({"epoch": epoch, "layers": [{"layer": 2, "name": "conv2d", "counts": [epoch], "edges": [0, 1], "mean": 0, "std": 0}]}) + "\n")
        handle.write('{"epoch": 2, "lay')  # cut off by a killed child
    return run


def test_owner_gets_the_insight_with_urls_histograms_per_epoch_and_downloads(finished_run):
    body = client_for(finished_run.owner).get(f"/api/runs/{finished_run.pk}/insight/").json()
    assert body["confusion_matrix"][1] == [0, 1, 1] and body["per_class_accuracy"] == [1.0, 0.5, 1.0]
    assert body["samples"][0]["url"] == f"/runs/{finished_run.pk}/insight/samples/00.png"
    assert [w["epoch"] for w in body["weights"]] == [0, 1] and body["weights"][1]["layers"][0]["counts"] == [1]
    assert {d["name"] for d in body["downloads"]} == {"model.keras", "history.csv", "tensorboard.zip"}


def test_course_instructor_sees_the_insight_but_another_learner_gets_404_everywhere(finished_run):
    assert client_for(instructor_of(finished_run.course)).get(f"/api/runs/{finished_run.pk}/insight/").status_code == 200
    other = client_for(UserFactory())
    for url in (f"/api/runs/{finished_run.pk}/insight/", f"/runs/{finished_run.pk}/insight/samples/00.png",
                f"/runs/{finished_run.pk}/download/model.keras", f"/runs/{finished_run.pk}/download/tensorboard.zip"):
        assert other.get(url).status_code == 404, url
    response = other.post(f"/api/runs/{finished_run.pk}/inferences/", {"kind": "predict", "sample": 0}, format="json")
    assert response.status_code == 404 and not Inference.objects.exists()


def test_insight_images_and_downloads_are_served_to_the_owner(finished_run):
    client = client_for(finished_run.owner)
    image = client.get(f"/runs/{finished_run.pk}/insight/samples/00.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    model = client.get(f"/runs/{finished_run.pk}/download/model.keras")
    assert model.status_code == 200 and b"".join(model.streaming_content) == b"keras-zip-bytes"
    assert f"run-{finished_run.pk}-model.keras" in model["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/runs/{finished_run.pk}/download/tensorboard.zip").content))
    assert archive.namelist() == [f"run-{finished_run.pk}/train/events.out.tfevents.1"]


@pytest.mark.parametrize("path", ["insight/samples/..%2F..%2Fmodel.keras", "insight/samples/0.png", "insight/other/00.png", "download/config.json", "download/..%2Fsecret"])
def test_only_whitelisted_run_files_are_served(finished_run, path):
    (finished_run.workspace_dir / "config.json").write_text("{}")
    assert client_for(finished_run.owner).get(f"/runs/{finished_run.pk}/{path}").status_code == 404


def test_a_symlink_planted_in_the_run_folder_is_not_followed_outside_it(finished_run, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes())
    target = finished_run.workspace_dir / "insight" / "samples" / "01.png"
    target.symlink_to(secret)
    assert client_for(finished_run.owner).get(f"/runs/{finished_run.pk}/insight/samples/01.png").status_code == 404


def test_the_best_epoch_is_compared_with_the_labs_target(finished_run):
    finished_run.lab.metric = {"name": "val_accuracy", "target": 0.8}
    finished_run.lab.save()
    for epoch, value in ((1, 0.5), (2, 0.85), (3, 0.7)):
        EpochMetric.objects.create(run=finished_run, epoch=epoch, metrics={"val_accuracy": value})
    body = client_for(finished_run.owner).get(f"/api/runs/{finished_run.pk}/").json()
    assert body["target"] == {"name": "val_accuracy", "target": 0.8, "direction": "max", "best": 0.85, "reached": True}


def test_prediction_with_an_uploaded_image_is_queued_and_its_input_stored(finished_run, django_capture_on_commit_callbacks):
    client = client_for(finished_run.owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/api/runs/{finished_run.pk}/inferences/", {"kind": "predict", "image": io.BytesIO(png_bytes(fmt="JPEG"))}, format="multipart")
    assert response.status_code == 202, response.content
    job = Inference.objects.get()
    assert response.json()["status"] == "queued" and len(callbacks) == 1
    with Image.open(job.job_dir / "input.png") as stored:
        assert stored.format == "PNG" and stored.size == (20, 20)
    assert json.loads((job.job_dir / "request.json").read_text()) == {"kind": "predict", "image": "input.png"}
    assert client.get(f"/api/inferences/{job.pk}/").json()["status"] == "queued"
    assert client_for(UserFactory()).get(f"/api/inferences/{job.pk}/").status_code == 404


@pytest.mark.parametrize(
    "data, words",
    [
        ({"kind": "predict", "image": io.BytesIO(b"not an image at all")}, "not an image"),
        ({"kind": "predict"}, "Upload an image"),
        ({"kind": "feature_maps", "sample": 0}, "Choose a layer"),
        ({"kind": "feature_maps", "sample": 5, "layer": 2}, "sample does not exist"),
        ({"kind": "delete_everything", "sample": 0}, "valid choice"),
    ],
)
def test_bad_questions_get_a_readable_error_and_store_nothing(finished_run, data, words, settings):
    settings.LANGUAGE_CODE = "en"
    response = client_for(finished_run.owner).post(f"/api/runs/{finished_run.pk}/inferences/", data, format="multipart")
    assert response.status_code == 400
    assert words in json.dumps(response.json())
    assert not Inference.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_decoded(finished_run, settings):
    settings.LANGUAGE_CODE = "en"
    big = io.BytesIO(b"\x89PNG" + b"0" * (3 * 1024 * 1024))
    big.name = "big.png"
    response = client_for(finished_run.owner).post(f"/api/runs/{finished_run.pk}/inferences/", {"kind": "predict", "image": big}, format="multipart")
    assert response.status_code == 400 and "larger than" in response.json()["detail"]


def test_a_run_that_did_not_finish_has_no_model_to_ask(db, settings):
    settings.LANGUAGE_CODE = "en"
    run = RunFactory(status=Run.Status.FAILED)
    with pytest.raises(SubmitError, match="finished training"):
        inference_request(user=run.owner, run=run, kind="predict", image_bytes=png_bytes())


def test_fixed_program_labs_do_not_answer_image_questions(db, settings):
    settings.LANGUAGE_CODE = "en"
    run = RunFactory(status=Run.Status.SUCCEEDED, program="linear_tape", lab=LabFactory(program="linear_tape"))
    shutil.rmtree(run.workspace_dir, ignore_errors=True)
    run.workspace_dir.mkdir(parents=True)
    (run.workspace_dir / "model.keras").write_bytes(b"x")
    with pytest.raises(SubmitError, match="does not classify"):
        inference_request(user=run.owner, run=run, kind="predict", image_bytes=png_bytes())
