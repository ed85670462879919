"""The grading API: the permission matrix for every endpoint, validated and race-free grade
writes, release visibility, and the CSV export opened with the csv module."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from grading import services
from grading.models import Grade, GradedItem
from tests.factories import CourseFactory, LabFactory, UserFactory, instructor_of
from tests.grading.conftest import enrol, finished_run


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world(course, lab, lab_item, student, instructor):
    run = finished_run(student, lab, [0.81])
    grade = services.grade_refresh(lab_item, student)
    other_course = CourseFactory()
    other_run = finished_run(student, LabFactory(course=other_course), [0.5])
    return {
        "course": course, "item": lab_item, "grade": grade, "run": run, "other_run": other_run,
        "users": {
            "learner": student,
            "other_learner": enrol(course),
            "instructor": instructor,
            "other_instructor": instructor_of(other_course),
            "admin": UserFactory(role=User.Role.ADMIN),
        },
    }


def instructor_endpoints(w) -> list[tuple[str, str, dict | None]]:
    c, i, g, s = w["course"].slug, w["item"].pk, w["grade"].pk, w["users"]["learner"].pk
    return [
        ("get", f"/api/courses/{c}/gradebook/", None),
        ("post", f"/api/courses/{c}/gradebook/exports/", {}),
        ("get", f"/api/courses/{c}/grading/items/", None),
        ("get", f"/api/grading/items/{i}/", None),
        ("patch", f"/api/grading/items/{i}/", {"points": 10}),
        ("get", f"/api/grading/items/{i}/learners/{s}/", None),
        ("get", f"/api/grading/grades/{g}/history/", None),
        ("patch", f"/api/grading/grades/{g}/", {"version": w["grade"].version, "feedback": "ok"}),
        ("patch", f"/api/courses/{c}/grading/policy/", {"grace_minutes": 5}),
        ("get", f"/api/courses/{c}/grading/queue/", None),
        ("post", f"/api/courses/{c}/enrolments/", {"users": ["nobody"]}),
        ("get", f"/api/courses/{c}/join-code/", None),
        ("post", f"/api/grading/items/{i}/release/", {"released": False}),
        ("post", f"/api/courses/{c}/grading/release-all/", {"released": False}),
    ]


@pytest.mark.parametrize("role", ["learner", "other_learner", "instructor", "other_instructor", "admin"])
def test_grading_endpoints_answer_only_the_courses_instructors_and_admins(world, role, django_capture_on_commit_callbacks):
    client = api(world["users"][role])
    allowed = role in ("instructor", "admin")
    for method, url, body in instructor_endpoints(world):
        with django_capture_on_commit_callbacks(execute=False):
            response = getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)
        if allowed:
            assert response.status_code < 400, (role, method, url, response.status_code, response.json())
        else:
            assert response.status_code == 404, (role, method, url, response.status_code)


def test_learner_sees_only_their_own_released_grade_without_instructor_fields(world):
    learner, other = world["users"]["learner"], world["users"]["other_learner"]
    url = f"/api/grading/grades/{world['grade'].pk}/"
    assert api(learner).get(url).status_code == 404  # not released yet
    assert api(learner).get("/api/grades/").json() == []
    services.item_release(world["item"], by=world["users"]["instructor"])
    body = api(learner).get(url).json()
    assert body["final_score"] == pytest.approx(8.0) and "override_reason" not in body and "version" not in body
    assert [g["id"] for g in api(learner).get("/api/grades/").json()] == [world["grade"].pk]
    assert api(other).get(url).status_code == 404
    assert api(other).get("/api/grades/").json() == []
    assert api(learner).patch(url, {"version": 99, "score": 10, "reason": "me"}, format="json").status_code == 404


def test_grade_writes_are_validated_and_stale_ones_conflict(world):
    instructor = world["users"]["instructor"]
    url = f"/api/grading/grades/{world['grade'].pk}/"
    version = world["grade"].version
    bad = api(instructor).patch(url, {"version": version, "score": 12, "reason": "x"}, format="json")
    assert bad.status_code == 400 and "between 0 and 10" in bad.json()["detail"]
    assert api(instructor).patch(url, {"version": version, "score": "ten", "reason": "x"}, format="json").status_code == 400
    ok = api(instructor).patch(url, {"version": version, "score": 9, "reason": "neat"}, format="json")
    assert ok.status_code == 200 and ok.json()["final_score"] == 9
    stale = api(instructor).patch(url, {"version": version, "score": 2, "reason": "late click"}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["override_score"] == 9
    history = api(instructor).get(f"{url}history/").json()
    override = next(h for h in history if h["field"] == "override_score")
    assert (override["old"], override["new"], override["reason"], override["by"]) == ("", "9.0", "neat", instructor.username)
    assert not any(h["new"] == "2.0" for h in history)


def test_learner_grade_of_someone_outside_the_course_is_404(world):
    stranger = UserFactory()
    response = api(world["users"]["instructor"]).get(f"/api/grading/items/{world['item'].pk}/learners/{stranger.pk}/")
    assert response.status_code == 404


def test_item_patch_with_a_foreign_category_or_bad_rubric_is_refused(world):
    client = api(world["users"]["instructor"])
    url = f"/api/grading/items/{world['item'].pk}/"
    assert client.patch(url, {"category": "nope"}, format="json").status_code == 400
    response = client.patch(url, {"rubric": {"metric": "val_accuracy", "full_at": 0.2, "zero_at": 0.9}}, format="json")
    assert response.status_code == 400 and "better value" in response.json()["detail"]
    assert GradedItem.objects.get(pk=world["item"].pk).rubric["full_at"] == 0.9


def test_compare_runs_shows_curves_and_config_differences_to_who_may_see_them(world, lab):
    learner = world["users"]["learner"]
    second = finished_run(learner, lab, [0.4, 0.7])
    second.hyperparameters = {**second.hyperparameters, "learning_rate": 0.1}
    second.save()
    url = f"/api/runs/compare/?ids={world['run'].pk},{second.pk}"
    body = api(learner).get(url).json()
    assert [r["id"] for r in body["runs"]] == [world["run"].pk, second.pk]
    assert [p["val_accuracy"] for p in body["curves"][str(second.pk)]] == [0.4, 0.7]
    assert next(c for c in body["config"] if c["key"] == "hp.learning_rate")["differs"] is True
    assert api(world["users"]["instructor"]).get(url).status_code == 200
    assert api(world["users"]["other_learner"]).get(url).status_code == 404
    assert api(learner).get(f"/api/runs/compare/?ids={world['run'].pk}").status_code == 400
    assert api(learner).get("/api/runs/compare/?ids=1,x").status_code == 400


def test_enrol_via_api_reports_each_line_and_only_admins_add_instructors(world):
    UserFactory(username="li")
    client = api(world["users"]["instructor"])
    url = f"/api/courses/{world['course'].slug}/enrolments/"
    body = client.post(url, {"file": SimpleUploadedFile("class.csv", "username\nli\nghost\n".encode("utf-8-sig"))}, format="multipart").json()
    assert body["added"] == ["li"] and body["errors"][0]["value"] == "ghost"
    assert client.post(url, {"users": ["li"], "role": "instructor"}, format="json").status_code == 403


def test_join_with_a_code(world):
    code = api(world["users"]["instructor"]).post(f"/api/courses/{world['course'].slug}/join-code/").json()["code"]
    newcomer = UserFactory()
    assert api(newcomer).post("/api/courses/join/", {"code": code}, format="json").json()["course"] == world["course"].slug
    assert api(newcomer).post("/api/courses/join/", {"code": "XXXXXXXX"}, format="json").status_code == 400


def test_csv_export_opens_in_the_csv_module_with_chinese_names_and_totals(world, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from dlclassroom.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = api(world["users"]["instructor"]).post(f"/api/courses/{world['course'].slug}/gradebook/exports/").json()
    finally:
        app.conf.task_always_eager = False
    status = api(world["users"]["instructor"]).get(job["url"]).json()
    assert status["status"] == "succeeded", status
    response = api(world["users"]["instructor"]).get(status["download_url"])
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    zhang = next(r for r in rows if r["username"] == "zhang")
    assert zhang["name"] == "伟 张" and zhang["email"] == "zhang@example.org"
    lab_column = next(k for k in zhang if k.endswith("(10)"))
    assert float(zhang[lab_column]) == pytest.approx(8.0)
    # Only the labs category has a graded item: the total is the lab's share, 8 / 10.
    assert float(zhang["total %"]) == pytest.approx(80.0) and zhang["letter"] == "B"
    other = next(r for r in rows if r["username"] == world["users"]["other_learner"].username)
    assert other[lab_column] == "" and float(other["total %"]) == 0.0
    assert api(world["users"]["other_learner"]).get(status["download_url"]).status_code == 404
    assert Grade.objects.count() == 1
