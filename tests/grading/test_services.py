"""Grading services: rubric scores from runs, which run counts, lateness, overrides with an audit
trail, conflicts between instructors, regrades after a rubric change, release, quizzes, enrolment."""

from __future__ import annotations

import pytest
from django.utils import timezone

from exercises.models import Question
from exercises.services import attempt_submit
from grading import services
from grading.models import Grade, GradeChange, GradedItem, GradingPolicy, RegradeJob
from tests.factories import ChapterFactory, UserFactory
from tests.grading.conftest import enrol, finished_run, hours
from training.models import Run


@pytest.mark.parametrize(("value", "expected"), [(0.95, 10.0), (0.9, 10.0), (0.45, 0.0), (0.3, 0.0), (0.675, 5.0), (0.81, 8.0)])
def test_rubric_is_full_at_target_zero_at_half_and_linear_between(value, expected):
    rubric = {"metric": "val_accuracy", "direction": "max", "full_at": 0.9, "zero_at": 0.45, "floor": 0.0}
    # 0.81: (0.81 - 0.45) / (0.9 - 0.45) = 0.8 → 8 of 10 points.
    assert services.rubric_score(rubric, value, 10) == pytest.approx(expected)


def test_rubric_for_a_loss_counts_lower_as_better_and_keeps_a_floor():
    rubric = {"metric": "val_loss", "direction": "min", "full_at": 0.3, "zero_at": 0.9, "floor": 0.2}
    assert services.rubric_score(rubric, 0.25, 10) == 10.0
    assert services.rubric_score(rubric, 1.5, 10) == 2.0  # the floor: 0.2 × 10
    # 0.6 is half way: 0.2 + 0.8 × (0.6 − 0.9) / (0.3 − 0.9) = 0.6 → 6 points.
    assert services.rubric_score(rubric, 0.6, 10) == pytest.approx(6.0)


@pytest.mark.parametrize(("rubric", "fragment"), [
    ({"metric": "val_accuracy", "full_at": 0.5, "zero_at": 0.9}, "better value"),
    ({"metric": "val_loss", "direction": "min", "full_at": 0.9, "zero_at": 0.3}, "better value"),
    ({"metric": "", "full_at": 1, "zero_at": 0}, "empty"),
    ({"metric": "x", "full_at": "a", "zero_at": 0}, "needs a metric"),
    ({"metric": "x", "full_at": 1, "zero_at": 0, "floor": 2}, "floor"),
    ({"metric": "x", "full_at": float("nan"), "zero_at": 0}, "finite"),
])
def test_bad_rubrics_are_refused_with_the_reason(rubric, fragment):
    with pytest.raises(services.GradingError, match=fragment):
        services.rubric_validate(rubric)


def test_setup_makes_items_for_labs_quizzes_and_written_questions_and_keeps_edits(course, lab):
    chapter = ChapterFactory(course=course)
    Question.objects.create(course=course, chapter=chapter, key="q1", type="single", prompt_html="?", choices=[{"id": "a", "html": "a"}], answer="a", points=2)
    Question.objects.create(course=course, chapter=chapter, key="q2", type="numeric", prompt_html="?", answer=3, points=3)
    Question.objects.create(course=course, chapter=chapter, key="essay", type="text", prompt_html="Why?", points=5)
    services.grading_setup(course)
    items = {i.key: i for i in GradedItem.objects.filter(course=course)}
    assert set(items) == {"lab-flowers-cnn", f"quiz-{chapter.slug}", "q-essay"}
    assert items[f"quiz-{chapter.slug}"].points == 5 and items["q-essay"].points == 5
    assert items["lab-flowers-cnn"].rubric == {"metric": "val_accuracy", "direction": "max", "full_at": 0.9, "zero_at": 0.45, "floor": 0.0}
    GradedItem.objects.filter(key="lab-flowers-cnn").update(points=20)
    services.grading_setup(course)
    assert GradedItem.objects.get(key="lab-flowers-cnn").points == 20 and GradedItem.objects.filter(course=course).count() == 3


def test_a_finished_run_grades_its_lab_through_the_run_finish_hook(student, lab, lab_item):
    from training.services import _run_finish

    run = finished_run(student, lab, [0.5, 0.81], status=Run.Status.RUNNING)
    assert _run_finish(run.pk, Run.Status.SUCCEEDED, "")
    grade = Grade.objects.get(item=lab_item, learner=student)
    assert (grade.auto_score, grade.final_score, grade.run, grade.metric_value) == (pytest.approx(8.0), pytest.approx(8.0), run, 0.81)
    assert grade.source == Grade.Source.AUTO
    assert GradeChange.objects.filter(grade=grade, field="final_score", new="8.0").exists()


def test_best_last_and_chosen_run(student, lab, lab_item):
    now = timezone.now()
    good = finished_run(student, lab, [0.9], finished_at=now - hours(3))
    finished_run(student, lab, [0.2, 0.63], finished_at=now - hours(2))  # 0.63 → 4 points
    finished_run(student, lab, [0.99], status=Run.Status.FAILED)  # never counts
    assert services.grade_refresh(lab_item, student).final_score == 10.0
    GradedItem.objects.filter(pk=lab_item.pk).update(counts="last")
    lab_item.refresh_from_db()
    assert services.grade_refresh(lab_item, student).final_score == pytest.approx(4.0)
    GradedItem.objects.filter(pk=lab_item.pk).update(counts="chosen")
    lab_item.refresh_from_db()
    grade = services.run_choose(learner=student, item=lab_item, run=good)
    assert grade.final_score == 10.0 and grade.chosen_run == good


def test_choice_is_refused_after_the_deadline_and_for_someone_elses_run(student, lab, lab_item):
    GradedItem.objects.filter(pk=lab_item.pk).update(counts="chosen", deadline=timezone.now() - hours(1))
    lab_item.refresh_from_db()
    run = finished_run(student, lab, [0.9])
    with pytest.raises(services.GradingError, match="deadline has passed"):
        services.run_choose(learner=student, item=lab_item, run=run)
    GradedItem.objects.filter(pk=lab_item.pk).update(deadline=None)
    lab_item.refresh_from_db()
    other = enrol(lab_item.course)
    with pytest.raises(services.GradingError, match="your own finished runs"):
        services.run_choose(learner=other, item=lab_item, run=run)


def test_late_run_loses_ten_percent_per_started_day_and_best_prefers_the_on_time_run(student, lab, lab_item):
    deadline = timezone.now() - hours(50)
    GradedItem.objects.filter(pk=lab_item.pk).update(deadline=deadline)
    lab_item.refresh_from_db()
    finished_run(student, lab, [0.9], finished_at=deadline + hours(49))  # 3 started days late: 10 − 3 = 7
    grade = services.grade_refresh(lab_item, student)
    assert (grade.auto_score, grade.late_days, grade.final_score) == (10.0, 3, pytest.approx(7.0))
    finished_run(student, lab, [0.81], finished_at=deadline - hours(1))  # on time: 8 > 7
    grade = services.grade_refresh(lab_item, student)
    assert (grade.late_days, grade.final_score) == (0, pytest.approx(8.0))


def test_override_needs_a_reason_stays_in_range_and_is_audited(student, instructor, lab, lab_item):
    finished_run(student, lab, [0.81])
    grade = services.grade_refresh(lab_item, student)
    with pytest.raises(services.GradingError, match="Say why"):
        services.grade_set(grade, by=instructor, version=grade.version, score=9)
    with pytest.raises(services.GradingError, match="between 0 and 10"):
        services.grade_set(grade, by=instructor, version=grade.version, score=11, reason="bonus")
    grade = services.grade_set(grade, by=instructor, version=grade.version, score=9.5, reason="clean code",
                               feedback="**Good** <script>alert(1)</script>")
    assert (grade.final_score, grade.source, grade.override_reason) == (9.5, Grade.Source.MANUAL, "clean code")
    assert "<strong>Good</strong>" in grade.feedback_html and "<script>" not in grade.feedback_html
    change = GradeChange.objects.get(grade=grade, field="override_score")
    assert (change.changed_by, change.old, change.new, change.reason) == (instructor, "", "9.5", "clean code")
    # A new, better run changes the automatic score but not the override.
    finished_run(student, lab, [0.9])
    assert services.grade_refresh(lab_item, student).final_score == 9.5
    grade = Grade.objects.get(pk=grade.pk)
    grade = services.grade_set(grade, by=instructor, version=grade.version, score=None, reason="back to the rubric")
    assert (grade.final_score, grade.source) == (10.0, Grade.Source.AUTO)


def test_two_instructors_grading_the_same_grade_get_a_conflict_not_a_lost_update(student, instructor, lab, lab_item):
    second = enrol(lab_item.course, role="instructor")
    grade = services.grade_refresh(lab_item, student)
    seen = grade.version
    services.grade_set(grade, by=instructor, version=seen, score=7, reason="first")
    with pytest.raises(services.GradeConflict, match="changed by .* since you opened it") as caught:
        services.grade_set(grade, by=second, version=seen, score=3, reason="second")
    assert caught.value.current.override_score == 7
    assert Grade.objects.get(pk=grade.pk).override_score == 7


def test_rubric_change_regrades_everyone_in_the_background_with_the_reason(student, instructor, lab, lab_item, django_capture_on_commit_callbacks):
    other = enrol(lab_item.course)
    finished_run(student, lab, [0.81])
    finished_run(other, lab, [0.6])
    services.item_regrade(lab_item)
    assert Grade.objects.get(learner=student, item=lab_item).final_score == pytest.approx(8.0)
    from dlclassroom.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.item_update(lab_item, by=instructor, rubric={"metric": "val_accuracy", "full_at": 0.8, "zero_at": 0.6})
    finally:
        app.conf.task_always_eager = False
    job.refresh_from_db()
    assert (job.status, job.changed, job.reason) == ("succeeded", 2, "rubric changed")
    assert Grade.objects.get(learner=student, item=lab_item).final_score == 10.0
    assert Grade.objects.get(learner=other, item=lab_item).final_score == 0.0
    change = GradeChange.objects.filter(grade__learner=student, field="final_score").first()
    assert (change.old, change.new, change.reason, change.changed_by) == ("8.0", "10.0", "rubric changed", instructor)
    assert services.item_update(lab_item, by=instructor, rubric=lab_item.rubric) is None  # unchanged: no regrade
    assert RegradeJob.objects.count() == 1


def test_quiz_scores_the_best_answer_per_question(course, student):
    chapter = ChapterFactory(course=course)
    q1 = Question.objects.create(course=course, chapter=chapter, key="a", type="numeric", prompt_html="?", answer=3, points=2)
    Question.objects.create(course=course, chapter=chapter, key="b", type="numeric", prompt_html="?", answer=4, points=3)
    services.grading_setup(course)
    item = GradedItem.objects.get(kind="quiz")
    attempt_submit(user=student, question=q1, response={"value": 1})
    assert Grade.objects.get(item=item, learner=student).final_score == 0.0
    attempt_submit(user=student, question=q1, response={"value": 3})
    attempt_submit(user=student, question=q1, response={"value": 2})  # a later wrong answer keeps the best
    assert Grade.objects.get(item=item, learner=student).final_score == 2.0


def test_written_answer_waits_in_the_queue_until_graded(course, student, instructor):
    from grading.selectors import grading_queue

    chapter = ChapterFactory(course=course)
    essay = Question.objects.create(course=course, chapter=chapter, key="essay", type="text", prompt_html="Why?", points=4)
    services.grading_setup(course)
    attempt = attempt_submit(user=student, question=essay, response={"text": "Because gradients vanish."})
    queue = grading_queue(course)
    assert [(e["attempt"], e["item"].key) for e in queue] == [(attempt, "q-essay")]
    grade = queue[0]["grade"]
    services.grade_set(grade, by=instructor, version=grade.version, score=3, reason="graded", feedback="Mention ReLU.")
    assert grading_queue(course) == []
    attempt.refresh_from_db()
    assert attempt.score == 3 and attempt.is_correct is True


def test_release_hides_and_shows_grades_to_the_learner(student, instructor, lab, lab_item):
    from grading.selectors import grades_for_learner

    finished_run(student, lab, [0.9])
    services.grade_refresh(lab_item, student)
    assert grades_for_learner(student) == []
    services.item_release(lab_item, by=instructor)
    assert [g.final_score for g in grades_for_learner(student)] == [10.0]
    assert GradeChange.objects.filter(field="released", new="True", changed_by=instructor).count() == 1


def test_late_policy_change_recomputes_finals(student, instructor, lab, lab_item, django_capture_on_commit_callbacks):
    deadline = timezone.now() - hours(30)
    GradedItem.objects.filter(pk=lab_item.pk).update(deadline=deadline)
    lab_item.refresh_from_db()
    finished_run(student, lab, [0.9], finished_at=deadline + hours(25))  # 2 days late
    assert services.grade_refresh(lab_item, student).final_score == pytest.approx(8.0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.policy_update(lab_item.course, by=instructor, late_penalty_per_day=0.25)
    for job in RegradeJob.objects.all():
        services.regrade_execute(job.pk)
    assert callbacks and Grade.objects.get(item=lab_item, learner=student).final_score == pytest.approx(5.0)
    with pytest.raises(services.GradingError):
        services.policy_update(lab_item.course, by=instructor, late_penalty_per_day=1.5)
    assert GradingPolicy.objects.get(course=lab_item.course).late_penalty_per_day == 0.25


def test_enrol_by_list_csv_and_code(course):
    UserFactory(username="li", email="li@example.org")
    UserFactory(username="wang")
    result = services.enrol(course, ["li", "wang", "nobody", ""])
    assert result.added == ["li", "wang"] and result.errors[0]["value"] == "nobody"
    csv_data = "用户名,姓名\nli@example.org,李\nwang,王\nghost,鬼\n".encode("utf-8-sig")
    result = services.enrol_csv(course, csv_data)
    assert result.already == ["li", "wang"] and [e["line"] for e in result.errors] == [4]
    assert services.enrol_csv(course, "wang\n".encode("gb18030")).already == ["wang"]
    code = services.join_code_rotate(course)
    newcomer = UserFactory()
    assert services.course_join(newcomer, code.lower()) == course
    with pytest.raises(services.GradingError, match="No course has this code"):
        services.course_join(newcomer, "WRONG123")
