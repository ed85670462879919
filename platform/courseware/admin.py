from django.contrib import admin

from .models import Chapter, Course, Enrollment, Lab, Page, PageVisit


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_zh", "title_en", "loaded_at")


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ("course", "order", "slug", "title_zh")
    list_filter = ("course",)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("chapter", "order", "slug", "title_zh")
    list_filter = ("chapter__course", "chapter")
    readonly_fields = ("body_html", "toc_html")


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ("course", "slug", "title_zh", "default_dataset_slug")


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("course", "user", "role", "created_at")
    list_filter = ("course", "role")
    search_fields = ("user__username",)


admin.site.register(PageVisit)
