"""Turning an uploaded file into the image a project stores: checked, upright, re-encoded.

The upload is decoded completely by Pillow (``datasets.importers.images.image_check``: a real
PNG/JPEG/BMP/GIF, not truncated, within the pixel limit, no decompression bomb). Its EXIF
orientation is applied, so a phone photo is stored the way it looks and boxes drawn on it mean
the same pixels in every tool. It is then encoded again: whatever else the file carried
(metadata, GPS position, a second payload after the image data) is not kept.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from datasets.importers.base import ImportLimits, ImportRefused, mib
from datasets.importers.images import image_check

THUMB_SIZE = 256
# Photos stay JPEG (re-encoding them losslessly would multiply their size); everything else,
# drawings and screenshots with sharp edges, becomes PNG.
_JPEG_SOURCES = {"JPEG", "MPO"}


@dataclass(frozen=True)
class IngestedImage:
    data: bytes
    extension: str  # ".jpg" or ".png"
    thumb: bytes  # JPEG
    width: int
    height: int
    channels: int  # 1 or 3
    sha256: str


def label_limits() -> ImportLimits:
    conf = settings.LABELING
    base = ImportLimits.from_settings()
    return ImportLimits(max_upload_bytes=base.max_upload_bytes, max_unpacked_bytes=base.max_unpacked_bytes,
                        max_files=base.max_files, max_ratio=base.max_ratio, max_image_pixels=int(conf["MAX_IMAGE_PIXELS"]))


def image_ingest(data: bytes, name: str) -> IngestedImage:
    """The stored form of one uploaded image; ImportRefused (with the file's name) if it is not one."""
    limit = int(settings.LABELING["MAX_IMAGE_BYTES"])
    if len(data) > limit:
        raise ImportRefused(_("“%(name)s” is %(size)s; an image may be at most %(limit)s.")
                            % {"name": name, "size": mib(len(data)), "limit": mib(limit)})
    if not data:
        raise ImportRefused(_("“%(name)s” is empty.") % {"name": name})
    image_check(data, name, label_limits())
    with Image.open(io.BytesIO(data)) as source:
        source_format = source.format
        image = ImageOps.exif_transpose(source)
        grey = image.mode in ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F")
        if grey:
            # Alpha is dropped like for colour images: the trainers read RGB or greyscale.
            image = image.convert("L") if image.mode != "I" else image.point(lambda v: v / 256).convert("L")
        else:
            image = _flatten(image)
        out = io.BytesIO()
        if source_format in _JPEG_SOURCES:
            image.save(out, format="JPEG", quality=92, optimize=True)
            extension = ".jpg"
        else:
            image.save(out, format="PNG", optimize=False)
            extension = ".png"
        thumb = image.copy()
        thumb.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS, reducing_gap=2.0)
        thumb_out = io.BytesIO()
        thumb.convert("RGB").save(thumb_out, format="JPEG", quality=85)
        width, height = image.size
    encoded = out.getvalue()
    return IngestedImage(data=encoded, extension=extension, thumb=thumb_out.getvalue(), width=width, height=height,
                         channels=1 if grey else 3, sha256=hashlib.sha256(encoded).hexdigest())


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with transparent parts shown on white as image viewers show them."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
