"""JSON API for answering questions. Thin: validate, check permission, call services."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services


class AttemptSerializer(serializers.Serializer):
    response = serializers.JSONField(help_text='{"choice": "a"} | {"choices": ["a","c"]} | {"value": 92} | {"value": "(None, 8)"} | {"text": "…"}')


class QuestionView(APIView):
    @extend_schema(summary="A question as a learner sees it (no answer, no explanation)", responses=dict)
    def get(self, request, question_id: int):
        question = selectors.question_get_for_user(request.user, question_id)
        if question is None:
            raise Http404("No such question.")
        return Response(selectors.question_public(question))


class AttemptCreateView(APIView):
    @extend_schema(summary="Answer a question", request=AttemptSerializer, responses=dict)
    def post(self, request, question_id: int):
        question = selectors.question_get_for_user(request.user, question_id)
        if question is None:
            raise Http404("No such question.")
        payload = AttemptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            attempt = services.attempt_submit(user=request.user, question=question, response=payload.validated_data["response"])
        except services.AttemptRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(selectors.attempt_result(attempt), status=status.HTTP_201_CREATED)


class CodeSubmissionSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True, trim_whitespace=False,
                                 help_text="The learner's Python source (at most 64 KiB).")
    kind = serializers.ChoiceField(choices=["run", "submit"], help_text="run: visible examples only; submit: every test, scored")


class CodeExerciseView(APIView):
    @extend_schema(summary="A code exercise as the editor shows it (hidden tests only as a count), with the learner's history", responses=dict)
    def get(self, request, key: str):
        exercise = selectors.code_exercise_get(request.user, key)
        if exercise is None:
            raise Http404("No such code exercise.")
        return Response({**selectors.code_exercise_public(exercise),
                         "history": selectors.code_submissions_history(request.user, exercise)})


class CodeSubmissionCreateView(APIView):
    @extend_schema(summary="Run code on the examples or submit it to every test (queued; poll the submission)",
                   request=CodeSubmissionSerializer, responses=dict)
    def post(self, request, key: str):
        exercise = selectors.code_exercise_get(request.user, key)
        if exercise is None:
            raise Http404("No such code exercise.")
        payload = CodeSubmissionSerializer(data=request.data)
        if not payload.is_valid():
            return Response({"detail": " ".join(str(e) for errors in payload.errors.values() for e in errors),
                             "errors": payload.errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            submission = services.code_submission_create(user=request.user, exercise=exercise, **payload.validated_data)
        except services.CodeRefused as exc:
            return Response({"detail": str(exc)}, status=exc.status)
        return Response(selectors.code_submission_data(submission), status=status.HTTP_201_CREATED)

    @extend_schema(summary="The learner's own submissions of this exercise, newest first", responses=dict)
    def get(self, request, key: str):
        exercise = selectors.code_exercise_get(request.user, key)
        if exercise is None:
            raise Http404("No such code exercise.")
        return Response({"results": selectors.code_submissions_history(request.user, exercise)})


class CodeSubmissionView(APIView):
    @extend_schema(summary="One submission with its per-test results and code (its owner and the course's instructors)", responses=dict)
    def get(self, request, submission_id: int):
        submission = selectors.code_submission_get_for(request.user, submission_id)
        if submission is None:
            raise Http404("No such submission.")
        return Response(selectors.code_submission_data(submission, with_code=True))
