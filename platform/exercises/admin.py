from django.contrib import admin

from .models import Attempt, CodeExercise, CodeSubmission, Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("key", "chapter", "type", "source", "max_attempts", "retired")
    list_filter = ("course", "chapter", "type", "retired")
    search_fields = ("key",)


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("question", "user", "is_correct", "score", "created_at")
    list_filter = ("is_correct", "question__chapter")
    search_fields = ("user__username", "question__key")


@admin.register(CodeExercise)
class CodeExerciseAdmin(admin.ModelAdmin):
    list_display = ("key", "chapter", "points", "time_limit_s", "memory_mb", "retired")
    list_filter = ("course", "chapter", "retired")
    search_fields = ("key", "title_zh", "title_en")
    # Cases come from the course files (hidden tests and expected values included): read-only here.
    readonly_fields = ("cases", "starter", "functions")


@admin.register(CodeSubmission)
class CodeSubmissionAdmin(admin.ModelAdmin):
    list_display = ("exercise", "user", "kind", "status", "passed", "total", "score", "created_at")
    list_filter = ("kind", "status", "exercise__chapter")
    search_fields = ("user__username", "exercise__key")
    readonly_fields = ("code", "results", "output", "message")
