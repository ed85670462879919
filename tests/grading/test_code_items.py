"""Code exercises in the gradebook: an item per exercise, scored by the best submission."""

from __future__ import annotations

import pytest

from exercises import services as exercise_services
from exercises.models import CodeSubmission
from grading.models import Grade, GradedItem
from grading.services import grading_setup
from sandbox.runner import sandbox_available
from tests.factories import CODE_DIR, code_exercise_make
from tests.grading.conftest import enrol

pytestmark = pytest.mark.django_db


def graded(exercise, learner, code: str) -> CodeSubmission:
    submission = CodeSubmission.objects.create(exercise=exercise, user=learner, kind="submit", code=code)
    assert exercise_services.code_submission_claim(submission.pk)
    return exercise_services.code_submission_execute(submission.pk)


def test_each_code_exercise_is_an_item_and_the_best_submission_counts(course):
    if (reason := sandbox_available()) is not None:
        pytest.fail(f"needs the sandbox: {reason}")
    exercise = code_exercise_make("sigmoid", course=course)
    grading_setup(course)
    item = GradedItem.objects.get(course=course, kind=GradedItem.Kind.CODE, code_exercise=exercise)
    assert item.category.key == "code" and item.points == exercise.points
    learner = enrol(course)
    wrong = (CODE_DIR / "sigmoid" / "wrong" / "clip-input.py").read_text(encoding="utf-8")
    first = graded(exercise, learner, wrong)
    grade = Grade.objects.get(item=item, learner=learner)
    assert grade.auto_score == pytest.approx(first.score) and 0 < grade.auto_score < item.points
    best = graded(exercise, learner, (CODE_DIR / "sigmoid" / "solution.py").read_text(encoding="utf-8"))
    graded(exercise, learner, wrong)  # a worse later try does not lower the grade
    grade.refresh_from_db()
    assert grade.auto_score == pytest.approx(item.points) and grade.submitted_at == best.created_at


def test_the_item_page_shows_each_learners_best_code_escaped(course, client):
    if (reason := sandbox_available()) is not None:
        pytest.fail(f"needs the sandbox: {reason}")
    from tests.factories import instructor_of

    exercise = code_exercise_make("sigmoid", course=course)
    grading_setup(course)
    item = GradedItem.objects.get(course=course, kind=GradedItem.Kind.CODE)
    learner = enrol(course)
    code = (CODE_DIR / "sigmoid" / "solution.py").read_text(encoding="utf-8") + "\n# <script>alert(1)</script>\n"
    graded(exercise, learner, code)
    client.force_login(instructor_of(course))
    page = client.get(f"/grading/{course.slug}/items/{item.pk}/").content.decode()
    assert "def sigmoid" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
