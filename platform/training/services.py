"""Run writes: submit, cancel, claim, execute (supervise the training child), reap."""

from __future__ import annotations

import json
import logging
import math
import os
import selectors as io_selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dlclassroom.jobs import in_platform_language, task_enqueue

from courseware.models import Lab
from datasets.models import Dataset
from datasets.selectors import dataset_get_for_lab
from datasets.services import dataset_snapshot_create
from modelspec import spec_check, spec_normalize
from modelspec.codegen import COMPILE_OPTIMIZERS
from modelzoo.selectors import base_model_run_options, base_model_unready_reason

from .models import EpochMetric, Inference, Run, WorkerNode
from .programs import program_info
from .selectors import log_line_is_noise

logger = logging.getLogger(__name__)

OPTIMIZERS = tuple(COMPILE_OPTIMIZERS)
HYPERPARAMETER_KEYS = {"epochs", "batch_size", "optimizer", "learning_rate"}
# Keys that exist only where a lab declares them in its hyper-parameters, with their check:
# True/False, a whole number in a range, or one of some words.
LAB_KEYS: dict[str, tuple] = {
    "normalize": (bool,),
    "strategy": (str, ("all", "last_n", "head")),  # transfer learning: what is trained
    "trainable_layers": (int, 1, 50),  # transfer learning: N of "the last N layers"
}
SWITCH_KEYS = set(LAB_KEYS)
MAX_LINE_BYTES = 1 << 20


class SubmitError(Exception):
    """A submission was refused; ``errors`` say what to fix (nothing was queued)."""

    def __init__(self, errors: list[dict]) -> None:
        self.errors = errors
        super().__init__("; ".join(e["message"] for e in errors))



def _error(field: str, message: str, **extra) -> dict:
    return {"field": field, "message": message, **extra}


def hyperparameters_validate(raw, lab: Lab) -> tuple[dict, list[dict]]:
    """Strictly typed hyper-parameters within the ranges a shared worker can afford."""
    errors: list[dict] = []
    if not isinstance(raw, dict):
        return {}, [_error("hyperparameters", _("Hyper-parameters must be an object."))]
    # Switches such as the MLP lab's "normalize" exist only where the lab declares them.
    allowed = HYPERPARAMETER_KEYS | (SWITCH_KEYS & set(lab.hyperparameters))
    unknown = sorted(set(raw) - allowed)
    if unknown:
        errors.append(_error("hyperparameters", _("Unknown hyper-parameter(s): %(names)s.") % {"names": ", ".join(map(str, unknown))[:200]}))
    merged = {**lab.hyperparameters, **{k: v for k, v in raw.items() if k in allowed}}
    max_epochs = settings.TRAINING["MAX_EPOCHS"]

    def int_in(name: str, low: int, high: int) -> None:
        value = merged.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.append(_error(name, _("%(name)s must be a whole number from %(low)d to %(high)d.") % {"name": name, "low": low, "high": high}))

    int_in("epochs", 1, max_epochs)
    int_in("batch_size", 1, 1024)
    if merged.get("optimizer") not in OPTIMIZERS:
        errors.append(_error("optimizer", _("optimizer must be one of %(choices)s.") % {"choices": ", ".join(OPTIMIZERS)}))
    lr = merged.get("learning_rate")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or not 1e-6 <= lr <= 1.0:
        errors.append(_error("learning_rate", _("learning_rate must be a number from 0.000001 to 1.")))
    for name in sorted(SWITCH_KEYS & set(merged)):
        kind, *limits = LAB_KEYS[name]
        if kind is bool and not isinstance(merged[name], bool):
            errors.append(_error(name, _("%(name)s must be true or false.") % {"name": name}))
        elif kind is int:
            int_in(name, *limits)
        elif kind is str and merged[name] not in limits[0]:
            errors.append(_error(name, _("%(name)s must be one of %(choices)s.") % {"name": name, "choices": ", ".join(limits[0])}))
    return {k: merged[k] for k in allowed if k in merged}, errors


MAX_MODEL_CODE_BYTES = 64 * 1024


def model_code_check(code: str) -> list[dict]:
    """Refusals for a Keras-code submission that can be told without running it: size, text,
    syntax (``ast.parse`` only compiles, it runs nothing) and a top-level build_model taking
    two arguments. Everything else is found by running it, in the sandbox."""
    import ast

    def error(message: str, **extra) -> list[dict]:
        return [_error("model_code", message, **extra)]

    if "\x00" in code:
        return error(_("The code contains a NUL character."))
    if len(code.encode("utf-8", errors="replace")) > MAX_MODEL_CODE_BYTES:
        return error(_("Your code is larger than %(kib)d KiB.") % {"kib": MAX_MODEL_CODE_BYTES // 1024})
    try:
        tree = ast.parse(code, filename="model_code.py")
    except SyntaxError as exc:
        return error(_("SyntaxError in your code, line %(line)s: %(message)s") % {"line": exc.lineno, "message": exc.msg}, line=exc.lineno)
    except (ValueError, RecursionError, MemoryError):
        return error(_("Your code could not be read (too deeply nested)."))
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "build_model"]
    if not functions:
        return error(_("Define a function build_model(input_shape, num_classes) at the top level of your code."))
    arguments = functions[-1].args
    if len(arguments.posonlyargs) + len(arguments.args) < 2 and arguments.vararg is None:
        return error(_("build_model must take two arguments: build_model(input_shape, num_classes)."), line=functions[-1].lineno)
    return []


def _code_input_shape(spec, lab: Lab) -> list[int] | None:
    """A Keras-code run takes its input shape from the submitted spec, else from the lab's."""
    for candidate in ((spec or {}).get("input_shape") if isinstance(spec, dict) else None, (lab.spec or {}).get("input_shape")):
        if (isinstance(candidate, list) and 1 <= len(candidate) <= 3
                and all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 1024 for n in candidate)):
            return candidate
    return None


def run_submit(*, user, lab: Lab, dataset_slug, spec, hyperparameters, model_code: str | None = None) -> Run:
    """Validate a submission and queue it. The run row is committed before the task is
    enqueued (on_commit), so a worker never looks for a run that does not exist yet."""
    errors: list[dict] = []
    dataset = dataset_get_for_lab(lab, user, dataset_slug) if isinstance(dataset_slug, str) else None
    if dataset is None:
        errors.append(_error("dataset", _("Choose one of this lab's data sets.")))
    if lab.program == "hp_search":
        raise SubmitError([_error("search", _("This lab runs a hyper-parameter search: submit the values to try."))])
    hp, hp_errors = hyperparameters_validate(hyperparameters, lab)
    errors += hp_errors
    program = program_info(lab.program)
    if lab.program == "transfer" and (reason := base_model_unready_reason(lab.options.get("base_model"))):
        errors.append(_error("lab", reason))  # e.g. the platform's base is still being pre-trained
    if dataset is not None and dataset.format not in program.formats:
        errors.append(_error("dataset", _("This lab trains on %(formats)s data; %(dataset)s is %(format)s.") % {
            "formats": " / ".join(program.formats), "dataset": dataset.slug, "format": dataset.format}))
    if model_code is not None and model_code.strip():
        if lab.program != "keras_spec":
            errors.append(_error("model_code", _("This lab does not take Keras code."), code="code_not_allowed"))
        errors += model_code_check(model_code)
        input_shape = _code_input_shape(spec, lab)
        if input_shape is None:
            errors.append(_error("spec", _("Give the input shape as 1 to 3 whole numbers, e.g. (64, 64, 3)."), layer=None, code="input_shape"))
        elif dataset is not None and dataset.format == Dataset.Format.IMAGE_FOLDER and (len(input_shape) != 3 or input_shape[2] not in (1, 3)):
            errors.append(_error("spec", _("Images need an input shape (height, width, 3) for colour or (height, width, 1) for grey."), layer=None, code="input_shape"))
        if errors:
            raise SubmitError(errors)
        return _run_create(user, lab, dataset, {"input_shape": input_shape}, hp, total_params=0, model_code=model_code)
    if not program.uses_builder:
        # Fixed programs train the lab's own model; a submitted spec would be ignored, so refuse it.
        if spec not in (None, {}, lab.spec):
            errors.append(_error("spec", _("This lab's model is fixed; submit without a model spec."), layer=None, code="spec_not_allowed"))
        if errors:
            raise SubmitError(errors)
        return _run_create(user, lab, dataset, {}, hp, total_params=0)
    from_logits = bool(lab.compile_config.get("from_logits", False))
    report = spec_check(spec, num_classes=dataset.num_classes if dataset else None, from_logits=from_logits)
    errors += [
        _error("spec", e.message, layer=e.index, layer_type=e.layer_type, code=e.code, arg=e.field) for e in report.errors
    ]
    if dataset is not None and report.valid and dataset.format == Dataset.Format.IMAGE_FOLDER:
        shape = tuple(report.input_shape)[1:]  # drop the batch axis
        if len(shape) != 3 or shape[2] not in (1, 3):
            errors.append(_error("spec", _("Images need an input shape (height, width, 3) for colour or (height, width, 1) for grey."), layer=None, code="input_shape"))
    if errors:
        raise SubmitError(errors)
    return _run_create(user, lab, dataset, spec_normalize(spec), hp, total_params=report.total_params)


def run_resources(lab: Lab, limits=None) -> dict:
    """What a run of this lab may use: the lab's declared environment over the platform default,
    shortened to the learner's longest allowed run."""
    resources = {"time_limit_s": settings.TRAINING["DEFAULT_TIME_LIMIT_S"], **lab.resources}
    if limits is not None and limits.max_run_seconds is not None:
        resources["time_limit_s"] = min(int(resources["time_limit_s"]), int(limits.max_run_seconds))
    return resources


def run_quota_check(user, lab: Lab, dataset: Dataset, hp: dict):
    """The quota check at submission, inside the transaction that creates the run. The user's row
    is locked first, so parallel submissions by one learner are checked one after the other."""
    from accounts.models import User
    from quotas.services import QuotaExceeded, quota_check_submit

    User.objects.select_for_update().filter(pk=user.pk).first()
    try:
        return quota_check_submit(user=user, course=lab.course, device=str(lab.resources.get("device", "any")),
                                  epochs=int(hp.get("epochs", 1)), dataset_bytes=dataset.size_bytes)
    except QuotaExceeded as exc:
        raise SubmitError([_error("quota", str(exc), limit=exc.limit, frees_at=exc.frees_at.isoformat() if exc.frees_at else None)]) from None


def run_snapshot_take(dataset: Dataset):
    """The read-only copy a run trains on, so a data set edited or re-imported later cannot
    change what the run saw."""
    try:
        return dataset_snapshot_create(dataset)
    except FileNotFoundError as exc:
        raise SubmitError([_error("dataset", _("The data set's files are missing on the server; ask an administrator."))]) from exc


def _run_create(user, lab: Lab, dataset: Dataset, spec: dict, hp: dict, *, total_params: int, model_code: str = "") -> Run:
    snapshot = run_snapshot_take(dataset)
    with transaction.atomic():
        limits = run_quota_check(user, lab, dataset, hp)
        resources = run_resources(lab, limits)
        run = Run.objects.create(
            owner=user,
            course=lab.course,
            lab=lab,
            dataset=dataset,
            snapshot=snapshot,
            program=lab.program,
            options=lab.options,
            spec=spec,
            compile_config=lab.compile_config,
            hyperparameters=hp,
            resources=resources,
            total_params=total_params,
            model_code=model_code,
        )
        transaction.on_commit(lambda: run_enqueue(run))
    return run


def run_enqueue(run: Run) -> None:
    """Put the run's token on its queue (training.scheduler explains tokens). If the broker is
    down the run stays queued and the reconciler adds its token later."""
    from .scheduler import run_queue_name
    from .tasks import run_train

    result = task_enqueue(run_train, run.pk, queue=run_queue_name(run))
    if result is not None:  # else the broker is down: the run row stays queued
        Run.objects.filter(pk=run.pk).update(celery_task_id=result.id)


# --- publishing ------------------------------------------------------------------------------


def run_publish(run_id: int, message: dict) -> None:
    """Send one message to everyone watching the run. Progress is best effort: if Redis is
    down the database still has the history, and the page catches up on reconnect."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(f"run-{run_id}", {"type": "run.event", "event": message})
    except Exception:  # noqa: BLE001 — publishing must never break training
        logger.warning("could not publish to run %s", run_id, exc_info=True)


def _run_finish(run_id: int, status: str, reason: str = "", *, from_statuses=(Run.Status.QUEUED, Run.Status.RUNNING), **fields) -> bool:
    """Move a run to a final status exactly once (conditional UPDATE: the first writer wins)."""
    updated = Run.objects.filter(pk=run_id, status__in=from_statuses).update(
        status=status, status_reason=reason[:4000], finished_at=timezone.now(), child_pid=None, **fields
    )
    if updated:
        run = Run.objects.get(pk=run_id)
        run_publish(run_id, {"type": "status", "status": status, "reason": run.status_reason})
        run_publish(run_id, {"type": "done", "status": status, "reason": run.status_reason,
                             "final_metrics": run.final_metrics, "model_summary": run.model_summary})
        _search_refresh_for(run)
        _grades_refresh_for(run)
    return bool(updated)


def _grades_refresh_for(run: Run) -> None:
    """A finished run may change its learner's lab grade. Grading must never stop a run from
    finishing, so a failure here is logged, not raised (an item regrade repairs it)."""
    if run.status != Run.Status.SUCCEEDED or run.parent_id:
        return
    from grading.services import grades_refresh_for_run  # grading builds on training

    try:
        grades_refresh_for_run(run)
    except Exception:  # noqa: BLE001
        logger.exception("grade refresh for run %s failed", run.pk)


def _search_refresh_for(run: Run) -> None:
    if run.parent_id:
        from .search import search_refresh  # the search module builds on this one

        search_refresh(run.parent_id)


@in_platform_language
def run_cancel(run: Run) -> str:
    """Cancel a queued run at once; ask the worker to kill a running one. Returns the status.
    Cancelling a hyper-parameter search cancels all its trials."""
    if run.program == "hp_search":
        from .search import search_cancel

        return search_cancel(run)
    if _run_finish(run.pk, Run.Status.CANCELLED, _("Cancelled by the learner."), from_statuses=(Run.Status.QUEUED,)):
        return Run.Status.CANCELLED
    # The worker's supervisor polls this flag and kills the child within about a second.
    Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING).update(cancel_requested=True)
    run.refresh_from_db()
    return run.status


# --- the worker side ----------------------------------------------------------------------------


def run_claim(run_id: int, worker: str) -> bool:
    """Atomically take a queued run; False if someone else has it or it was cancelled."""
    now = timezone.now()
    claimed = bool(
        Run.objects.filter(pk=run_id, status=Run.Status.QUEUED).exclude(program="hp_search").update(
            status=Run.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker
        )
    )
    if claimed:
        _search_refresh_for(Run.objects.only("id", "parent_id").get(pk=run_id))
    return claimed


def workspace_materialize(run: Run, gpu_memory_mb: int | None = None) -> Path:
    """Create the run folder in the learner's workspace with everything the child needs."""
    run_dir = run.workspace_dir
    data_root = run.snapshot.path if run.snapshot_id else run.dataset.path
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    config = {
        "run_id": run.pk,
        "program": run.program,
        # A transfer run also gets its base network's file and input scaling.
        "options": {**run.options, **(base_model_run_options(run.options.get("base_model")) if run.program == "transfer" else {})},
        "spec": run.spec,
        "compile": run.compile_config,
        "hyperparameters": {"seed": 123, "validation_split": 0.2, "shuffle_buffer": 1000, **run.hyperparameters},
        "dataset": {
            "slug": run.dataset.slug,
            "format": run.dataset.format,
            "path": str(data_root / "data.npz") if run.dataset.format in ("npz", "tabular") else str(data_root),
            "snapshot": run.snapshot.content_hash if run.snapshot_id else None,
            "class_names": run.dataset.class_names,
        },
        "batch_events_per_second": settings.TRAINING["BATCH_EVENTS_PER_SECOND"],
        # A GPU shared by several slots: the run gets a logical device with this much memory.
        "gpu_memory_limit_mb": gpu_memory_mb,
    }
    if run.model_code:
        # Keras-code runs train in the sandbox, which sees the run folder as /work and the data
        # snapshot as /data, nothing else of this machine.
        (run_dir / "model_code.py").write_text(run.model_code, encoding="utf-8")
        config["model_code"] = "model_code.py"
        config["num_classes"] = run.dataset.num_classes
        config["dataset"]["path"] = config["dataset"]["path"].replace(str(data_root), SANDBOX_DATA, 1)
    (run_dir / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
    return run_dir


def worker_device() -> str:
    """What this worker trains on: settings, else "gpu" when an NVIDIA device node is visible."""
    configured = settings.TRAINING["WORKER_DEVICE"].strip().lower()
    if configured in ("gpu", "cpu"):
        return configured
    return "gpu" if Path("/dev/nvidia0").exists() else "cpu"


def _slot_memory_mb(slot: str) -> int | None:
    """"0:4096" → 4096 (the GPU memory one slot may use); "0" or "" → None (all of it)."""
    _gpu, _sep, memory = (slot or "").partition(":")
    return int(memory) if memory.isdigit() else None


def _child_env(slot: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "SECRET", "REDIS", "CELERY"))}
    gpu = (slot or "").partition(":")[0]
    if gpu:
        env["CUDA_VISIBLE_DEVICES"] = gpu  # the run sees only its slot's GPU
    # The child needs only the trainer and the model-spec package, not the Django project.
    env["PYTHONPATH"] = os.pathsep.join([str(settings.WORKERS_DIR), str(settings.PLATFORM_DIR)])
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


SANDBOX_DATA = "/data"
# Training sandboxes run as a host user of their own: RLIMIT_NPROC counts per user, and a
# training child's threads must not use up what the code-exercise sandboxes (uid 65534) may start.
TRAINING_SANDBOX_UID = 65533
DEFAULT_CODE_RUN_MEMORY_MB = 4096


class ChildCommand:
    """How to start a run's training child: plainly, or (Keras-code runs) inside the sandbox."""

    def __init__(self, run: Run, run_dir: Path, write_fd: int, slot: str, time_limit: float, device: str) -> None:
        self.prepared = None
        self.memory_limit: int | None = None
        if not run.model_code:
            python = settings.TRAINING["PYTHON"] or sys.executable
            self.argv = [python, "-m", "trainer", str(run_dir), "--events-fd", str(write_fd)]
            self.env, self.cwd = _child_env(slot), run_dir
            return
        from sandbox.runner import Limits, sandbox_available, sandbox_prepare

        reason = sandbox_available()
        if reason is not None:
            logger.error("run %s has learner code but the sandbox is unavailable: %s", run.pk, reason)
            raise SandboxMissing(_("This run trains your own code, which needs the platform's sandbox; it is not available on this worker. Tell your instructor."))
        data_root = run.snapshot.path if run.snapshot_id else run.dataset.path
        cpus = os.cpu_count() or 1
        gpu = device == "gpu"
        memory_mb = int(run.resources.get("memory_mb") or DEFAULT_CODE_RUN_MEMORY_MB)
        self.memory_limit = memory_mb * 2**20  # resident memory, watched by the supervisor
        limits = Limits(
            cpu_seconds=int(time_limit * cpus) + 60,  # the supervisor's wall-clock limit comes first
            wall_seconds=time_limit + 60,
            # RLIMIT_AS counts address space, which TensorFlow reserves far beyond what it uses
            # (2.7 GB mapped for 0.8 GB resident on a small CNN): it is only the backstop against
            # a runaway allocation; the supervisor enforces the resident limit. CUDA maps even
            # more, so on a GPU the slot's GPU memory and the container limit bound the run.
            memory_bytes=-1 if gpu else (2 * memory_mb + 2048 + 128 * cpus) * 2**20,
            file_bytes=4 * 2**30,
            processes=1024,  # TensorFlow's thread pools count against it
            open_files=4096,
        )
        threads = str(cpus)
        env = {"PYTHONPATH": "/opt/dlc", "HOME": "/tmp", "KERAS_HOME": "/tmp/.keras", "MPLCONFIGDIR": "/tmp",
               "TF_CPP_MIN_LOG_LEVEL": "2", "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads,
               "MKL_NUM_THREADS": threads, "TF_NUM_INTRAOP_THREADS": threads, "TF_NUM_INTEROP_THREADS": "2",
               "MALLOC_ARENA_MAX": "4"}
        gpu_index = (slot or "").partition(":")[0]
        if gpu_index:
            env["CUDA_VISIBLE_DEVICES"] = gpu_index
        devices = tuple(sorted(str(p) for p in Path("/dev").glob("nvidia*") if not p.is_dir())) if gpu else ()
        # The trainer and model-spec packages only: never the Django project, its settings or secrets.
        binds = {settings.WORKERS_DIR / "trainer": "/opt/dlc/trainer", settings.PLATFORM_DIR / "modelspec": "/opt/dlc/modelspec",
                 Path(data_root): SANDBOX_DATA}
        self.prepared = sandbox_prepare(run_dir, ["-m", "trainer", "/work", "--events-fd", str(write_fd)], limits=limits,
                                        readonly_binds=binds, env=env, uid=TRAINING_SANDBOX_UID, devices=devices)
        self.argv, self.cwd = self.prepared.argv, Path("/")
        self.env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}  # bwrap itself gets no host secrets

    def preexec(self) -> None:
        if self.prepared is not None:
            self.prepared.preexec()
        _die_with_parent()

    def cleanup(self) -> None:
        if self.prepared is not None:
            self.prepared.cleanup()


class SandboxMissing(RuntimeError):
    pass


def _die_with_parent() -> None:
    """Runs in the child before exec: if the worker process dies (kill -9, a cold shutdown), the
    kernel kills the training child too, instead of leaving it to train for nobody."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: the stale-run reaper still ends the run


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        sig = -returncode
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGKILL:
            return _("The training process was killed (%(name)s). The usual cause is running out of memory.") % {"name": name}
        return _("The training process was stopped by signal %(name)s.") % {"name": name}
    return _("The training process exited with code %(code)d.") % {"code": returncode}


@dataclass
class _Supervision:
    run_id: int
    log_file: object
    last_progress_save: float = 0.0
    pending_logs: list | None = None
    last_log_publish: float = 0.0
    error: str = ""
    done: bool = False
    final_metrics: dict | None = None
    owner: object = None
    storage_limit: int | None = None
    peak_memory: int | None = None
    memory_limit: int | None = None  # enforced for sandboxed (Keras-code) runs

    def measure(self, pid: int) -> None:
        """Peak resident memory of the training process, as the kernel counts it (VmHWM). In a
        sandbox the trainer is a descendant of the started process, so the whole tree is read."""
        pids = [pid]
        try:
            import psutil

            pids += [child.pid for child in psutil.Process(pid).children(recursive=True)]
        except Exception:  # noqa: BLE001 — psutil missing or the process just ended
            pass
        for one in pids:
            try:
                with open(f"/proc/{one}/status", encoding="ascii") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            self.peak_memory = max(self.peak_memory or 0, int(line.split()[1]) * 1024)
                            break
            except (OSError, ValueError, IndexError):
                pass  # not Linux, or the process just ended

    def memory_exceeded(self) -> str | None:
        if self.memory_limit is None or (self.peak_memory or 0) <= self.memory_limit:
            return None
        return _("memory limit %(limit)d MiB exceeded (the run used %(used)d MiB); the run was stopped.") % {
            "limit": self.memory_limit // 2**20, "used": (self.peak_memory or 0) // 2**20}

    def storage_exceeded(self) -> str | None:
        if self.storage_limit is None or self.owner is None:
            return None
        from quotas.services import workspace_bytes

        used = workspace_bytes(self.owner)
        if used <= self.storage_limit:
            return None
        return _("Your workspace grew to %(used)d MiB, over its limit of %(limit)d MiB; the run was stopped.") % {
            "used": used // 2**20, "limit": self.storage_limit // 2**20}

    def log(self, line: str) -> None:
        self.log_file.write(line + "\n")
        self.log_file.flush()
        if log_line_is_noise(line):
            return
        if self.pending_logs is None:
            self.pending_logs = []
        self.pending_logs.append(line[:2000])

    def flush_logs(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.pending_logs and (force or now - self.last_log_publish >= 0.5):
            run_publish(self.run_id, {"type": "log", "lines": self.pending_logs[-100:]})
            self.pending_logs = []
            self.last_log_publish = now

    def handle(self, event: dict) -> None:
        kind = event.get("type")
        if kind == "log":
            self.log(str(event.get("line", "")))
        elif kind in ("train_begin", "epoch_begin"):
            progress = {"epoch": event.get("epoch", 1), "epochs": event.get("epochs"), "batch": 0, "steps": event.get("steps")}
            if kind == "train_begin":
                Run.objects.filter(pk=self.run_id).update(progress=progress)
            run_publish(self.run_id, {"type": kind, **{k: v for k, v in event.items() if k != "type"}})
        elif kind == "batch":
            message = {"type": "batch", "batch": event.get("batch"), "steps": event.get("steps"), "metrics": event.get("metrics", {}), "ts": event.get("ts")}
            run_publish(self.run_id, message)
            now = time.monotonic()
            if now - self.last_progress_save >= 2.0:
                self.last_progress_save = now
                Run.objects.filter(pk=self.run_id).update(progress=message)
        elif kind == "epoch":
            epoch_metric_record(self.run_id, int(event["epoch"]), event.get("metrics") or {}, event.get("duration_s"), ts=event.get("ts"))
        elif kind == "summary":
            Run.objects.filter(pk=self.run_id).update(model_summary=event.get("text", ""), total_params=int(event.get("total_params") or 0))
            run_publish(self.run_id, {"type": "summary", "text": event.get("text", ""), "total_params": event.get("total_params")})
        elif kind == "done":
            self.done = True
            self.final_metrics = event.get("final_metrics") or {}
        elif kind == "error":
            self.error = str(event.get("message", ""))[:2000]
            for line in str(event.get("traceback", "")).splitlines():
                self.log(line)


def epoch_metric_record(run_id: int, epoch: int, metrics: dict, duration_s, ts: float | None = None) -> EpochMetric:
    """Store one epoch (idempotent: a resumed run may report an epoch again) and publish it."""
    clean = {str(k): (float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None) for k, v in metrics.items()}
    record, _ = EpochMetric.objects.update_or_create(
        run_id=run_id,
        epoch=epoch,
        defaults={
            "loss": clean.get("loss"),
            "accuracy": clean.get("accuracy"),
            "val_loss": clean.get("val_loss"),
            "val_accuracy": clean.get("val_accuracy"),
            "metrics": clean,
            "duration_s": duration_s if isinstance(duration_s, (int, float)) else None,
        },
    )
    run_publish(run_id, {**record.to_message(), "ts": ts})
    return record


def _kill_group(proc: subprocess.Popen) -> None:
    """Stop the child and anything it started: TERM, a short grace period, then KILL."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue


@in_platform_language
def run_execute(run_id: int) -> str:
    """Run a claimed run to its end in a child process; returns the final status.

    Reads the child's events and log output, stores epochs, publishes progress, writes a
    heartbeat, and stops the child when the learner cancels or the time limit passes.
    """
    from quotas.services import quota_limits, usage_start, usage_update

    run = Run.objects.select_related("dataset", "snapshot", "owner").get(pk=run_id)
    run_publish(run_id, {"type": "status", "status": Run.Status.RUNNING, "reason": ""})
    device, slot = worker_device(), settings.TRAINING["WORKER_SLOT"]
    run_dir = workspace_materialize(run, gpu_memory_mb=_slot_memory_mb(slot))
    usage_start(run, device=device, worker=run.worker)
    time_limit = float(run.resources.get("time_limit_s", settings.TRAINING["DEFAULT_TIME_LIMIT_S"]))
    read_fd, write_fd = os.pipe()
    try:
        child = ChildCommand(run, run_dir, write_fd, slot, time_limit, device)
    except SandboxMissing as exc:
        os.close(read_fd)
        os.close(write_fd)
        usage_update(run_id, finished=True)
        _run_finish(run_id, Run.Status.FAILED, str(exc))
        return Run.Status.FAILED
    with open(run_dir / "logs" / "train.log", "a", encoding="utf-8") as log_file:
        supervision = _Supervision(run_id=run_id, log_file=log_file, owner=run.owner,
                                   storage_limit=quota_limits(run.owner, run.course_id).storage_bytes,
                                   memory_limit=child.memory_limit)
        resumed = f" (resumed from its last checkpoint, attempt {run.resumes + 1})" if run.resumes else ""
        supervision.log(f"[platform] run {run_id} started on {run.worker or 'worker'} ({device}{', slot ' + slot if slot else ''}){resumed}")
        if run.model_code:
            supervision.log("[platform] your build_model code trains in the sandbox: no network, only this run's folder and its data")
        try:
            proc = subprocess.Popen(
                child.argv,
                cwd=child.cwd,
                env=child.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,  # its own process group, so a kill reaches its children too
                preexec_fn=child.preexec,
            )
        except BaseException:
            child.cleanup()
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        Run.objects.filter(pk=run_id).update(child_pid=proc.pid)
        try:
            outcome, reason = _supervise(proc, read_fd, supervision, time_limit)
        finally:
            child.cleanup()
            usage_update(run_id, peak_memory_bytes=supervision.peak_memory, finished=True)
        supervision.flush_logs(force=True)

    if outcome == Run.Status.SUCCEEDED:
        _run_finish(run_id, outcome, "", final_metrics=supervision.final_metrics or {})
    else:
        _run_finish(run_id, outcome, reason)
    return outcome


def _supervise(proc: subprocess.Popen, read_fd: int, sup: _Supervision, time_limit: float) -> tuple[str, str]:
    from quotas.services import usage_update

    selector = io_selectors.DefaultSelector()
    events_file = os.fdopen(read_fd, "rb", buffering=0)
    selector.register(events_file, io_selectors.EVENT_READ, "events")
    selector.register(proc.stdout, io_selectors.EVENT_READ, "log")
    buffers = {"events": b"", "log": b""}
    open_streams = 2
    started = time.monotonic()
    last_heartbeat = last_cancel_check = last_storage_check = last_memory_check = started
    stop: tuple[str, str] | None = None
    try:
        while open_streams or proc.poll() is None:
            for key, _mask in selector.select(timeout=0.5):
                chunk = os.read(key.fileobj.fileno(), 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                buffers[key.data] += chunk
                *lines, buffers[key.data] = buffers[key.data].split(b"\n")
                if len(buffers[key.data]) > MAX_LINE_BYTES:  # a runaway line without newline
                    lines.append(buffers[key.data][:MAX_LINE_BYTES])
                    buffers[key.data] = b""
                for raw in lines:
                    text = raw.decode("utf-8", errors="replace")
                    if key.data == "log":
                        sup.log(text)
                        continue
                    try:
                        event = json.loads(text)
                    except ValueError:
                        sup.log(text)
                        continue
                    if isinstance(event, dict):
                        sup.handle(event)
            sup.flush_logs()
            now = time.monotonic()
            if stop is None and now - last_heartbeat >= 5:
                Run.objects.filter(pk=sup.run_id).update(heartbeat_at=timezone.now())
                sup.measure(proc.pid)
                usage_update(sup.run_id, peak_memory_bytes=sup.peak_memory)
                last_heartbeat = now
            if stop is None and sup.memory_limit is not None and now - last_memory_check >= 1:
                last_memory_check = now
                sup.measure(proc.pid)
                if reason := sup.memory_exceeded():
                    stop = (Run.Status.FAILED, reason)
            if stop is None and now - last_storage_check >= 10:
                last_storage_check = now
                if reason := sup.storage_exceeded():
                    stop = (Run.Status.FAILED, reason)
            if stop is None and now - last_cancel_check >= 1:
                last_cancel_check = now
                if Run.objects.filter(pk=sup.run_id, cancel_requested=True).exists():
                    stop = (Run.Status.CANCELLED, _("Cancelled by the learner."))
            if stop is None and now - started > time_limit:
                stop = (Run.Status.TIMED_OUT, _("Time limit of %(seconds)d s exceeded.") % {"seconds": int(time_limit)})
            if stop is not None and proc.poll() is None:
                sup.log(f"[platform] stopping: {stop[1]}")
                _kill_group(proc)
    except BaseException:
        # Soft time limit, worker shutdown, a bug here: never leave the child behind.
        _kill_group(proc)
        raise
    finally:
        selector.close()
        events_file.close()
    proc.wait()
    if stop is not None:
        return stop
    if proc.returncode == 0 and sup.done:
        return Run.Status.SUCCEEDED, ""
    if sup.error:
        return Run.Status.FAILED, sup.error
    return Run.Status.FAILED, _describe_exit(proc.returncode)


@in_platform_language
def run_fail(run_id: int, reason: str) -> None:
    _run_finish(run_id, Run.Status.FAILED, reason)


@in_platform_language
def runs_reap_stale(worker: str | None = None) -> list[int]:
    """Fail running runs whose worker stopped writing heartbeats (or, at a worker's start-up,
    every run that worker held), so no run stays "running" forever."""
    timeout = settings.TRAINING["HEARTBEAT_TIMEOUT_S"]
    if worker:
        stale = Run.objects.filter(status=Run.Status.RUNNING, worker=worker)
        reason = _("The worker restarted while this run was running.")
    else:
        # A search's parent run has no worker of its own; its trials are reaped instead.
        stale = Run.objects.filter(status=Run.Status.RUNNING, heartbeat_at__lt=timezone.now() - timedelta(seconds=timeout)).exclude(program="hp_search")
        reason = _("The worker stopped responding (no heartbeat for %(seconds)d s).") % {"seconds": timeout}
    reaped = []
    for run_id in stale.values_list("pk", flat=True):
        if run_requeue_lost(run_id) or _run_finish(run_id, Run.Status.FAILED, reason + " " + _("It was resumed %(n)d times already, the most allowed.") % {"n": settings.TRAINING["MAX_RESUMES"]}):
            reaped.append(run_id)
    return reaped


@in_platform_language
def run_requeue_lost(run_id: int) -> bool:
    """Put a run whose worker was lost back in the queue (running → queued), so a worker resumes
    it from its last epoch checkpoint (Keras BackupAndRestore in the run folder). False when it
    has been resumed MAX_RESUMES times already or is not running any more."""
    updated = Run.objects.filter(pk=run_id, status=Run.Status.RUNNING, resumes__lt=settings.TRAINING["MAX_RESUMES"]).update(
        status=Run.Status.QUEUED, worker="", child_pid=None, heartbeat_at=None, resumes=F("resumes") + 1,
        status_reason=_("The worker was lost; the run waits to resume from its last finished epoch."))
    if not updated:
        return False
    from quotas.services import usage_update

    usage_update(run_id, finished=True)  # the lost attempt's time counts; the next one adds its own
    run = Run.objects.get(pk=run_id)
    run_publish(run_id, {"type": "status", "status": Run.Status.QUEUED, "reason": run.status_reason})
    transaction.on_commit(lambda: run_enqueue(run))
    return True


@in_platform_language
def run_requeue(run: Run, *, by) -> Run:
    """An admin puts a run back in the queue: a failed, timed-out or cancelled run trains again
    (continuing from its last epoch checkpoint when it has one); a queued run gets a new token."""
    if run.program == "hp_search":
        raise ValueError(_("Requeue the trials of a search, not the search itself."))
    if run.status in (Run.Status.FAILED, Run.Status.TIMED_OUT, Run.Status.CANCELLED):
        Run.objects.filter(pk=run.pk, status=run.status).update(
            status=Run.Status.QUEUED, finished_at=None, cancel_requested=False, worker="", child_pid=None,
            status_reason=_("Put back in the queue by %(who)s.") % {"who": by.username})
    elif run.status != Run.Status.QUEUED:
        raise ValueError(_("Only a queued, failed, timed-out or cancelled run can be requeued."))
    run.refresh_from_db()
    run_publish(run.pk, {"type": "status", "status": run.status, "reason": run.status_reason})
    transaction.on_commit(lambda: run_enqueue(run))
    return run


# --- the worker registry -------------------------------------------------------------------------


def worker_devices_probe() -> list[dict]:
    """What the machine has, without loading TensorFlow into the worker: GPUs as nvidia-smi lists
    them (name, memory), else the CPU count and memory."""
    devices = []
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
        for line in out.strip().splitlines():
            index, name, memory = (part.strip() for part in line.split(","))
            devices.append({"type": "gpu", "index": int(index), "name": name, "memory_mb": int(float(memory))})
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    memory_mb = None
    try:
        memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):
        pass
    devices.append({"type": "cpu", "cores": os.cpu_count(), "memory_mb": memory_mb})
    return devices


def worker_register(name: str) -> WorkerNode:
    now = timezone.now()
    node, _created = WorkerNode.objects.update_or_create(name=name, defaults={
        "device": worker_device(), "devices": worker_devices_probe(), "slots": 1, "slot": settings.TRAINING["WORKER_SLOT"],
        "started_at": now, "heartbeat_at": now, "stopped_at": None})
    return node


def worker_heartbeat(name: str) -> None:
    WorkerNode.objects.filter(name=name).update(heartbeat_at=timezone.now(), stopped_at=None)


def worker_stopped(name: str) -> None:
    WorkerNode.objects.filter(name=name).update(stopped_at=timezone.now())


# --- questions asked of a finished model (prediction, feature maps) ----------------------------

INFERENCE_TIME_LIMIT_S = 120


def inference_request(*, user, run: Run, kind: str, image_bytes: bytes | None = None, sample: int | None = None, layer: int | None = None) -> Inference:
    """Check the request, store the input image in the run's folder and queue the job.

    The image is either an upload (checked with Pillow like every upload) or one of the run's
    own validation samples shown on the run page."""
    from courseware.image_ops import ImageOpError, image_open_checked

    if run.status != Run.Status.SUCCEEDED or not (run.workspace_dir / "model.keras").is_file():
        raise SubmitError([_error("run", _("Only a run that finished training has a model to ask."))])
    if not program_info(run.program).classifies:
        raise SubmitError([_error("run", _("This lab's model does not classify images."))])
    if kind == Inference.Kind.FEATURE_MAPS and (not isinstance(layer, int) or isinstance(layer, bool) or not 1 <= layer <= 200):
        raise SubmitError([_error("layer", _("Choose a layer by its number in the model (from 1)."))])
    if image_bytes is not None:
        try:
            image = image_open_checked(image_bytes)
        except ImageOpError as exc:
            raise SubmitError([_error("image", str(exc))]) from exc
    elif sample is not None:
        from .selectors import run_insight_file

        path = run_insight_file(run, f"samples/{sample:02d}.png") if isinstance(sample, int) and not isinstance(sample, bool) and 0 <= sample < 100 else None
        if path is None:
            raise SubmitError([_error("sample", _("That validation sample does not exist."))])
        from PIL import Image

        with Image.open(path) as opened:
            image = opened.convert("RGB")
    else:
        raise SubmitError([_error("image", _("Upload an image or pick a validation sample."))])
    with transaction.atomic():
        job = Inference.objects.create(run=run, owner=user, kind=kind, layer=layer if kind == Inference.Kind.FEATURE_MAPS else None)
        job.job_dir.mkdir(parents=True, exist_ok=True)
        image.save(job.job_dir / "input.png", format="PNG")
        request = {"kind": kind, "image": "input.png", **({"layer": layer} if kind == Inference.Kind.FEATURE_MAPS else {})}
        (job.job_dir / "request.json").write_text(json.dumps(request), encoding="utf-8")
        transaction.on_commit(lambda: _inference_enqueue(job.pk))
    return job


def _inference_enqueue(job_id: int) -> None:
    from .tasks import inference_answer

    # The broker is down: the page shows the question queued.
    task_enqueue(inference_answer, job_id, soft_time_limit=INFERENCE_TIME_LIMIT_S + 30, time_limit=INFERENCE_TIME_LIMIT_S + 60)


@in_platform_language
def inference_execute(job_id: int) -> str:
    """Claim the job (queued → running, once) and answer it in a child process with a time limit."""
    if not Inference.objects.filter(pk=job_id, status=Inference.Status.QUEUED).update(status=Inference.Status.RUNNING):
        return "skipped"
    job = Inference.objects.select_related("run").get(pk=job_id)
    python = settings.TRAINING["PYTHON"] or sys.executable
    argv, cwd, env, preexec, prepared = ([python, "-m", "trainer.infer", str(job.run.workspace_dir), str(job.job_dir)],
                                         job.job_dir, _child_env(), _die_with_parent, None)
    if job.run.model_code:
        # A model built by learner code is loaded only inside the sandbox, like it was trained.
        from sandbox.runner import Limits, sandbox_available, sandbox_prepare

        if sandbox_available() is not None:
            Inference.objects.filter(pk=job_id).update(status=Inference.Status.FAILED, finished_at=timezone.now(),
                                                       error=_("This model was built by your code and can only be loaded in the sandbox, which is not available on this worker."))
            return Inference.Status.FAILED
        prepared = sandbox_prepare(
            job.job_dir, ["-m", "trainer.infer", "/run", "/work"],
            limits=Limits(cpu_seconds=INFERENCE_TIME_LIMIT_S * (os.cpu_count() or 1), wall_seconds=INFERENCE_TIME_LIMIT_S,
                          memory_bytes=DEFAULT_CODE_RUN_MEMORY_MB * 2**20, file_bytes=256 * 2**20, processes=1024, open_files=4096),
            readonly_binds={job.run.workspace_dir: "/run", settings.WORKERS_DIR / "trainer": "/opt/dlc/trainer",
                            settings.PLATFORM_DIR / "modelspec": "/opt/dlc/modelspec"},
            env={"PYTHONPATH": "/opt/dlc", "HOME": "/tmp", "KERAS_HOME": "/tmp/.keras", "MPLCONFIGDIR": "/tmp", "TF_CPP_MIN_LOG_LEVEL": "2"},
            uid=TRAINING_SANDBOX_UID)
        argv, cwd, env = prepared.argv, Path("/"), {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        preexec = lambda: (prepared.preexec(), _die_with_parent())  # noqa: E731
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=INFERENCE_TIME_LIMIT_S, start_new_session=True, preexec_fn=preexec)
        returncode = done.returncode
    except subprocess.TimeoutExpired:
        returncode = None
    finally:
        if prepared is not None:
            prepared.cleanup()
    try:
        result = json.loads((job.job_dir / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result = {}
    if returncode == 0 and "error" not in result:
        fields = {"status": Inference.Status.SUCCEEDED, "result": result}
    elif returncode is None:
        fields = {"status": Inference.Status.FAILED, "error": _("No answer within %(seconds)d s.") % {"seconds": INFERENCE_TIME_LIMIT_S}}
    else:
        fields = {"status": Inference.Status.FAILED, "error": str(result.get("error") or _describe_exit(returncode))[:2000]}
    Inference.objects.filter(pk=job_id, status=Inference.Status.RUNNING).update(finished_at=timezone.now(), **fields)
    return fields["status"]
