from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training runs")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (worker start-up hooks)
