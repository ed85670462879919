"""The admins' queue page and requeue API, and the quota meters learners see."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import RunFactory, UserFactory
from training.models import Run, WorkerNode


@pytest.fixture
def admin_user(db):
    return UserFactory(role=User.Role.ADMIN)


def test_queue_page_lists_waiting_runs_in_fair_order_and_workers(admin_user, client):
    now = timezone.now()
    WorkerNode.objects.create(name="training@gpu-1", device="gpu", devices=[{"type": "gpu", "index": 0, "name": "H100", "memory_mb": 81559}],
                              started_at=now, heartbeat_at=now, slot="0:20000")
    heavy, light = UserFactory(username="heavy"), UserFactory(username="light")
    first = RunFactory(owner=heavy)
    RunFactory(owner=heavy, lab=first.lab)
    third = RunFactory(owner=light, lab=first.lab)
    running = RunFactory(owner=light, lab=first.lab, status=Run.Status.RUNNING, worker="training@gpu-1", started_at=now)
    client.force_login(admin_user)
    html = client.get("/ops/queue/").content.decode()
    assert html.index(f'data-run-id="{first.pk}"') < html.index(f'data-run-id="{third.pk}"')
    assert "H100" in html and "0:20000" in html and f"/runs/{running.pk}/" in html
    from quotas.models import RunUsage

    RunUsage.objects.create(run=running, user=light, course=running.course, device="gpu", started_at=now, seconds=600)
    html = client.get("/ops/queue/").content.decode()
    weekly = html[html.index('data-testid="weekly-usage"'):]
    assert running.course.slug in weekly and "<td>10</td>" in weekly  # 600 GPU seconds = 10 minutes


def test_queue_page_and_requeue_are_for_admins_only(run, learner, client):
    client.force_login(learner)
    assert client.get("/ops/queue/").status_code == 404
    api = APIClient()
    api.force_authenticate(learner)
    assert api.post(f"/api/ops/runs/{run.pk}/requeue/").status_code == 404


def test_admin_requeues_a_failed_run(run, admin_user, django_capture_on_commit_callbacks):
    Run.objects.filter(pk=run.pk).update(status=Run.Status.FAILED, status_reason="boom", finished_at=timezone.now())
    api = APIClient()
    api.force_authenticate(admin_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(f"/api/ops/runs/{run.pk}/requeue/")
    assert response.json()["status"] == "queued" and len(callbacks) == 1
    run.refresh_from_db()
    assert run.finished_at is None and admin_user.username in run.status_reason
    Run.objects.filter(pk=run.pk).update(status=Run.Status.SUCCEEDED)
    assert api.post(f"/api/ops/runs/{run.pk}/requeue/").status_code == 400


def test_dashboard_and_lab_page_show_the_quota_meters(run, client, settings):
    settings.QUOTAS = {**settings.QUOTAS, "max_queued": 4}
    client.force_login(run.owner)
    for url in ("/dashboard/", f"/courses/{run.course.slug}/labs/{run.lab.slug}/"):
        html = client.get(url).content.decode()
        assert 'data-testid="quota-meters"' in html and 'data-meter="max_queued"' in html


def test_run_state_tells_a_queued_run_its_place(run, client):
    api = APIClient()
    api.force_authenticate(run.owner)
    body = api.get(f"/api/runs/{run.pk}/").json()
    assert body["queue"]["position"] == 1 and body["queue"]["estimated_start"]
