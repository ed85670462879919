import copy

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from training.models import Run
from tests.factories import TINY_SPEC, RunFactory, UserFactory, instructor_of

pytestmark = pytest.mark.django_db


def client_for(user=None, csrf=False):
    client = APIClient(enforce_csrf_checks=csrf)
    if user:
        client.force_login(user)
    return client


def submission(lab, **overrides):
    body = {"course": lab.course.slug, "lab": lab.slug, "dataset": lab.default_dataset_slug, "spec": copy.deepcopy(TINY_SPEC),
            "hyperparameters": {"epochs": 1, "batch_size": 8, "optimizer": "adam", "learning_rate": 0.01}}
    body.update(overrides)
    return body


def test_learner_submits_a_run_and_sees_it_in_their_list(learner, lab, django_capture_on_commit_callbacks):
    client = client_for(learner)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/api/runs/", submission(lab), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued" and response.json()["url"] == f"/runs/{response.json()['id']}/"
    listing = client.get("/api/runs/").json()
    assert [r["id"] for r in listing] == [response.json()["id"]]


def test_invalid_spec_gets_400_with_layer_errors_and_queues_nothing(learner, lab):
    spec = copy.deepcopy(TINY_SPEC)
    spec["layers"].insert(2, {"type": "EvilLayer", "args": {}})
    response = client_for(learner).post("/api/runs/", submission(lab, spec=spec), format="json")
    assert response.status_code == 400
    body = response.json()
    assert "EvilLayer" in body["detail"]
    assert body["errors"][0]["layer"] == 2
    assert Run.objects.count() == 0


@pytest.mark.parametrize("payload", [b"{not json", b"[]", b'{"course": 5}', b'{"course": "x", "lab": "y", "dataset": "z", "spec": 1, "hyperparameters": 2}'])
def test_malformed_submissions_get_a_readable_error(learner, lab, payload):
    response = client_for(learner).post("/api/runs/", payload, content_type="application/json")
    assert response.status_code in (400, 404)
    assert isinstance(response.json().get("detail"), str) and response.json()["detail"]
    assert Run.objects.count() == 0


def test_oversized_request_body_is_refused(learner, lab, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    big = submission(lab, padding="y" * 20_000)
    response = client_for(learner).post("/api/runs/", big, format="json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert Run.objects.count() == 0


def test_browser_session_without_csrf_token_is_refused(learner, lab):
    response = client_for(learner, csrf=True).post("/api/runs/", submission(lab), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_anonymous_user_cannot_use_the_api(lab):
    client = client_for()
    assert client.get("/api/runs/").status_code == 403
    assert client.post("/api/runs/", submission(lab), format="json").status_code == 403
    assert client.post("/api/modelspec/check/", {"spec": TINY_SPEC}, format="json").status_code == 403


def test_learner_cannot_read_or_cancel_another_learners_run(run, other_learner):
    client = client_for(other_learner)
    assert client.get(f"/api/runs/{run.pk}/").status_code == 404
    assert client.post(f"/api/runs/{run.pk}/cancel/").status_code == 404
    assert client.get(f"/runs/{run.pk}/").status_code == 404
    assert client.get("/api/runs/").json() == []
    run.refresh_from_db()
    assert run.status == Run.Status.QUEUED


def test_instructor_of_the_course_can_read_but_not_cancel_a_learners_run(run):
    instructor = instructor_of(run.course)
    client = client_for(instructor)
    assert client.get(f"/api/runs/{run.pk}/").status_code == 200
    assert client.get(f"/runs/{run.pk}/").status_code == 200
    assert client.post(f"/api/runs/{run.pk}/cancel/").status_code == 403


def test_instructor_of_another_course_cannot_read_the_run(run):
    other_instructor = instructor_of(RunFactory().course)
    assert client_for(other_instructor).get(f"/api/runs/{run.pk}/").status_code == 404


def test_admin_can_read_any_run(run):
    admin = UserFactory(role=User.Role.ADMIN)
    assert client_for(admin).get(f"/api/runs/{run.pk}/").status_code == 200


def test_owner_cancels_a_queued_run(run):
    response = client_for(run.owner).post(f"/api/runs/{run.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = client_for(run.owner).post(f"/api/runs/{run.pk}/cancel/")
    assert again.status_code == 409 and "already finished" in again.json()["detail"]


def test_run_detail_includes_epoch_history(run):
    from training.services import epoch_metric_record

    epoch_metric_record(run.pk, 1, {"loss": 0.5, "accuracy": 0.8}, 1.2)
    body = client_for(run.owner).get(f"/api/runs/{run.pk}/").json()
    assert body["epochs"] == [{"type": "epoch", "epoch": 1, "metrics": {"loss": 0.5, "accuracy": 0.8}, "duration_s": 1.2}]


def test_spec_check_returns_shapes_params_formulas_and_code(learner):
    body = client_for(learner).post("/api/modelspec/check/", {"spec": TINY_SPEC, "num_classes": 3, "from_logits": True}, format="json").json()
    assert body["valid"] is True
    conv = body["layers"][1]
    assert conv["output_shape"] == [None, 16, 16, 4] and conv["params"] == (3 * 3 * 3 + 1) * 4
    assert "(3·3·3 + 1) · 4 = 112" in conv["param_formula"]
    assert "layers.Conv2D(4, 3" in body["keras_code"]


def test_spec_check_reports_errors_for_hostile_specs(learner):
    client = client_for(learner)
    for spec in [None, "x", [], {"input_shape": "a"}, {"input_shape": [16, 16, 3], "layers": [{"type": "Dense", "args": {"units": 10**12}}]}]:
        response = client.post("/api/modelspec/check/", {"spec": spec}, format="json")
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert response.json()["valid"] is False and response.json()["errors"]
            assert response.json()["keras_code"] == ""


def test_openapi_schema_describes_the_run_endpoints(learner):
    response = client_for(learner).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/runs/", "/api/runs/{run_id}/", "/api/runs/{run_id}/cancel/", "/api/modelspec/check/"):
        assert path in text


def test_layer_catalog_lists_the_whitelist(learner):
    body = client_for(learner).get("/api/modelspec/catalog/").json()
    conv = next(entry for entry in body if entry["type"] == "Conv2D")
    assert {"filters", "kernel_size", "padding"} <= {arg["name"] for arg in conv["args"]}
