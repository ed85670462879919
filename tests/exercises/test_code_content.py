"""Every code exercise of the course, graded in the real sandbox: the reference solution gets
full marks, the starter code does not, and each recorded mistake (wrong/*.py) loses points,
failing the visible examples exactly when its header says so."""

from __future__ import annotations

import re

import pytest

from exercises import services
from exercises.models import CodeSubmission
from tests.factories import CODE_DIR, UserFactory, code_exercise_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("needs_sandbox")]

EXERCISES = sorted(p.name for p in CODE_DIR.iterdir() if (p / "exercise.yaml").exists())
WRONG = [(key, path.name) for key in EXERCISES for path in sorted((CODE_DIR / key / "wrong").glob("*.py"))]
REQUIRED = {"sigmoid", "logreg-propagate", "logreg-optimize", "logreg-predict", "conv-output-size", "conv2d-valid",
            "pool2d", "iou", "nms", "parse-voc", "reshape-broadcast", "param-count"}


def grade(key: str, code: str, kind: str = "submit") -> CodeSubmission:
    exercise = code_exercise_make(key)
    submission = CodeSubmission.objects.create(exercise=exercise, user=UserFactory(), kind=kind, code=code)
    assert services.code_submission_claim(submission.pk)
    return services.code_submission_execute(submission.pk)


def test_the_course_has_every_exercise_the_syllabus_asks_for():
    assert REQUIRED <= set(EXERCISES)


@pytest.mark.parametrize("key", EXERCISES)
def test_the_reference_solution_passes_every_test_for_full_marks(key):
    result = grade(key, (CODE_DIR / key / "solution.py").read_text(encoding="utf-8"))
    failures = [r for r in result.results if not r["passed"]]
    assert result.status == "done" and not failures, (result.message, failures)
    assert result.passed == result.total >= 5
    assert result.score == pytest.approx(result.exercise.points)
    assert any(r["hidden"] for r in result.results) and any(not r["hidden"] for r in result.results)


@pytest.mark.parametrize("key", EXERCISES)
def test_the_starter_code_runs_but_fails_the_examples(key):
    result = grade(key, (CODE_DIR / key / "starter.py").read_text(encoding="utf-8"), kind="run")
    assert result.status == "done" and result.score is None
    assert not all(r["passed"] for r in result.results)
    assert all(not r["hidden"] for r in result.results)  # Run shows the examples only


@pytest.mark.parametrize(("key", "name"), WRONG)
def test_a_recorded_mistake_loses_points_and_fails_the_examples_only_when_its_header_says_so(key, name):
    source = (CODE_DIR / key / "wrong" / name).read_text(encoding="utf-8")
    claim = re.search(r"passes visible:\s*(yes|no)", source)
    assert claim, "each wrong solution says whether it passes the visible examples"
    result = grade(key, source)
    assert result.status == "done"
    assert result.score < result.exercise.points
    visible = [r for r in result.results if not r["hidden"]]
    assert all(r["passed"] for r in visible) == (claim.group(1) == "yes"), visible
    for failed in (r for r in visible if not r["passed"]):
        assert failed["message"], "a failed example says what went wrong"


@pytest.mark.parametrize("key", EXERCISES)
def test_some_mistake_of_each_exercise_passes_the_examples_and_is_caught_only_by_hidden_tests(key):
    claims = [re.search(r"passes visible:\s*(yes|no)", p.read_text(encoding="utf-8")) for p in (CODE_DIR / key / "wrong").glob("*.py")]
    assert any(c and c.group(1) == "yes" for c in claims)
    assert any(c and c.group(1) == "no" for c in claims)
