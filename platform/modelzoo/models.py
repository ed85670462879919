from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """A pre-trained network the transfer-learning lab builds on (the chapter's
    ``include_top=False`` convolutional base): pre-trained by the platform itself from a bundled
    data set, or a Keras file an administrator imported. Runs read the file; nothing downloads."""

    class Source(models.TextChoices):
        PLATFORM = "platform", _("Pre-trained by the platform")
        IMPORTED = "imported", _("Imported Keras file")

    class Status(models.TextChoices):
        BUILDING = "building", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Preprocessing(models.TextChoices):
        # What the base was trained on, i.e. what the transfer model must do to pixels 0–255 before
        # the base (the chapter's preprocess_input).
        UNIT = "unit", _("x / 255 (pixels 0 to 1)")
        SYMMETRIC = "symmetric", _("x / 127.5 - 1 (pixels -1 to 1, as MobileNetV2)")
        NONE = "none", _("none (the model takes pixels 0 to 255 and scales them itself)")

    slug = models.SlugField(unique=True)
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    # Relative to DATA_ROOT: always models/<slug>.keras.
    relative_path = models.CharField(max_length=300)
    preprocessing = models.CharField(max_length=16, choices=Preprocessing.choices, default=Preprocessing.UNIT)
    input_shape = models.JSONField(default=list, blank=True, help_text=_("one image, e.g. [64, 64, 3]"))
    output_shape = models.JSONField(default=list, blank=True)
    num_layers = models.PositiveIntegerField(default=0)
    total_params = models.PositiveBigIntegerField(default=0)
    trained_on = models.SlugField(blank=True, help_text=_("slug of the data set a platform base was pre-trained on"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BUILDING, db_index=True)
    message = models.TextField(blank=True, help_text=_("how the last preparation went, or why it failed"))
    # Set when a worker takes the pre-training; empty while it only waits in the queue.
    started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    @property
    def title(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        return self.title_en if lang.startswith("en") else self.title_zh

    @property
    def path(self) -> Path:
        return Path(settings.DATA_ROOT) / self.relative_path

    @property
    def file_name(self) -> str:
        return Path(self.relative_path).name

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and self.path.is_file()

    def __str__(self) -> str:
        return self.slug
