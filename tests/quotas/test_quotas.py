"""Quotas: which policy applies, compute time in the rolling week, refusals that say which limit
and when it frees up, and usage recorded per run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from quotas.models import QuotaPolicy, RunUsage
from quotas.services import QuotaExceeded, compute_used, quota_check_submit, quota_limits, quota_meters, usage_start, usage_update
from tests.factories import CourseFactory, RunFactory, UserFactory
from training import services
from training.models import Run


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def used(user, course, device="cpu", seconds=0.0, ago=timedelta(hours=1), running=False):
    run = RunFactory(owner=user, lab__course=course, course=course)
    now = timezone.now()
    return RunUsage.objects.create(run=run, user=user, course=course, device=device, started_at=now - ago - timedelta(seconds=seconds),
                                   attempt_started_at=now - ago - timedelta(seconds=seconds),
                                   ended_at=None if running else now - ago, seconds=seconds)


def test_the_most_specific_policy_wins_field_by_field(db, settings):
    settings.QUOTAS = {**settings.QUOTAS, "max_queued": 16, "cpu_minutes_per_week": 100}
    user, course = UserFactory(), CourseFactory()
    QuotaPolicy.objects.create(course=course, max_queued=4, cpu_minutes_per_week=50)
    QuotaPolicy.objects.create(user=user, max_queued=8)
    QuotaPolicy.objects.create(course=course, user=user, cpu_minutes_per_week=500)
    limits = quota_limits(user, course)
    assert (limits.max_queued, limits.cpu_minutes_per_week) == (8, 500)
    assert quota_limits(UserFactory(), course).max_queued == 4
    assert quota_limits(user, CourseFactory()).cpu_minutes_per_week == 100


def test_compute_time_counts_the_rolling_week_only(db):
    user, course = UserFactory(), CourseFactory()
    used(user, course, seconds=600, ago=timedelta(days=2))
    used(user, course, seconds=600, ago=timedelta(days=8))  # outside the window
    used(user, course, device="gpu", seconds=300)
    used(user, course, seconds=120, ago=timedelta(seconds=0), running=True)  # running for 2 min
    seconds, oldest = compute_used(user, "cpu")
    assert seconds == pytest.approx(720, abs=2)
    assert timezone.now() - oldest == pytest.approx(timedelta(days=2, seconds=600), abs=timedelta(seconds=5))
    assert compute_used(user, "gpu")[0] == pytest.approx(300)


def test_over_budget_submission_names_the_limit_and_when_it_frees(db, settings):
    settings.QUOTAS = {**settings.QUOTAS, "cpu_minutes_per_week": 10, "gpu_minutes_per_week": None}
    user, course = UserFactory(), CourseFactory()
    used(user, course, seconds=660, ago=timedelta(days=3))
    with pytest.raises(QuotaExceeded) as caught:
        quota_check_submit(user=user, course=course, device="cpu", epochs=1, dataset_bytes=0)
    assert caught.value.limit == "cpu_minutes_per_week" and "11 of your 10 CPU minutes" in str(caught.value)
    assert caught.value.frees_at - timezone.now() == pytest.approx(timedelta(days=4) - timedelta(seconds=660), abs=timedelta(seconds=5))
    # A lab that can use either device still runs: the GPU has no budget here.
    quota_check_submit(user=user, course=course, device="any", epochs=1, dataset_bytes=0)


@pytest.mark.parametrize(("field", "value", "kwargs", "fragment"), [
    ("max_epochs", 5, {"epochs": 6}, "at most 5 epochs"),
    ("max_dataset_bytes", 1000, {"dataset_bytes": 5000}, "data sets up to"),
])
def test_per_run_limits(db, settings, field, value, kwargs, fragment):
    settings.QUOTAS = {**settings.QUOTAS, field: value}
    with pytest.raises(QuotaExceeded, match=fragment):
        quota_check_submit(user=UserFactory(), course=CourseFactory(), device="cpu", **{"epochs": 1, "dataset_bytes": 0, **kwargs})


def test_queued_limit_refuses_through_the_submission_api_with_the_reason(run, learner, settings):
    from rest_framework.test import APIClient

    settings.QUOTAS = {**settings.QUOTAS, "max_queued": 1}
    client = APIClient()
    client.force_authenticate(run.owner)
    body = {"course": run.course.slug, "lab": run.lab.slug, "dataset": run.dataset.slug, "spec": run.spec,
            "hyperparameters": run.hyperparameters}
    response = client.post("/api/runs/", body, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "quota" and error["limit"] == "max_queued" and "1 runs waiting" in error["message"]
    assert Run.objects.filter(owner=run.owner).count() == 1


def test_storage_limit_refuses_a_full_workspace(db, settings, tmp_path):
    settings.WORKSPACE_ROOT = tmp_path
    settings.QUOTAS = {**settings.QUOTAS, "storage_bytes": 1000}
    user = UserFactory()
    (tmp_path / f"user-{user.pk}" / "runs" / "1").mkdir(parents=True)
    (tmp_path / f"user-{user.pk}" / "runs" / "1" / "model.keras").write_bytes(b"x" * 2000)
    with pytest.raises(QuotaExceeded, match="Your workspace holds"):
        quota_check_submit(user=user, course=CourseFactory(), device="cpu", epochs=1, dataset_bytes=0)


def test_time_limit_of_a_run_is_the_shorter_of_the_lab_and_the_quota(lab, settings):
    settings.QUOTAS = {**settings.QUOTAS, "max_run_seconds": 60}
    from quotas.services import Limits

    assert services.run_resources(lab, Limits(max_run_seconds=60))["time_limit_s"] == 60
    assert services.run_resources(lab, Limits(max_run_seconds=None))["time_limit_s"] == lab.resources["time_limit_s"]


def test_usage_accumulates_across_a_resume_and_meters_show_it(run):
    usage_start(run, device="cpu", worker="w1")
    RunUsage.objects.filter(run=run).update(started_at=timezone.now() - timedelta(seconds=400), attempt_started_at=timezone.now() - timedelta(seconds=100))
    usage_update(run.pk, peak_memory_bytes=5_000_000, finished=True)
    usage_start(run, device="cpu", worker="w2")
    RunUsage.objects.filter(run=run).update(attempt_started_at=timezone.now() - timedelta(seconds=50))
    usage_update(run.pk, peak_memory_bytes=3_000_000, finished=True)
    usage = RunUsage.objects.get(run=run)
    assert usage.seconds == pytest.approx(150, abs=2) and usage.peak_memory_bytes == 5_000_000 and usage.worker == "w2"
    meters = {m["name"]: m for m in quota_meters(run.owner, run.course)}
    assert meters["cpu_minutes_per_week"]["used"] == pytest.approx(2.5, abs=0.1)
    assert meters["max_queued"]["used"] == 1


def test_a_users_upload_quota_lowers_the_import_and_labeling_limits(db, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from datasets.importers import ImportRefused
    from datasets.services import dataset_import_start
    from labeling.services import images_upload
    from tests.factories import LabelProjectFactory, png_bytes

    settings.WORKSPACE_ROOT = settings.DATA_ROOT / "ws-upload-quota"
    user = UserFactory()
    QuotaPolicy.objects.create(user=user, max_upload_bytes=20)
    with pytest.raises(ImportRefused, match="largest file that can be imported is 0 KB"):
        dataset_import_start(user=user, upload=SimpleUploadedFile("m.npz", b"x" * 500), kind="mnist")
    data = png_bytes((30, 30))
    result = images_upload(LabelProjectFactory(owner=user), user=user, files=[("a.png", SimpleUploadedFile("a.png", data), len(data))])
    assert not result.created and "an image may be at most" in result.errors[0]["detail"]
