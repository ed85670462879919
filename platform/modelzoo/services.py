"""Base-network writes: the platform's own pre-training, imports of Keras files, bootstrap.

TensorFlow never loads in the web or worker process: pre-training and the check of an uploaded
file run in a child process (``python -m trainer.pretrain build|inspect JOB_DIR``) with a time
limit, like training runs and predictions do.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dlclassroom.jobs import in_platform_language

from datasets.models import Dataset

from .models import BaseModel

logger = logging.getLogger(__name__)

PRETRAIN_TIME_LIMIT_S = int(os.environ.get("DLC_PRETRAIN_TIME_LIMIT_S", "1800"))
INSPECT_TIME_LIMIT_S = 120
# A Keras file of a real base (VGG16 without its top is 59 MB, ResNet50 95 MB) fits easily.
MAX_IMPORT_BYTES = int(os.environ.get("DLC_BASE_MODEL_MAX_BYTES", str(300 * 1024 * 1024)))


@dataclass(frozen=True)
class PlatformBase:
    """A base network the platform pre-trains itself from one of its bundled data sets."""

    slug: str
    title_zh: str
    title_en: str
    description: str
    dataset: str
    image_size: int
    epochs: int
    filters: tuple[int, ...] = (16, 32, 64, 128)
    learning_rate: float = 0.003
    batch_size: int = 32
    # Right-angle turns, mirror images and swapped colour channels (right for shapes only).
    augment: bool = True


PLATFORM_BASES: tuple[PlatformBase, ...] = (
    PlatformBase(
        slug="shapes-cnn",
        title_zh="小型卷积基（平台在几何图形数据集上预训练）",
        title_en="Small convolutional base (pre-trained by the platform on shapes)",
        description=("Four blocks Conv2D 3x3 (no bias) -> BatchNormalization -> ReLU -> MaxPooling2D with 16, 32, 64 "
                     "and 128 filters: 16 layers, 98,160 parameters, input 64x64x3 scaled to 0-1, output 4x4x128 "
                     "feature maps. Pre-trained to tell circles, squares, stars and triangles apart; saved without "
                     "its classification head, like include_top=False."),
        dataset="shapes",
        image_size=64,
        epochs=25,
    ),
)
DEFAULT_BASE = PLATFORM_BASES[0].slug


class BaseModelRefused(Exception):
    """An import was refused; the message says why, in words an administrator can act on."""



def platform_base_get(slug: str) -> PlatformBase | None:
    return next((spec for spec in PLATFORM_BASES if spec.slug == slug), None)


def base_model_relative_path(slug: str) -> str:
    return f"models/{slug}.keras"


def _job_dir_make(name: str) -> Path:
    job_dir = Path(settings.DATA_ROOT) / "models" / "jobs" / f"{name}-{uuid.uuid4().hex[:12]}"
    job_dir.mkdir(parents=True)
    return job_dir


def _child_run(action: str, job_dir: Path, request: dict, timeout: int) -> dict:
    """Run ``trainer.pretrain`` in a child process and return its result.json (or the reason
    it gave none: a time-out, a crash)."""
    from training.services import _child_env, _die_with_parent  # the same environment as training children

    (job_dir / "request.json").write_text(json.dumps(request), encoding="utf-8")
    python = settings.TRAINING["PYTHON"] or sys.executable
    try:
        done = subprocess.run(
            [python, "-m", "trainer.pretrain", action, str(job_dir)],
            cwd=job_dir, env=_child_env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
            start_new_session=True, preexec_fn=_die_with_parent,
        )
    except subprocess.TimeoutExpired:
        return {"error": _("No answer within %(seconds)d s.") % {"seconds": timeout}}
    try:
        result = json.loads((job_dir / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        tail = done.stderr.decode("utf-8", errors="replace").strip().splitlines()[-3:]
        result = {"error": _("The child process exited with code %(code)d.") % {"code": done.returncode} + " " + " ".join(tail)}
    if done.returncode != 0 and "error" not in result:
        result = {"error": _("The child process exited with code %(code)d.") % {"code": done.returncode}}
    return result


# --- the platform's own base networks -------------------------------------------------------------


def _platform_row_ensure(spec: PlatformBase) -> BaseModel:
    row, _created = BaseModel.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "title_zh": spec.title_zh,
            "title_en": spec.title_en,
            "description": spec.description,
            "source": BaseModel.Source.PLATFORM,
            "relative_path": base_model_relative_path(spec.slug),
            "preprocessing": BaseModel.Preprocessing.UNIT,
            "trained_on": spec.dataset,
            "status": BaseModel.Status.BUILDING,
            "message": _("Waiting for a worker to pre-train it."),
        },
    )
    return row


def _pretrain_claim(slug: str, force: bool) -> bool:
    """Take the pre-training of one base (conditional UPDATE: one task or command wins). A claim
    older than the time limit belongs to a process that died and may be taken over."""
    stale = timezone.now() - timedelta(seconds=PRETRAIN_TIME_LIMIT_S + 120)
    rows = BaseModel.objects.filter(slug=slug, source=BaseModel.Source.PLATFORM).filter(Q(started_at__isnull=True) | Q(started_at__lt=stale))
    if not force:
        rows = rows.exclude(status=BaseModel.Status.READY)
    now = timezone.now()
    return bool(rows.update(status=BaseModel.Status.BUILDING, started_at=now, updated_at=now, message=_("Pre-training …")))


@in_platform_language
def base_model_pretrain(slug: str, *, force: bool = False, dataset_slug: str | None = None, epochs: int | None = None,
                        max_per_class: int | None = None) -> BaseModel | None:
    """Pre-train one of the platform's bases in a child process and record the result.

    Idempotent: a ready base is kept unless ``force``. Returns None when another worker is
    pre-training it right now. ``dataset_slug``, ``epochs`` and ``max_per_class`` make a tiny
    base for tests; the defaults are the platform's own recipe."""
    spec = platform_base_get(slug)
    if spec is None:
        raise ValueError(f"unknown platform base model {slug!r} (known: {', '.join(s.slug for s in PLATFORM_BASES)})")
    row = _platform_row_ensure(spec)
    if row.is_ready and not force:
        return row
    if not _pretrain_claim(slug, force=force or not row.path.is_file()):
        return None
    dataset_slug = dataset_slug or spec.dataset
    dataset = Dataset.objects.filter(slug=dataset_slug).first()
    if dataset is None or not dataset.path.is_dir():
        return _pretrain_failed(slug, _("The data set %(dataset)s it is pre-trained on is not installed; run the bootstrap with it first.") % {"dataset": dataset_slug})
    job_dir = _job_dir_make(slug)
    try:
        result = _child_run("build", job_dir, {
            "dataset_path": str(dataset.path),
            "class_names": dataset.class_names,
            "image_size": spec.image_size,
            "filters": list(spec.filters),
            "epochs": int(epochs or spec.epochs),
            "batch_size": spec.batch_size,
            "learning_rate": spec.learning_rate,
            "augment": spec.augment,
            "max_per_class": max_per_class,
            "seed": 7,
            "output": str(Path(settings.DATA_ROOT) / base_model_relative_path(slug)),
        }, PRETRAIN_TIME_LIMIT_S)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
    if "error" in result:
        return _pretrain_failed(slug, _("Pre-training failed: %(reason)s") % {"reason": result["error"]})
    BaseModel.objects.filter(slug=slug).update(
        status=BaseModel.Status.READY,
        started_at=None,
        updated_at=timezone.now(),  # update() skips auto_now
        input_shape=result["input_shape"],
        output_shape=result["output_shape"],
        num_layers=result["num_layers"],
        total_params=result["total_params"],
        trained_on=dataset_slug,
        preprocessing=result.get("preprocessing", BaseModel.Preprocessing.UNIT),
        message=_("Pre-trained in %(seconds)s s: %(epochs)d epochs on %(items)d images of %(dataset)s, validation accuracy %(accuracy).2f.") % {
            "seconds": result["seconds"], "epochs": result["epochs"], "items": result["trained_on_items"],
            "dataset": dataset_slug, "accuracy": result["val_accuracy"]},
    )
    logger.info("base model %s pre-trained: %s", slug, result)
    return BaseModel.objects.get(slug=slug)


def _pretrain_failed(slug: str, message: str) -> BaseModel:
    BaseModel.objects.filter(slug=slug).update(status=BaseModel.Status.FAILED, started_at=None, updated_at=timezone.now(), message=message[:4000])
    logger.warning("base model %s: %s", slug, message)
    return BaseModel.objects.get(slug=slug)


@in_platform_language
def base_model_queue(slug: str, *, force: bool = False) -> BaseModel:
    """Mark a platform base as being prepared and hand its pre-training to a worker (light
    queue). If the queue is not reachable the row stays waiting, and the next worker to start
    picks it up (``base_models_queue_pending``)."""
    spec = platform_base_get(slug)
    if spec is None:
        raise ValueError(f"{slug!r} is not a base model the platform pre-trains")
    row = _platform_row_ensure(spec)
    if row.is_ready and not force:
        return row
    if row.started_at is None:
        BaseModel.objects.filter(pk=row.pk).update(status=BaseModel.Status.BUILDING, message=_("Waiting for a worker to pre-train it."))
    transaction.on_commit(lambda: base_model_enqueue(slug, force=force))
    return BaseModel.objects.get(pk=row.pk)


def base_model_enqueue(slug: str, *, force: bool = False) -> bool:
    from .tasks import base_model_pretrain_task

    try:
        # No retries: at set-up time the broker may not be up yet, and the worker's start-up
        # hook queues whatever is still waiting.
        base_model_pretrain_task.apply_async(args=[slug], kwargs={"force": force}, retry=False,
                                             soft_time_limit=PRETRAIN_TIME_LIMIT_S + 60, time_limit=PRETRAIN_TIME_LIMIT_S + 120)
    except Exception:  # noqa: BLE001 — the broker is down
        logger.warning("could not queue the pre-training of %s; a starting worker will", slug, exc_info=True)
        return False
    return True


def base_models_queue_pending() -> list[str]:
    """At a worker's start: queue every platform base that waits for pre-training (set up while
    no worker was running) or whose pre-training died with its worker."""
    stale = timezone.now() - timedelta(seconds=PRETRAIN_TIME_LIMIT_S + 120)
    pending = BaseModel.objects.filter(source=BaseModel.Source.PLATFORM, status=BaseModel.Status.BUILDING).filter(
        Q(started_at__isnull=True) | Q(started_at__lt=stale))
    queued = []
    for slug in pending.values_list("slug", flat=True):
        if platform_base_get(slug) is not None and base_model_enqueue(slug):
            queued.append(slug)
    return queued


@in_platform_language
def base_models_bootstrap() -> list[tuple[str, str]]:
    """Make sure the platform's bases exist, without making set-up wait for them: a missing
    base is marked "being prepared" and pre-trained by the worker after start-up (80 s on two
    CPU cores, more than set-up may take), so ``./dlc up`` stays fast. Returns (slug, state) pairs."""
    states = []
    for spec in PLATFORM_BASES:
        row = BaseModel.objects.filter(slug=spec.slug).first()
        if row is not None and row.is_ready:
            states.append((spec.slug, "present"))
            continue
        dataset = Dataset.objects.filter(slug=spec.dataset).first()
        if dataset is None or not dataset.path.is_dir():
            # A partial set-up (tests, --datasets) without the pre-training data: nothing to do.
            states.append((spec.slug, f"skipped (no data set {spec.dataset})"))
            continue
        row = _platform_row_ensure(spec)
        stale = timezone.now() - timedelta(seconds=PRETRAIN_TIME_LIMIT_S + 120)
        if row.status == BaseModel.Status.BUILDING and row.started_at is not None and row.started_at >= stale:
            states.append((spec.slug, "being pre-trained by a worker"))
            continue
        # Never built, failed before, its file went missing, or its worker died: a fresh attempt.
        BaseModel.objects.filter(pk=row.pk).update(status=BaseModel.Status.BUILDING, started_at=None,
                                                     message=_("Waiting for a worker to pre-train it."))
        states.append((spec.slug, "queued for the worker"))
    return states


# --- imports -----------------------------------------------------------------------------------


@in_platform_language
def base_model_import(upload: UploadedFile, *, slug: str = "", title_zh: str = "", title_en: str = "", description: str = "",
                      preprocessing: str = BaseModel.Preprocessing.UNIT) -> BaseModel:
    """Keep an administrator's uploaded ``.keras`` file as a ready base model, after loading it
    in a child process (``safe_mode``, time limit). Raises BaseModelRefused with the reason."""
    source_name = Path((upload.name or "").replace("\\", "/")).name
    slug = slugify(slug or Path(source_name).stem)[:50]
    if not slug:
        raise BaseModelRefused(_("Give the base model a short name (letters, digits and hyphens)."))
    if BaseModel.objects.filter(slug=slug).exists():
        raise BaseModelRefused(_("A base model named %(slug)s exists already; choose another name.") % {"slug": slug})
    if preprocessing not in BaseModel.Preprocessing.values:
        raise BaseModelRefused(_("Choose how pixels are scaled for this model."))
    if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        raise BaseModelRefused(_("The file is %(size)d MB; the largest model file that can be imported is %(limit)d MB.")
                               % {"size": upload.size // (1024 * 1024), "limit": MAX_IMPORT_BYTES // (1024 * 1024)})
    job_dir = _job_dir_make(f"import-{slug}")
    try:
        # The stored name is ours; the uploaded one is only shown. Count while writing as well:
        # the declared size of an upload is not to be trusted.
        written = 0
        with open(job_dir / "upload.keras", "wb") as handle:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > MAX_IMPORT_BYTES:
                    raise BaseModelRefused(_("The file is larger than %(limit)d MB, the largest model file that can be imported.")
                                           % {"limit": MAX_IMPORT_BYTES // (1024 * 1024)})
                handle.write(chunk)
        result = _child_run("inspect", job_dir, {"path": str(job_dir / "upload.keras")}, INSPECT_TIME_LIMIT_S)
        if "error" in result:
            raise BaseModelRefused(_("The file was not imported: %(reason)s") % {"reason": result["error"]})
        relative = base_model_relative_path(slug)
        target = Path(settings.DATA_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(job_dir / "upload.keras", target)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
    return BaseModel.objects.create(
        slug=slug,
        title_zh=(title_zh or title_en or slug)[:200],
        title_en=(title_en or title_zh or slug)[:200],
        description=description,
        source=BaseModel.Source.IMPORTED,
        relative_path=relative,
        preprocessing=preprocessing,
        input_shape=result["input_shape"],
        output_shape=result["output_shape"],
        num_layers=result["num_layers"],
        total_params=result["total_params"],
        status=BaseModel.Status.READY,
        message=_("Imported from %(name)s: %(layers)d layers, %(params)d parameters, input %(shape)s.") % {
            "name": source_name[:200], "layers": result["num_layers"], "params": result["total_params"], "shape": tuple(result["input_shape"])},
    )


def base_model_delete(base: BaseModel) -> None:
    """Remove a base and its file. Finished runs keep their own trained model; the file of a
    base is only read while a run starts."""
    base.path.unlink(missing_ok=True)
    base.delete()
