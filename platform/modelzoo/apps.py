from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModelzooConfig(AppConfig):
    name = "modelzoo"
    verbose_name = _("Pre-trained base networks")
