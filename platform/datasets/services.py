"""Dataset writes: bundled sets, imports, publishing, snapshots."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dlclassroom.jobs import in_platform_language, progress_reporter, task_enqueue, upload_keep

from .bundled import BUNDLED, BundledSourceMissing, bundled_build
from .importers import ImportLimits, ImportRefused, import_build
from .importers.base import mib
from .models import Dataset, DatasetSnapshot, ImportJob

logger = logging.getLogger(__name__)



def datasets_bootstrap(only: list[str] | None = None, force: bool = False) -> list[tuple[Dataset, bool]]:
    """Create the bundled data sets once. Returns (dataset, built_now) pairs; an existing set whose
    folder is present is kept unless ``force``, so set-up can run again cheaply. A set whose
    sources are not installed (hanzi-fonts without the AR PL fonts) is skipped with a warning,
    unless it was asked for by name."""
    root = Path(settings.DATASET_ROOT)
    results = []
    for spec in BUNDLED:
        if only and spec.slug not in only:
            continue
        existing = Dataset.objects.filter(slug=spec.slug).first()
        if existing and existing.path.is_dir() and not force:
            results.append((existing, False))
            continue
        try:
            path, info = bundled_build(spec, root)
        except BundledSourceMissing as exc:
            if only:
                raise
            logger.warning("bundled data set %s skipped: %s", spec.slug, exc)
            continue
        dataset, _created = Dataset.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "title_zh": spec.title_zh,
                "title_en": spec.title_en,
                "description_zh": spec.description_zh,
                "kind": Dataset.Kind.BUNDLED,
                "format": spec.format,
                "relative_path": str(path.relative_to(root)),
                **info,
            },
        )
        results.append((dataset, True))
    return results


# --- imports -------------------------------------------------------------------------------------


@in_platform_language
def dataset_import_start(*, user, upload: UploadedFile, kind: str, title: str = "") -> ImportJob:
    """Keep the upload and queue its import (after commit). Raises ImportRefused for an upload
    over the size limit; the API checks the request size before the body is parsed as well."""
    from quotas.services import upload_limit

    limit = upload_limit(user, ImportLimits.from_settings().max_upload_bytes)
    if kind not in ImportJob.Kind.values:
        raise ValueError(f"unknown import kind {kind!r}")
    if upload.size is not None and upload.size > limit:
        raise ImportRefused(_("The file is %(size)s; the largest file that can be imported is %(limit)s.")
                            % {"size": mib(upload.size), "limit": mib(limit)})
    source_name = Path((upload.name or "").replace("\\", "/")).name[:255] or "upload"
    title = (title or "").strip()[:200] or Path(source_name).name.split(".")[0] or source_name
    with transaction.atomic():
        job = ImportJob.objects.create(owner=user, kind=kind, title=title, source_filename=source_name)
        kept = upload_keep(upload, Path(settings.DATASET_ROOT) / "uploads" / str(job.pk))
        job.upload_relative_path = str(kept.relative_to(settings.DATASET_ROOT))
        job.save(update_fields=["upload_relative_path"])
        transaction.on_commit(lambda: import_job_enqueue(job))
    return job


@in_platform_language
def import_job_enqueue(job: ImportJob) -> None:
    from .tasks import dataset_import_run

    task_enqueue(dataset_import_run, job.pk, on_broker_down=lambda: _import_job_fail(
        job.pk, _("The import could not be queued because the task queue is not reachable. Upload the file again later.")))


def import_job_claim(job_id: int) -> bool:
    """Move a job from queued to running; only one task wins (conditional UPDATE)."""
    return bool(ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()))


def _upload_discard(job: ImportJob) -> None:
    if job.upload_path is not None:
        shutil.rmtree(job.upload_path.parent, ignore_errors=True)
    ImportJob.objects.filter(pk=job.pk).update(upload_relative_path="")


def _import_job_fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportJob.Status.SUCCEEDED).update(
        status=ImportJob.Status.FAILED, message=message[:4000], finished_at=timezone.now())
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        _upload_discard(job)



def _import_slug(job: ImportJob) -> str:
    base = slugify(job.title)[:30].strip("-") or job.kind.replace("_", "-")
    slug = f"{base}-i{job.pk}"
    n = 1
    while Dataset.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-i{job.pk}-{n}"
    return slug


@in_platform_language
def dataset_import_execute(job_id: int) -> ImportJob:
    """Import a claimed job's upload into a new personal data set.

    Everything is written into a fresh temporary folder next to the destination; only when the
    whole upload has passed every check is that folder renamed into place (atomic on one file
    system) and the Dataset row created. A refused or crashed import leaves no data set, no
    files and no upload behind, and the job ends ``failed`` with a message for its owner."""
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    parent = Path(settings.DATASET_ROOT) / "imported"
    parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".import-{job.pk}-", dir=parent))
    final: Path | None = None
    try:
        source = job.upload_path
        if source is None or not source.is_file():
            raise ImportRefused(_("The uploaded file is no longer on the server; upload it again."))
        result = import_build(job.kind, source, scratch, ImportLimits.from_settings(), progress_reporter(ImportJob, job.pk),
                              label=job.source_filename or "upload")
        size = sum(p.stat().st_size for p in scratch.rglob("*") if p.is_file())
        slug = _import_slug(job)
        final = parent / slug
        scratch.chmod(0o755)  # mkdtemp made it private to this user
        os.rename(scratch, final)
        with transaction.atomic():
            dataset = Dataset.objects.create(
                slug=slug, title_zh=job.title, title_en=job.title, description_zh=f"导入自 {job.source_filename}",
                kind=Dataset.Kind.PERSONAL, format=result.format, relative_path=str(final.relative_to(settings.DATASET_ROOT)),
                class_names=result.class_names, num_items=result.num_items, item_shape=result.item_shape,
                size_bytes=size, owner=job.owner,
            )
            summary = _("Imported %(items)d items in %(classes)d classes as %(slug)s.") % {
                "items": result.num_items, "classes": len(result.class_names), "slug": slug}
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.SUCCEEDED, progress=1.0, dataset=dataset, finished_at=timezone.now(),
                message=" ".join([summary, *result.notes]))
    except ImportRefused as exc:
        _remove(final)
        _import_job_fail(job.pk, str(exc))
    except Exception as exc:  # noqa: BLE001 — a crash must still end the job and clean up
        logger.exception("import %s crashed", job.pk)
        _remove(final)
        _import_job_fail(job.pk, _("The import stopped because of an internal error (%(error)s); nothing was imported.")
                         % {"error": type(exc).__name__})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        _upload_discard(job)
    job.refresh_from_db()
    return job


def _remove(path: Path | None) -> None:
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


# --- publishing ----------------------------------------------------------------------------------


class PublishError(Exception):
    """The data set cannot be published to that course; the message says why."""


@in_platform_language
def dataset_publish(*, dataset: Dataset, course) -> Dataset:
    """Make a personal data set a course data set: every member of ``course`` sees it. The caller
    has checked that the user may (selectors.dataset_can_publish). Publishing again to the same
    course changes nothing."""
    if dataset.kind == Dataset.Kind.BUNDLED:
        raise PublishError(_("%(slug)s is bundled with the platform and already available to everyone.") % {"slug": dataset.slug})
    if dataset.kind == Dataset.Kind.COURSE and dataset.course_id != course.pk:
        raise PublishError(_("%(slug)s is already published to another course.") % {"slug": dataset.slug})
    Dataset.objects.filter(pk=dataset.pk).update(kind=Dataset.Kind.COURSE, course=course)
    dataset.refresh_from_db()
    return dataset


# --- snapshots -----------------------------------------------------------------------------------


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tree_link(source: Path, dest: Path) -> list[Path]:
    """Mirror ``source`` into the empty folder ``dest`` with hard links, or copies where the file
    system refuses links (another device, a file system without them). Returns the files."""
    files = []
    for folder, dirnames, filenames in os.walk(source):
        dirnames.sort()
        relative = Path(folder).relative_to(source)
        (dest / relative).mkdir(parents=True, exist_ok=True)
        for name in sorted(filenames):
            src = Path(folder) / name
            if src.is_symlink() or not src.is_file():
                raise ValueError(f"{src} is not a regular file; data sets hold only regular files")
            target = dest / relative / name
            try:
                os.link(src, target, follow_symlinks=False)
            except OSError:
                shutil.copy2(src, target)
            files.append(target)
    return files


def _tree_make_read_only(root: Path, files: list[Path]) -> None:
    for path in files:
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # 0444
    for folder in sorted({p.parent for p in files} | {root}, key=lambda p: len(p.parts), reverse=True):
        folder.chmod(0o555)


def _tree_remove(root: Path) -> None:
    if not root.exists():
        return
    for folder, _dirs, _files in os.walk(root):
        os.chmod(folder, 0o755)
    shutil.rmtree(root, ignore_errors=True)


def dataset_snapshot_create(dataset: Dataset) -> DatasetSnapshot:
    """A read-only copy of the data set's files as they are now, at
    ``DATASET_ROOT/snapshots/<sha256 of the content>/``, and a DatasetSnapshot row for it.

    The files are hard links where the file system allows (no extra space), else copies; files
    are made 0444 and folders 0555. An unchanged data set gets the existing snapshot back.
    The content hash covers every file's relative path and bytes, and is computed from the links
    made for this snapshot, so a data set changed while the snapshot is taken cannot end up under
    the wrong hash.

    Hard links share the file with the data set: the platform never edits data-set files in place
    (bundled rebuilds and imports write new files and rename folders), which keeps a snapshot
    unchanged when its data set is rebuilt or replaced. The shared files become read-only too."""
    source = dataset.path
    if not source.is_dir():
        raise FileNotFoundError(f"data set {dataset.slug} has no folder at {source}")
    root = Path(settings.DATASET_ROOT) / "snapshots"
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        files = _tree_link(source, tmp)
        digest = hashlib.sha256()
        for path in files:
            relative = path.relative_to(tmp).as_posix()
            digest.update(f"{relative}\0{path.stat().st_size}\0{_file_sha256(path)}\n".encode())
        content_hash = digest.hexdigest()
        final = root / content_hash
        if not final.exists():
            _tree_make_read_only(tmp, files)
            try:
                os.rename(tmp, final)
            except OSError:
                if not final.is_dir():  # not "someone made the same snapshot meanwhile"
                    raise
    finally:
        _tree_remove(tmp)
    snapshot, _ = DatasetSnapshot.objects.get_or_create(dataset=dataset, content_hash=content_hash,
                                                        defaults={"relative_path": str(final.relative_to(settings.DATASET_ROOT))})
    return snapshot


IMPORT_TIME_LIMIT_S = 1800


def import_jobs_reap_stale(now=None) -> list[int]:
    """Fail imports that have been "running" longer than an import may take: their worker was
    killed or lost. Their scratch folders and uploads are removed, so nothing half-imported stays."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=IMPORT_TIME_LIMIT_S + 300)
    reaped = []
    parent = Path(settings.DATASET_ROOT) / "imported"
    for job_id in ImportJob.objects.filter(status=ImportJob.Status.RUNNING, started_at__lt=cutoff).values_list("pk", flat=True):
        with translation.override(settings.LANGUAGE_CODE):
            _import_job_fail(job_id, _("The import was interrupted (the worker stopped). Upload the file again."))
        for scratch in parent.glob(f".import-{job_id}-*"):
            _tree_remove(scratch)
        reaped.append(job_id)
    return reaped
