from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courseware.models import Enrollment
from grading.models import GradedItem
from grading.services import grading_setup
from tests.factories import CourseFactory, LabFactory, RunFactory, UserFactory, instructor_of
from training.models import EpochMetric, Run


@pytest.fixture(autouse=True)
def english_messages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def course(db):
    return CourseFactory()


@pytest.fixture
def lab(course):
    return LabFactory(course=course, slug="flowers-cnn", metric={"name": "val_accuracy", "target": 0.9})


@pytest.fixture
def instructor(course):
    return instructor_of(course)


def enrol(course, user=None, role=Enrollment.Role.LEARNER):
    user = user or UserFactory()
    Enrollment.objects.create(course=course, user=user, role=role)
    return user


@pytest.fixture
def student(course):
    return enrol(course, UserFactory(username="zhang", first_name="伟", last_name="张", email="zhang@example.org"))


@pytest.fixture
def lab_item(course, lab) -> GradedItem:
    grading_setup(course)
    return GradedItem.objects.get(course=course, lab=lab)


def finished_run(owner, lab, values: list[float], *, finished_at=None, metric="val_accuracy", status=Run.Status.SUCCEEDED) -> Run:
    """A run that ended with these per-epoch values of the metric."""
    run = RunFactory(owner=owner, lab=lab, course=lab.course, status=status, finished_at=finished_at or timezone.now())
    for epoch, value in enumerate(values, start=1):
        EpochMetric.objects.create(run=run, epoch=epoch, metrics={metric: value, "loss": 1.0 / epoch})
    return run


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
