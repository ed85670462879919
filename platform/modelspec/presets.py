"""Ready-made specs used by the course."""

from __future__ import annotations

from typing import Any

__all__ = ["flowers_spec"]


def _positive(value: Any, what: str, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= hi:
        raise ValueError(f"{what} must be a whole number from 1 to {hi}")
    return value


def flowers_spec(num_classes: int, image_size: tuple[int, int] = (180, 180),
                 channels: int = 3) -> dict[str, Any]:
    """The course's "flowers" CNN: augmentation, rescaling, three
    Conv2D/MaxPooling2D blocks, Dropout, Flatten, Dense(128), Dense(num_classes).

    For 180×180 RGB images and 5 classes it has 3,989,285 parameters.
    """
    _positive(num_classes, "num_classes", 8192)
    if not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError("image_size must be (height, width)")
    height = _positive(image_size[0], "image height", 1024)
    width = _positive(image_size[1], "image width", 1024)
    _positive(channels, "channels", 1024)
    return {
        "input_shape": [height, width, channels],
        "layers": [
            {"type": "RandomFlip", "args": {"mode": "horizontal"}},
            {"type": "RandomRotation", "args": {"factor": 0.1}},
            {"type": "RandomZoom", "args": {"height_factor": 0.1}},
            {"type": "Rescaling", "args": {"scale": 1 / 255}},
            {"type": "Conv2D", "args": {"filters": 16, "kernel_size": 3, "padding": "same",
                                        "activation": "relu"}},
            {"type": "MaxPooling2D", "args": {}},
            {"type": "Conv2D", "args": {"filters": 32, "kernel_size": 3, "padding": "same",
                                        "activation": "relu"}},
            {"type": "MaxPooling2D", "args": {}},
            {"type": "Conv2D", "args": {"filters": 64, "kernel_size": 3, "padding": "same",
                                        "activation": "relu"}},
            {"type": "MaxPooling2D", "args": {}},
            {"type": "Dropout", "args": {"rate": 0.2}},
            {"type": "Flatten", "args": {}},
            {"type": "Dense", "args": {"units": 128, "activation": "relu"}},
            {"type": "Dense", "args": {"units": num_classes}},
        ],
    }
