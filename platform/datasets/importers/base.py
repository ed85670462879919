"""What every importer shares: limits, the refusal exception, the result, safe file writing."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from django.conf import settings

Progress = Callable[[float], None]


class ImportRefused(Exception):
    """The upload is not imported. The message is shown to its owner as it is, so it says what
    is wrong in words a person understands and names the file inside the archive."""


@dataclass(frozen=True)
class ImportLimits:
    max_upload_bytes: int
    max_unpacked_bytes: int
    max_files: int
    max_ratio: float
    max_image_pixels: int

    @classmethod
    def from_settings(cls) -> ImportLimits:
        conf = settings.DATASET_IMPORT
        return cls(
            max_upload_bytes=int(conf["MAX_UPLOAD_BYTES"]),
            max_unpacked_bytes=int(conf["MAX_UNPACKED_BYTES"]),
            max_files=int(conf["MAX_FILES"]),
            max_ratio=float(conf["MAX_RATIO"]),
            max_image_pixels=int(conf["MAX_IMAGE_PIXELS"]),
        )


@dataclass
class ImportResult:
    """What the importer wrote into its output folder, for the Dataset row."""

    format: str
    class_names: list[str]
    num_items: int
    item_shape: list
    notes: list[str] = field(default_factory=list)  # e.g. "12 files that are not images were left out"


def file_write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``; never follows a link and never overwrites (O_EXCL), so even a
    name the checks missed cannot write anywhere but a new file in the output folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def mib(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"
