"""'Train on this': a labeled project becomes the user's data set (with its split), is
snapshotted, and the right lab opens with it chosen."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import pytest
from rest_framework.test import APIClient

from datasets.models import Dataset, DatasetSnapshot
from labeling import services
from tests.factories import DatasetFactory, LabFactory, label_image_make


@pytest.fixture
def labs(db):
    flowers = LabFactory(slug="flowers-cnn")
    detection = LabFactory(slug="detection-lite", program="detection_lite", course=flowers.course,
                           dataset=DatasetFactory(slug="shapes-boxes-test", format=Dataset.Format.VOC))
    return flowers, detection


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_classification_project_becomes_a_class_folder_set_with_its_split(learner, project, labs):
    cat, dog = project.classes.order_by("position")
    for _ in range(6):
        label_image_make(project, label=cat)
    for _ in range(4):
        label_image_make(project, label=dog)
    label_image_make(project)  # unlabeled: left out
    response = api(learner).post(f"/api/labeling/projects/{project.pk}/train/")
    assert response.status_code == 200, response.json()
    body = response.json()
    dataset = Dataset.objects.get(slug=body["dataset"])
    assert (dataset.kind, dataset.owner, dataset.format) == (Dataset.Kind.PERSONAL, learner, Dataset.Format.IMAGE_FOLDER)
    assert dataset.class_names == ["cat", "dog"] and dataset.num_items == 10 and dataset.item_shape == [30, 40, 3]
    files = sorted(p.relative_to(dataset.path).as_posix() for p in dataset.path.rglob("*.png"))
    assert len(files) == 10 and {f.split("/")[0] for f in files} == {"cat", "dog"}
    split = json.loads((dataset.path / "split.json").read_text())
    # No split was assigned yet, so one was made on the way: seeded, stratified.
    assert len(split["validation"]) == round(6 * 0.2) + round(4 * 0.2)
    assert set(split["validation"]) <= set(files)
    assert DatasetSnapshot.objects.filter(dataset=dataset, content_hash=body["snapshot"]).exists()
    flowers = labs[0]
    assert body["lab_url"] == f"/courses/{flowers.course.slug}/labs/flowers-cnn/?dataset={dataset.slug}"


def test_the_lab_page_opens_with_the_labeled_set_chosen(learner, project, labs, client):
    cat, dog = project.classes.order_by("position")
    for label in (cat, cat, dog, dog):
        label_image_make(project, label=label)
    url = api(learner).post(f"/api/labeling/projects/{project.pk}/train/").json()["lab_url"]
    client.force_login(learner)
    html = client.get(url).content.decode()
    config = json.loads(re.search(r'<script id="builder-config" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert config["default_dataset"] == f"labeled-p{project.pk}-u{learner.pk}"
    assert config["default_dataset"] in [d["slug"] for d in config["datasets"]]
    # A data set the learner cannot use, named in the address, is not chosen.
    other = client.get(url.replace(f"u{learner.pk}", "u999999")).content.decode()
    other_config = json.loads(re.search(r'<script id="builder-config" type="application/json">(.*?)</script>', other, re.S).group(1))
    assert other_config["default_dataset"] == labs[0].default_dataset_slug


def test_detection_project_becomes_a_voc_set_with_labelimg_xml(learner, box_project, labs):
    car, person = box_project.classes.order_by("position")
    for n in range(5):
        image = label_image_make(box_project, size=(64, 48))
        services.box_create(image, user=learner, label=(car if n % 2 else person).pk, x0=n, y0=2, x1=30 + n, y1=40)
    label_image_make(box_project)  # no box: left out
    body = api(learner).post(f"/api/labeling/projects/{box_project.pk}/train/").json()
    dataset = Dataset.objects.get(slug=body["dataset"])
    assert dataset.format == Dataset.Format.VOC and dataset.num_items == 5 and dataset.class_names == ["car", "person"]
    boxes = []
    for xml in (dataset.path / "annotations").glob("*.xml"):
        root = ET.parse(xml).getroot()
        boxes.append(tuple(int(root.find("object/bndbox").find(k).text) for k in ("xmin", "ymin", "xmax", "ymax")))
        assert (dataset.path / "images" / root.findtext("filename")).is_file()
    # 0-based half-open [n, 30 + n) × [2, 40) is VOC's 1-based inclusive n + 1 … 30 + n × 3 … 40.
    assert sorted(boxes) == [(n + 1, 3, 30 + n, 40) for n in range(5)]
    assert body["lab_url"].startswith(f"/courses/{labs[1].course.slug}/labs/detection-lite/?dataset=")


def test_training_again_replaces_the_set_but_keeps_the_old_snapshot(learner, project, labs):
    cat, dog = project.classes.order_by("position")
    for label in (cat, cat, dog, dog):
        label_image_make(project, label=label)
    first = api(learner).post(f"/api/labeling/projects/{project.pk}/train/").json()
    old = DatasetSnapshot.objects.get(content_hash=first["snapshot"])
    label_image_make(project, label=dog)
    second = api(learner).post(f"/api/labeling/projects/{project.pk}/train/").json()
    assert second["dataset"] == first["dataset"] and second["snapshot"] != first["snapshot"]
    assert Dataset.objects.get(slug=second["dataset"]).num_items == 5
    assert len(list(old.path.rglob("*.png"))) == 4  # runs trained on the old snapshot still have their data


@pytest.mark.parametrize(("labels", "fragment"), [((), "at least two classes"), (("cat", "cat", "cat"), "at least two classes"),
                                                 (("cat", "dog"), "at least four images")])
def test_too_little_labeling_is_refused_with_what_to_do(learner, project, labs, labels, fragment):
    classes = {c.name: c for c in project.classes.all()}
    for name in labels:
        label_image_make(project, label=classes[name])
    response = api(learner).post(f"/api/labeling/projects/{project.pk}/train/")
    assert response.status_code == 400 and fragment in response.json()["detail"]
    assert not Dataset.objects.filter(slug__startswith="labeled-").exists()
