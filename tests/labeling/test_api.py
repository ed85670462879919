"""The labeling API: uploads with good and bad files, labeling, boxes, conflicts, splits."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from labeling.models import LabelBox, LabelImage, LabelProject
from tests.factories import label_image_make, png_bytes


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def jpeg_with_orientation(size=(60, 40), orientation=6) -> bytes:
    image = Image.new("RGB", size, (10, 200, 10))
    image.putpixel((0, 0), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {2: (52.0, 31.0, 0.0)}  # a GPS position, which must not be kept
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def upload(client, project, files: dict[str, bytes]):
    return client.post(f"/api/labeling/projects/{project.pk}/images/",
                       {"files": [SimpleUploadedFile(name, data) for name, data in files.items()]}, format="multipart")


def test_learner_creates_a_project_with_classes_and_hotkeys(learner):
    response = client_for(learner).post("/api/labeling/projects/", {"title": "Fruit", "kind": "classification",
                                                                     "classes": ["apple", "pear", "<img src=x onerror=alert(1)>"]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(c["name"], c["hotkey"]) for c in body["classes"]] == [("apple", "1"), ("pear", "2"), ("<img src=x onerror=alert(1)>", "3")]
    assert len({c["colour"] for c in body["classes"]}) == 3
    assert body["review"]["images"] == 0 and body["can_manage"] is True


@pytest.mark.parametrize(("payload", "fragment"), [
    ({"title": "", "kind": "classification"}, "title"),
    ({"title": "x", "kind": "segmentation"}, "kind"),
    ({"title": "x", "classes": ["a/b"]}, "cannot contain"),
    ({"title": "x", "classes": ["same", "same"]}, "already a class named"),
    ({"title": "x", "classes": ["\u202etxt"]}, "control characters"),
])
def test_bad_project_requests_are_refused_and_create_nothing(learner, payload, fragment):
    response = client_for(learner).post("/api/labeling/projects/", payload, format="json")
    assert response.status_code == 400
    assert fragment in str(response.json())
    assert not LabelProject.objects.exists()


def test_upload_reports_each_bad_file_by_name_and_keeps_the_good_ones(learner, project, settings):
    settings.LABELING = {**settings.LABELING, "MAX_IMAGE_PIXELS": 1_000_000}
    bomb = io.BytesIO()
    Image.new("L", (2000, 1000)).save(bomb, format="PNG")
    truncated = png_bytes((50, 50))[:-30]
    response = upload(client_for(learner), project, {
        "good.png": png_bytes((30, 20)),
        "photo.jpg": jpeg_with_orientation(),
        "notes.png": b"this is not an image at all",
        "half.png": truncated,
        "huge.png": bomb.getvalue(),
        "vector.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    })
    assert response.status_code == 201
    body = response.json()
    assert sorted(i["name"] for i in body["created"]) == ["good.png", "photo.jpg"]
    errors = {e["name"]: e["detail"] for e in body["errors"]}
    assert set(errors) == {"notes.png", "half.png", "huge.png", "vector.svg"}
    assert "not an image" in errors["notes.png"] and "truncated" in errors["half.png"]
    assert "pixels" in errors["huge.png"]
    photo = LabelImage.objects.get(original_name="photo.jpg")
    # EXIF orientation 6 (rotate 90° clockwise to view): stored upright, 40×60, metadata gone.
    assert (photo.width, photo.height) == (40, 60)
    with Image.open(photo.path) as stored:
        assert stored.size == (40, 60) and stored.format == "JPEG"
        assert not stored.getexif()
    with Image.open(photo.thumb_path) as thumb:
        assert max(thumb.size) <= 256


def test_upload_of_only_bad_files_is_a_400_with_the_reasons(learner, project):
    response = upload(client_for(learner), project, {"a.png": b"nope"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == "a.png"
    assert not LabelImage.objects.exists()


def test_the_same_image_twice_is_reported_not_stored_twice(learner, project):
    data = png_bytes((30, 20), (1, 2, 3))
    response = upload(client_for(learner), project, {"one.png": data, "two.png": data})
    assert [i["name"] for i in response.json()["created"]] == ["one.png"]
    assert "already has this image" in response.json()["errors"][0]["detail"]


def test_upload_over_the_storage_limit_is_refused_with_the_numbers(learner, project, settings):
    settings.LABELING = {**settings.LABELING, "STORAGE_BYTES": 3000}
    response = upload(client_for(learner), project, {"big.png": png_bytes((200, 200), (5, 6, 7)), "noise.png": _noise_png()})
    assert "storage is full" in str(response.json()["errors"])


def _noise_png(size=(120, 120)) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploaded_names_are_shown_but_never_used_as_paths(learner, project):
    response = upload(client_for(learner), project, {"../../etc/evil.png": png_bytes()})
    created = response.json()["created"][0]
    assert created["name"] == "evil.png"
    image = LabelImage.objects.get(pk=created["id"])
    assert image.path.parent == project.folder / "images" and "evil" not in image.stored_name


def test_label_with_version_then_a_stale_write_is_a_conflict_that_loses_nothing(learner, project):
    cat, dog = project.classes.order_by("position")
    image = label_image_make(project)
    client = client_for(learner)
    first = client.patch(f"/api/labeling/images/{image.pk}/", {"version": 1, "label": cat.pk}, format="json")
    assert first.status_code == 200 and first.json()["label"] == cat.pk and first.json()["version"] == 2
    stale = client.patch(f"/api/labeling/images/{image.pk}/", {"version": 1, "label": dog.pk}, format="json")
    assert stale.status_code == 409
    assert "changed this image while you were looking" in stale.json()["detail"]
    assert stale.json()["current"]["label"] == cat.pk
    image.refresh_from_db()
    assert image.label == cat


def test_label_of_another_projects_class_is_refused(learner, project, box_project):
    image = label_image_make(project)
    foreign = box_project.classes.first()
    response = client_for(learner).patch(f"/api/labeling/images/{image.pk}/", {"version": 1, "label": foreign.pk}, format="json")
    assert response.status_code == 400 and "no class with id" in response.json()["detail"]


def test_bulk_assign_and_filters(learner, project):
    cat, dog = project.classes.order_by("position")
    images = [label_image_make(project) for _ in range(5)]
    client = client_for(learner)
    response = client.post(f"/api/labeling/projects/{project.pk}/images/bulk/", {"images": [i.pk for i in images[:3]], "label": dog.pk}, format="json")
    assert response.json() == {"updated": 3}
    listed = client.get(f"/api/labeling/projects/{project.pk}/images/?label=none").json()
    assert listed["count"] == 2
    assert client.get(f"/api/labeling/projects/{project.pk}/images/?label={dog.pk}").json()["count"] == 3
    assert client.get(f"/api/labeling/projects/{project.pk}/images/?label=abc").status_code == 400


def test_boxes_are_clipped_to_the_image_in_whole_pixels_and_may_nest(learner, box_project):
    car, person = box_project.classes.order_by("position")
    image = label_image_make(box_project, size=(100, 80))
    client = client_for(learner)
    outer = client.post(f"/api/labeling/images/{image.pk}/boxes/", {"label": car.pk, "x0": -10, "y0": 5.4, "x1": 150, "y1": 60.6}, format="json")
    assert outer.status_code == 201
    assert [outer.json()[k] for k in ("x0", "y0", "x1", "y1")] == [0, 5, 100, 61]
    inner = client.post(f"/api/labeling/images/{image.pk}/boxes/", {"label": person.pk, "x0": 40, "y0": 20, "x1": 20, "y1": 40}, format="json")
    assert [inner.json()[k] for k in ("x0", "y0", "x1", "y1")] == [20, 20, 40, 40]
    outside = client.post(f"/api/labeling/images/{image.pk}/boxes/", {"label": car.pk, "x0": 120, "y0": 0, "x1": 130, "y1": 10}, format="json")
    assert outside.status_code == 400 and "outside the 100×80 image" in outside.json()["detail"]
    assert client.get(f"/api/labeling/images/{image.pk}/").json()["box_count"] == 2


def test_box_move_with_a_stale_version_is_a_conflict(learner, box_project):
    car, person = box_project.classes.order_by("position")
    image = label_image_make(box_project, size=(100, 80))
    client = client_for(learner)
    box = client.post(f"/api/labeling/images/{image.pk}/boxes/", {"label": car.pk, "x0": 1, "y0": 1, "x1": 10, "y1": 10}, format="json").json()
    moved = client.patch(f"/api/labeling/boxes/{box['id']}/", {"version": 1, "x0": 5, "y0": 5, "x1": 20, "y1": 20}, format="json")
    assert moved.status_code == 200 and moved.json()["version"] == 2
    stale = client.patch(f"/api/labeling/boxes/{box['id']}/", {"version": 1, "label": person.pk}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["x0"] == 5
    partial = client.patch(f"/api/labeling/boxes/{box['id']}/", {"version": 2, "x0": 3}, format="json")
    assert partial.status_code == 400 and "all four corners" in partial.json()["detail"]
    assert client.delete(f"/api/labeling/boxes/{box['id']}/").status_code == 204
    assert not LabelBox.objects.exists()


def test_two_people_drawing_on_one_image_keep_both_boxes(learner, course, classmate, box_project):
    box_project.course = course
    box_project.save()
    car = box_project.classes.first()
    image = label_image_make(box_project, size=(50, 50))
    for user in (learner, classmate):
        response = client_for(user).post(f"/api/labeling/images/{image.pk}/boxes/", {"label": car.pk, "x0": 1, "y0": 1, "x1": 9, "y1": 9}, format="json")
        assert response.status_code == 201
    assert image.boxes.count() == 2


def test_split_is_seeded_and_stratified(learner, project):
    cat, dog = project.classes.order_by("position")
    for _ in range(10):
        label_image_make(project, label=cat)
    for _ in range(5):
        label_image_make(project, label=dog)
    label_image_make(project)  # unlabeled: no split
    client = client_for(learner)
    review = client.post(f"/api/labeling/projects/{project.pk}/split/", {"seed": 7, "validation_fraction": 0.2}, format="json").json()
    assert review["splits"] == {"train": 12, "val": 3, "none": 1}
    per_class = {c["name"]: (c["train"], c["val"]) for c in review["classes"]}
    assert per_class == {"cat": (8, 2), "dog": (4, 1)}
    first = set(LabelImage.objects.filter(split="val").values_list("pk", flat=True))
    client.post(f"/api/labeling/projects/{project.pk}/split/", {"seed": 8}, format="json")
    client.post(f"/api/labeling/projects/{project.pk}/split/", {"seed": 7}, format="json")
    assert set(LabelImage.objects.filter(split="val").values_list("pk", flat=True)) == first
    bad = client.post(f"/api/labeling/projects/{project.pk}/split/", {"validation_fraction": 0.9}, format="json")
    assert bad.status_code == 400


def test_class_in_use_is_deleted_only_when_forced(learner, project):
    cat = project.classes.get(name="cat")
    image = label_image_make(project, label=cat)
    client = client_for(learner)
    refused = client.delete(f"/api/labeling/projects/{project.pk}/classes/{cat.pk}/")
    assert refused.status_code == 409 and "used by 1 images" in refused.json()["detail"]
    assert client.delete(f"/api/labeling/projects/{project.pk}/classes/{cat.pk}/?force=1").status_code == 204
    image.refresh_from_db()
    assert image.label is None and image.version == 2


def test_hotkeys_stay_unique(learner, project):
    client = client_for(learner)
    response = client.post(f"/api/labeling/projects/{project.pk}/classes/", {"name": "bird", "hotkey": "1"}, format="json")
    assert response.status_code == 400 and "already used" in response.json()["detail"]
    assert client.post(f"/api/labeling/projects/{project.pk}/classes/", {"name": "bird", "hotkey": "x"}, format="json").status_code == 400
    assert client.post(f"/api/labeling/projects/{project.pk}/classes/", {"name": "bird"}, format="json").json()["hotkey"] == "3"


def test_image_file_and_thumbnail_are_served_to_who_may_see_them(learner, other_learner, project):
    image = label_image_make(project)
    response = client_for(learner).get(f"/api/labeling/images/{image.pk}/file/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == image.path.read_bytes()
    assert client_for(learner).get(f"/api/labeling/images/{image.pk}/thumb/")["Content-Type"] == "image/jpeg"
    assert client_for(other_learner).get(f"/api/labeling/images/{image.pk}/file/").status_code == 404


def test_openapi_schema_describes_the_labeling_endpoints(learner):
    text = client_for(learner).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/labeling/projects/", "/api/labeling/projects/{project_id}/images/", "/api/labeling/images/{image_id}/boxes/",
                 "/api/labeling/boxes/{box_id}/", "/api/labeling/projects/{project_id}/train/", "/api/labeling/jobs/{job_id}/download/"):
        assert path in text


def test_class_filter_of_a_box_project_counts_each_images_boxes_once(learner, box_project):
    car, person = box_project.classes.order_by("position")
    image = label_image_make(box_project, size=(50, 50))
    client = client_for(learner)
    for label, x in ((car, 0), (car, 20), (person, 30)):
        client.post(f"/api/labeling/images/{image.pk}/boxes/", {"label": label.pk, "x0": x, "y0": 0, "x1": x + 10, "y1": 10}, format="json")
    listed = client.get(f"/api/labeling/projects/{box_project.pk}/images/?label={car.pk}").json()
    assert listed["count"] == 1 and listed["results"][0]["box_count"] == 3
    client.post(f"/api/labeling/projects/{box_project.pk}/split/", {"seed": 1}, format="json")
    review = client.get(f"/api/labeling/projects/{box_project.pk}/review/").json()
    assert {c["name"]: c["train"] + c["val"] for c in review["classes"]} == {"car": 1, "person": 1}
