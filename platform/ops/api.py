"""Admin-only API for operations (thin: permission, then the training service)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from training import services
from training.models import Run


class RunRequeueView(APIView):
    @extend_schema(summary="Put a run back in the queue (admins): failed, timed-out or cancelled runs train again", request=None,
                   responses={200: inline_serializer("Requeued", {"id": serializers.IntegerField(), "status": serializers.CharField()}),
                              400: dict, 404: dict})
    def post(self, request, run_id: int):
        if not request.user.is_platform_admin:
            raise Http404(_("No such run."))
        run = Run.objects.filter(pk=run_id).first()
        if run is None:
            raise Http404(_("No such run."))
        try:
            run = services.run_requeue(run, by=request.user)
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"id": run.pk, "status": run.status})
