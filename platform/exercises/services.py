"""Exercise writes: syncing questions from content files, recording attempts."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from courseware.content import markdown_render
from dlclassroom.jobs import in_platform_language, task_enqueue

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


# --- code exercises ------------------------------------------------------------------------------

MAX_CODE_BYTES = 64 * 1024
OUTPUT_SHOWN_BYTES = 16 * 1024
RESULTS_READ_BYTES = 8 * 2**20
STARTUP_ALLOWANCE_S = 3  # interpreter and NumPy start-up, on top of the exercise's time limit


def code_exercises_sync(course, exercises: list[dict], chapters_by_slug: dict, pages_by_key: dict) -> int:
    """Create or update the course's code exercises by key; vanished ones are retired, so their
    submissions survive a reload."""
    from .models import CodeExercise

    keys = []
    for item in exercises:
        CodeExercise.objects.update_or_create(
            course=course,
            key=item["key"],
            defaults={
                "chapter": chapters_by_slug[item["chapter"]],
                "page": pages_by_key.get((item["chapter"], item["page"])),
                "order": item["order"],
                "title_zh": item["title_zh"],
                "title_en": item["title_en"],
                "prompt_html": _html(item["prompt"]),
                "starter": item["starter"],
                "functions": item["functions"],
                "cases": item["cases"],
                "points": item["points"],
                "time_limit_s": item["time_limit_s"],
                "memory_mb": item["memory_mb"],
                "retired": False,
            },
        )
        keys.append(item["key"])
    CodeExercise.objects.filter(course=course).exclude(key__in=keys).update(retired=True)
    return len(keys)


class CodeRefused(Exception):
    """A submission was not accepted; ``status`` is the HTTP status that fits."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def code_submission_create(*, user, exercise, code, kind: str):
    """Store a Run or Submit and queue it for the sandbox once the row is committed."""
    from django.contrib.auth import get_user_model

    from .models import CodeSubmission

    if kind not in CodeSubmission.Kind.values:
        raise CodeRefused(_("kind must be \"run\" or \"submit\"."))
    if not isinstance(code, str):
        raise CodeRefused(_("The code must be text."))
    if "\x00" in code:
        raise CodeRefused(_("The code contains a NUL character."))
    if len(code.encode("utf-8", errors="replace")) > MAX_CODE_BYTES:
        raise CodeRefused(_("Your code is larger than %(kib)d KiB.") % {"kib": MAX_CODE_BYTES // 1024}, status=413)
    if not code.strip():
        raise CodeRefused(_("Write some code first."))
    if exercise.retired:
        raise CodeRefused(_("This exercise is no longer part of the course."))
    with transaction.atomic():
        # The user's row is the lock: two quick clicks cannot both pass the "nothing pending" check.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if CodeSubmission.objects.filter(user=user, status__in=CodeSubmission.PENDING).exists():
            raise CodeRefused(_("Your previous code is still running; wait for its result."), status=429)
        submission = CodeSubmission.objects.create(exercise=exercise, user=user, kind=kind, code=code)
        transaction.on_commit(lambda: _code_submission_enqueue(submission.pk))
    return submission


def _code_submission_enqueue(submission_id: int) -> None:
    from .tasks import code_submission_run

    # The broker is down: say so now rather than wait for the reaper.
    task_enqueue(code_submission_run, submission_id, on_broker_down=lambda: code_submission_fail(submission_id))


def code_submission_claim(submission_id: int) -> bool:
    from .models import CodeSubmission

    return CodeSubmission.objects.filter(pk=submission_id, status=CodeSubmission.Status.QUEUED).update(
        status=CodeSubmission.Status.RUNNING) == 1


def _results_read(path) -> tuple[dict | None, dict[str, dict]]:
    """The harness's lines: the load record and the case records by id. Malformed lines (the
    learner's code can write to this file too) are ignored; values are only JSON, never code."""
    import json

    load, records = None, {}
    if not path.exists():
        return load, records
    with open(path, "rb") as handle:
        data = handle.read(RESULTS_READ_BYTES)
    for raw in data.splitlines():
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError):  # a forged line nested thousands deep included
            continue
        if not isinstance(record, dict):
            continue
        if "load" in record and isinstance(record["load"], dict) and load is None:
            load = record["load"]
        elif isinstance(record.get("id"), str) and record["id"] not in records:
            records[record["id"]] = record
    return load, records


def _case_judge(case: dict, record: dict | None, load: dict | None, stopped: str, limit_message: str):
    from .codecheck import Verdict, case_judge
    from .codevalues import value_decode

    if limit_message and (record is None or record.get("exception") == "MemoryError"):
        return Verdict(False, limit_message)
    if load is not None and load.get("status") == "raised":
        return Verdict(False, _("your code could not be loaded: %(exception)s: %(message)s") % {
            "exception": load.get("exception"), "message": load.get("message", "")})
    if record is None:
        return Verdict(False, stopped)
    expected = None if case["check"]["type"] == "raises" else value_decode(case["expected"])
    return case_judge(case["check"], expected, record)


@in_platform_language
def code_submission_execute(submission_id: int):
    """Run the submission's code in the sandbox on its tests and store per-test results."""
    import json
    import shutil
    import tempfile
    from pathlib import Path

    from django.utils import timezone

    from sandbox.runner import Limits, run_python, sandbox_available

    from .models import CodeSubmission

    submission = CodeSubmission.objects.select_related("exercise").get(pk=submission_id)
    exercise = submission.exercise
    cases = exercise.cases if submission.kind == CodeSubmission.Kind.SUBMIT else exercise.visible_cases
    reason = sandbox_available()
    if reason is not None:
        logger.error("code submission %s cannot run: %s", submission_id, reason)
        CodeSubmission.objects.filter(pk=submission_id).update(
            status=CodeSubmission.Status.ERROR, finished_at=timezone.now(),
            message=_("Code cannot run on this server right now: its sandbox is not available. Tell your instructor."))
        return CodeSubmission.objects.get(pk=submission_id)

    here = Path(__file__).resolve().parent
    root = Path(tempfile.mkdtemp(prefix="dlc-code-"))
    try:
        work, output = root / "work", root / "output"
        work.mkdir()
        output.mkdir()
        (work / "solution.py").write_text(submission.code, encoding="utf-8")
        shutil.copy(here / "sandbox_harness.py", work / "_dlc_harness.py")
        shutil.copy(here / "codevalues.py", work / "_dlc_values.py")
        # Inputs only: expected values and check rules stay in this process.
        (work / "cases.json").write_text(json.dumps({"cases": [
            {"id": c["id"], "call": c["call"], "args": c["args"], "kwargs": c["kwargs"]} for c in cases]}), encoding="utf-8")
        limits = Limits(cpu_seconds=exercise.time_limit_s, wall_seconds=exercise.time_limit_s + STARTUP_ALLOWANCE_S,
                        memory_bytes=exercise.memory_mb * 2**20)
        result = run_python(work, "_dlc_harness.py", limits=limits, writable_dir=output)
        load, records = _results_read(output / "results.jsonl")
    finally:
        shutil.rmtree(root, ignore_errors=True)

    limit_message = _limit_message(result) if result.limit else ""
    if not limit_message and any(r.get("exception") == "MemoryError" for r in [load or {}, *records.values()]):
        # The harness caught the MemoryError, so the process ended normally: still the memory limit.
        limit_message = _("memory limit %(value)s exceeded") % {"value": f"{exercise.memory_mb} MiB"}
    if limit_message:
        stopped = limit_message
    elif result.returncode != 0:
        stopped = _("your code stopped the test program before this test ran (%(how)s)") % {"how": result.message}
    else:
        stopped = _("the test did not run")
    results, hidden_number = [], 0
    for case in cases:
        verdict = _case_judge(case, records.get(case["id"]), load, stopped, limit_message)
        if case["hidden"]:
            hidden_number += 1
            results.append({"name": _("Hidden test %(n)d") % {"n": hidden_number}, "hidden": True, "passed": verdict.passed})
            continue
        entry = {"name": case["name"], "hidden": False, "passed": verdict.passed, "message": verdict.message}
        record = records.get(case["id"]) or {}
        if record.get("traceback") and record.get("status") == "raised":
            entry["traceback"] = record["traceback"]
        elif load and load.get("traceback"):
            entry["traceback"] = load["traceback"]
        results.append(entry)
    passed = sum(1 for r in results if r["passed"])
    output_text = ""
    if submission.kind == CodeSubmission.Kind.RUN:
        # A Submit's output stays hidden: the code could print the hidden tests' inputs.
        output_text = (result.stdout + result.stderr)[:OUTPUT_SHOWN_BYTES]
    CodeSubmission.objects.filter(pk=submission_id).update(
        status=CodeSubmission.Status.DONE,
        results=results,
        passed=passed,
        total=len(results),
        score=(exercise.points * passed / len(results)) if submission.kind == CodeSubmission.Kind.SUBMIT and results else None,
        message=limit_message,
        output=output_text,
        duration_s=round(result.duration_s, 3),
        finished_at=timezone.now(),
    )
    submission.refresh_from_db()
    if submission.kind == CodeSubmission.Kind.SUBMIT:
        from grading.services import grades_refresh_for_code  # grading builds on exercises

        try:
            grades_refresh_for_code(submission)
        except Exception:  # noqa: BLE001 — the result is stored even when its grade cannot be updated
            logger.exception("grade refresh for code submission %s failed", submission.pk)
    return submission


def _limit_message(result) -> str:
    """The sandbox's limit, said in the platform language with its number."""
    import re

    number = re.search(r"(\d+(?:\.\d+)? (?:s|bytes|KiB|MiB|GiB))", result.message)
    value = number.group(1) if number else ""
    messages = {
        "wall_time": _("time limit %(value)s exceeded (wall clock)"),
        "cpu_time": _("time limit %(value)s exceeded (CPU time)"),
        "memory": _("memory limit %(value)s exceeded"),
        "file_size": _("file size limit %(value)s exceeded"),
        "processes": _("process limit %(value)s exceeded"),
        "output": _("output truncated at %(value)s"),
    }
    if result.limit == "processes":
        number = re.search(r"process limit (\d+)", result.message)
        value = number.group(1) if number else ""
    return messages.get(result.limit, "%(value)s") % {"value": value}


@in_platform_language
def code_submission_fail(submission_id: int) -> None:
    from django.utils import timezone

    from .models import CodeSubmission

    CodeSubmission.objects.filter(pk=submission_id, status__in=CodeSubmission.PENDING).update(
        status=CodeSubmission.Status.ERROR, finished_at=timezone.now(),
        message=_("The code could not be run because of a problem on the server. Run it again."))


@in_platform_language
def code_submissions_reap(older_than_s: int = 600) -> int:
    """A submission whose worker died never stays "running"."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import CodeSubmission

    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    return CodeSubmission.objects.filter(status__in=CodeSubmission.PENDING, created_at__lt=cutoff).update(
        status=CodeSubmission.Status.ERROR, finished_at=timezone.now(),
        message=_("The code did not finish: its worker stopped. Run it again."))
