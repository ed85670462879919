"""Reading and validating ``questions.yaml`` files (see docs/content-format.md). Pure: no
database. Every problem names the file and the line of the question."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from courseware.content import SLUG_RE, ContentError

from .checking import ResponseError, shape_parse

TYPES = ("single", "multiple", "numeric", "shape", "text")


class _LineLoader(yaml.SafeLoader):
    """Remembers the line each mapping starts on, for error messages."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping = loader.construct_mapping(node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def question_validate(item: Any, path: Path, page_slugs: set[str]) -> dict:
    if not isinstance(item, dict):
        raise ContentError(path, "each question must be a mapping")
    line = item.pop("__line__", None)

    def fail(message: str) -> None:
        raise ContentError(path, f"question {item.get('id', '?')}: {message}", line)

    for key in ("id", "type", "prompt", "explanation"):
        if not isinstance(item.get(key), (str, int)) or not str(item.get(key)).strip():
            fail(f"missing required field '{key}'")
    if not SLUG_RE.match(str(item["id"])):
        fail("id must be lowercase letters, digits and hyphens")
    qtype = item["type"]
    if qtype not in TYPES:
        fail(f"type must be one of {', '.join(TYPES)}")
    if item.get("page") is not None and item["page"] not in page_slugs:
        fail(f"page '{item['page']}' is not a page of this chapter")
    choices = item.get("choices") or []
    if qtype in ("single", "multiple"):
        if not isinstance(choices, list) or len(choices) < 2:
            fail("choice questions need at least two choices")
        for choice in choices:
            if isinstance(choice, dict):
                choice.pop("__line__", None)
            if not isinstance(choice, dict) or not str(choice.get("id", "")).strip() or "text" not in choice:
                fail("every choice needs an id and a text")
        ids = [str(c["id"]) for c in choices]
        if len(set(ids)) != len(ids):
            fail("choice ids must be unique")
        answer = item.get("answer")
        if qtype == "single" and str(answer) not in ids:
            fail(f"answer {answer!r} is not one of the choices")
        if qtype == "multiple" and (not isinstance(answer, list) or not answer or not {str(a) for a in answer} <= set(ids)):
            fail("answer must be a non-empty list of choice ids")
    elif qtype == "numeric":
        if not _is_number(item.get("answer")):
            fail("answer must be a number")
        if not _is_number(item.get("tolerance", 0)) or item.get("tolerance", 0) < 0:
            fail("tolerance must be a number ≥ 0")
    elif qtype == "shape":
        try:
            shape_parse(str(item.get("answer")))
        except ResponseError:
            fail("answer must be a shape such as \"(None, 32, 32, 16)\"")
    max_attempts = item.get("max_attempts")
    if max_attempts is not None and (not isinstance(max_attempts, int) or isinstance(max_attempts, bool) or max_attempts < 1):
        fail("max_attempts must be a whole number ≥ 1")
    if not _is_number(item.get("points", 1)) or item.get("points", 1) < 0:
        fail("points must be a number ≥ 0")
    return item


def questions_file_read(path: Path, page_slugs: set[str]) -> list[dict]:
    """Validated questions of one chapter, in file order."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except UnicodeDecodeError as exc:
        raise ContentError(path, "file is not valid UTF-8") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentError(path, f"YAML error: {getattr(exc, 'problem', None) or exc}", mark.line + 1 if mark else None) from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise ContentError(path, "questions.yaml must be a list of questions", 1)
    questions = [question_validate(item, path, page_slugs) for item in data]
    seen: set[str] = set()
    for question in questions:
        if question["id"] in seen:
            raise ContentError(path, f"question id '{question['id']}' is used twice")
        seen.add(question["id"])
    return questions
