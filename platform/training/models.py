from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        TIMED_OUT = "timed_out", _("Timed out")

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED, Status.TIMED_OUT)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs")
    course = models.ForeignKey("courseware.Course", on_delete=models.CASCADE, related_name="runs")
    lab = models.ForeignKey("courseware.Lab", on_delete=models.PROTECT, related_name="runs")
    dataset = models.ForeignKey("datasets.Dataset", on_delete=models.PROTECT, related_name="runs")
    # The read-only copy of the data set the run trains on (taken at submission).
    snapshot = models.ForeignKey("datasets.DatasetSnapshot", on_delete=models.PROTECT, null=True, blank=True, related_name="runs")
    program = models.CharField(max_length=32, default="keras_spec")
    options = models.JSONField(default=dict, blank=True)
    # A hyper-parameter search is a parent run (never trained itself) with one child run per trial.
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="trials")
    spec = models.JSONField(default=dict, blank=True, help_text=_("normalized model spec as submitted"))
    model_code = models.TextField(blank=True, help_text=_("the learner's build_model(input_shape, num_classes) code (Keras-code runs; trained in the sandbox)"))
    compile_config = models.JSONField(default=dict)
    hyperparameters = models.JSONField(default=dict)
    resources = models.JSONField(default=dict)
    total_params = models.PositiveBigIntegerField(default=0)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    status_reason = models.TextField(blank=True, help_text=_("why the run ended the way it did"))
    cancel_requested = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    child_pid = models.IntegerField(null=True, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)

    # Times the run was put back in the queue after its worker was lost (it resumes from its
    # last epoch checkpoint); past settings.TRAINING["MAX_RESUMES"] it fails instead.
    resumes = models.PositiveSmallIntegerField(default=0)
    progress = models.JSONField(default=dict, blank=True, help_text=_("last batch position within the epoch"))
    final_metrics = models.JSONField(default=dict, blank=True)
    model_summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["status", "heartbeat_at"])]

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def group_name(self) -> str:
        return f"run-{self.pk}"

    @property
    def workspace_dir(self) -> Path:
        return Path(settings.WORKSPACE_ROOT) / f"user-{self.owner_id}" / "runs" / str(self.pk)

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class EpochMetric(models.Model):
    """One finished epoch. Stored as it happens so a reconnecting page can replay history."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="epochs")
    epoch = models.PositiveIntegerField(help_text=_("1-based"))
    loss = models.FloatField(null=True)
    accuracy = models.FloatField(null=True)
    val_loss = models.FloatField(null=True)
    val_accuracy = models.FloatField(null=True)
    metrics = models.JSONField(default=dict, help_text=_("every metric Keras reported"))
    duration_s = models.FloatField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "epoch"]
        constraints = [models.UniqueConstraint(fields=["run", "epoch"], name="epoch_unique_per_run")]

    def to_message(self) -> dict:
        return {"type": "epoch", "epoch": self.epoch, "metrics": self.metrics, "duration_s": self.duration_s}


class Inference(models.Model):
    """A question asked of a finished run's model: predict an uploaded image, or show a conv
    layer's feature maps for an image. Answered by a worker in a child process."""

    class Kind(models.TextChoices):
        PREDICT = "predict", _("Prediction")
        FEATURE_MAPS = "feature_maps", _("Feature maps")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="inferences")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inferences")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    layer = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def job_dir(self) -> Path:
        return self.run.workspace_dir / "inference" / str(self.pk)


class WorkerNode(models.Model):
    """A training worker process: what it has (device, slots) and whether it is alive."""

    name = models.CharField(max_length=200, unique=True, help_text=_("the Celery node name"))
    device = models.CharField(max_length=8, default="cpu", help_text=_("gpu or cpu: which runs it takes"))
    devices = models.JSONField(default=list, blank=True, help_text=_("what it reported at start-up: GPUs, memory"))
    slots = models.PositiveSmallIntegerField(default=1, help_text=_("runs it trains at once"))
    slot = models.CharField(max_length=64, blank=True, help_text=_("the GPU slot it is pinned to (CUDA_VISIBLE_DEVICES / memory limit)"))
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    ALIVE_S = 90

    @property
    def is_alive(self) -> bool:
        from django.utils import timezone

        return self.stopped_at is None and (timezone.now() - self.heartbeat_at).total_seconds() < self.ALIVE_S

    @classmethod
    def online_slots(cls, now=None) -> int:
        from datetime import timedelta

        from django.db.models import Sum
        from django.utils import timezone

        now = now or timezone.now()
        alive = cls.objects.filter(stopped_at__isnull=True, heartbeat_at__gt=now - timedelta(seconds=cls.ALIVE_S))
        return int(alive.aggregate(n=Sum("slots"))["n"] or 0)

    def __str__(self) -> str:
        return self.name
