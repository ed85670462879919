"""Dataset writes."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from .bundled import BUNDLED, bundled_build
from .models import Dataset


def datasets_bootstrap(only: list[str] | None = None, force: bool = False) -> list[tuple[Dataset, bool]]:
    """Create the bundled data sets once. Returns (dataset, built_now) pairs; an existing set whose
    folder is present is kept unless ``force``, so set-up can run again cheaply."""
    root = Path(settings.DATASET_ROOT)
    results = []
    for spec in BUNDLED:
        if only and spec.slug not in only:
            continue
        existing = Dataset.objects.filter(slug=spec.slug).first()
        if existing and existing.path.is_dir() and not force:
            results.append((existing, False))
            continue
        path, info = bundled_build(spec, root)
        dataset, _ = Dataset.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "title_zh": spec.title_zh,
                "title_en": spec.title_en,
                "description_zh": spec.description_zh,
                "kind": Dataset.Kind.BUNDLED,
                "format": spec.format,
                "relative_path": str(path.relative_to(root)),
                **info,
            },
        )
        results.append((dataset, True))
    return results
