"""Base-network reads: which bases a run may use, and what the lab page says about them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import BaseModel


def base_models_ready() -> QuerySet[BaseModel]:
    """Bases a run may build on (their files are checked where one is used)."""
    return BaseModel.objects.filter(status=BaseModel.Status.READY).order_by("slug")


def base_model_get(slug) -> BaseModel | None:
    if not isinstance(slug, str) or not slug:
        return None
    return BaseModel.objects.filter(slug=slug).first()


def base_model_get_ready(slug) -> BaseModel | None:
    """The base if a run can use it now: ready, and its file is on disk."""
    base = base_model_get(slug)
    return base if base is not None and base.is_ready else None


def base_model_unready_reason(slug) -> str:
    """Empty when the base can be used; otherwise why not, for the learner."""
    base = base_model_get(slug)
    if base is not None and base.is_ready:
        return ""
    if base is not None and base.status == BaseModel.Status.BUILDING:
        return _("The base model %(name)s is being prepared (pre-trained by the platform). Try again in a few minutes.") % {"name": base.slug}
    if base is not None and base.status == BaseModel.Status.FAILED:
        return _("The base model %(name)s could not be prepared; ask an administrator to prepare it again.") % {"name": base.slug}
    if base is not None:
        return _("The file of the base model %(name)s is missing; ask an administrator to prepare it again.") % {"name": base.slug}
    return _("The base model %(name)s is not installed; ask an administrator.") % {"name": str(slug or "")[:50]}


def base_model_run_options(slug) -> dict:
    """What a transfer run's child needs to know of its base: the file and the input scaling."""
    base = base_model_get(slug)
    if base is None:
        return {}
    return {"base_model_path": str(base.path), "base_preprocessing": base.preprocessing}
