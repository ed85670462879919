from django.contrib import admin

from .models import Attempt, Question


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
