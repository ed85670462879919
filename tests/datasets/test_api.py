import pytest
from rest_framework.test import APIClient

from accounts.models import User
from courseware.models import Enrollment
from datasets.models import Dataset, ImportJob
from tests.datasets import archives
from tests.datasets.conftest import leftovers, upload
from tests.factories import CourseFactory, DatasetFactory, UserFactory, instructor_of


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def course(db):
    return CourseFactory()


@pytest.fixture
def sets(db, dataset_root, learner, other_learner, course):
    """One data set of each kind: bundled, the learner's own, and one published to ``course``."""
    Enrollment.objects.create(course=course, user=learner, role=Enrollment.Role.LEARNER)
    return {
        "bundled": DatasetFactory(slug="bundled-set"),
        "mine": DatasetFactory(slug="learners-set", kind=Dataset.Kind.PERSONAL, owner=learner),
        "theirs": DatasetFactory(slug="others-set", kind=Dataset.Kind.PERSONAL, owner=other_learner),
        "course": DatasetFactory(slug="course-set", kind=Dataset.Kind.COURSE, course=course, owner=instructor_of(course)),
    }


def slugs(response) -> set[str]:
    assert response.status_code == 200
    return {d["slug"] for d in response.json()}


def test_learner_lists_bundled_own_and_their_courses_data_sets_only(sets, learner, other_learner):
    assert slugs(client_for(learner).get("/api/datasets/")) == {"bundled-set", "learners-set", "course-set"}
    assert slugs(client_for(other_learner).get("/api/datasets/")) == {"bundled-set", "others-set"}


def test_course_data_sets_are_for_members_and_admins(sets, course):
    instructor = Enrollment.objects.get(course=course, role=Enrollment.Role.INSTRUCTOR).user
    outsider_instructor = UserFactory(role=User.Role.INSTRUCTOR)
    admin = UserFactory(role=User.Role.ADMIN)
    assert "course-set" in slugs(client_for(instructor).get("/api/datasets/"))
    assert "course-set" not in slugs(client_for(outsider_instructor).get("/api/datasets/"))
    assert client_for(outsider_instructor).get("/api/datasets/course-set/").status_code == 404
    assert slugs(client_for(admin).get("/api/datasets/")) == {"bundled-set", "learners-set", "others-set", "course-set"}


def test_data_set_detail_is_404_for_what_the_user_cannot_see(sets, learner):
    client = client_for(learner)
    detail = client.get("/api/datasets/learners-set/").json()
    assert detail["is_mine"] is True and detail["kind"] == "personal" and detail["class_names"] == ["circle", "square", "triangle"]
    assert client.get("/api/datasets/course-set/").json()["course"] == sets["course"].course.slug
    assert client.get("/api/datasets/others-set/").status_code == 404
    assert client.get("/api/datasets/no-such-set/").status_code == 404


def test_anonymous_users_get_nothing(sets):
    client = client_for()
    assert client.get("/api/datasets/").status_code == 403
    assert client.get("/api/datasets/bundled-set/").status_code == 403
    assert client.post("/api/datasets/imports/", {}).status_code == 403


# --- publishing ----------------------------------------------------------------------------------


def test_instructor_publishes_their_own_data_set_to_their_course(sets, course, learner):
    instructor = Enrollment.objects.get(course=course, role=Enrollment.Role.INSTRUCTOR).user
    own = DatasetFactory(slug="instructors-set", kind=Dataset.Kind.PERSONAL, owner=instructor)
    response = client_for(instructor).post(f"/api/datasets/{own.slug}/publish/", {"course": course.slug}, format="json")
    assert response.status_code == 200, response.json()
    own.refresh_from_db()
    assert (own.kind, own.course) == (Dataset.Kind.COURSE, course)
    assert "instructors-set" in slugs(client_for(learner).get("/api/datasets/"))


def test_instructor_publishes_a_learners_data_set_to_the_learners_course(sets, course, other_learner):
    instructor = Enrollment.objects.get(course=course, role=Enrollment.Role.INSTRUCTOR).user
    response = client_for(instructor).post("/api/datasets/learners-set/publish/", {"course": course.slug}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["kind"] == "course"
    # Not enrolled in the course: still not visible.
    assert "learners-set" not in slugs(client_for(other_learner).get("/api/datasets/"))


def test_instructor_cannot_publish_the_data_set_of_a_learner_outside_the_course(sets, course):
    instructor = Enrollment.objects.get(course=course, role=Enrollment.Role.INSTRUCTOR).user
    response = client_for(instructor).post("/api/datasets/others-set/publish/", {"course": course.slug}, format="json")
    assert response.status_code == 404
    assert Dataset.objects.get(slug="others-set").kind == Dataset.Kind.PERSONAL


def test_learner_cannot_publish_their_own_data_set(sets, learner, course):
    response = client_for(learner).post("/api/datasets/learners-set/publish/", {"course": course.slug}, format="json")
    assert response.status_code == 403
    assert "instructor" in response.json()["detail"]
    assert Dataset.objects.get(slug="learners-set").kind == Dataset.Kind.PERSONAL


def test_learner_cannot_publish_another_learners_data_set(sets, learner, course):
    response = client_for(learner).post("/api/datasets/others-set/publish/", {"course": course.slug}, format="json")
    assert response.status_code == 404


def test_instructor_of_another_course_cannot_publish_to_this_one(sets, course):
    other_course = CourseFactory()
    stranger = instructor_of(other_course)
    own = DatasetFactory(slug="strangers-set", kind=Dataset.Kind.PERSONAL, owner=stranger)
    response = client_for(stranger).post(f"/api/datasets/{own.slug}/publish/", {"course": course.slug}, format="json")
    assert response.status_code == 403


def test_publishing_a_bundled_set_or_to_a_missing_course_is_refused_with_a_reason(sets, course):
    admin = UserFactory(role=User.Role.ADMIN)
    client = client_for(admin)
    response = client.post("/api/datasets/bundled-set/publish/", {"course": course.slug}, format="json")
    assert response.status_code == 409 and "everyone" in response.json()["detail"]
    response = client.post("/api/datasets/learners-set/publish/", {"course": "no-such-course"}, format="json")
    assert response.status_code == 400 and "no-such-course" in response.json()["detail"]


# --- imports -------------------------------------------------------------------------------------


def test_upload_is_accepted_with_202_and_imported_by_the_task(learner, other_learner, dataset_root, eager_celery, django_capture_on_commit_callbacks):
    client = client_for(learner)
    data = archives.zip_bytes(archives.class_folder_entries())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/datasets/imports/", {"file": upload(data, "pets.zip"), "kind": "image_folder", "title": "My pets"}, format="multipart")
    assert response.status_code == 202, response.json()
    job_url = response.json()["url"]
    job = client.get(job_url).json()
    assert (job["status"], job["progress"], job["source_filename"]) == ("succeeded", 1.0, "pets.zip")
    slug = job["dataset"]
    assert slug.startswith("my-pets-i")
    detail = client.get(f"/api/datasets/{slug}/").json()
    assert (detail["kind"], detail["format"], detail["class_names"], detail["num_items"]) == ("personal", "image_folder", ["cats", "dogs"], 6)
    assert [j["id"] for j in client.get("/api/datasets/imports/").json()] == [job["id"]]
    # Another learner sees neither the job nor the data set.
    other = client_for(other_learner)
    assert other.get(job_url).status_code == 404
    assert other.get(f"/api/datasets/{slug}/").status_code == 404
    assert other.get("/api/datasets/imports/").json() == []


def test_refused_import_reports_failed_with_the_reason(learner, dataset_root, eager_celery, django_capture_on_commit_callbacks):
    data = archives.zip_bytes({**archives.class_folder_entries(), "../evil.png": archives.png_bytes()})
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(learner).post("/api/datasets/imports/", {"file": upload(data, "evil.zip"), "kind": "image_folder"}, format="multipart")
    job = client_for(learner).get(response.json()["url"]).json()
    assert job["status"] == "failed" and "../evil.png" in job["message"] and job["dataset"] is None
    assert leftovers(dataset_root) == []


def test_oversized_upload_is_refused_with_413_before_the_body_is_read(learner, dataset_root, import_limits, monkeypatch):
    import_limits["MAX_UPLOAD_BYTES"] = 100 * 1024
    from rest_framework.request import Request

    def must_not_parse(self):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(Request, "_load_data_and_files", must_not_parse)
    data = b"x" * (300 * 1024)
    response = client_for(learner).post("/api/datasets/imports/", {"file": upload(data, "big.zip"), "kind": "image_folder"}, format="multipart")
    assert response.status_code == 413
    assert response.json()["detail"] == "The file is too large: the largest file that can be imported is 100 KB."
    assert not ImportJob.objects.exists()


def test_upload_just_over_the_limit_is_refused_after_parsing_too(learner, dataset_root, import_limits):
    import_limits["MAX_UPLOAD_BYTES"] = 100 * 1024
    data = b"x" * (100 * 1024 + 10)  # within the multipart slack, so only the file size tells
    response = client_for(learner).post("/api/datasets/imports/", {"file": upload(data, "big.zip"), "kind": "image_folder"}, format="multipart")
    assert response.status_code == 413 and not ImportJob.objects.exists()
    assert response.json()["detail"] == "The file is 100 KB; the largest file that can be imported is 100 KB."


def test_import_without_a_file_or_with_an_unknown_kind_gets_400(learner, dataset_root):
    client = client_for(learner)
    assert client.post("/api/datasets/imports/", {"kind": "mnist"}, format="multipart").status_code == 400
    response = client.post("/api/datasets/imports/", {"file": upload(b"x", "a.zip"), "kind": "imagenet"}, format="multipart")
    assert response.status_code == 400 and "kind" in response.json()["errors"]
