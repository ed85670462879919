from django.contrib import admin

from .models import Dataset


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_zh", "kind", "format", "num_items", "owner")
    list_filter = ("kind", "format")
