from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualTitleMixin(models.Model):
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)

    class Meta:
        abstract = True

    @property
    def title(self) -> str:
        """The title in the active interface language (Chinese unless English is chosen)."""
        lang = (get_language() or "zh-hans").lower()
        return self.title_en if lang.startswith("en") and self.title_en else self.title_zh

    def __str__(self) -> str:
        return self.title_zh


class Course(BilingualTitleMixin):
    slug = models.SlugField(unique=True)
    summary_zh = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)
    content_version = models.CharField(max_length=64, blank=True, help_text=_("hash of the loaded content files"))
    loaded_at = models.DateTimeField(null=True, blank=True)
    # Learners type this code to enrol themselves; instructors rotate it (empty: no code).
    join_code = models.CharField(max_length=16, blank=True, db_index=True)


class Chapter(BilingualTitleMixin):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="chapters")
    slug = models.SlugField()
    order = models.PositiveIntegerField()
    summary_zh = models.TextField(blank=True)
    summary_en = models.TextField(blank=True)

    class Meta:
        ordering = ["course", "order"]
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="chapter_unique_slug")]


class Page(BilingualTitleMixin):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="pages")
    slug = models.SlugField()
    order = models.PositiveIntegerField()
    summary_en = models.TextField(blank=True)
    source_path = models.CharField(max_length=300, help_text=_("content file, relative to the course folder"))
    body_markdown = models.TextField()
    body_html = models.TextField(help_text=_("sanitized HTML rendered from the Markdown"))
    toc_html = models.TextField(blank=True)
    lab_slugs = models.JSONField(default=list, blank=True)
    prerequisites = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["chapter__order", "order"]
        constraints = [models.UniqueConstraint(fields=["chapter", "slug"], name="page_unique_slug")]


class Lab(BilingualTitleMixin):
    """A training lab: a prefilled model, data choices, hyper-parameters and the environment the
    run needs (like a Devfile: device, memory, time limit)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="labs")
    chapter = models.ForeignKey(Chapter, on_delete=models.SET_NULL, null=True, related_name="labs")
    page = models.ForeignKey(Page, on_delete=models.SET_NULL, null=True, blank=True, related_name="labs")
    slug = models.SlugField()
    description_zh = models.TextField(blank=True)
    # Which trainer program runs it (training.programs): the model builder's classifier, or a
    # fixed program such as the GradientTape linear regression; options are that program's.
    program = models.CharField(max_length=32, default="keras_spec")
    options = models.JSONField(default=dict, blank=True)
    model_code = models.TextField(blank=True, help_text="the Keras/TensorFlow code the program runs, shown on labs without the builder")
    spec = models.JSONField(default=dict, blank=True)
    compile_config = models.JSONField(default=dict)
    hyperparameters = models.JSONField(default=dict)
    resources = models.JSONField(default=dict)
    metric = models.JSONField(default=dict, blank=True)
    dataset_slugs = models.JSONField(default=list)
    default_dataset_slug = models.SlugField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "slug"], name="lab_unique_slug")]


class Enrollment(models.Model):
    class Role(models.TextChoices):
        LEARNER = "learner", _("Learner")
        INSTRUCTOR = "instructor", _("Instructor")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.LEARNER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="enrollment_unique")]


class PageVisit(models.Model):
    """Progress: a learner has opened a page. Keyed by page, which the loader never deletes
    while its slug exists, so reloading content keeps progress."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="page_visits")
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "user"], name="pagevisit_unique")]
