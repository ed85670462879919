from django.contrib import admin

from .models import QuotaPolicy, RunUsage


@admin.register(QuotaPolicy)
class QuotaPolicyAdmin(admin.ModelAdmin):
    list_display = ("id", "course", "user", "gpu_minutes_per_week", "cpu_minutes_per_week", "max_running", "max_queued", "storage_bytes",
                    "max_run_seconds", "max_epochs")
    list_filter = ("course",)
    search_fields = ("user__username", "note")
    raw_id_fields = ("user",)


@admin.register(RunUsage)
class RunUsageAdmin(admin.ModelAdmin):
    list_display = ("run", "user", "course", "device", "seconds", "peak_memory_bytes", "started_at", "ended_at", "worker")
    list_filter = ("device", "course")
    search_fields = ("user__username",)
    raw_id_fields = ("run", "user")
