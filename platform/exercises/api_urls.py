from django.urls import path

from . import api

urlpatterns = [
    path("questions/<int:question_id>/", api.QuestionView.as_view(), name="api-question"),
    path("questions/<int:question_id>/attempts/", api.AttemptCreateView.as_view(), name="api-question-attempts"),
]
