"""Workspace quotas: limits per course (and platform-wide), overrides per user, and what each
run used.

A limit left empty is inherited: a user's override for the course, then their platform-wide
override, then the course's policy, then the platform default (``settings.QUOTAS``). Compute
time is counted over a **rolling week** (the last 7 × 24 hours), per user across all courses,
GPU and CPU separately.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LIMIT_FIELDS = ("gpu_minutes_per_week", "cpu_minutes_per_week", "max_running", "max_queued", "storage_bytes",
                "max_run_seconds", "max_epochs", "max_dataset_bytes", "max_upload_bytes")


class QuotaPolicy(models.Model):
    course = models.ForeignKey("courseware.Course", on_delete=models.CASCADE, null=True, blank=True, related_name="quota_policies",
                               help_text=_("empty: applies in every course"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="quota_policies",
                             help_text=_("empty: the course's default for everyone"))
    gpu_minutes_per_week = models.PositiveIntegerField(null=True, blank=True)
    cpu_minutes_per_week = models.PositiveIntegerField(null=True, blank=True)
    max_running = models.PositiveIntegerField(null=True, blank=True, help_text=_("runs training at the same time"))
    max_queued = models.PositiveIntegerField(null=True, blank=True, help_text=_("runs waiting for a worker"))
    storage_bytes = models.PositiveBigIntegerField(null=True, blank=True, help_text=_("the workspace: runs, labeling, imports"))
    max_run_seconds = models.PositiveIntegerField(null=True, blank=True)
    max_epochs = models.PositiveIntegerField(null=True, blank=True)
    max_dataset_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    max_upload_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="quotapolicy_unique_scope"),
            models.UniqueConstraint(fields=["user"], condition=Q(course__isnull=True), name="quotapolicy_unique_user_global"),
            models.UniqueConstraint(fields=["course"], condition=Q(user__isnull=True), name="quotapolicy_unique_course_default"),
        ]
        verbose_name_plural = "quota policies"

    def __str__(self) -> str:
        return f"quota {self.course or 'platform'} / {self.user or 'everyone'}"


class RunUsage(models.Model):
    """What one run used, written when it ends (and updated while it runs, for the meters)."""

    run = models.OneToOneField("training.Run", on_delete=models.CASCADE, related_name="usage")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="run_usage")
    course = models.ForeignKey("courseware.Course", on_delete=models.CASCADE, related_name="run_usage")
    device = models.CharField(max_length=8, default="cpu", help_text=_("gpu or cpu"))
    started_at = models.DateTimeField()
    # A run resumed after its worker was lost trains in several attempts; seconds add up.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    seconds_before = models.FloatField(default=0.0, help_text=_("seconds of the earlier attempts"))
    ended_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0.0)
    peak_memory_bytes = models.PositiveBigIntegerField(null=True, blank=True, help_text=_("the training process's peak resident memory"))
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"]), models.Index(fields=["course", "ended_at"])]

    def __str__(self) -> str:
        return f"usage of run {self.run_id}: {self.seconds:.0f} s {self.device}"
