"""The convolution / pooling widget's computation (NumPy), with TensorFlow's conventions:
cross-correlation, "same" = ceil(R / S) with the extra padding at the bottom/right, "valid" =
floor((R − F) / S) + 1, average pooling that averages only real pixels. Tests compare it with
``tf.nn.conv2d`` and ``tf.nn.max_pool2d`` / ``avg_pool2d``."""

from __future__ import annotations

import base64
import io
import math

import numpy as np
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MAX_SIDE = 256  # widget images are shrunk to this, so every request is cheap
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_PIXELS = 4096 * 4096
UPLOAD_FORMATS = {"JPEG", "PNG", "GIF", "BMP", "WEBP"}
SAMPLE_IMAGES = {"china": "china.jpg", "flower": "flower.jpg"}  # scikit-learn's two sample photos
PRESET_KERNELS = {
    "mean": [[1 / 9] * 3] * 3,
    "gaussian": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
}


class ImageOpError(ValueError):
    """Bad input for the widget; the message says what to change."""


def output_size(size: int, window: int, stride: int, padding: str) -> int:
    if padding == "same":
        return math.ceil(size / stride)
    return (size - window) // stride + 1


def _pads(size: int, window: int, stride: int) -> tuple[int, int]:
    total = max((math.ceil(size / stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def _windows(image: np.ndarray, window: int, stride: int, padding: str, fill: float) -> tuple[np.ndarray, np.ndarray]:
    """All windows of ``image`` (H, W) as (out_h, out_w, window, window), plus a mask of which
    window cells are real pixels (not padding)."""
    if padding not in ("same", "valid"):
        raise ImageOpError(_("Padding is 'same' or 'valid'."))
    height, width = image.shape
    if padding == "valid" and (height < window or width < window):
        raise ImageOpError(_("With padding 'valid' the window must fit in the image."))
    if padding == "same":
        (top, bottom), (left, right) = _pads(height, window, stride), _pads(width, window, stride)
    else:
        top = bottom = left = right = 0
    padded = np.pad(image, ((top, bottom), (left, right)), constant_values=fill)
    mask = np.pad(np.ones_like(image, dtype=bool), ((top, bottom), (left, right)), constant_values=False)
    out_h, out_w = output_size(height, window, stride, padding), output_size(width, window, stride, padding)
    view = np.lib.stride_tricks.sliding_window_view(padded, (window, window))[::stride, ::stride][:out_h, :out_w]
    mask_view = np.lib.stride_tricks.sliding_window_view(mask, (window, window))[::stride, ::stride][:out_h, :out_w]
    return view, mask_view


def kernel_validate(kernel: object) -> np.ndarray:
    array = np.asarray(kernel, dtype=object)
    if array.shape != (3, 3):
        raise ImageOpError(_("The kernel is a 3×3 grid of numbers."))
    try:
        values = np.array([[float(v) for v in row] for row in kernel], dtype=np.float64)
    except (TypeError, ValueError):
        raise ImageOpError(_("The kernel is a 3×3 grid of numbers.")) from None
    if not np.all(np.isfinite(values)) or np.abs(values).max() > 1000:
        raise ImageOpError(_("Kernel values must be finite numbers between −1000 and 1000."))
    return values


def conv2d(image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: str = "same") -> np.ndarray:
    """One-channel 2-D convolution as deep-learning libraries define it (cross-correlation)."""
    view, _mask = _windows(image.astype(np.float64), kernel.shape[0], stride, padding, 0.0)
    return np.einsum("ijkl,kl->ij", view, kernel)


def pool2d(image: np.ndarray, mode: str, window: int = 2, stride: int | None = None, padding: str = "valid") -> np.ndarray:
    stride = stride or window
    if mode == "max":
        view, _mask = _windows(image.astype(np.float64), window, stride, padding, -np.inf)
        return view.max(axis=(2, 3))
    if mode == "avg":
        view, mask = _windows(image.astype(np.float64), window, stride, padding, 0.0)
        return view.sum(axis=(2, 3)) / mask.sum(axis=(2, 3))
    raise ImageOpError(_("Pooling is 'max' or 'avg'."))


def image_load_sample(name: str) -> np.ndarray:
    if name not in SAMPLE_IMAGES:
        raise ImageOpError(_("Unknown sample image."))
    from sklearn.datasets import load_sample_image

    return _to_grey(Image.fromarray(load_sample_image(SAMPLE_IMAGES[name])))


def upload_size_check(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise ImageOpError(_("The image is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})


def image_open_checked(data: bytes) -> Image.Image:
    """A learner's upload, checked with Pillow: size, format, pixel count (decompression bombs
    are refused before decoding), and that it really decodes. Returns the upright RGB image."""
    upload_size_check(len(data))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in UPLOAD_FORMATS:
                raise ImageOpError(_("Use a JPEG, PNG, GIF, BMP or WebP image."))
            if probe.width * probe.height > MAX_UPLOAD_PIXELS:
                raise ImageOpError(_("The image has too many pixels (at most 4096 × 4096)."))
            probe.load()
            return ImageOps.exif_transpose(probe).convert("RGB")
    except ImageOpError:
        raise
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise ImageOpError(_("That file is not an image Pillow can read.")) from exc


def image_load_upload(data: bytes) -> np.ndarray:
    """An upload as the kernel widget uses it: checked, greyscale, at most MAX_SIDE pixels."""
    return _to_grey(image_open_checked(data))


def _to_grey(image: Image.Image) -> np.ndarray:
    grey = image.convert("L")
    grey.thumbnail((MAX_SIDE, MAX_SIDE))
    return np.asarray(grey, dtype=np.float64)


def png_data_url(values: np.ndarray, *, signed: bool = False) -> str:
    """Show an array as a greyscale PNG: 0..255 as is; other ranges stretched to fit (signed
    results such as edges around mid-grey)."""
    if signed:
        peak = float(np.abs(values).max()) or 1.0
        pixels = 127.5 + 127.5 * values / peak
    else:
        low, high = float(values.min()), float(values.max())
        pixels = values if low >= 0 and high <= 255 else (values - low) * (255.0 / ((high - low) or 1.0))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(np.round(pixels), 0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
