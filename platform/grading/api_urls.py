from django.urls import path

from . import api

urlpatterns = [
    path("courses/<slug:course_slug>/gradebook/", api.GradebookView.as_view(), name="api-gradebook"),
    path("courses/<slug:course_slug>/gradebook/exports/", api.GradebookExportView.as_view(), name="api-gradebook-exports"),
    path("courses/<slug:course_slug>/grading/items/", api.ItemListView.as_view(), name="api-grading-items"),
    path("courses/<slug:course_slug>/grading/policy/", api.PolicyView.as_view(), name="api-grading-policy"),
    path("courses/<slug:course_slug>/grading/queue/", api.QueueView.as_view(), name="api-grading-queue"),
    path("courses/<slug:course_slug>/grading/release-all/", api.ReleaseAllView.as_view(), name="api-grading-release-all"),
    path("courses/<slug:course_slug>/enrolments/", api.EnrolView.as_view(), name="api-enrolments"),
    path("courses/<slug:course_slug>/join-code/", api.JoinCodeView.as_view(), name="api-join-code"),
    path("courses/join/", api.JoinView.as_view(), name="api-course-join"),
    path("grading/items/<int:item_id>/", api.ItemDetailView.as_view(), name="api-grading-item"),
    path("grading/items/<int:item_id>/release/", api.ItemReleaseView.as_view(), name="api-grading-item-release"),
    path("grading/items/<int:item_id>/learners/<int:learner_id>/", api.LearnerGradeView.as_view(), name="api-grading-learner-grade"),
    path("grading/items/<int:item_id>/choose-run/", api.ChooseRunView.as_view(), name="api-grading-choose-run"),
    path("grading/grades/<int:grade_id>/", api.GradeDetailView.as_view(), name="api-grade"),
    path("grading/grades/<int:grade_id>/history/", api.GradeHistoryView.as_view(), name="api-grade-history"),
    path("grading/exports/<int:job_id>/", api.ExportDetailView.as_view(), name="api-gradebook-export"),
    path("grading/exports/<int:job_id>/download/", api.ExportDownloadView.as_view(), name="api-gradebook-export-download"),
    path("grades/", api.MyGradesView.as_view(), name="api-my-grades"),
    path("runs/compare/", api.RunCompareView.as_view(), name="api-runs-compare"),
]
