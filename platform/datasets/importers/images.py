"""Checking that an uploaded image really is one, whole, and of a sensible size."""

from __future__ import annotations

import io
import warnings

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .base import ImportLimits, ImportRefused

# What keras.utils.image_dataset_from_directory reads; other files in a class folder are ignored
# by the trainer, so the importer leaves them out too.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
_FORMATS = {"PNG", "JPEG", "BMP", "GIF", "MPO"}  # MPO: the JPEG variant many phone cameras write
MAX_IMAGE_BYTES = 50 * 1024 * 1024
_GREY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}


def image_check(data: bytes, name: str, limits: ImportLimits) -> tuple[int, int, int]:
    """(height, width, channels) of a PNG/JPEG/BMP/GIF image after decoding it completely.

    ``verify()`` alone misses a truncated JPEG, so the image is also loaded; Pillow refuses a
    truncated file as long as ImageFile.LOAD_TRUNCATED_IMAGES stays off (its default). The pixel
    count is checked from the header before anything is decoded (decompression bombs)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format, image.size
                if fmt not in _FORMATS:
                    raise ImportRefused(_("“%(name)s” is a %(format)s image; only PNG, JPEG, BMP and GIF images can be imported.")
                                        % {"name": name, "format": fmt})
                if width * height > limits.max_image_pixels:
                    raise ImportRefused(_("“%(name)s” is %(width)d×%(height)d pixels, more than the %(limit)d pixels an imported image may have.")
                                        % {"name": name, "width": width, "height": height, "limit": limits.max_image_pixels})
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                mode = image.mode
    except ImportRefused:
        raise
    except UnidentifiedImageError:
        raise ImportRefused(_("“%(name)s” is not an image, although its name says so.") % {"name": name}) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImportRefused(_("“%(name)s” has too many pixels to be a real image (a decompression bomb).") % {"name": name}) from None
    except Exception as exc:  # noqa: BLE001 — Pillow raises many types for broken files
        raise ImportRefused(_("“%(name)s” is damaged or truncated and cannot be read as an image (%(error)s).")
                            % {"name": name, "error": exc}) from None
    return height, width, 1 if mode in _GREY_MODES else 3
