from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
