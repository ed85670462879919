"""Questions asked of a finished run's model, in a child process like training itself:

    python -m trainer.infer RUN_DIR JOB_DIR

JOB_DIR/request.json says what to do — ``{"kind": "predict", "image": "input.png"}`` or
``{"kind": "feature_maps", "image": "...", "layer": 2}`` — and the answer is written to
JSON_DIR/result.json (and, for feature maps, one PNG per channel shown). Exit code 0 on success;
on failure result.json holds ``{"error": "..."}`` a learner can read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MAX_CHANNELS_SHOWN = 16


def image_as_model_input(path: Path, input_shape: tuple[int, ...]) -> np.ndarray:
    """Load the image the way the training pipeline did: resized (bilinear) to the model's input
    size, RGB or greyscale, float pixel values 0–255 (the model's own Rescaling layer, if any,
    scales them)."""
    from PIL import Image

    if len(input_shape) != 3 or input_shape[2] not in (1, 3):
        raise ValueError(f"this model does not take images (its input shape is {tuple(input_shape)})")
    height, width, channels = input_shape
    with Image.open(path) as image:
        image = image.convert("RGB" if channels == 3 else "L").resize((width, height), Image.Resampling.BILINEAR)
        array = np.asarray(image, dtype=np.float32)
    if channels == 1:
        array = array[..., None]
    return array[None, ...]


def _probabilities(outputs: np.ndarray) -> np.ndarray:
    if np.all(outputs >= 0) and np.isclose(outputs.sum(), 1.0, atol=1e-3):
        return outputs
    exp = np.exp(outputs - outputs.max())
    return exp / exp.sum()


def predict(model, config: dict, image: np.ndarray) -> dict:
    if config.get("hyperparameters", {}).get("normalize"):
        image = image / 255.0
    outputs = np.asarray(model(image, training=False))[0]
    probs = _probabilities(outputs)
    names = list(config.get("dataset", {}).get("class_names") or [])
    if len(names) != len(probs):
        names = [str(i) for i in range(len(probs))]
    best = int(probs.argmax())
    return {
        "kind": "predict",
        "predicted": best,
        "predicted_name": names[best],
        "classes": [{"name": n, "probability": round(float(p), 6)} for n, p in zip(names, probs)],
    }


def feature_maps(model, config: dict, image: np.ndarray, layer_index: int, job_dir: Path) -> dict:
    import keras

    from trainer.insight import png_write

    layers = model.layers
    if not 1 <= layer_index <= len(layers):
        raise ValueError(f"layer {layer_index} does not exist (the model has {len(layers)} layers)")
    layer = layers[layer_index - 1]
    if config.get("hyperparameters", {}).get("normalize"):
        image = image / 255.0
    probe = keras.Model(inputs=model.inputs, outputs=layer.output)
    maps = np.asarray(probe(image, training=False))[0]
    if maps.ndim != 3:
        raise ValueError(f"layer {layer_index} ({layer.name}) outputs shape {tuple(maps.shape)}, not feature maps (height, width, channels)")
    channels = []
    for channel in range(min(maps.shape[2], MAX_CHANNELS_SHOWN)):
        file = f"map_{channel:02d}.png"
        png_write(job_dir / file, maps[:, :, channel], min_size=96)
        values = maps[:, :, channel]
        channels.append({"channel": channel, "file": file, "min": round(float(values.min()), 4), "max": round(float(values.max()), 4)})
    return {
        "kind": "feature_maps",
        "layer": layer_index,
        "layer_name": layer.name,
        "shape": list(maps.shape),
        "channels_total": int(maps.shape[2]),
        "channels": channels,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trainer.infer")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("job_dir", type=Path)
    args = parser.parse_args(argv)
    result_path = args.job_dir / "result.json"
    try:
        request = json.loads((args.job_dir / "request.json").read_text(encoding="utf-8"))
        config = json.loads((args.run_dir / "config.json").read_text(encoding="utf-8"))
        model_path = args.run_dir / "model.keras"
        if not model_path.is_file():
            raise ValueError("this run has no saved model (it did not finish training)")
        import keras

        model = keras.models.load_model(model_path, compile=False)
        image = image_as_model_input(args.job_dir / request["image"], tuple(model.inputs[0].shape[1:]))
        if request["kind"] == "predict":
            result = predict(model, config, image)
        elif request["kind"] == "feature_maps":
            result = feature_maps(model, config, image, int(request["layer"]), args.job_dir)
        else:
            raise ValueError(f"unknown request {request['kind']!r}")
    except Exception as exc:  # the learner gets the reason; the worker decides what to store
        result_path.write_text(json.dumps({"error": f"{type(exc).__name__}: {exc}"}, ensure_ascii=False), encoding="utf-8")
        return 1
    result_path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
