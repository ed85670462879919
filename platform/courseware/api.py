"""JSON API for the lesson widgets."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .tensor_shapes import OPERATIONS, ShapeError, dims_parse, shape_apply, shape_describe


class TensorShapeSerializer(serializers.Serializer):
    shape = serializers.JSONField(help_text='"(2, 3, 4)" or [2, 3, 4]')
    operation = serializers.ChoiceField(choices=OPERATIONS)
    argument = serializers.JSONField(required=False, allow_null=True, help_text="target shape, axis order, second shape or batch size")


class TensorShapeView(APIView):
    """The tensor-shape explorer: the result shape of an operation, or why it is not allowed."""

    @extend_schema(summary="Tensor-shape explorer", request=TensorShapeSerializer, responses=dict)
    def post(self, request):
        payload = TensorShapeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            shape = dims_parse(data["shape"])
            result = shape_apply(shape, data["operation"], data.get("argument"))
        except ShapeError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"input": shape_describe(shape), "result": shape_describe(result)})
