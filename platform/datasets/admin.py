from django.contrib import admin

from .models import Dataset, DatasetSnapshot, ImportJob


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_zh", "kind", "format", "num_items", "owner", "course")
    list_filter = ("kind", "format")
    search_fields = ("slug", "title_zh", "title_en")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "kind", "source_filename", "status", "progress", "dataset", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = ("created_at", "started_at", "finished_at")


@admin.register(DatasetSnapshot)
class DatasetSnapshotAdmin(admin.ModelAdmin):
    list_display = ("dataset", "content_hash", "relative_path", "created_at")
    readonly_fields = ("dataset", "content_hash", "relative_path", "created_at")
