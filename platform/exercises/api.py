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
