"""Export and import jobs as the platform runs them: a project exported and imported again is the
same project (classes, labels, boxes, splits, verified marks, pixels), in all three formats."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from labeling import services
from labeling.models import LabelImage, LabelProject, ProjectJob
from tests.factories import LabelProjectFactory, label_class_make, label_image_make, png_bytes


@pytest.fixture(autouse=True)
def _tasks_in_process(eager_celery):
    """The job tasks run in this process when enqueued (the real worker is the integration tests')."""


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def export_via_api(user, project, fmt: str, capture) -> tuple[dict, bytes]:
    client = api(user)
    with capture(execute=True):
        response = client.post(f"/api/labeling/projects/{project.pk}/exports/", {"format": fmt}, format="json")
    assert response.status_code == 202, response.json()
    job = client.get(response.json()["url"]).json()
    assert job["status"] == "succeeded", job["message"]
    download = client.get(job["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    return job, b"".join(download.streaming_content)


def import_via_api(user, project, data: bytes, name: str, capture, fmt: str = "auto") -> dict:
    client = api(user)
    with capture(execute=True):
        response = client.post(f"/api/labeling/projects/{project.pk}/imports/", {"file": SimpleUploadedFile(name, data), "format": fmt},
                               format="multipart")
    assert response.status_code == 202, response.json()
    return client.get(response.json()["url"]).json()


def snapshot(project: LabelProject) -> dict:
    """Everything a round trip must keep, keyed by the image's name."""
    out = {}
    for image in project.images.select_related("label").prefetch_related("boxes__label"):
        with Image.open(image.path) as pixels:
            array = np.asarray(pixels.convert("RGB"))
        out[image.original_name.rsplit(".", 1)[0]] = {
            "label": image.label.name if image.label_id else None,
            "boxes": sorted((b.label.name, b.x0, b.y0, b.x1, b.y1) for b in image.boxes.all()),
            "split": image.split, "verified": image.verified, "size": (image.width, image.height), "pixels": array.tobytes(),
        }
    return out


def classification_project(owner) -> LabelProject:
    project = LabelProjectFactory(owner=owner, title="水果 fruit")
    classes = [label_class_make(project, name) for name in ("苹果", "pear", "<img src=x onerror=alert(1)>", "empty class")]
    for n in range(9):
        label_image_make(project, label=classes[n % 3], size=(20 + n, 16))
    label_image_make(project, size=(12, 12))  # unlabeled: a class-folder export cannot hold it
    services.split_assign(project, seed=5, validation_fraction=0.3)
    return project


def detection_project(owner) -> LabelProject:
    project = LabelProjectFactory(owner=owner, title="Street", kind="detection")
    car, person, _unused = (label_class_make(project, n) for n in ("car", "person", "bike"))
    big = label_image_make(project, size=(100, 80))
    services.box_create(big, user=owner, label=car.pk, x0=0, y0=0, x1=100, y1=80)  # the whole image
    services.box_create(big, user=owner, label=person.pk, x0=10, y0=10, x1=30, y1=50)  # inside the first
    services.box_create(big, user=owner, label=person.pk, x0=12, y0=12, x1=13, y1=13)  # one pixel
    for n in range(4):
        image = label_image_make(project, size=(60, 40))
        services.box_create(image, user=owner, label=car.pk, x0=n, y0=n, x1=40 + n, y1=30)
    label_image_make(project, size=(30, 30))  # no box
    LabelImage.objects.filter(pk=big.pk).update(verified=True)
    services.split_assign(project, seed=1, validation_fraction=0.25)
    return project


def test_class_folder_export_then_import_gives_the_same_project(learner, django_capture_on_commit_callbacks):
    source = classification_project(learner)
    job, data = export_via_api(learner, source, "class_folders", django_capture_on_commit_callbacks)
    assert "9 images exported" in job["message"] and "1 unlabeled" in job["message"]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert any(n.endswith("/splits.csv") for n in names) and sum(n.endswith(".png") for n in names) == 9
    target = LabelProjectFactory(owner=learner, title="again")
    result = import_via_api(learner, target, data, "fruit.zip", django_capture_on_commit_callbacks)
    assert result["status"] == "succeeded" and "9 images added" in result["message"], result["message"]
    assert [c.name for c in target.classes.order_by("position")] == [c.name for c in source.classes.order_by("position")]
    expected = {k: {**v, "verified": False} for k, v in snapshot(source).items() if v["label"]}
    assert snapshot(target) == expected


@pytest.mark.parametrize("fmt", ["voc", "coco"])
def test_box_export_then_import_gives_the_same_project(learner, fmt, django_capture_on_commit_callbacks):
    source = detection_project(learner)
    job, data = export_via_api(learner, source, fmt, django_capture_on_commit_callbacks)
    assert "6 images exported with 7 boxes" in job["message"], job["message"]
    target = LabelProjectFactory(owner=learner, title="again", kind="detection")
    result = import_via_api(learner, target, data, f"street-{fmt}.zip", django_capture_on_commit_callbacks)
    assert result["status"] == "succeeded" and "6 images added with 7 boxes" in result["message"], result["message"]
    assert [c.name for c in target.classes.order_by("position")] == ["car", "person", "bike"]
    assert snapshot(target) == snapshot(source)


def test_voc_export_is_what_labelimg_and_the_notes_parser_read(learner, django_capture_on_commit_callbacks):
    from xml.etree import ElementTree as ET

    source = detection_project(learner)
    _job, data = export_via_api(learner, source, "voc", django_capture_on_commit_callbacks)
    archive = zipfile.ZipFile(io.BytesIO(data))
    xml_name = next(n for n in archive.namelist() if n.endswith(".xml") and b"<object>" in archive.read(n) and b"person" in archive.read(n))
    # The notes' parser: ElementTree, iterate <object>, read name and the four bndbox numbers.
    root = ET.parse(archive.open(xml_name)).getroot()
    assert root.get("verified") == "yes"
    objects = [(o.find("name").text, *(int(o.find("bndbox").find(k).text) for k in ("xmin", "ymin", "xmax", "ymax")))
               for o in root.iter("object")]
    assert objects == [("car", 1, 1, 100, 80), ("person", 11, 11, 30, 50), ("person", 13, 13, 13, 13)]
    assert (root.find("size/width").text, root.find("size/height").text, root.find("size/depth").text) == ("100", "80", "3")
    assert archive.read(root.findtext("folder") and f"{xml_name.split('/')[0]}/JPEGImages/{root.findtext('filename')}")[:4] == b"\x89PNG"


def test_export_of_the_wrong_format_for_the_project_is_refused(learner, project):
    response = api(learner).post(f"/api/labeling/projects/{project.pk}/exports/", {"format": "voc"}, format="json")
    assert response.status_code == 400 and "exports as class_folders" in response.json()["detail"]
    assert not ProjectJob.objects.exists()


def test_import_of_plain_images_reports_bad_files_by_name_and_adds_the_rest(learner, project, django_capture_on_commit_callbacks):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photos/a.png", png_bytes((10, 10), (1, 1, 1)))
        archive.writestr("photos/deeper/b.png", png_bytes((10, 10), (2, 2, 2)))
        archive.writestr("photos/broken.png", b"\x89PNG not really")
        archive.writestr("README.txt", "hello")
    result = import_via_api(learner, project, buffer.getvalue(), "photos.zip", django_capture_on_commit_callbacks)
    assert result["status"] == "succeeded"
    assert "2 images added" in result["message"] and "broken.png" in result["message"]
    assert sorted(project.images.values_list("original_name", flat=True)) == ["a.png", "b.png"]


def test_hostile_archive_is_refused_whole_and_leaves_nothing(learner, project, django_capture_on_commit_callbacks, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ok.png", png_bytes())
        archive.writestr("../../escape.png", png_bytes((5, 5)))
    result = import_via_api(learner, project, buffer.getvalue(), "evil.zip", django_capture_on_commit_callbacks)
    assert result["status"] == "failed" and "outside the archive" in result["message"]
    assert not project.images.exists()
    assert not list((settings.WORKSPACE_ROOT / f"user-{learner.pk}" / "labeling-jobs").rglob("*upload*"))


def test_box_archive_into_a_classification_project_is_refused_with_the_reason(learner, project, django_capture_on_commit_callbacks):
    source = detection_project(learner)
    _job, data = export_via_api(learner, source, "coco", django_capture_on_commit_callbacks)
    result = import_via_api(learner, project, data, "boxes.zip", django_capture_on_commit_callbacks)
    assert result["status"] == "failed" and "detection project" in result["message"]
    assert not project.images.exists()


def test_a_redelivered_job_does_nothing_the_second_time(learner, project):
    label_image_make(project, label=project.classes.first())
    job = ProjectJob.objects.create(project=project, owner=learner, direction="export", format="class_folders")
    from labeling.tasks import project_job_run

    assert project_job_run.apply(args=[job.pk]).get() == "succeeded"
    assert project_job_run.apply(args=[job.pk]).get() == "skipped"


def test_reaper_fails_lost_jobs_and_deletes_old_exports(learner, project, django_capture_on_commit_callbacks):
    label_image_make(project, label=project.classes.first())
    job, _data = export_via_api(learner, project, "class_folders", django_capture_on_commit_callbacks)
    lost = ProjectJob.objects.create(project=project, owner=learner, direction="export", format="class_folders",
                                     status="running", started_at=timezone.now() - timedelta(hours=2))
    exported = ProjectJob.objects.get(pk=job["id"])
    path = exported.file_path
    assert path.is_file()
    result = services.project_jobs_reap(now=timezone.now() + timedelta(days=8))
    assert result == {"failed": [lost.pk], "expired": [exported.pk]}
    assert not path.exists()
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.message
    assert api(learner).get(f"/api/labeling/jobs/{exported.pk}/download/").status_code == 404
