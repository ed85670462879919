from django.urls import path

from . import api

urlpatterns = [
    path("questions/<int:question_id>/", api.QuestionView.as_view(), name="api-question"),
    path("questions/<int:question_id>/attempts/", api.AttemptCreateView.as_view(), name="api-question-attempts"),
    path("code/submissions/<int:submission_id>/", api.CodeSubmissionView.as_view(), name="api-code-submission"),
    path("code/<slug:key>/", api.CodeExerciseView.as_view(), name="api-code-exercise"),
    path("code/<slug:key>/submissions/", api.CodeSubmissionCreateView.as_view(), name="api-code-submissions"),
]
