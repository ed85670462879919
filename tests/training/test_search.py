"""Hyper-parameter search: validation, the trial plan, fan-out under the active-run limit, and
the parent's status following its trials."""

from __future__ import annotations

import pytest

from training import search as search_service
from training.models import EpochMetric, Run
from training.selectors import search_results
from training.services import SubmitError, _run_finish, run_claim, run_cancel
from tests.factories import DatasetFactory, LabFactory

pytestmark = pytest.mark.django_db

SEARCH = {"method": "grid", "learning_rates": [0.001, 0.01], "hidden_layers": [1, 2], "units": [16]}
HP = {"epochs": 1, "batch_size": 8, "optimizer": "adam"}


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def search_lab(db):
    dataset = DatasetFactory(slug="tiny-search-set")
    return LabFactory(program="hp_search", spec={}, options={"input_shape": [16, 16, 3]}, dataset_slugs=[dataset.slug], default_dataset_slug=dataset.slug)


def submit(user, lab, search=None, **hp):
    return search_service.search_submit(user=user, lab=lab, dataset_slug=lab.default_dataset_slug, hyperparameters={**HP, **hp}, search=search or SEARCH)


def test_grid_search_creates_one_trial_run_per_combination_queued_after_commit(learner, search_lab, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        parent = submit(learner, search_lab)
    trials = list(parent.trials.order_by("id"))
    assert parent.program == "hp_search" and parent.status == Run.Status.QUEUED and len(callbacks) == 1
    assert [(t.hyperparameters["learning_rate"], [l["args"]["units"] for l in t.spec["layers"] if l["type"] == "Dense"]) for t in trials] == [
        (0.001, [16, 3]), (0.001, [16, 16, 3]), (0.01, [16, 3]), (0.01, [16, 16, 3])]
    assert all(t.snapshot_id == parent.snapshot_id and t.program == "keras_spec" and t.total_params > 0 for t in trials)


def test_random_search_draws_distinct_seeded_trials_with_log_uniform_learning_rates():
    search, errors = search_service.search_validate({"method": "random", "learning_rates": [0.0001, 0.1], "hidden_layers": [1, 2, 3], "units": [8, 32, 128], "trials": 8, "seed": 4})
    assert errors == []
    plan = search_service.search_trials_plan(search)
    assert len(plan) == 8 and len({tuple(sorted(t.items())) for t in plan}) == 8
    assert plan == search_service.search_trials_plan(search)
    assert all(0.0001 <= t["learning_rate"] <= 0.1 for t in plan) and {t["units"] for t in plan} <= {8, 32, 128}


@pytest.mark.parametrize("search, words", [
    ({"method": "exhaustive", "learning_rates": [0.1], "hidden_layers": [1], "units": [8]}, "grid or random"),
    ({"method": "grid", "learning_rates": [0.1, 5], "hidden_layers": [1], "units": [8]}, "learning_rates must be a list"),
    ({"method": "grid", "learning_rates": "0.1", "hidden_layers": [1], "units": [8]}, "learning_rates must be a list"),
    ({"method": "grid", "learning_rates": [0.1], "hidden_layers": [1.5], "units": [8]}, "hidden_layers must be a list of 1 to 6 whole numbers"),
    ({"method": "grid", "learning_rates": [0.1, 0.01, 0.001], "hidden_layers": [1, 2, 3], "units": [8, 16]}, "18 combinations"),
    ({"method": "random", "learning_rates": [0.1], "hidden_layers": [1], "units": [8], "trials": 50}, "trials must be a whole number from 1 to 12"),
    ({"method": "grid", "learning_rates": [0.1], "hidden_layers": [1], "units": [8], "shell": "rm -rf /"}, "Unknown search field"),
    ("grid", "must be an object"),
])
def test_a_bad_search_is_refused_with_the_reason_and_creates_nothing(learner, search_lab, search, words):
    with pytest.raises(SubmitError, match=words):
        submit(learner, search_lab, search=search)
    assert not Run.objects.exists()


def test_a_search_that_would_exceed_the_active_run_limit_is_refused(learner, search_lab, settings):
    settings.TRAINING = {**settings.TRAINING, "MAX_ACTIVE_RUNS": 6}
    submit(learner, search_lab)
    with pytest.raises(SubmitError, match="You have 4 runs waiting or training; 4 more would exceed your limit of 6"):
        submit(learner, search_lab)
    assert Run.objects.filter(parent__isnull=False).count() == 4


def test_the_parent_follows_its_trials_and_marks_the_best(learner, search_lab):
    parent = submit(learner, search_lab)
    trials = list(parent.trials.order_by("id"))
    assert run_claim(trials[0].pk, "w1")
    parent.refresh_from_db()
    assert parent.status == Run.Status.RUNNING
    for trial, accuracy in zip(trials, (0.5, 0.9, 0.7)):
        EpochMetric.objects.create(run=trial, epoch=1, metrics={"val_accuracy": accuracy})
        Run.objects.filter(pk=trial.pk).update(status=Run.Status.RUNNING)
        _run_finish(trial.pk, Run.Status.SUCCEEDED)
    parent.refresh_from_db()
    assert parent.status == Run.Status.RUNNING  # one trial is still queued
    _run_finish(trials[3].pk, Run.Status.FAILED, "boom")
    parent.refresh_from_db()
    assert parent.status == Run.Status.SUCCEEDED and parent.final_metrics == {"best_val_accuracy": 0.9, "best_trial": 2}
    rows = search_results(parent)
    assert [r["best"] for r in rows] == [False, True, False, False] and rows[3]["status"] == "failed"


def test_cancelling_the_search_cancels_every_unfinished_trial(learner, search_lab):
    parent = submit(learner, search_lab)
    assert run_cancel(parent) == Run.Status.CANCELLED
    assert set(parent.trials.values_list("status", flat=True)) == {Run.Status.CANCELLED}


def test_a_search_lab_refuses_a_plain_run_submission(learner, search_lab):
    from training.services import run_submit

    with pytest.raises(SubmitError, match="hyper-parameter search"):
        run_submit(user=learner, lab=search_lab, dataset_slug=search_lab.default_dataset_slug, spec=None, hyperparameters={**HP, "learning_rate": 0.01})


def test_the_search_api_answers_with_its_trials_and_the_workers_never_claim_the_parent(learner, search_lab):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(learner)
    response = client.post("/api/runs/", {"course": search_lab.course.slug, "lab": search_lab.slug, "dataset": search_lab.default_dataset_slug,
                                          "hyperparameters": HP, "search": SEARCH}, format="json")
    assert response.status_code == 201, response.content
    body = client.get(response.json()["url"].replace("/runs/", "/api/runs/")).json()
    assert len(body["trials"]) == 4 and body["program"] == "hp_search"
    assert not run_claim(body["id"], "worker")
    assert [r["id"] for r in client.get("/api/runs/").json()] == [body["id"]]  # trials are listed under their search
