"""Dataset reads."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Dataset


def dataset_visible_to(user) -> QuerySet[Dataset]:
    """Bundled and course datasets are visible to everyone signed in; personal ones to their owner."""
    return Dataset.objects.filter(Q(kind__in=[Dataset.Kind.BUNDLED, Dataset.Kind.COURSE]) | Q(owner=user))


def dataset_list_for_lab(lab, user) -> list[Dataset]:
    by_slug = {d.slug: d for d in dataset_visible_to(user).filter(slug__in=lab.dataset_slugs)}
    return [by_slug[s] for s in lab.dataset_slugs if s in by_slug]


def dataset_get_for_lab(lab, user, slug: str) -> Dataset | None:
    if slug not in lab.dataset_slugs:
        return None
    return dataset_visible_to(user).filter(slug=slug).first()
