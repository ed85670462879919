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
