from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courseware.models import BilingualTitleMixin


class Question(models.Model):
    """A Q/A question of a chapter. ``answer`` and ``explanation`` never leave the server before
    the learner has answered (see ``selectors.question_public``)."""

    class Type(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        NUMERIC = "numeric", _("Number")
        SHAPE = "shape", _("Shape / tuple")
        TEXT = "text", _("Free text")

    AUTO_CHECKED = (Type.SINGLE, Type.MULTIPLE, Type.NUMERIC, Type.SHAPE)

    course = models.ForeignKey("courseware.Course", on_delete=models.CASCADE, related_name="questions")
    chapter = models.ForeignKey("courseware.Chapter", on_delete=models.CASCADE, related_name="questions")
    page = models.ForeignKey("courseware.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="questions")
    key = models.SlugField(max_length=100, help_text=_("stable id from the content file"))
    order = models.PositiveIntegerField(default=0)
    type = models.CharField(max_length=16, choices=Type.choices)
    prompt_html = models.TextField()
    choices = models.JSONField(default=list, blank=True, help_text=_("[{id, html}] for choice questions"))
    answer = models.JSONField(null=True, blank=True)
    tolerance = models.FloatField(default=0)
    explanation_html = models.TextField(blank=True)
    max_attempts = models.PositiveIntegerField(null=True, blank=True)
    points = models.FloatField(default=1)
    source = models.CharField(max_length=40, blank=True)
    retired = models.BooleanField(default=False, help_text=_("removed from the content files; kept for its attempts"))

    class Meta:
        ordering = ["chapter__order", "order"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="question_unique_key")]

    @property
    def is_auto_checked(self) -> bool:
        return self.type in self.AUTO_CHECKED

    def __str__(self) -> str:
        return self.key


class Attempt(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    response = models.JSONField()
    is_correct = models.BooleanField(null=True, help_text=_("empty until an instructor grades a free-text answer"))
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "question"])]


class CodeExercise(BilingualTitleMixin):
    """A code exercise from ``<course>/code/<key>/``. ``cases`` holds every test, hidden ones
    included, with expected values; only ``selectors.code_exercise_public`` decides what leaves
    the server."""

    course = models.ForeignKey("courseware.Course", on_delete=models.CASCADE, related_name="code_exercises")
    chapter = models.ForeignKey("courseware.Chapter", on_delete=models.CASCADE, related_name="code_exercises")
    page = models.ForeignKey("courseware.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="code_exercises")
    key = models.SlugField(max_length=100)
    order = models.PositiveIntegerField(default=0)
    prompt_html = models.TextField()
    starter = models.TextField()
    functions = models.JSONField(default=list)
    cases = models.JSONField(default=list)
    points = models.FloatField(default=10)
    time_limit_s = models.PositiveIntegerField(default=10)
    memory_mb = models.PositiveIntegerField(default=512)
    retired = models.BooleanField(default=False, help_text=_("removed from the content files; kept for its submissions"))

    class Meta:
        ordering = ["chapter__order", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="code_exercise_unique_key")]

    def __str__(self) -> str:
        return self.key

    @property
    def visible_cases(self) -> list[dict]:
        return [c for c in self.cases if not c["hidden"]]


class CodeSubmission(models.Model):
    """One press of Run (visible examples only, not scored) or Submit (every test, scored)."""

    class Kind(models.TextChoices):
        RUN = "run", _("Run examples")
        SUBMIT = "submit", _("Submit")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        ERROR = "error", _("Could not run")

    PENDING = (Status.QUEUED, Status.RUNNING)

    exercise = models.ForeignKey(CodeExercise, on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="code_submissions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    code = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    results = models.JSONField(default=list, blank=True, help_text=_("per test: name, passed, message (visible tests only)"))
    passed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    score = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True, help_text=_("a limit that stopped the code, or why it could not run"))
    output = models.TextField(blank=True, help_text=_("what the code printed (Run only)"))
    duration_s = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "exercise", "-created_at"])]
