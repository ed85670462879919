"""Exercise writes: syncing questions from content files, recording attempts."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from courseware.content import markdown_render

from .checking import ResponseError, response_check
from .models import Attempt, Question

logger = logging.getLogger(__name__)


class AttemptRefused(Exception):
    """The attempt was not recorded; the message says why."""


def _html(markdown_text: str) -> str:
    return markdown_render(str(markdown_text))[0]


def questions_sync(course, chapter, questions: list[dict], pages_by_slug: dict) -> int:
    """Create or update the chapter's questions by their stable id. Questions that vanished from
    the file are retired, not deleted, so learners' attempts survive a reload."""
    keys = []
    for order, item in enumerate(questions):
        choices = [{"id": str(c["id"]), "html": _html(c["text"])} for c in item.get("choices") or []]
        answer = item.get("answer")
        if item["type"] == "single":
            answer = str(answer)
        elif item["type"] == "multiple":
            answer = sorted(str(a) for a in answer)
        elif item["type"] == "shape":
            answer = str(answer)
        Question.objects.update_or_create(
            course=course,
            key=item["id"],
            defaults={
                "chapter": chapter,
                "page": pages_by_slug.get(item.get("page")),
                "order": order,
                "type": item["type"],
                "prompt_html": _html(item["prompt"]),
                "choices": choices,
                "answer": answer,
                "tolerance": float(item.get("tolerance") or 0),
                "explanation_html": _html(item["explanation"]),
                "max_attempts": item.get("max_attempts"),
                "points": float(item.get("points", 1)),
                "source": str(item.get("source", ""))[:40],
                "retired": False,
            },
        )
        keys.append(item["id"])
    Question.objects.filter(course=course, chapter=chapter).exclude(key__in=keys).update(retired=True)
    return len(keys)


def attempt_submit(*, user, question: Question, response) -> Attempt:
    """Check and store one attempt. The attempt limit holds under concurrency: the count and
    the insert happen in one write transaction (SQLite: IMMEDIATE; PostgreSQL: the row lock)."""
    if question.retired:
        raise AttemptRefused(_("This question is no longer part of the course."))
    try:
        checked = response_check(question.type, response, answer=question.answer, tolerance=question.tolerance,
                                 choice_ids=[c["id"] for c in question.choices])
    except ResponseError as exc:
        raise AttemptRefused(str(exc)) from exc
    with transaction.atomic():
        Question.objects.select_for_update().filter(pk=question.pk).first()
        if question.max_attempts is not None:
            used = Attempt.objects.filter(question=question, user=user).count()
            if used >= question.max_attempts:
                raise AttemptRefused(_("You have used all %(n)d attempts for this question.") % {"n": question.max_attempts})
        attempt = Attempt.objects.create(
            question=question,
            user=user,
            response=checked.normalized,
            is_correct=checked.correct,
            score=None if checked.correct is None else (question.points if checked.correct else 0.0),
        )
    from grading.services import grades_refresh_for_attempt  # grading builds on exercises

    try:
        grades_refresh_for_attempt(attempt)
    except Exception:  # noqa: BLE001 — an answer is stored even when its grade cannot be updated
        logger.exception("grade refresh for attempt %s failed", attempt.pk)
    return attempt
