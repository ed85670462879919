"""JSON API for the lesson widgets."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from .image_ops import (
    PRESET_KERNELS,
    SAMPLE_IMAGES,
    ImageOpError,
    conv2d,
    image_load_sample,
    image_load_upload,
    kernel_validate,
    png_data_url,
    pool2d,
    upload_size_check,
)
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


class KernelSerializer(serializers.Serializer):
    sample = serializers.ChoiceField(choices=sorted(SAMPLE_IMAGES), required=False)
    upload = serializers.FileField(required=False, max_length=200)
    operation = serializers.ChoiceField(choices=["conv", "max", "avg"])
    kernel = serializers.JSONField(required=False, help_text="3×3 numbers, for conv")
    window = serializers.ChoiceField(choices=[2, 3], required=False, default=2)
    stride = serializers.ChoiceField(choices=[1, 2, 3], required=False, allow_null=True, default=None,
                                     help_text="default: 1 for convolution, the window size for pooling")
    padding = serializers.ChoiceField(choices=["same", "valid"], required=False, default="same")


class KernelView(APIView):
    """Convolution or pooling on a sample photo or an uploaded image."""

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(summary="Convolution / pooling widget", request=KernelSerializer, responses=dict)
    def post(self, request):
        payload = KernelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            if data.get("upload") is not None:
                upload_size_check(data["upload"].size)  # before reading it into memory
                image = image_load_upload(data["upload"].read())
            else:
                image = image_load_sample(data.get("sample", "china"))
            if data["operation"] == "conv":
                kernel = kernel_validate(data.get("kernel", PRESET_KERNELS["identity"]))
                window, stride = 3, int(data["stride"] or 1)
                result = conv2d(image, kernel, stride, data["padding"])
            else:
                window = int(data["window"])
                stride = int(data["stride"] or window)
                result = pool2d(image, data["operation"], window, stride, data["padding"])
        except ImageOpError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        height, width = image.shape
        formula = (f"same: ceil({height} / {stride}) × ceil({width} / {stride})" if data["padding"] == "same"
                   else f"valid: (floor(({height} − {window}) / {stride}) + 1) × (floor(({width} − {window}) / {stride}) + 1)")
        signed = data["operation"] == "conv" and float(result.min()) < 0
        return Response({
            "input": {"size": [height, width], "png": png_data_url(image)},
            "output": {"size": list(result.shape), "png": png_data_url(result, signed=signed),
                       "min": float(result.min()), "max": float(result.max())},
            "formula": f"{formula} = {result.shape[0]} × {result.shape[1]}",
        })
