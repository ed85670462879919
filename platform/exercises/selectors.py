"""Exercise reads. What the browser may see of a question depends on whether it was answered."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import Attempt, Question


def question_public(question: Question) -> dict:
    """The question as a learner sees it before answering: never the answer or explanation."""
    return {
        "id": question.pk,
        "key": question.key,
        "type": question.type,
        "prompt_html": question.prompt_html,
        "choices": question.choices,
        "max_attempts": question.max_attempts,
        "points": question.points,
    }


def answer_display(question: Question) -> str:
    if question.type == "single":
        return str(question.answer)
    if question.type == "multiple":
        return ", ".join(question.answer)
    if question.type == "numeric":
        number = float(question.answer)
        shown = str(int(number)) if number.is_integer() else str(number)
        return shown + (f" ± {question.tolerance:g}" if question.tolerance else "")
    if question.type == "shape":
        return str(question.answer)
    return ""


def attempt_result(attempt: Attempt) -> dict:
    """What the learner gets back after answering (the explanation comes only now)."""
    question = attempt.question
    auto = question.is_auto_checked
    return {
        "attempt": attempt.pk,
        "correct": attempt.is_correct,
        "pending_review": not auto,
        "score": attempt.score,
        "correct_answer": answer_display(question) if auto else None,
        "explanation_html": question.explanation_html if auto else "",
    }


def questions_for_page(page, user) -> list[dict]:
    """The page's questions with the user's own attempt counts and last result."""
    questions = list(
        Question.objects.filter(page=page, retired=False)
        .annotate(
            used=Count("attempts", filter=Q(attempts__user=user)),
            solved=Count("attempts", filter=Q(attempts__user=user, attempts__is_correct=True)),
        )
        .order_by("order")
    )
    last = {}
    for attempt in Attempt.objects.filter(user=user, question__in=questions).select_related("question").order_by("created_at"):
        last[attempt.question_id] = attempt
    result = []
    for question in questions:
        data = question_public(question)
        data["attempts_used"] = question.used
        data["last_result"] = attempt_result(last[question.pk]) if question.pk in last else None
        data["json_id"] = f"question-{question.pk}-last"
        data["get_type_display"] = question.get_type_display()
        result.append(data)
    return result


def question_get_for_user(user, question_id) -> Question | None:
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        return None
    return Question.objects.filter(pk=question_id, retired=False).first() if user.is_authenticated else None


# --- code exercises ------------------------------------------------------------------------------


def _value_text(value) -> str:
    import numpy as np

    if isinstance(value, np.ndarray):
        body = np.array2string(value, separator=", ", threshold=64, precision=6)
        dtype = "" if value.dtype in (np.float64, np.int64) else f", dtype=np.{value.dtype}"
        return f"np.array({body}{dtype})"
    if isinstance(value, tuple):
        inner = ", ".join(_value_text(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:.10g}"
    return repr(value)


def code_example(case: dict) -> dict:
    """A visible case as the page shows it: the call and what it should give."""
    from .codevalues import value_decode

    args = value_decode(case["args"])
    kwargs = value_decode(case["kwargs"])
    parts = [_value_text(a) for a in args] + [f"{k}={_value_text(v)}" for k, v in kwargs.items()]
    if case["check"]["type"] == "raises":
        expected = f"raises {case['check']['exception']}"
    else:
        expected = _value_text(value_decode(case["expected"]))
    return {"name": case["name"], "call": f"{case['call']}({', '.join(parts)})", "expected": expected}


def code_exercise_get(user, key: str):
    from .models import CodeExercise

    if not user.is_authenticated:
        return None
    return CodeExercise.objects.select_related("course", "chapter", "page").filter(key=str(key)[:100], retired=False).first()


def code_exercise_public(exercise) -> dict:
    """Everything the editor page needs; hidden tests appear only as a count."""
    return {
        "key": exercise.key,
        "title_zh": exercise.title_zh,
        "title_en": exercise.title_en,
        "prompt_html": exercise.prompt_html,
        "starter": exercise.starter,
        "functions": exercise.functions,
        "points": exercise.points,
        "time_limit_s": exercise.time_limit_s,
        "memory_mb": exercise.memory_mb,
        "examples": [code_example(c) for c in exercise.visible_cases],
        "hidden_tests": sum(1 for c in exercise.cases if c["hidden"]),
    }


def code_submission_data(submission, *, with_code: bool = False) -> dict:
    data = {
        "id": submission.pk,
        "exercise": submission.exercise.key,
        "kind": submission.kind,
        "status": submission.status,
        "status_display": submission.get_status_display(),
        "results": submission.results,
        "passed": submission.passed,
        "total": submission.total,
        "score": submission.score,
        "points": submission.exercise.points,
        "message": submission.message,
        "output": submission.output,
        "duration_s": submission.duration_s,
        "created_at": submission.created_at.isoformat(),
        "finished_at": submission.finished_at.isoformat() if submission.finished_at else None,
    }
    if with_code:
        data["code"] = submission.code
    return data


def code_submission_get_for(user, submission_id):
    """The submission if ``user`` owns it or teaches its course; otherwise None."""
    from courseware.selectors import user_is_course_instructor

    from .models import CodeSubmission

    try:
        submission_id = int(submission_id)
    except (TypeError, ValueError):
        return None
    if not user.is_authenticated:
        return None
    submission = CodeSubmission.objects.select_related("exercise", "user").filter(pk=submission_id).first()
    if submission is None:
        return None
    if submission.user_id == user.pk or user.is_staff or user_is_course_instructor(user, submission.exercise.course_id):
        return submission
    return None


def code_submissions_history(user, exercise, limit: int = 30) -> list[dict]:
    from .models import CodeSubmission

    return [code_submission_data(s) for s in CodeSubmission.objects.filter(user=user, exercise=exercise).select_related("exercise")[:limit]]


def code_exercises_overview(course, user) -> list[dict]:
    """Every exercise of the course with the user's best submitted score, by chapter order."""
    from django.db.models import Max

    from .models import CodeExercise, CodeSubmission

    best = dict(CodeSubmission.objects.filter(user=user, exercise__course=course, kind=CodeSubmission.Kind.SUBMIT)
                .exclude(score=None).values("exercise").annotate(best=Max("score")).values_list("exercise", "best"))
    return [{"exercise": e, "best": best.get(e.pk)}
            for e in CodeExercise.objects.filter(course=course, retired=False).select_related("chapter")]


def code_exercises_for_page(page) -> list:
    from .models import CodeExercise

    return list(CodeExercise.objects.filter(page=page, retired=False))
