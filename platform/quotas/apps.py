from django.apps import AppConfig


class QuotasConfig(AppConfig):
    name = "quotas"
    verbose_name = "Workspace quotas"
    default_auto_field = "django.db.models.BigAutoField"
