"""JSON API for grading. Thin: validate, check permission, call services/selectors.

A course's gradebook, items, grades, queue and exports answer 404 to anyone who is not an
instructor of that course or an admin (a learner cannot even learn which items are graded before
release); a learner reads their own released grades at /api/grades/.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from courseware.models import Course, Enrollment
from training.models import Run
from training.selectors import run_get_for_user

from . import selectors, services
from .models import Grade, GradebookExport, GradedItem, GradingCategory, RegradeJob

Detail = inline_serializer("GradingDetail", {"detail": serializers.CharField()})


# --- request bodies ------------------------------------------------------------------------------------


class ItemUpdateSerializer(serializers.Serializer):
    points = serializers.FloatField(required=False, min_value=0.01, max_value=1000)
    deadline = serializers.DateTimeField(required=False, allow_null=True)
    category = serializers.SlugField(required=False)
    rubric = serializers.JSONField(required=False)
    counts = serializers.ChoiceField(choices=GradedItem.Counts.choices, required=False)


class ReleaseSerializer(serializers.Serializer):
    released = serializers.BooleanField(default=True)


class GradeUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    score = serializers.FloatField(required=False, allow_null=True, help_text="points before lateness; null removes the override")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=20000, trim_whitespace=False)


class CategoryPolicySerializer(serializers.Serializer):
    key = serializers.SlugField()
    weight = serializers.FloatField(required=False)
    drop_lowest = serializers.IntegerField(required=False)


class PolicySerializer(serializers.Serializer):
    categories = CategoryPolicySerializer(many=True, required=False)
    late_penalty_per_day = serializers.FloatField(required=False)
    late_max_days = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    grace_minutes = serializers.IntegerField(required=False, min_value=0, max_value=7 * 24 * 60)
    cutoffs = serializers.DictField(child=serializers.FloatField(), required=False)


class EnrolSerializer(serializers.Serializer):
    users = serializers.ListField(child=serializers.CharField(max_length=254), required=False, max_length=5000,
                                  help_text="user names or e-mail addresses")
    file = serializers.FileField(required=False, help_text="a class list: CSV or one name per line (UTF-8 or GB18030)")
    role = serializers.ChoiceField(choices=Enrollment.Role.choices, default=Enrollment.Role.LEARNER)


class JoinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)


class ChooseRunSerializer(serializers.Serializer):
    run = serializers.IntegerField()


# --- responses ----------------------------------------------------------------------------------------------


def item_data(item: GradedItem) -> dict:
    return {"id": item.pk, "key": item.key, "kind": item.kind, "title": item.title, "category": item.category.key,
            "points": item.points, "deadline": item.deadline, "rubric": item.rubric, "counts": item.counts,
            "rubric_version": item.rubric_version, "released": item.released, "released_at": item.released_at,
            "lab": item.lab.slug if item.lab_id else None}


def grade_data(grade: Grade, *, for_instructor: bool = True) -> dict:
    data = {
        "id": grade.pk, "item": grade.item_id, "item_title": grade.item.title, "points": grade.item.points,
        "learner": grade.learner.username, "final_score": grade.final_score, "late_days": grade.late_days,
        "submitted_at": grade.submitted_at, "run": grade.run_id, "feedback_html": grade.feedback_html,
        "course": grade.item.course.slug,
    }
    if for_instructor:
        data.update({"auto_score": grade.auto_score, "override_score": grade.override_score, "override_reason": grade.override_reason,
                     "source": grade.source, "metric_value": grade.metric_value, "feedback_markdown": grade.feedback_markdown,
                     "attempt": grade.attempt_id, "chosen_run": grade.chosen_run_id, "version": grade.version,
                     "updated_by": grade.updated_by.username if grade.updated_by_id else None, "updated_at": grade.updated_at,
                     "rubric": grade.item.rubric})
    return data


def export_data(job: GradebookExport) -> dict:
    done = job.status == GradebookExport.Status.SUCCEEDED and bool(job.file_relative_path)
    return {"id": job.pk, "url": f"/api/grading/exports/{job.pk}/", "status": job.status, "progress": round(job.progress, 3),
            "message": job.message, "download_url": f"/api/grading/exports/{job.pk}/download/" if done else None,
            "created_at": job.created_at, "finished_at": job.finished_at}


def regrade_data(job: RegradeJob | None) -> dict | None:
    if job is None:
        return None
    return {"id": job.pk, "status": job.status, "changed": job.changed, "reason": job.reason}


# --- lookups with permission ----------------------------------------------------------------------------------


def _course_for_instructor(request, slug: str) -> Course:
    course = Course.objects.filter(slug=slug).first()
    if course is None or not selectors.course_is_instructor(request.user, course):
        raise Http404(_("No such course, or you do not teach it."))
    return course


def _item_for_instructor(request, item_id: int) -> GradedItem:
    item = GradedItem.objects.select_related("course", "category", "lab").filter(pk=item_id).first()
    if item is None or not selectors.course_is_instructor(request.user, item.course):
        raise Http404(_("No such graded item."))
    return item


def _bad(exc: Exception) -> Response:
    return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)


# --- views ---------------------------------------------------------------------------------------------------------


class GradebookView(APIView):
    @extend_schema(summary="The gradebook: a row per learner, a column per item, totals by the course's policy (instructors)",
                   responses={200: dict, 404: Detail})
    def get(self, request, course_slug: str):
        return Response(selectors.gradebook(_course_for_instructor(request, course_slug)))


class GradebookExportView(APIView):
    @extend_schema(summary="Export the gradebook as CSV (a background job)", request=None, responses={202: dict, 404: Detail})
    def post(self, request, course_slug: str):
        course = _course_for_instructor(request, course_slug)
        return Response(export_data(services.export_start(course, by=request.user)), status=status.HTTP_202_ACCEPTED)


class ExportDetailView(APIView):
    def _job(self, request, job_id: int) -> GradebookExport:
        job = GradebookExport.objects.select_related("course").filter(pk=job_id).first()
        if job is None or not selectors.course_is_instructor(request.user, job.course):
            raise Http404(_("No such export."))
        return job

    @extend_schema(summary="An export's status", responses={200: dict, 404: Detail})
    def get(self, request, job_id: int):
        return Response(export_data(self._job(request, job_id)))


class ExportDownloadView(ExportDetailView):
    @extend_schema(summary="Download a finished CSV export", responses={(200, "text/csv"): bytes, 404: Detail})
    def get(self, request, job_id: int):
        job = self._job(request, job_id)
        if job.status != GradebookExport.Status.SUCCEEDED or job.file_path is None or not job.file_path.is_file():
            raise Http404(_("This export is not ready or failed."))
        return FileResponse(job.file_path.open("rb"), content_type="text/csv; charset=utf-8", as_attachment=True,
                            filename=f"gradebook-{job.course.slug}-{job.created_at:%Y%m%d-%H%M}.csv")


class ItemListView(APIView):
    @extend_schema(summary="A course's graded items (instructors)", responses={200: dict, 404: Detail})
    def get(self, request, course_slug: str):
        course = _course_for_instructor(request, course_slug)
        return Response([item_data(i) for i in selectors.item_list(course)])


class ItemDetailView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary="One item with every learner's grade, runs and answers", responses={200: dict, 404: Detail})
    def get(self, request, item_id: int):
        item = _item_for_instructor(request, item_id)
        rows = [{"learner": e["learner"].username, "learner_id": e["learner"].pk,
                 "grade": grade_data(e["grade"]) if e["grade"] else None,
                 "runs": [{"id": r.pk, "status": r.status, "created_at": r.created_at, "finished_at": r.finished_at} for r in e["runs"]],
                 "attempts": [{"id": a.pk, "created_at": a.created_at, "score": a.score, "response": a.response} for a in e["attempts"]]}
                for e in selectors.item_submissions(item)]
        return Response({"item": item_data(item), "learners": rows})

    @extend_schema(summary="Change points, deadline, category, rubric or which run counts; regrades in the background",
                   request=ItemUpdateSerializer, responses={200: dict, 400: Detail, 404: Detail})
    def patch(self, request, item_id: int):
        item = _item_for_instructor(request, item_id)
        payload = ItemUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "category" in data:
            category = GradingCategory.objects.filter(course=item.course, key=data["category"]).first()
            if category is None:
                return Response({"detail": _("There is no category “%(key)s” in this course.") % {"key": data["category"]}}, status=400)
            data["category"] = category
        try:
            job = services.item_update(item, by=request.user, **data)
        except services.GradingError as exc:
            return _bad(exc)
        return Response({"item": item_data(item), "regrade": regrade_data(job)})


class ItemReleaseView(APIView):
    @extend_schema(summary="Release an item's grades and feedback to learners (or hide them)", request=ReleaseSerializer,
                   responses={200: dict, 404: Detail})
    def post(self, request, item_id: int):
        item = _item_for_instructor(request, item_id)
        payload = ReleaseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(item_data(services.item_release(item, by=request.user, released=payload.validated_data["released"])))


class ReleaseAllView(APIView):
    @extend_schema(summary="Release every item of the course", request=ReleaseSerializer, responses={200: dict, 404: Detail})
    def post(self, request, course_slug: str):
        course = _course_for_instructor(request, course_slug)
        payload = ReleaseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        items = [services.item_release(i, by=request.user, released=payload.validated_data["released"]) for i in selectors.item_list(course)]
        return Response({"released": sum(i.released for i in items), "items": len(items)})


class LearnerGradeView(APIView):
    @extend_schema(summary="A learner's grade of an item (created when it does not exist yet)", responses={200: dict, 404: Detail})
    def get(self, request, item_id: int, learner_id: int):
        item = _item_for_instructor(request, item_id)
        learner = User.objects.filter(pk=learner_id, enrollments__course=item.course).first()
        if learner is None:
            raise Http404(_("This person is not in the course."))
        return Response(grade_data(services.grade_for(item, learner)))


class GradeDetailView(APIView):
    parser_classes = [JSONParser]

    def _grade(self, request, grade_id: int) -> tuple[Grade, bool]:
        grade = Grade.objects.select_related("item", "item__course", "learner", "updated_by").filter(pk=grade_id).first()
        if grade is None:
            raise Http404(_("No such grade."))
        if selectors.course_is_instructor(request.user, grade.item.course):
            return grade, True
        if grade.learner_id == request.user.pk and grade.item.released:
            return grade, False
        raise Http404(_("No such grade."))

    @extend_schema(summary="A grade (instructors; the learner once released)", responses={200: dict, 404: Detail})
    def get(self, request, grade_id: int):
        grade, instructor = self._grade(request, grade_id)
        return Response(grade_data(grade, for_instructor=instructor))

    @extend_schema(summary="Override the score (with a reason) and/or write feedback (Markdown); names the version it is based on",
                   request=GradeUpdateSerializer, responses={200: dict, 400: Detail, 404: Detail, 409: dict})
    def patch(self, request, grade_id: int):
        grade, instructor = self._grade(request, grade_id)
        if not instructor:
            raise Http404(_("No such grade."))
        payload = GradeUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        changes = {k: data[k] for k in ("score", "feedback") if k in data}
        try:
            grade = services.grade_set(grade, by=request.user, version=data["version"], reason=data.get("reason", ""), **changes)
        except services.GradeConflict as exc:
            return Response({"detail": str(exc), "current": grade_data(exc.current)}, status=status.HTTP_409_CONFLICT)
        except services.GradingError as exc:
            return _bad(exc)
        return Response(grade_data(grade))


class GradeHistoryView(GradeDetailView):
    @extend_schema(summary="Every change to a grade: who, when, old → new, why (instructors)", responses={200: dict, 404: Detail})
    def get(self, request, grade_id: int):
        grade, instructor = self._grade(request, grade_id)
        if not instructor:
            raise Http404(_("No such grade."))
        return Response([{"at": c.changed_at, "by": c.changed_by.username if c.changed_by_id else None, "field": c.field,
                          "old": c.old, "new": c.new, "reason": c.reason} for c in selectors.grade_history(grade)])


class PolicyView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary="Change weights, drops, late penalty and letter cutoffs", request=PolicySerializer,
                   responses={200: dict, 400: Detail, 404: Detail})
    def patch(self, request, course_slug: str):
        course = _course_for_instructor(request, course_slug)
        payload = PolicySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.policy_update(course, by=request.user, **payload.validated_data)
        except services.GradingError as exc:
            return _bad(exc)
        book = selectors.gradebook(course)
        return Response(book["policy"] | {"categories": book["categories"]})


class QueueView(APIView):
    @extend_schema(summary="Free-text answers waiting for a grade", responses={200: dict, 404: Detail})
    def get(self, request, course_slug: str):
        course = _course_for_instructor(request, course_slug)
        return Response([{"attempt": e["attempt"].pk, "learner": e["attempt"].user.username, "learner_id": e["attempt"].user_id,
                          "item": e["item"].pk, "item_title": e["item"].title, "prompt_html": e["item"].question.prompt_html,
                          "response": e["attempt"].response, "submitted_at": e["attempt"].created_at,
                          "grade": grade_data(e["grade"]) if e["grade"] else None} for e in selectors.grading_queue(course)])


class EnrolView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(summary="Enrol users by name / e-mail, or a class list file", request=EnrolSerializer,
                   responses={200: dict, 400: Detail, 404: Detail})
    def post(self, request, course_slug: str):
        course = _course_for_instructor(request, course_slug)
        payload = EnrolSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["role"] == Enrollment.Role.INSTRUCTOR and not request.user.is_platform_admin:
            return Response({"detail": _("Only an admin adds instructors.")}, status=status.HTTP_403_FORBIDDEN)
        try:
            if data.get("file") is not None:
                result = services.enrol_csv(course, data["file"].read(2 * 1024 * 1024 + 1))
            elif data.get("users"):
                result = services.enrol(course, data["users"], role=data["role"])
            else:
                return Response({"detail": _("Send user names (“users”) or a class list file (“file”).")}, status=400)
        except services.GradingError as exc:
            return _bad(exc)
        return Response({"added": result.added, "already": result.already, "errors": result.errors})


class JoinCodeView(APIView):
    @extend_schema(summary="The course code learners enrol with; POST makes a new one", responses={200: dict, 404: Detail})
    def get(self, request, course_slug: str):
        return Response({"code": _course_for_instructor(request, course_slug).join_code})

    @extend_schema(request=None, responses={200: dict, 404: Detail})
    def post(self, request, course_slug: str):
        return Response({"code": services.join_code_rotate(_course_for_instructor(request, course_slug))})


class JoinView(APIView):
    @extend_schema(summary="Enrol myself with a course code", request=JoinSerializer, responses={200: dict, 400: Detail})
    def post(self, request):
        payload = JoinSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            course = services.course_join(request.user, payload.validated_data["code"])
        except services.GradingError as exc:
            return _bad(exc)
        return Response({"course": course.slug, "url": f"/courses/{course.slug}/"})


class MyGradesView(APIView):
    @extend_schema(summary="My released grades with feedback", responses={200: dict})
    def get(self, request):
        return Response([grade_data(g, for_instructor=False) for g in selectors.grades_for_learner(request.user)])


class ChooseRunView(APIView):
    @extend_schema(summary="Choose which of my runs is graded (labs that grade the chosen run), before the deadline",
                   request=ChooseRunSerializer, responses={200: dict, 400: Detail, 404: Detail})
    def post(self, request, item_id: int):
        item = GradedItem.objects.select_related("course", "lab").filter(pk=item_id, kind=GradedItem.Kind.LAB).first()
        if item is None or not Enrollment.objects.filter(course=item.course, user=request.user).exists():
            raise Http404(_("No such graded item."))
        payload = ChooseRunSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = Run.objects.filter(pk=payload.validated_data["run"], owner=request.user).first()
        if run is None:
            raise Http404(_("No such run."))
        try:
            grade = services.run_choose(learner=request.user, item=item, run=run)
        except services.GradingError as exc:
            return _bad(exc)
        return Response({"item": item.pk, "chosen_run": grade.chosen_run_id})


class RunCompareView(APIView):
    @extend_schema(summary="Two to four runs side by side: curves, configuration differences, final metrics",
                   parameters=[OpenApiParameter("ids", str, description="comma-separated run ids")], responses={200: dict, 400: Detail})
    def get(self, request):
        raw = request.query_params.get("ids", "")
        try:
            ids = list(dict.fromkeys(int(part) for part in raw.split(",") if part.strip()))
        except ValueError:
            return Response({"detail": _("“ids” is a comma-separated list of run numbers.")}, status=400)
        if not 2 <= len(ids) <= 4:
            return Response({"detail": _("Compare two to four runs.")}, status=400)
        runs = [run_get_for_user(request.user, run_id) for run_id in ids]
        if any(run is None for run in runs):
            raise Http404(_("No such run."))
        return Response(selectors.runs_compare(runs))
