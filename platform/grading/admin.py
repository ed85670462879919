from django.contrib import admin

from .models import Grade, GradebookExport, GradeChange, GradedItem, GradingCategory, GradingPolicy, RegradeJob


@admin.register(GradingPolicy)
class GradingPolicyAdmin(admin.ModelAdmin):
    list_display = ("course", "late_penalty_per_day", "late_max_days", "grace_minutes")


@admin.register(GradingCategory)
class GradingCategoryAdmin(admin.ModelAdmin):
    list_display = ("course", "key", "name_zh", "weight", "drop_lowest")
    list_filter = ("course",)


@admin.register(GradedItem)
class GradedItemAdmin(admin.ModelAdmin):
    list_display = ("key", "course", "kind", "category", "points", "deadline", "counts", "released")
    list_filter = ("course", "kind", "released")


class GradeChangeInline(admin.TabularInline):
    model = GradeChange
    extra = 0
    readonly_fields = ("changed_by", "changed_at", "field", "old", "new", "reason")


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ("item", "learner", "auto_score", "override_score", "final_score", "late_days", "source", "version")
    list_filter = ("item__course", "source")
    search_fields = ("learner__username", "item__key")
    raw_id_fields = ("learner", "run", "chosen_run", "attempt", "updated_by")
    inlines = [GradeChangeInline]


admin.site.register(GradebookExport)
admin.site.register(RegradeJob)
