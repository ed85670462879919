"""Grading writes: setting a course up for grading, scoring runs and quizzes, instructors'
overrides and feedback, releasing, enrolment, regrades and the CSV export.

Every change to a grade's score, override, feedback or visibility is written to GradeChange in
the same transaction (who, when, old → new, why). Instructors' writes name the grade version they
were based on; a write based on an older version is refused with ``GradeConflict`` instead of
overwriting what another instructor just saved.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nh3
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from courseware.content import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from courseware.models import Course, Enrollment, Lab
from dlclassroom.jobs import in_platform_language, progress_reporter, task_enqueue
from exercises.models import Attempt, CodeExercise, CodeSubmission, Question
from training.models import Run
from training.selectors import run_metric_best

from . import policy, selectors
from .models import Grade, GradebookExport, GradeChange, GradedItem, GradingCategory, GradingPolicy, RegradeJob

logger = logging.getLogger(__name__)
_UNSET = object()


class GradingError(Exception):
    """The request cannot be done as asked; the message says why."""


class GradeConflict(GradingError):
    def __init__(self, message: str, current: Grade):
        super().__init__(message)
        self.current = current


# --- setting a course up ----------------------------------------------------------------------------

DEFAULT_CATEGORIES = [("labs", "训练实验", "Labs", 0.5, 0), ("quizzes", "章节测验", "Quizzes", 0.2, 1),
                      ("code", "编程练习", "Code exercises", 0.15, 0), ("questions", "简答题", "Written answers", 0.15, 0)]


def _default_rubric(lab: Lab) -> dict:
    """Full marks at the lab's target; nothing at half of it (accuracy-like metrics) or three
    times it (losses and errors, where lower is better)."""
    metric = lab.metric or {}
    name, target = metric.get("name"), metric.get("target")
    if not isinstance(name, str) or not isinstance(target, (int, float)):
        return {}
    direction = "min" if metric.get("direction") == "min" else "max"
    zero_at = target * 3 if direction == "min" else target / 2
    return {"metric": name, "direction": direction, "full_at": float(target), "zero_at": float(zero_at), "floor": 0.0}


def grading_setup(course: Course) -> list[GradedItem]:
    """Create the policy, the default categories and an item for every lab, every chapter with
    auto-checked questions and every free-text question. Idempotent: what an instructor changed
    (weights, points, deadlines, rubrics) is kept; only missing rows are added."""
    GradingPolicy.objects.get_or_create(course=course)
    categories = {}
    for position, (key, zh, en, weight, drop) in enumerate(DEFAULT_CATEGORIES):
        categories[key], _created = GradingCategory.objects.get_or_create(
            course=course, key=key, defaults={"name_zh": zh, "name_en": en, "weight": weight, "drop_lowest": drop, "position": position})
    created = []
    position = GradedItem.objects.filter(course=course).aggregate(p=Max("position"))["p"] or 0
    for lab in Lab.objects.filter(course=course).select_related("chapter").order_by("chapter__order", "slug"):
        position += 1
        item, new = GradedItem.objects.get_or_create(course=course, key=f"lab-{lab.slug}", defaults={
            "kind": GradedItem.Kind.LAB, "lab": lab, "title_zh": lab.title_zh, "title_en": lab.title_en,
            "category": categories["labs"], "points": 10.0, "rubric": _default_rubric(lab), "position": position})
        if new:
            created.append(item)
    questions = Question.objects.filter(course=course, retired=False).select_related("chapter").order_by("chapter__order", "order")
    chapters = {}
    for question in questions:
        if question.is_auto_checked:
            chapters.setdefault(question.chapter_id, question.chapter)
    for chapter in sorted(chapters.values(), key=lambda c: c.order):
        position += 1
        points = sum(q.points for q in questions if q.chapter_id == chapter.pk and q.is_auto_checked)
        item, new = GradedItem.objects.get_or_create(course=course, key=f"quiz-{chapter.slug}", defaults={
            "kind": GradedItem.Kind.QUIZ, "chapter": chapter, "title_zh": f"测验：{chapter.title_zh}", "title_en": f"Quiz: {chapter.title_en}",
            "category": categories["quizzes"], "points": points, "position": position})
        if new:
            created.append(item)
    for exercise in CodeExercise.objects.filter(course=course, retired=False).select_related("chapter"):
        position += 1
        item, new = GradedItem.objects.get_or_create(course=course, key=f"code-{exercise.key}"[:120], defaults={
            "kind": GradedItem.Kind.CODE, "code_exercise": exercise, "chapter": exercise.chapter,
            "title_zh": f"编程：{exercise.title_zh}", "title_en": f"Code: {exercise.title_en}",
            "category": categories["code"], "points": exercise.points, "position": position})
        if new:
            created.append(item)
    for question in questions:
        if question.type != Question.Type.TEXT:
            continue
        position += 1
        item, new = GradedItem.objects.get_or_create(course=course, key=f"q-{question.key}"[:120], defaults={
            "kind": GradedItem.Kind.QUESTION, "question": question, "chapter": question.chapter,
            "title_zh": f"简答：{question.chapter.title_zh} #{question.order}", "title_en": f"Written: {question.chapter.title_en} #{question.order}",
            "category": categories["questions"], "points": question.points or 1.0, "position": position})
        if new:
            created.append(item)
    return created


# --- scoring ------------------------------------------------------------------------------------------


def rubric_score(rubric: dict, value: float | None, points: float) -> float | None:
    """Points for a metric value: ``points`` at ``full_at`` or better, ``floor × points`` at
    ``zero_at`` or worse, linear in between."""
    if value is None or not rubric:
        return None
    full_at, zero_at = float(rubric["full_at"]), float(rubric["zero_at"])
    floor = float(rubric.get("floor", 0.0))
    lower_is_better = rubric.get("direction") == "min"
    if (value <= full_at) if lower_is_better else (value >= full_at):
        fraction = 1.0
    elif (value >= zero_at) if lower_is_better else (value <= zero_at):
        fraction = floor
    else:
        fraction = floor + (1 - floor) * (value - zero_at) / (full_at - zero_at)
    return round(points * min(max(fraction, 0.0), 1.0), 4)


def rubric_validate(rubric: dict) -> dict:
    """The rubric as stored, or GradingError saying what is wrong with it."""
    try:
        metric = str(rubric["metric"]).strip()
        direction = rubric.get("direction", "max")
        full_at, zero_at = float(rubric["full_at"]), float(rubric["zero_at"])
        floor = float(rubric.get("floor", 0.0))
    except (KeyError, TypeError, ValueError):
        raise GradingError(_("A rubric needs a metric name and the numbers full_at and zero_at (floor is optional).")) from None
    if not metric or len(metric) > 64:
        raise GradingError(_("The rubric's metric name is empty or too long."))
    if direction not in ("max", "min"):
        raise GradingError(_("The rubric's direction is “max” (higher is better) or “min” (lower is better)."))
    if any(v != v or v in (float("inf"), float("-inf")) for v in (full_at, zero_at, floor)):
        raise GradingError(_("The rubric's numbers must be finite."))
    if (direction == "max" and not zero_at < full_at) or (direction == "min" and not zero_at > full_at):
        raise GradingError(_("Full marks must need a better value than zero marks: for “max”, full_at > zero_at; for “min”, full_at < zero_at."))
    if not 0.0 <= floor <= 1.0:
        raise GradingError(_("The rubric's floor is a share between 0 and 1."))
    return {"metric": metric, "direction": direction, "full_at": full_at, "zero_at": zero_at, "floor": floor}


def _late(course: Course) -> policy.LatePolicy:
    conf = GradingPolicy.objects.get_or_create(course=course)[0]
    return policy.LatePolicy(penalty_per_day=conf.late_penalty_per_day, max_days=conf.late_max_days, grace_minutes=conf.grace_minutes)


@dataclass
class _Scored:
    auto_score: float | None = None
    submitted_at: datetime | None = None
    run: Run | None = None
    attempt: Attempt | None = None
    metric_value: float | None = None


def _lab_scored(item: GradedItem, learner, chosen: Run | None, late: policy.LatePolicy) -> _Scored:
    runs = list(Run.objects.filter(owner=learner, lab=item.lab, course=item.course, parent__isnull=True,
                                   status=Run.Status.SUCCEEDED).order_by("finished_at", "id"))
    if not runs or not item.rubric:
        return _Scored()
    name, direction = item.rubric["metric"], item.rubric.get("direction", "max")

    def scored(run: Run) -> _Scored:
        value = run_metric_best(run, name, direction)
        return _Scored(rubric_score(item.rubric, value, item.points), run.finished_at, run, None, value)

    if item.counts == GradedItem.Counts.CHOSEN and chosen is not None and chosen in runs:
        return scored(chosen)
    if item.counts == GradedItem.Counts.LAST:
        return scored(runs[-1])
    # Best (and "chosen" when nothing was chosen): the run worth most after the late penalty,
    # so a better but late run never beats an on-time one that ends up with more points.
    candidates = [scored(run) for run in runs]
    return max(candidates, key=lambda s: (_final(item, s.auto_score, s.submitted_at, late) or -1.0, s.submitted_at))


def _quiz_scored(item: GradedItem, learner) -> _Scored:
    questions = [q for q in Question.objects.filter(chapter=item.chapter, retired=False) if q.is_auto_checked]
    attempts = list(Attempt.objects.filter(user=learner, question__in=questions).exclude(score=None).order_by("created_at", "id"))
    if not attempts:
        return _Scored()
    best: dict[int, Attempt] = {}
    for attempt in attempts:  # the first attempt that reached the best score of its question
        if attempt.question_id not in best or attempt.score > best[attempt.question_id].score:
            best[attempt.question_id] = attempt
    last = max(best.values(), key=lambda a: a.created_at)
    return _Scored(round(sum(a.score for a in best.values()), 4), last.created_at, None, last)


def _code_scored(item: GradedItem, learner) -> _Scored:
    """The first submission that reached the learner's best score (a later equal one does not
    move the submission time, so it cannot make an on-time result late)."""
    submissions = CodeSubmission.objects.filter(user=learner, exercise=item.code_exercise, kind=CodeSubmission.Kind.SUBMIT,
                                                status=CodeSubmission.Status.DONE).exclude(score=None).order_by("created_at", "id")
    best = None
    for submission in submissions:
        if best is None or submission.score > best.score:
            best = submission
    if best is None:
        return _Scored()
    # Scaled: the item's points may differ from the exercise's.
    points = best.exercise.points or 1.0
    return _Scored(round(best.score / points * item.points, 4), best.created_at)


def _question_scored(item: GradedItem, learner) -> _Scored:
    attempt = Attempt.objects.filter(user=learner, question=item.question).order_by("-created_at", "-id").first()
    if attempt is None:
        return _Scored()
    # A free-text answer has no automatic score; the instructor's grade is the override.
    return _Scored(None, attempt.created_at, None, attempt)


def _final(item: GradedItem, score: float | None, submitted_at, late: policy.LatePolicy) -> float | None:
    return policy.item_final(policy.ItemScore(item=item.key, category="", points=item.points, raw=score,
                                              submitted_at=submitted_at, deadline=item.deadline), late)


def _audit(grade: Grade, by, changes: dict[str, tuple], reason: str) -> None:
    GradeChange.objects.bulk_create([
        GradeChange(grade=grade, changed_by=by, field=name, old="" if old is None else str(old), new="" if new is None else str(new), reason=reason[:2000])
        for name, (old, new) in changes.items() if old != new])


def grade_refresh(item: GradedItem, learner, *, by=None, reason: str = "", late: policy.LatePolicy | None = None) -> Grade:
    """Recompute the automatic part and the final score of one learner's grade; record what
    changed. Overrides and feedback are kept."""
    late = late or _late(item.course)
    with transaction.atomic():
        grade, _created = Grade.objects.select_for_update().get_or_create(item=item, learner=learner)
        if item.kind == GradedItem.Kind.LAB:
            scored = _lab_scored(item, learner, grade.chosen_run, late)
        elif item.kind == GradedItem.Kind.QUIZ:
            scored = _quiz_scored(item, learner)
        elif item.kind == GradedItem.Kind.CODE:
            scored = _code_scored(item, learner)
        else:
            scored = _question_scored(item, learner)
        score = grade.override_score if grade.override_score is not None else scored.auto_score
        final = _final(item, score, scored.submitted_at, late)
        days = policy.days_late(scored.submitted_at, item.deadline, late.grace_minutes) if scored.submitted_at and item.deadline else 0
        source = Grade.Source.MANUAL if grade.override_score is not None else (Grade.Source.AUTO if scored.auto_score is not None else Grade.Source.NONE)
        before = {"auto_score": grade.auto_score, "final_score": grade.final_score, "late_days": grade.late_days, "run": grade.run_id}
        after = {"auto_score": scored.auto_score, "final_score": final, "late_days": days, "run": scored.run.pk if scored.run else None}
        if before != after or grade.source != source or grade.submitted_at != scored.submitted_at or grade.attempt_id != (scored.attempt.pk if scored.attempt else None):
            grade.auto_score, grade.final_score, grade.late_days, grade.source = scored.auto_score, final, days, source
            grade.submitted_at, grade.run, grade.attempt, grade.metric_value = scored.submitted_at, scored.run, scored.attempt, scored.metric_value
            grade.version += 1
            grade.updated_by = by
            grade.save()
            _audit(grade, by, {k: (before[k], after[k]) for k in ("auto_score", "final_score", "late_days", "run")}, reason)
    return grade


def _learners_of(course: Course) -> list[User]:
    return list(User.objects.filter(enrollments__course=course, enrollments__role=Enrollment.Role.LEARNER).order_by("username"))


def item_regrade(item: GradedItem, *, by=None, reason: str = "") -> int:
    """Recompute every learner's grade of the item (the enrolled ones and any that already has a
    grade). Returns how many grades changed."""
    late = _late(item.course)
    learners = {u.pk: u for u in _learners_of(item.course)}
    learners.update({g.learner_id: g.learner for g in Grade.objects.filter(item=item).select_related("learner")})
    changed = 0
    for learner in learners.values():
        before = Grade.objects.filter(item=item, learner=learner).values_list("version", flat=True).first()
        after = grade_refresh(item, learner, by=by, reason=reason, late=late).version
        changed += int(before != after)
    return changed


def grades_refresh_for_run(run: Run) -> None:
    """A run finished: refresh the grade of its lab's item (if the course grades that lab)."""
    if run.parent_id is not None:
        return
    for item in GradedItem.objects.filter(course=run.course, lab=run.lab, kind=GradedItem.Kind.LAB):
        grade_refresh(item, run.owner, reason=_("run %(id)s finished") % {"id": run.pk})


def grades_refresh_for_attempt(attempt: Attempt) -> None:
    question = attempt.question
    items = GradedItem.objects.filter(course=question.course)
    items = items.filter(kind=GradedItem.Kind.QUIZ, chapter=question.chapter) if question.is_auto_checked else items.filter(question=question)
    for item in items:
        grade_refresh(item, attempt.user, reason=_("answer %(id)s") % {"id": attempt.pk})


def grades_refresh_for_code(submission: CodeSubmission) -> None:
    """A code submission was scored: refresh the grade of its exercise's item."""
    for item in GradedItem.objects.filter(course=submission.exercise.course, code_exercise=submission.exercise, kind=GradedItem.Kind.CODE):
        grade_refresh(item, submission.user, reason=_("code submission %(id)s") % {"id": submission.pk})


# --- instructors' writes ------------------------------------------------------------------------------


def feedback_render(markdown_text: str) -> str:
    """Feedback is Markdown, rendered and sanitized with the lesson pages' allow-list."""
    import markdown

    html = markdown.markdown(markdown_text or "", extensions=["fenced_code", "tables", "sane_lists"])
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https"})


@in_platform_language
def grade_set(grade: Grade, *, by, version: int, score=_UNSET, reason: str = "", feedback=_UNSET) -> Grade:
    """An instructor's override (``score`` in 0 … points, or None to go back to the automatic
    score; a reason is required) and/or feedback. Refused with GradeConflict when the grade
    changed since ``version``."""
    item = grade.item
    changes: dict = {}
    if score is not _UNSET:
        if score is not None:
            if isinstance(score, bool) or not isinstance(score, (int, float)) or score != score:
                raise GradingError(_("The score is a number."))
            if not 0 <= score <= item.points:
                raise GradingError(_("The score must be between 0 and %(points)g, the item's points.") % {"points": item.points})
        if not (reason or "").strip():
            raise GradingError(_("Say why the score is changed (the reason is kept in the grade's history)."))
        changes["override_score"] = None if score is None else float(score)
    if feedback is not _UNSET:
        text = str(feedback or "")
        if len(text) > 20000:
            raise GradingError(_("Feedback is limited to 20,000 characters."))
        changes["feedback_markdown"] = text
    if not changes:
        raise GradingError(_("Nothing to change: send a score or feedback."))
    late = _late(item.course)
    with transaction.atomic():
        current = Grade.objects.select_for_update().select_related("item", "learner").get(pk=grade.pk)
        if current.version != version:
            who = current.updated_by.username if current.updated_by_id else _("the platform")
            raise GradeConflict(_("This grade was changed by %(who)s since you opened it, so your change was not saved. "
                                  "Look at the new grade and save again if you still want your change.") % {"who": who}, current)
        before = {"override_score": current.override_score, "feedback": current.feedback_markdown, "final_score": current.final_score}
        if "override_score" in changes:
            current.override_score = changes["override_score"]
            current.override_reason = reason.strip()[:2000]
        if "feedback_markdown" in changes:
            current.feedback_markdown = changes["feedback_markdown"]
            current.feedback_html = feedback_render(current.feedback_markdown)
        score_now = current.override_score if current.override_score is not None else current.auto_score
        current.final_score = _final(item, score_now, current.submitted_at, late)
        current.source = Grade.Source.MANUAL if current.override_score is not None else (Grade.Source.AUTO if current.auto_score is not None else Grade.Source.NONE)
        current.version += 1
        current.updated_by = by
        current.save()
        _audit(current, by, {"override_score": (before["override_score"], current.override_score),
                             "feedback": (before["feedback"], current.feedback_markdown),
                             "final_score": (before["final_score"], current.final_score)}, reason.strip())
        if item.kind == GradedItem.Kind.QUESTION and current.attempt_id and "override_score" in changes and current.override_score is not None:
            Attempt.objects.filter(pk=current.attempt_id).update(score=current.override_score,
                                                                 is_correct=current.override_score >= item.points / 2)
    return current


def grade_for(item: GradedItem, learner) -> Grade:
    """The learner's grade row of the item, computed if it does not exist yet."""
    grade = Grade.objects.filter(item=item, learner=learner).select_related("item", "learner").first()
    return grade or grade_refresh(item, learner)


@in_platform_language
def item_update(item: GradedItem, *, by, points=_UNSET, deadline=_UNSET, category=_UNSET, rubric=_UNSET, counts=_UNSET) -> RegradeJob | None:
    """Change an item; when anything that scores it changed, its grades are recomputed by a
    background task (the returned job)."""
    regrade: list[str] = []
    if points is not _UNSET:
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 < points <= 1000:
            raise GradingError(_("Points are a number above 0 and at most 1000."))
        if points != item.points:
            regrade.append(_("points %(old)g → %(new)g") % {"old": item.points, "new": points})
        item.points = float(points)
    if deadline is not _UNSET:
        if deadline is not None and not isinstance(deadline, datetime):
            raise GradingError(_("The deadline is a date and time."))
        if deadline != item.deadline:
            regrade.append(_("deadline changed"))
        item.deadline = deadline
    if category is not _UNSET:
        if category.course_id != item.course_id:
            raise GradingError(_("That category belongs to another course."))
        item.category = category
    if rubric is not _UNSET:
        if item.kind != GradedItem.Kind.LAB:
            raise GradingError(_("Only labs have rubrics."))
        rubric = rubric_validate(rubric)
        if rubric != item.rubric:
            regrade.append(_("rubric changed"))
            item.rubric_version += 1
        item.rubric = rubric
    if counts is not _UNSET:
        if counts not in GradedItem.Counts.values:
            raise GradingError(_("Which run counts: best, last or chosen."))
        if counts != item.counts:
            regrade.append(_("counted run: %(old)s → %(new)s") % {"old": item.counts, "new": counts})
        item.counts = counts
    item.save()
    if not regrade:
        return None
    job = RegradeJob.objects.create(item=item, requested_by=by, reason="; ".join(regrade))
    transaction.on_commit(lambda: _regrade_enqueue(job))
    return job


def _regrade_enqueue(job: RegradeJob) -> None:
    from .tasks import item_regrade_run

    # The broker is down: regrade now, in this process.
    task_enqueue(item_regrade_run, job.pk, on_broker_down=lambda: regrade_execute(job.pk))


def regrade_execute(job_id: int) -> RegradeJob:
    if not RegradeJob.objects.filter(pk=job_id, status=GradebookExport.Status.QUEUED).update(status=GradebookExport.Status.RUNNING):
        return RegradeJob.objects.get(pk=job_id)
    job = RegradeJob.objects.select_related("item", "item__course", "requested_by").get(pk=job_id)
    try:
        changed = item_regrade(job.item, by=job.requested_by, reason=job.reason)
        RegradeJob.objects.filter(pk=job_id).update(status=GradebookExport.Status.SUCCEEDED, changed=changed, finished_at=timezone.now())
    except Exception:
        logger.exception("regrade %s failed", job_id)
        RegradeJob.objects.filter(pk=job_id).update(status=GradebookExport.Status.FAILED, finished_at=timezone.now())
        raise
    job.refresh_from_db()
    return job


@in_platform_language
def policy_update(course: Course, *, by, categories: list[dict] | None = None, late_penalty_per_day=_UNSET, late_max_days=_UNSET,
                  grace_minutes=_UNSET, cutoffs=_UNSET) -> GradingPolicy:
    """Change the grading policy (validated as a whole by ``policy.policy_validate``); a change to
    the late rules recomputes every final score of the course."""
    conf = GradingPolicy.objects.get_or_create(course=course)[0]
    late_before = (conf.late_penalty_per_day, conf.late_max_days, conf.grace_minutes)
    if late_penalty_per_day is not _UNSET:
        conf.late_penalty_per_day = late_penalty_per_day
    if late_max_days is not _UNSET:
        conf.late_max_days = late_max_days
    if grace_minutes is not _UNSET:
        conf.grace_minutes = grace_minutes
    if cutoffs is not _UNSET:
        conf.cutoffs = cutoffs
    existing = {c.key: c for c in GradingCategory.objects.filter(course=course)}
    planned = [policy.Category(key=c.key, weight=c.weight, drop_lowest=c.drop_lowest) for c in existing.values()]
    if categories is not None:
        planned = []
        for entry in categories:
            if entry.get("key") not in existing:
                raise GradingError(_("There is no category “%(key)s” in this course.") % {"key": entry.get("key")})
            old = existing[entry["key"]]
            planned.append(policy.Category(key=old.key, weight=entry.get("weight", old.weight), drop_lowest=entry.get("drop_lowest", old.drop_lowest)))
    problems = policy.policy_validate(planned, policy.LatePolicy(conf.late_penalty_per_day, conf.late_max_days, conf.grace_minutes), conf.cutoffs)
    if problems:
        # The details name the category or cutoff and the value (policy.py is plain Python).
        raise GradingError(_("The grading policy was not saved: %(problems)s") % {"problems": "; ".join(problems)})
    with transaction.atomic():
        conf.save()
        for category in planned:
            GradingCategory.objects.filter(course=course, key=category.key).update(weight=category.weight, drop_lowest=category.drop_lowest)
    if late_before != (conf.late_penalty_per_day, conf.late_max_days, conf.grace_minutes):
        for item in GradedItem.objects.filter(course=course):
            job = RegradeJob.objects.create(item=item, requested_by=by, reason=_("late policy changed"))
            transaction.on_commit(lambda job=job: _regrade_enqueue(job))
    return conf


@in_platform_language
def item_release(item: GradedItem, *, by, released: bool = True) -> GradedItem:
    """Make the item's grades and feedback visible to learners (or hide them again)."""
    if item.released == released:
        return item
    with transaction.atomic():
        GradedItem.objects.filter(pk=item.pk).update(released=released, released_at=timezone.now() if released else None)
        GradeChange.objects.bulk_create([GradeChange(grade=g, changed_by=by, field="released", old=str(not released), new=str(released))
                                         for g in Grade.objects.filter(item=item)])
    item.refresh_from_db()
    return item


@in_platform_language
def run_choose(*, learner, item: GradedItem, run: Run) -> Grade:
    """The learner picks which run is graded, before the deadline."""
    if item.kind != GradedItem.Kind.LAB or item.counts != GradedItem.Counts.CHOSEN:
        raise GradingError(_("This lab grades %(which)s; there is nothing to choose.") % {"which": item.get_counts_display().lower()})
    if item.deadline is not None and timezone.now() > item.deadline:
        raise GradingError(_("The deadline has passed; the chosen run can no longer change."))
    if run.owner_id != learner.pk or run.lab_id != item.lab_id or run.status != Run.Status.SUCCEEDED or run.parent_id:
        raise GradingError(_("Only one of your own finished runs of this lab can be chosen."))
    with transaction.atomic():
        grade, _created = Grade.objects.select_for_update().get_or_create(item=item, learner=learner)
        old = grade.chosen_run_id
        grade.chosen_run = run
        grade.save(update_fields=["chosen_run", "updated_at"])
        _audit(grade, learner, {"chosen_run": (old, run.pk)}, _("chosen by the learner"))
    return grade_refresh(item, learner, by=learner, reason=_("run %(id)s chosen") % {"id": run.pk})


# --- enrolment ----------------------------------------------------------------------------------------------


@dataclass
class EnrolResult:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"line": n, "value": text, "detail": why}


def _user_by_identifier(identifier: str) -> User | None:
    identifier = identifier.strip()
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier).first()
    return User.objects.filter(username=identifier).first()


@in_platform_language
def enrol(course: Course, identifiers: list[str], *, role: str = Enrollment.Role.LEARNER) -> EnrolResult:
    """Enrol existing users by username or e-mail. An instructor stays an instructor when listed
    as a learner (no one is demoted by a class list)."""
    result = EnrolResult()
    for line, raw in enumerate(identifiers, start=1):
        value = str(raw or "").strip()
        if not value:
            continue
        if len(value) > 254:
            result.errors.append({"line": line, "value": value[:60], "detail": _("Too long to be a user name or e-mail address.")})
            continue
        user = _user_by_identifier(value)
        if user is None:
            result.errors.append({"line": line, "value": value, "detail": _("No user with this user name or e-mail address.")})
            continue
        enrollment, created = Enrollment.objects.get_or_create(course=course, user=user, defaults={"role": role})
        if not created and role == Enrollment.Role.INSTRUCTOR and enrollment.role != role:
            enrollment.role = role
            enrollment.save(update_fields=["role"])
            created = True
        (result.added if created else result.already).append(user.username)
    return result


@in_platform_language
def enrol_csv(course: Course, data: bytes) -> EnrolResult:
    """A class list: one user name or e-mail per line, or a CSV whose first column holds them (a
    header row such as "username" or "email" is skipped). UTF-8, with or without BOM (Excel)."""
    if len(data) > 2 * 1024 * 1024:
        raise GradingError(_("The class list is larger than 2 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # what Excel writes on a Chinese Windows
        except UnicodeDecodeError:
            raise GradingError(_("The class list is not text (UTF-8 or GB18030).")) from None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > 5000:
        raise GradingError(_("A class list may have at most 5000 lines."))
    values = [row[0] if row else "" for row in rows]
    if values and values[0].strip().lower() in ("username", "user", "email", "e-mail", "用户名", "邮箱", "学号"):
        values[0] = ""
    return enrol(course, values)


def join_code_rotate(course: Course) -> str:
    """A new course code (the old one stops working). Eight characters without look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    Course.objects.filter(pk=course.pk).update(join_code=code)
    course.join_code = code
    return code


@in_platform_language
def course_join(user, code: str) -> Course:
    code = str(code or "").strip().upper().replace(" ", "").replace("-", "")
    course = Course.objects.filter(join_code=code).first() if len(code) == 8 else None
    if course is None:
        raise GradingError(_("No course has this code. Check it with your instructor."))
    Enrollment.objects.get_or_create(course=course, user=user, defaults={"role": Enrollment.Role.LEARNER})
    return course


# --- CSV export -------------------------------------------------------------------------------------------


def gradebook_csv_write(course: Course, out: Path, report=None) -> int:
    """The gradebook as CSV for Excel: UTF-8 with BOM (so Chinese names show), one row per
    learner, points per item, category percentages, total percent and letter. Returns rows."""
    book = selectors.gradebook(course)
    tmp = out.with_name(out.name + ".part")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "name", "email"] + [f"{i['title']} ({i['points']:g})" for i in book["items"]]
                        + [f"{c['name']} %" for c in book["categories"]] + ["total %", "letter"])
        for n, row in enumerate(book["rows"], start=1):
            writer.writerow([row["username"], row["name"], row["email"]]
                            + ["" if v is None else f"{v:g}" for v in row["scores"]]
                            + ["" if v is None else f"{v * 100:.2f}" for v in row["categories"]]
                            + [f"{row['total'] * 100:.2f}", row["letter"]])
            if report and n % 50 == 0:
                report(n / max(len(book["rows"]), 1))
    os.replace(tmp, out)
    return len(book["rows"])


@in_platform_language
def export_start(course: Course, *, by) -> GradebookExport:
    job = GradebookExport.objects.create(course=course, requested_by=by)
    transaction.on_commit(lambda: _export_enqueue(job))
    return job


def _export_enqueue(job: GradebookExport) -> None:
    from .tasks import gradebook_export_run

    task_enqueue(gradebook_export_run, job.pk, on_broker_down=lambda: GradebookExport.objects.filter(pk=job.pk).update(
        status=GradebookExport.Status.FAILED, finished_at=timezone.now(), message="The task queue is not reachable; try again later."))


@in_platform_language
def export_execute(job_id: int) -> GradebookExport:
    if not GradebookExport.objects.filter(pk=job_id, status=GradebookExport.Status.QUEUED).update(
            status=GradebookExport.Status.RUNNING, started_at=timezone.now()):
        return GradebookExport.objects.get(pk=job_id)
    job = GradebookExport.objects.select_related("course").get(pk=job_id)
    folder = Path(settings.MEDIA_ROOT) / "gradebooks"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"gradebook-{job.course.slug}-{job.pk}-{secrets.token_hex(4)}.csv"
    try:
        rows = gradebook_csv_write(job.course, out, progress_reporter(GradebookExport, job.pk))
        GradebookExport.objects.filter(pk=job.pk).update(
            status=GradebookExport.Status.SUCCEEDED, progress=1.0, finished_at=timezone.now(),
            file_relative_path=str(out.relative_to(settings.MEDIA_ROOT)), message=_("%(n)d learners") % {"n": rows})
    except Exception as exc:  # noqa: BLE001
        logger.exception("gradebook export %s failed", job.pk)
        GradebookExport.objects.filter(pk=job.pk).update(status=GradebookExport.Status.FAILED, finished_at=timezone.now(),
                                                         message=_("The export failed (%(error)s).") % {"error": type(exc).__name__})
    job.refresh_from_db()
    return job

