"""Keras-code labs: the learner's own ``build_model(input_shape, num_classes)``.

The platform writes the learner's code to ``RUN_DIR/model_code.py``; :func:`model_from_code`
runs it, calls ``build_model`` and checks that what comes back can be trained on the lab's data.
Every failure becomes a :class:`LearnerCodeError`: a one-line ``message`` the learner can act on
and a ``traceback`` that shows only the learner's own frames (``model_code.py, line N, in
build_model`` plus the source line) and the exception, never the platform's or Keras's files.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import linecache
import re
import traceback as traceback_module
from pathlib import Path
from typing import Callable

FILENAME = "model_code.py"
MESSAGE_LIMIT = 300  # the one-line failure reason
EXCEPTION_LIMIT = 1500  # the exception's text in the trimmed traceback (Keras messages can be long)
PRINTED_LINES_LIMIT = 200

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# An absolute path to a Python file (/usr/lib/..., /work/main/.venv/.../site-packages/...): cut to its name.
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\s\\/'\"():,]+)+[\\/]([^\s\\/'\"():,]+\.py)\b")


class LearnerCodeError(Exception):
    """The learner's code failed or returned something the lab cannot train."""

    def __init__(self, message: str, traceback: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.traceback = traceback


def _clean(text: str) -> str:
    return _PATH.sub(r"\1", _ANSI.sub("", text))


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def exception_text(exc: BaseException) -> str:
    """The exception's own message without colour codes or file paths (may span lines)."""
    return _clean(str(exc)).strip()


def exception_summary(exc: BaseException) -> str:
    """One line of the exception's message (its first paragraph). Keras wraps errors raised inside a layer's ``call`` as
    "Exception encountered when calling X.call(). <the real message> Arguments received by …":
    the real message is the useful line."""
    paragraphs = [" ".join(line.strip() for line in block.splitlines() if line.strip()) for block in re.split(r"\n\s*\n", exception_text(exc))]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    if not paragraphs:
        return ""
    first = paragraphs[0]
    if first.startswith("Exception encountered when calling") and len(paragraphs) > 1 and not paragraphs[1].startswith("Arguments received"):
        return f"{paragraphs[1]} (in {first.removeprefix('Exception encountered when calling').strip().rstrip('.')})"
    return first


def _learner_frames(exc: BaseException, filename: str) -> list[traceback_module.FrameSummary]:
    return [frame for frame in traceback_module.extract_tb(exc.__traceback__) if frame.filename == filename]


def traceback_trim(exc: BaseException, filename: str = FILENAME, source: str | None = None) -> str:
    """The traceback as the learner needs it: their own frames, then the exception. The source
    lines come from ``source`` when given, else from linecache (model_from_code registers the
    learner's file there)."""
    source_lines = source.splitlines() if source is not None else None
    lines: list[str] = []
    if isinstance(exc, SyntaxError):
        # A syntax error has no frames: the place is in the exception (line, text, caret).
        lines.append(f"  {filename}, line {exc.lineno}")
        if exc.text:
            text = exc.text.rstrip("\n")
            stripped = text.lstrip()
            lines.append(f"    {stripped}")
            if exc.offset and exc.offset > 0:
                column = max(0, exc.offset - 1 - (len(text) - len(stripped)))
                lines.append("    " + " " * column + "^")
        lines.append(f"{type(exc).__name__}: {_cap(_clean(str(exc.msg)), EXCEPTION_LIMIT)}")
        return "\n".join(lines)
    frames = _learner_frames(exc, filename)
    if frames:
        lines.append("Traceback (your code, most recent call last):")
        for frame in frames:
            lines.append(f"  {filename}, line {frame.lineno}, in {frame.name}")
            if source_lines is not None:
                line = source_lines[frame.lineno - 1] if frame.lineno and 0 < frame.lineno <= len(source_lines) else ""
            else:
                line = frame.line or ""
            if line.strip():
                lines.append(f"    {line.strip()}")
    text = exception_text(exc)
    lines.append(f"{type(exc).__name__}: {_cap(text, EXCEPTION_LIMIT)}" if text else type(exc).__name__)
    return "\n".join(lines)


def has_learner_frames(exc: BaseException, filename: str = FILENAME) -> bool:
    return bool(_learner_frames(exc, filename))


def learner_error(exc: BaseException, filename: str = FILENAME, prefix: str = "", source: str | None = None) -> LearnerCodeError:
    """A LearnerCodeError for an exception raised while the learner's code ran (or in Keras,
    called from it): "ValueError in your code, line 7: …", with the trimmed traceback."""
    frames = _learner_frames(exc, filename)
    where = f" in your code, line {frames[-1].lineno}" if frames else "" if prefix else " in your code"
    summary = exception_summary(exc)
    message = f"{prefix}{type(exc).__name__}{where}" + (f": {summary}" if summary else "")
    return LearnerCodeError(_cap(message, MESSAGE_LIMIT), traceback_trim(exc, filename, source))


@contextlib.contextmanager
def _printed_to_log(emit: Callable[[dict], None] | None):
    """What the learner's code prints (print, model.summary()) goes to the run log, not to stdout,
    which may be the events stream."""
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield
    finally:
        if emit is not None:
            lines = buffer.getvalue().splitlines()
            for line in lines[:PRINTED_LINES_LIMIT]:
                emit({"type": "log", "line": _ANSI.sub("", line)})
            if len(lines) > PRINTED_LINES_LIMIT:
                emit({"type": "log", "line": f"… {len(lines) - PRINTED_LINES_LIMIT} more printed lines not shown"})


def _shape_text(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(int(d)) for d in shape) + (",)" if len(shape) == 1 else ")")


def _inputs_of(model) -> list:
    # An unbuilt Sequential raises AttributeError ("has no defined inputs yet"); a subclassed model has none.
    try:
        return list(getattr(model, "inputs", None) or [])
    except (AttributeError, ValueError):
        return []


def _run_learner(call: Callable, filename: str, source: str, emit, prefix: str = ""):
    try:
        with _printed_to_log(emit):
            return call()
    except SystemExit:
        raise LearnerCodeError("your code called exit(): build_model must return a model instead", "") from None
    except Exception as exc:
        raise learner_error(exc, filename, prefix, source) from exc


def model_from_code(path: Path, input_shape: tuple, num_classes: int, keras, emit: Callable[[dict], None] | None = None):
    """Run the learner's file, call ``build_model(input_shape, num_classes)`` and check the model:
    a Keras Sequential or functional model with one input of the data's shape and one output of
    shape (None, num_classes). Returns the (built) model; raises LearnerCodeError otherwise."""
    path = Path(path)
    filename = path.name
    input_shape = tuple(int(d) for d in input_shape)
    num_classes = int(num_classes)
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LearnerCodeError(f"your code is not UTF-8 text (byte {exc.start} cannot be read)", "") from None
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as exc:  # IndentationError and TabError too
        raise LearnerCodeError(
            _cap(f"{type(exc).__name__} in your code, line {exc.lineno}: {_clean(str(exc.msg))}", MESSAGE_LIMIT), traceback_trim(exc, filename),
        ) from None
    # Tracebacks (and Keras, which reads source) find the learner's lines although the file is
    # not in the working directory. mtime None: linecache.checkcache leaves the entry alone.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)

    namespace: dict = {"__name__": "learner_model", "__file__": filename}
    _run_learner(lambda: exec(code, namespace), filename, source, emit)

    build_model = namespace.get("build_model")
    if build_model is None:
        raise LearnerCodeError("build_model is not defined in your code", "")
    if not callable(build_model):
        raise LearnerCodeError(f"build_model must be a function, got {type(build_model).__name__}", "")
    try:
        signature = inspect.signature(build_model)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        try:
            signature.bind(input_shape, num_classes)
        except TypeError:
            raise LearnerCodeError(f"build_model must take two arguments (input_shape, num_classes), yours is build_model{signature}", "") from None

    model = _run_learner(lambda: build_model(input_shape, num_classes), filename, source, emit)

    if not isinstance(model, keras.Model):
        got = "None" if model is None else type(model).__name__
        hint = ""
        if model is None:
            hint = " (did you forget `return model`?)"
        elif isinstance(model, (list, tuple)):
            hint = " (wrap the layers in keras.Sequential([...]))"
        elif isinstance(model, keras.layers.Layer):
            hint = " (a layer is not a model: return keras.Model(inputs, outputs) or keras.Sequential([...]))"
        raise LearnerCodeError(f"build_model must return a Keras model, got {got}{hint}", "")

    want = (None,) + input_shape
    if isinstance(model, keras.Sequential) and not _inputs_of(model):
        # A Sequential without keras.Input: give it the data's shape.
        if not model.layers:
            raise LearnerCodeError("your model has no layers", "")
        _run_learner(lambda: model.build(want), filename, source, None, prefix=f"your model cannot take inputs of shape {_shape_text(want)}: ")
    inputs = _inputs_of(model)
    if not inputs:
        raise LearnerCodeError(
            f"build_model must return a keras.Sequential or a functional keras.Model(inputs, outputs), got a subclassed model ({type(model).__name__})", "",
        )
    if len(inputs) != 1:
        raise LearnerCodeError(f"your model must have one input, it has {len(inputs)}", "")
    have = tuple(inputs[0].shape)
    if len(have) != len(want) or any(h is not None and h != w for h, w in zip(have[1:], want[1:])):
        raise LearnerCodeError(f"your model expects inputs of shape {_shape_text(have)} but the data are {_shape_text(want)}", "")
    outputs = list(getattr(model, "outputs", None) or [])
    if len(outputs) != 1:
        raise LearnerCodeError(f"your model must have one output, it has {len(outputs)}", "")
    out = tuple(outputs[0].shape)
    if len(out) != 2 or out[1] != num_classes:
        advice = f"end with Dense({num_classes})" if len(out) == 2 else f"end with Flatten() (or GlobalAveragePooling2D()) and Dense({num_classes})"
        raise LearnerCodeError(f"your model's output has shape {_shape_text(out)} but this data set has {num_classes} classes: {advice}", "")
    try:
        # The run saves model.keras at the end: find out now, not after training, if it cannot.
        model.get_config()
    except Exception as exc:
        raise learner_error(exc, filename, prefix="your model cannot be saved: ", source=source) from exc
    if emit is not None and (getattr(model, "compiled", False) or getattr(model, "optimizer", None) is not None):
        emit({"type": "log", "line": "your code compiles the model: the lab compiles it again with its own optimizer, loss and metrics"})
    return model
