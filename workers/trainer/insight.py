"""What a trained classifier learned, written next to the run's other files.

``insight/insight.json`` holds the confusion matrix, per-class accuracy and the validation
samples (with their image files under ``insight/samples/``); ``insight/weights.jsonl`` gets one
line of per-layer weight histograms per epoch; ``insight/templates/`` holds the learned weight
images of a Flatten → Dense classifier (the softmax-regression lab's "templates").
All images are small PNGs written with Pillow; nothing here needs matplotlib.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SAMPLE_COUNT = 16
HISTOGRAM_BINS = 30


def _to_uint8_image(values: np.ndarray) -> np.ndarray:
    """Scale one image (H, W, C) of any value range to 0–255 for display."""
    values = np.asarray(values, dtype=np.float32)
    if values.ndim == 1:
        side = int(round(np.sqrt(values.size)))
        values = values.reshape(side, side, 1) if side * side == values.size else values.reshape(1, -1, 1)
    if values.ndim == 2:
        values = values[..., None]
    low, high = float(values.min()), float(values.max())
    if high <= 255 and low >= 0 and high > 1.0:
        scaled = values
    else:
        scaled = (values - low) / (high - low) * 255 if high > low else np.zeros_like(values)
    image = np.clip(scaled, 0, 255).astype(np.uint8)
    return image[..., 0] if image.shape[-1] == 1 else image[..., :3]


def png_write(path: Path, values: np.ndarray, *, min_size: int = 64) -> None:
    from PIL import Image

    image = Image.fromarray(_to_uint8_image(values))
    if max(image.size) < min_size:  # tiny digits are unreadable at 8 px; enlarge without blurring
        factor = -(-min_size // max(image.size))
        image = image.resize((image.width * factor, image.height * factor), Image.Resampling.NEAREST)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", optimize=True)


def confusion_matrix(true: np.ndarray, pred: np.ndarray, num_classes: int) -> list[list[int]]:
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (true.astype(np.int64), pred.astype(np.int64)), 1)
    return matrix.tolist()


def per_class_accuracy(matrix: list[list[int]]) -> list[float | None]:
    """Recall of each class (correct / items of that class); None for a class with no items."""
    out: list[float | None] = []
    for i, row in enumerate(matrix):
        total = sum(row)
        out.append(round(row[i] / total, 4) if total else None)
    return out


def _softmax_if_logits(outputs: np.ndarray) -> np.ndarray:
    sums = outputs.sum(axis=1)
    if np.all(outputs >= 0) and np.allclose(sums, 1.0, atol=1e-3):
        return outputs
    shifted = outputs - outputs.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def classification_insight(model, val_ds, class_names: list[str], out_dir: Path) -> dict:
    """Predict the whole validation set once: confusion matrix, per-class accuracy, and the first
    validation images with true and predicted labels and the predicted probability."""
    images, true_labels, probabilities = [], [], []
    for x, y in val_ds:
        probs = _softmax_if_logits(np.asarray(model(x, training=False)))
        probabilities.append(probs)
        true_labels.append(np.asarray(y).reshape(-1))
        if sum(len(i) for i in images) < SAMPLE_COUNT:
            images.append(np.asarray(x))
    if not probabilities:
        return {}
    probs = np.concatenate(probabilities)
    true = np.concatenate(true_labels).astype(np.int64)
    pred = probs.argmax(axis=1)
    num_classes = probs.shape[1]
    names = list(class_names) if len(class_names) == num_classes else [str(i) for i in range(num_classes)]
    matrix = confusion_matrix(true, pred, num_classes)
    samples = []
    sample_images = np.concatenate(images)[:SAMPLE_COUNT]
    for i, image in enumerate(sample_images):
        file = f"samples/{i:02d}.png"
        png_write(out_dir / file, image)
        samples.append({"file": file, "true": int(true[i]), "pred": int(pred[i]), "prob": round(float(probs[i, pred[i]]), 4)})
    return {
        "class_names": names,
        "confusion_matrix": matrix,
        "per_class_accuracy": per_class_accuracy(matrix),
        "val_items": int(len(true)),
        "val_accuracy": round(float((pred == true).mean()), 4),
        "samples": samples,
    }


def dense_templates(model, out_dir: Path) -> list[dict]:
    """For a Flatten → Dense classifier, each output unit's weights reshaped to the input image:
    the "template" it compares every image with. Empty for any other architecture."""
    import keras

    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.Rescaling)]
    if len(layers) != 2 or not isinstance(layers[0], keras.layers.Flatten) or not isinstance(layers[1], keras.layers.Dense):
        return []
    input_shape = tuple(model.inputs[0].shape[1:])
    kernel = np.asarray(layers[1].kernel)
    if int(np.prod(input_shape)) != kernel.shape[0] or len(input_shape) not in (2, 3):
        return []
    templates = []
    for unit in range(kernel.shape[1]):
        weights = kernel[:, unit].reshape(input_shape)
        if weights.ndim == 3:
            weights = weights.mean(axis=2)
        limit = float(np.abs(weights).max()) or 1.0
        # Diverging colours: red for weights that vote for the class, blue against it.
        t = weights / limit
        rgb = np.stack([np.where(t >= 0, 1.0, 1 + t), 1 - np.abs(t), np.where(t <= 0, 1.0, 1 - t)], axis=-1)
        file = f"templates/{unit:02d}.png"
        png_write(out_dir / file, (rgb * 255).astype(np.uint8), min_size=96)
        templates.append({"file": file, "unit": unit, "abs_max": round(limit, 6)})
    return templates


def weight_histograms(model) -> list[dict]:
    """Histogram of every layer's kernel (the weights that learn; biases are left out)."""
    out = []
    for index, layer in enumerate(model.layers, start=1):
        kernel = getattr(layer, "kernel", None)
        if kernel is None:
            continue
        values = np.asarray(kernel).reshape(-1)
        counts, edges = np.histogram(values, bins=HISTOGRAM_BINS)
        out.append({
            "layer": index,
            "name": layer.name,
            "counts": counts.tolist(),
            "edges": [round(float(e), 6) for e in edges],
            "mean": round(float(values.mean()), 6),
            "std": round(float(values.std()), 6),
        })
    return out


def histogram_callback_make(keras, out_dir: Path):
    class WeightHistograms(keras.callbacks.Callback):
        """Appends one JSON line per epoch, so the run page can scrub through training."""

        def on_train_begin(self, logs=None):
            out_dir.mkdir(parents=True, exist_ok=True)
            self._write(0)

        def on_epoch_end(self, epoch, logs=None):
            self._write(epoch + 1)

        def _write(self, epoch: int) -> None:
            with open(out_dir / "weights.jsonl", "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"epoch": epoch, "layers": weight_histograms(self.model)}) + "\n")

    return WeightHistograms()


def learning_rate_of(optimizer) -> float | None:
    try:
        return float(np.asarray(optimizer.learning_rate))
    except (TypeError, ValueError, AttributeError):
        return None


SHUFFLE_EPOCHS_RECORDED = 3


def batch_order_recorder_attach(train_ds, tf, steps_per_epoch: int):
    """Watch the batches model.fit really consumes in the first epochs: each batch's labels and a
    fingerprint of each image (its pixel sum). Returns the wrapped data set and a ``summary()``
    that says whether the batch order and the batch contents changed between epochs — the
    course's question "are the 92 batches the same in two epochs?", answered from the run itself."""
    seen: list[tuple[list[int], list[float]]] = []
    limit = steps_per_epoch * SHUFFLE_EPOCHS_RECORDED

    def note(labels, fingerprints):
        if len(seen) < limit:
            seen.append((labels.numpy().reshape(-1).astype(int).tolist(), np.round(fingerprints.numpy(), 2).tolist()))
        return labels

    def tag(x, y):
        fingerprints = tf.reduce_sum(tf.cast(x, tf.float32), axis=list(range(1, len(x.shape))))
        labels = tf.py_function(note, [y, fingerprints], Tout=y.dtype)
        labels.set_shape(y.shape)
        return x, labels

    def summary() -> dict:
        epochs = [seen[i * steps_per_epoch:(i + 1) * steps_per_epoch] for i in range(SHUFFLE_EPOCHS_RECORDED)]
        epochs = [e for e in epochs if len(e) == steps_per_epoch]
        out = {"steps_per_epoch": steps_per_epoch, "epochs": [
            {"epoch": i + 1, "first_batches": [labels for labels, _fp in batches[:3]]} for i, batches in enumerate(epochs)
        ]}
        if len(epochs) >= 2:
            order = [[tuple(fp) for _labels, fp in batches] for batches in epochs[:2]]
            out["order_changed"] = order[0] != order[1]
            out["contents_changed"] = sorted(tuple(sorted(b)) for b in order[0]) != sorted(tuple(sorted(b)) for b in order[1])
        return out

    return train_ds.map(tag).prefetch(tf.data.AUTOTUNE), summary
