"""Grading: a course's policy and categories, its graded items (labs, quizzes, free-text
questions) with deadlines and rubrics, each learner's grade per item, and every change to a grade.

The arithmetic (weights, dropping, late penalty, letters) is ``grading.policy``; these rows store
what it needs and what it gave, so the gradebook is read, not recomputed, on every page view.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dlclassroom.jobs import BackgroundJob

DEFAULT_CUTOFFS = {"A": 0.9, "B": 0.8, "C": 0.7, "D": 0.6}


def _default_cutoffs() -> dict:
    return dict(DEFAULT_CUTOFFS)


class GradingPolicy(models.Model):
    course = models.OneToOneField("courseware.Course", on_delete=models.CASCADE, related_name="grading_policy")
    late_penalty_per_day = models.FloatField(default=0.1, help_text=_("share of the item's points lost per started day late"))
    late_max_days = models.PositiveIntegerField(null=True, blank=True, help_text=_("later than this, the item scores 0; empty: no limit"))
    grace_minutes = models.PositiveIntegerField(default=0)
    cutoffs = models.JSONField(default=_default_cutoffs, help_text=_('letter → lowest share, e.g. {"A": 0.9}'))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"policy of {self.course}"


class GradingCategory(models.Model):
    course = models.ForeignKey("courseware.Course", on_delete=models.CASCADE, related_name="grading_categories")
    key = models.SlugField(max_length=40)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    weight = models.FloatField(default=1.0)
    drop_lowest = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="gradingcategory_unique_key")]

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").lower().startswith("en") else self.name_zh

    def __str__(self) -> str:
        return self.key


class GradedItem(models.Model):
    class Kind(models.TextChoices):
        LAB = "lab", _("Training lab")
        QUIZ = "quiz", _("Chapter quiz (auto-checked questions)")
        QUESTION = "question", _("Free-text question")
        CODE = "code", _("Code exercise")

    class Counts(models.TextChoices):
        BEST = "best", _("The best run")
        LAST = "last", _("The last finished run")
        CHOSEN = "chosen", _("The run the learner chose before the deadline")

    course = models.ForeignKey("courseware.Course", on_delete=models.CASCADE, related_name="graded_items")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.SlugField(max_length=120)
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    category = models.ForeignKey(GradingCategory, on_delete=models.PROTECT, related_name="items")
    points = models.FloatField(default=10.0)
    deadline = models.DateTimeField(null=True, blank=True)
    lab = models.ForeignKey("courseware.Lab", on_delete=models.CASCADE, null=True, blank=True, related_name="graded_items")
    chapter = models.ForeignKey("courseware.Chapter", on_delete=models.CASCADE, null=True, blank=True, related_name="graded_items")
    question = models.ForeignKey("exercises.Question", on_delete=models.CASCADE, null=True, blank=True, related_name="graded_items")
    code_exercise = models.ForeignKey("exercises.CodeExercise", on_delete=models.CASCADE, null=True, blank=True, related_name="graded_items")
    position = models.PositiveIntegerField(default=0)
    # Labs: how a run's metric becomes a score. Full marks at full_at or better, floor × points
    # at zero_at or worse, linear between; ``counts`` says which run is graded.
    rubric = models.JSONField(default=dict, blank=True)
    counts = models.CharField(max_length=8, choices=Counts.choices, default=Counts.BEST)
    rubric_version = models.PositiveIntegerField(default=1)
    released = models.BooleanField(default=False)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="gradeditem_unique_key")]

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "").lower().startswith("en") and self.title_en else self.title_zh

    def __str__(self) -> str:
        return self.key


class Grade(models.Model):
    class Source(models.TextChoices):
        NONE = "none", _("Nothing to grade yet")
        AUTO = "auto", _("Scored automatically")
        MANUAL = "manual", _("Graded by an instructor")

    item = models.ForeignKey(GradedItem, on_delete=models.CASCADE, related_name="grades")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grades")
    auto_score = models.FloatField(null=True, blank=True, help_text=_("points from the rubric or the quiz, before lateness"))
    override_score = models.FloatField(null=True, blank=True, help_text=_("points an instructor set instead of the automatic score"))
    override_reason = models.TextField(blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.NONE)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text=_("when the graded work was done"))
    late_days = models.PositiveIntegerField(default=0)
    final_score = models.FloatField(null=True, blank=True, help_text=_("points after the late penalty; what the gradebook adds up"))
    run = models.ForeignKey("training.Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="grades")
    chosen_run = models.ForeignKey("training.Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    attempt = models.ForeignKey("exercises.Attempt", on_delete=models.SET_NULL, null=True, blank=True, related_name="grades")
    metric_value = models.FloatField(null=True, blank=True)
    feedback_markdown = models.TextField(blank=True)
    feedback_html = models.TextField(blank=True)
    # Bumped by every change; an instructor's write names the version it was based on, so two
    # instructors grading the same work cannot overwrite each other without a warning.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "learner"], name="grade_unique_item_learner")]
        indexes = [models.Index(fields=["learner", "item"])]

    @property
    def score(self) -> float | None:
        """Points before lateness: the override when there is one."""
        return self.override_score if self.override_score is not None else self.auto_score

    def __str__(self) -> str:
        return f"{self.item.key} / {self.learner_id}: {self.final_score}"


class GradeChange(models.Model):
    """The audit trail: every change to a grade, who made it (empty: the platform), when, old → new, why."""

    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=32)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]


class GradebookExport(BackgroundJob):
    course = models.ForeignKey("courseware.Course", on_delete=models.CASCADE, related_name="gradebook_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_relative_path = models.CharField(max_length=300, blank=True)

    @property
    def file_path(self) -> Path | None:
        return Path(settings.MEDIA_ROOT) / self.file_relative_path if self.file_relative_path else None


class RegradeJob(models.Model):
    """A background regrade of one item after its rubric, points or deadline changed."""

    item = models.ForeignKey(GradedItem, on_delete=models.CASCADE, related_name="regrades")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=GradebookExport.Status.choices, default=GradebookExport.Status.QUEUED)
    changed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
