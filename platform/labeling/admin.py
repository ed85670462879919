from django.contrib import admin

from .models import LabelBox, LabelClass, LabelImage, LabelProject, ProjectJob


class LabelClassInline(admin.TabularInline):
    model = LabelClass
    extra = 0


@admin.register(LabelProject)
class LabelProjectAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "kind", "owner", "course", "updated_at")
    list_filter = ("kind", "course")
    search_fields = ("title", "owner__username")
    inlines = [LabelClassInline]


@admin.register(LabelImage)
class LabelImageAdmin(admin.ModelAdmin):
    list_display = ("id", "original_name", "project", "label", "split", "verified", "width", "height", "size_bytes")
    list_filter = ("split", "verified")
    search_fields = ("original_name", "project__title")
    raw_id_fields = ("project", "label", "uploaded_by", "labeled_by")


@admin.register(LabelBox)
class LabelBoxAdmin(admin.ModelAdmin):
    list_display = ("id", "image", "label", "x0", "y0", "x1", "y1", "version")
    raw_id_fields = ("image", "label", "created_by")


@admin.register(ProjectJob)
class ProjectJobAdmin(admin.ModelAdmin):
    list_display = ("id", "direction", "format", "project", "owner", "status", "progress", "created_at")
    list_filter = ("direction", "format", "status")
    raw_id_fields = ("project", "owner")
