"""Who may do what, for every labeling endpoint and page.

Roles: the owner; another learner (sees nothing: 404); a classmate in the course the project is
shared to (sees and labels, cannot manage: 403); an instructor of that course (manages); an
instructor of another course (sees nothing); an admin (everything); nobody signed in.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from labeling.models import LabelBox, LabelImage, ProjectJob
from labeling.services import box_create
from tests.factories import CourseFactory, UserFactory, instructor_of, label_image_make, png_bytes

SEE, LABEL, MANAGE = "see", "label", "manage"


@pytest.fixture
def world(db, learner, course, classmate, instructor, project):
    project.course = course
    project.save()
    cat = project.classes.get(name="cat")
    image = label_image_make(project, label=cat)
    box = box_create(image, user=learner, label=cat.pk, x0=1, y0=1, x1=5, y1=5)
    job = ProjectJob.objects.create(project=project, owner=learner, direction="export", format="class_folders")
    return {
        "project": project, "cat": cat, "image": image, "box": box, "job": job,
        "users": {
            "owner": learner,
            "stranger": UserFactory(),
            "classmate": classmate,
            "instructor": instructor,
            "other_instructor": instructor_of(CourseFactory()),
            "admin": UserFactory(role=User.Role.ADMIN),
        },
    }


def endpoints(w) -> list[tuple[str, str, str, dict | None]]:
    """(method, url, what it needs, body) for every endpoint."""
    p, c, i, b = w["project"].pk, w["cat"].pk, w["image"].pk, w["box"].pk
    return [
        ("get", f"/api/labeling/projects/{p}/", SEE, None),
        ("patch", f"/api/labeling/projects/{p}/", MANAGE, {"title": "Renamed"}),
        ("post", f"/api/labeling/projects/{p}/classes/", MANAGE, {"name": "bird"}),
        ("patch", f"/api/labeling/projects/{p}/classes/{c}/", MANAGE, {"colour": "#000000"}),
        ("get", f"/api/labeling/projects/{p}/images/", SEE, None),
        ("patch", f"/api/labeling/images/{i}/", LABEL, {"version": w["image"].version, "verified": True}),
        ("post", f"/api/labeling/projects/{p}/images/bulk/", LABEL, {"images": [i], "verified": True}),
        ("post", f"/api/labeling/projects/{p}/split/", MANAGE, {"seed": 3}),
        ("get", f"/api/labeling/projects/{p}/review/", SEE, None),
        ("post", f"/api/labeling/projects/{p}/exports/", SEE, {"format": "class_folders"}),
        ("get", f"/api/labeling/projects/{p}/jobs/", SEE, None),
        ("get", f"/api/labeling/images/{i}/", SEE, None),
        ("get", f"/api/labeling/images/{i}/file/", SEE, None),
        ("get", f"/api/labeling/images/{i}/thumb/", SEE, None),
        ("post", f"/api/labeling/images/{i}/boxes/", LABEL, {"label": c, "x0": 2, "y0": 2, "x1": 8, "y1": 8}),
        ("patch", f"/api/labeling/boxes/{b}/", LABEL, {"version": 1, "x0": 0, "y0": 0, "x1": 6, "y1": 6}),
        ("delete", f"/api/labeling/boxes/{b}/", LABEL, None),
        ("delete", f"/api/labeling/projects/{p}/classes/{c}/?force=1", MANAGE, None),
        ("delete", f"/api/labeling/images/{i}/", MANAGE, None),
        ("delete", f"/api/labeling/projects/{p}/", MANAGE, None),
    ]


ALLOWED = {
    "owner": {SEE, LABEL, MANAGE},
    "classmate": {SEE, LABEL},
    "instructor": {SEE, LABEL, MANAGE},
    "admin": {SEE, LABEL, MANAGE},
    "stranger": set(),
    "other_instructor": set(),
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_every_endpoint_answers_each_role_as_the_rules_say(world, role, eager_celery, django_capture_on_commit_callbacks):
    user = world["users"][role]
    client = APIClient()
    client.force_authenticate(user)
    for method, url, needs, body in endpoints(world):
        with django_capture_on_commit_callbacks(execute=False):
            response = getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)
        if needs in ALLOWED[role]:
            assert response.status_code < 400, (role, method, url, response.status_code, getattr(response, "data", None))
        elif role in ("stranger", "other_instructor"):
            assert response.status_code == 404, (role, method, url, response.status_code)
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)
            assert "owner" in response.json()["detail"] or "instructor" in response.json()["detail"]


def test_refused_writes_change_nothing(world):
    client = APIClient()
    client.force_authenticate(world["users"]["stranger"])
    image = world["image"]
    client.patch(f"/api/labeling/images/{image.pk}/", {"version": image.version, "label": None}, format="json")
    client.delete(f"/api/labeling/boxes/{world['box'].pk}/")
    client.post(f"/api/labeling/projects/{world['project'].pk}/images/", {"files": [SimpleUploadedFile("x.png", png_bytes())]}, format="multipart")
    image.refresh_from_db()
    assert image.label == world["cat"] and LabelBox.objects.count() == 1 and LabelImage.objects.count() == 1


def test_classmate_may_delete_only_images_they_uploaded(world):
    classmate = world["users"]["classmate"]
    own = label_image_make(world["project"], user=classmate)
    client = APIClient()
    client.force_authenticate(classmate)
    assert client.delete(f"/api/labeling/images/{own.pk}/").status_code == 204
    assert client.delete(f"/api/labeling/images/{world['image'].pk}/").status_code == 403


def test_an_export_is_downloaded_only_by_who_asked_for_it(world, settings):
    job = world["job"]
    path = settings.WORKSPACE_ROOT / "export.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    ProjectJob.objects.filter(pk=job.pk).update(status="succeeded", file_relative_path="export.zip", file_bytes=22)
    for role, expected in [("owner", 200), ("admin", 200), ("classmate", 404), ("instructor", 404), ("stranger", 404)]:
        client = APIClient()
        client.force_authenticate(world["users"][role])
        assert client.get(f"/api/labeling/jobs/{job.pk}/download/").status_code == expected, role
        assert client.get(f"/api/labeling/jobs/{job.pk}/").status_code == expected, role


def test_only_an_instructor_of_the_course_shares_to_it(world, learner, course):
    client = APIClient()
    client.force_authenticate(learner)
    response = client.post(f"/api/labeling/projects/{world['project'].pk}/share/", {"course": course.slug}, format="json")
    assert response.status_code == 403 and "Only an instructor" in response.json()["detail"]


def test_instructor_shares_and_owner_or_instructor_may_stop_sharing(world, course):
    project = world["project"]
    # Unsharing hides the project from the course's instructor too, so they go first.
    for role, body, expected in [("classmate", {"course": ""}, 403), ("other_instructor", {"course": course.slug}, 404),
                                 ("instructor", {"course": course.slug}, 200), ("instructor", {"course": "no-such"}, 400),
                                 ("owner", {"course": ""}, 200)]:
        client = APIClient()
        client.force_authenticate(world["users"][role])
        response = client.post(f"/api/labeling/projects/{project.pk}/share/", body, format="json")
        assert response.status_code == expected, (role, body, response.json())
    project.refresh_from_db()
    assert project.course is None


def test_the_list_shows_own_and_shared_projects_only(world, box_project):
    listed = {}
    for role in ("owner", "classmate", "stranger", "other_instructor", "admin"):
        client = APIClient()
        client.force_authenticate(world["users"][role])
        listed[role] = {p["id"] for p in client.get("/api/labeling/projects/").json()}
    p, b = world["project"].pk, box_project.pk
    assert listed == {"owner": {p, b}, "classmate": {p}, "stranger": set(), "other_instructor": set(), "admin": {p, b}}


def test_anonymous_gets_nothing(world, client):
    assert APIClient().get("/api/labeling/projects/").status_code == 403
    assert APIClient().get(f"/api/labeling/images/{world['image'].pk}/file/").status_code == 403
    for url in ("/labeling/", f"/labeling/{world['project'].pk}/", f"/labeling/{world['project'].pk}/label/"):
        assert client.get(url).status_code == 302


def test_pages_answer_404_for_a_project_one_cannot_see(world, client):
    client.force_login(world["users"]["stranger"])
    for url in (f"/labeling/{world['project'].pk}/", f"/labeling/{world['project'].pk}/label/"):
        assert client.get(url).status_code == 404
    client.force_login(world["users"]["classmate"])
    assert client.get(f"/labeling/{world['project'].pk}/label/").status_code == 200
