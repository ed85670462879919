"""Grading reads: who may see what, the gradebook, an item's submissions, the grading queue,
a learner's own released grades, runs side by side.

Only the course's instructors (and admins) see its gradebook, grades and ungraded work; a learner
sees only their own grades of released items.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from accounts.models import User
from courseware.models import Course, Enrollment
from exercises.models import Attempt, Question
from training.models import EpochMetric, Run

from . import policy
from .models import Grade, GradedItem, GradingCategory, GradingPolicy


def course_is_instructor(user, course: Course) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_platform_admin or Enrollment.objects.filter(course=course, user=user, role=Enrollment.Role.INSTRUCTOR).exists()


def courses_taught(user) -> QuerySet[Course]:
    if user.is_platform_admin:
        return Course.objects.order_by("slug")
    return Course.objects.filter(enrollments__user=user, enrollments__role=Enrollment.Role.INSTRUCTOR).order_by("slug")


def course_learners(course: Course) -> QuerySet[User]:
    return User.objects.filter(enrollments__course=course, enrollments__role=Enrollment.Role.LEARNER).order_by("username")


def item_list(course: Course) -> list[GradedItem]:
    return list(GradedItem.objects.filter(course=course).select_related("category", "lab", "question", "chapter"))


def _late_policy(conf: GradingPolicy) -> policy.LatePolicy:
    return policy.LatePolicy(penalty_per_day=conf.late_penalty_per_day, max_days=conf.late_max_days, grace_minutes=conf.grace_minutes)


def gradebook(course: Course) -> dict:
    """Every enrolled learner × every item: final points (after lateness), category shares, the
    course total by the policy and the letter. Two queries for the grades, whatever the size."""
    conf = GradingPolicy.objects.get_or_create(course=course)[0]
    categories = list(GradingCategory.objects.filter(course=course))
    items = item_list(course)
    learners = list(course_learners(course).only("id", "username", "first_name", "last_name", "email"))
    # Plain tuples, not model instances: building 10,000 Grade objects was half the time.
    grades: dict[tuple[int, int], tuple[float | None, int]] = {
        (learner_id, item_id): (final, late)
        for learner_id, item_id, final, late in Grade.objects.filter(item__course=course).values_list("learner_id", "item_id", "final_score", "late_days")}
    policy_categories = [policy.Category(key=c.key, weight=c.weight, drop_lowest=c.drop_lowest) for c in categories]
    late = _late_policy(conf)
    rows = []
    for learner in learners:
        scores, late_days, item_scores = [], [], []
        for item in items:
            final, days = grades.get((learner.pk, item.pk), (None, 0))
            scores.append(final)
            late_days.append(days)
            # Finals already include the late penalty, so the policy sees them as on time.
            item_scores.append(policy.ItemScore(item=item.key, category=item.category.key, points=item.points, raw=final))
        total = policy.course_total(item_scores, policy_categories, late)
        rows.append({
            "learner_id": learner.pk, "username": learner.username, "name": learner.get_full_name(), "email": learner.email,
            "scores": scores, "late_days": late_days,
            "categories": [total.per_category.get(c.key) for c in categories],
            "total": total.percent, "letter": policy.letter(total.percent, conf.cutoffs),
            "dropped": total.dropped,
        })
    return {
        "course": course.slug,
        "items": [{"id": i.pk, "key": i.key, "kind": i.kind, "title": i.title, "points": i.points, "category": i.category.key,
                   "deadline": i.deadline, "released": i.released} for i in items],
        "categories": [{"key": c.key, "name": c.name, "weight": c.weight, "drop_lowest": c.drop_lowest} for c in categories],
        "policy": {"late_penalty_per_day": conf.late_penalty_per_day, "late_max_days": conf.late_max_days,
                   "grace_minutes": conf.grace_minutes, "cutoffs": conf.cutoffs},
        "rows": rows,
    }


def item_submissions(item: GradedItem) -> list[dict]:
    """For the per-item view: every learner's grade with every run or answer they made."""
    grades = {g.learner_id: g for g in Grade.objects.filter(item=item).select_related("run", "attempt", "updated_by")}
    learners = list(course_learners(item.course))
    learners += [g.learner for g in Grade.objects.filter(item=item).exclude(learner__in=learners).select_related("learner")]
    runs: dict[int, list[Run]] = defaultdict(list)
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    code_submissions: dict[int, list] = defaultdict(list)
    if item.kind == GradedItem.Kind.LAB:
        for run in Run.objects.filter(lab=item.lab, course=item.course, parent__isnull=True).order_by("created_at"):
            runs[run.owner_id].append(run)
    elif item.kind == GradedItem.Kind.QUESTION:
        for attempt in Attempt.objects.filter(question=item.question).order_by("created_at"):
            attempts[attempt.user_id].append(attempt)
    elif item.kind == GradedItem.Kind.CODE:
        from exercises.models import CodeSubmission

        for submission in CodeSubmission.objects.filter(exercise=item.code_exercise, kind=CodeSubmission.Kind.SUBMIT).order_by("created_at"):
            code_submissions[submission.user_id].append(submission)
    else:
        questions = Question.objects.filter(chapter=item.chapter, retired=False)
        for attempt in Attempt.objects.filter(question__in=questions).order_by("created_at"):
            attempts[attempt.user_id].append(attempt)
    out = []
    for learner in learners:
        grade = grades.get(learner.pk)
        submitted = code_submissions.get(learner.pk, [])
        best = max((c for c in submitted if c.score is not None), key=lambda c: c.score, default=None)
        out.append({"learner": learner, "grade": grade, "runs": runs.get(learner.pk, []), "attempts": attempts.get(learner.pk, []),
                    "code_submissions": submitted, "best_code": best})
    return out


def grading_queue(course: Course) -> list[dict]:
    """Free-text answers waiting for a grade: each learner's latest answer to each text question
    whose grade has no instructor score yet, oldest first."""
    items = {i.question_id: i for i in GradedItem.objects.filter(course=course, kind=GradedItem.Kind.QUESTION).select_related("question")}
    latest: dict[tuple[int, int], Attempt] = {}
    for attempt in Attempt.objects.filter(question_id__in=items).select_related("user", "question").order_by("created_at", "id"):
        latest[(attempt.user_id, attempt.question_id)] = attempt
    graded = {(g.learner_id, g.item.question_id): g for g in Grade.objects.filter(item__in=items.values()).select_related("item")}
    queue = []
    for (user_id, question_id), attempt in latest.items():
        grade = graded.get((user_id, question_id))
        if grade is None or grade.override_score is None or grade.attempt_id != attempt.pk:
            queue.append({"attempt": attempt, "item": items[question_id], "grade": grade})
    return sorted(queue, key=lambda e: e["attempt"].created_at)


def grades_for_learner(user, course: Course | None = None) -> list[Grade]:
    """A learner's own grades of released items (with feedback)."""
    grades = Grade.objects.filter(learner=user, item__released=True).select_related("item", "item__course", "item__category", "run")
    if course is not None:
        grades = grades.filter(item__course=course)
    return list(grades.order_by("item__course__slug", "item__position"))


def learner_course_total(user, course: Course) -> dict | None:
    """The learner's total over released items only (what they may see), as the policy computes it."""
    conf = GradingPolicy.objects.filter(course=course).first()
    if conf is None:
        return None
    categories = [policy.Category(key=c.key, weight=c.weight, drop_lowest=c.drop_lowest) for c in GradingCategory.objects.filter(course=course)]
    grades = {g.item_id: g for g in Grade.objects.filter(learner=user, item__course=course)}
    scores = [policy.ItemScore(item=i.key, category=i.category.key, points=i.points, raw=grades[i.pk].final_score if i.pk in grades else None)
              for i in GradedItem.objects.filter(course=course, released=True).select_related("category")]
    if not scores:
        return None
    total = policy.course_total(scores, categories, _late_policy(conf), count_missing=False)
    return {"percent": total.percent, "letter": policy.letter(total.percent, conf.cutoffs)}


def grade_history(grade: Grade) -> list:
    return list(grade.changes.select_related("changed_by").order_by("-changed_at", "-id"))


def runs_compare(runs: list[Run]) -> dict:
    """Two to four runs side by side: curves, configuration differences, final metrics."""
    curves = {run.pk: [{"epoch": e.epoch, **e.metrics} for e in EpochMetric.objects.filter(run=run).order_by("epoch")] for run in runs}
    flat = [{"dataset": run.dataset.slug, "total_params": run.total_params, **{f"hp.{k}": v for k, v in sorted(run.hyperparameters.items())},
             "layers": " → ".join(layer.get("type", "?") for layer in (run.spec or {}).get("layers", []))} for run in runs]
    keys = sorted({k for f in flat for k in f})
    config = [{"key": k, "values": [f.get(k) for f in flat], "differs": len({repr(f.get(k)) for f in flat}) > 1} for k in keys]
    return {
        "runs": [{"id": r.pk, "owner": r.owner.username, "lab": r.lab.slug, "status": r.status, "created_at": r.created_at,
                  "final_metrics": r.final_metrics} for r in runs],
        "curves": curves,
        "config": config,
    }


def run_grading_context(run: Run, user) -> dict | None:
    """For the run page: the grade this run feeds, when the viewer is the course's instructor."""
    if run.parent_id or not course_is_instructor(user, run.course):
        return None
    item = GradedItem.objects.filter(course=run.course, lab=run.lab, kind=GradedItem.Kind.LAB).first()
    if item is None:
        return None
    grade = Grade.objects.filter(item=item, learner=run.owner).select_related("run", "updated_by").first()
    return {"item": item, "grade": grade}


def run_choice_context(run: Run, user) -> dict | None:
    """For the run's owner, when the lab grades the run they choose: whether this run is the
    chosen one and whether the choice can still change (before the deadline)."""
    from django.utils import timezone

    if run.owner_id != getattr(user, "pk", None) or run.parent_id or run.status != Run.Status.SUCCEEDED:
        return None
    item = GradedItem.objects.filter(course=run.course, lab=run.lab, kind=GradedItem.Kind.LAB, counts=GradedItem.Counts.CHOSEN).first()
    if item is None:
        return None
    chosen = Grade.objects.filter(item=item, learner=user).values_list("chosen_run_id", flat=True).first()
    return {"item": item, "is_chosen": chosen == run.pk, "open": item.deadline is None or timezone.now() <= item.deadline}
