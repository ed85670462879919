from django.contrib import admin

from .models import EpochMetric, Run, WorkerNode


class EpochInline(admin.TabularInline):
    model = EpochMetric
    extra = 0
    readonly_fields = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "duration_s")


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "lab", "dataset", "status", "resumes", "created_at", "started_at", "finished_at", "worker")
    list_filter = ("status", "lab", "course")
    search_fields = ("owner__username", "id")
    readonly_fields = ("created_at", "started_at", "finished_at", "heartbeat_at", "child_pid", "celery_task_id")
    inlines = [EpochInline]


@admin.register(WorkerNode)
class WorkerNodeAdmin(admin.ModelAdmin):
    list_display = ("name", "device", "slots", "slot", "started_at", "heartbeat_at", "stopped_at")
    readonly_fields = ("devices",)
