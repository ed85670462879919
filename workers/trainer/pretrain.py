"""Base networks for transfer learning, made or checked in a child process like training itself:

    python -m trainer.pretrain build JOB_DIR      # train a small CNN base, save it as a .keras file
    python -m trainer.pretrain inspect JOB_DIR    # load an uploaded .keras file and describe it

JOB_DIR/request.json says what to do; the answer is JOB_DIR/result.json — on success what the
platform stores about the model (input shape, layers, parameters), on failure ``{"error": ...}``
in words an administrator can act on. Exit code 0 on success. No Django here, no downloads.

The base is what ``keras.applications.VGG16(include_top=False)`` is to the chapter: the
convolutional part only, without its classification head and without the input scaling, which
the transfer model applies itself (``x / 255``, like ``preprocess_input``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# What the platform's own base expects in front of it (the transfer program reads the same word).
PREPROCESSING_UNIT = "unit"  # pixels 0–255 → 0–1


def base_build(keras, image_size: int, filters: tuple[int, ...] = (16, 32, 64, 128)):
    """Convolution blocks Conv 3×3 → BatchNormalization → ReLU → MaxPooling 2×2, one per entry
    of ``filters``: 98,160 parameters at 16/32/64/128 (16 layers). The convolutions have no bias
    because the BatchNormalization after each adds its own shift (beta). Four blocks: at 64×64
    the last block sees most of the image, which a shape's class depends on."""
    layers = keras.layers
    inputs = keras.Input(shape=(image_size, image_size, 3), name="image")
    x = inputs
    for block, width in enumerate(filters, start=1):
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{block}_conv")(x)
        # momentum 0.9: the moving mean and variance follow the weights closely enough that the
        # stored statistics match the stored weights at the end of a short pre-training.
        x = layers.BatchNormalization(momentum=0.9, name=f"block{block}_bn")(x)
        x = layers.ReLU(name=f"block{block}_relu")(x)
        x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    return keras.Model(inputs, x, name="conv_base")


def _shape_augment(tf, seed: int):
    """A shape stays the same shape turned by right angles, mirrored, or in other colours
    (the channels swapped): eight times more variety from the same 600 images, and no reason to
    learn colours."""
    rng = tf.random.Generator.from_seed(seed)

    def augment(image, label):
        image = tf.image.rot90(image, rng.uniform((), 0, 4, dtype=tf.int32))
        image = tf.cond(rng.uniform(()) < 0.5, lambda: tf.image.flip_left_right(image), lambda: image)
        image = tf.gather(image, tf.argsort(rng.uniform((3,))), axis=-1)
        return image, label

    return augment


def model_describe(model, keras) -> dict:
    """What the platform records about a base: its input, size and depth (the input layer is
    not counted, as ``base.layers[-N:]`` in the chapter never reaches it)."""
    shape = [None if d is None else int(d) for d in model.inputs[0].shape[1:]]
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    return {
        "input_shape": shape,
        "output_shape": [None if d is None else int(d) for d in model.outputs[0].shape[1:]],
        "num_layers": len(layers),
        "total_params": int(model.count_params()),
        "layer_classes": sorted({type(layer).__name__ for layer in layers}),
    }


def build(request: dict) -> dict:
    """Train base + GAP + Dense on a class-per-folder image set, then keep only the base."""
    import keras
    import numpy as np
    import tensorflow as tf

    started = time.perf_counter()
    seed = int(request.get("seed", 7))
    keras.utils.set_random_seed(seed)
    size = int(request.get("image_size", 64))
    class_names = list(request.get("class_names") or []) or None
    data_dir = Path(request["dataset_path"])
    if not data_dir.is_dir():
        raise ValueError(f"the pre-training images are missing ({data_dir})")
    files = keras.utils.image_dataset_from_directory(
        data_dir, labels="inferred", image_size=(size, size), batch_size=None, shuffle=True, seed=seed,
        color_mode="rgb", class_names=class_names,
    )
    names = files.class_names
    images, labels = [], []
    counts: dict[int, int] = {}
    max_per_class = request.get("max_per_class")
    for image, label in files.as_numpy_iterator():
        label = int(label)
        if max_per_class is not None and counts.get(label, 0) >= int(max_per_class):
            continue
        counts[label] = counts.get(label, 0) + 1
        images.append(image)
        labels.append(label)
    x = np.stack(images).astype("float32") / 255.0  # PREPROCESSING_UNIT, the same as the transfer model
    y = np.asarray(labels, dtype="int64")
    n_val = max(1, int(round(len(x) * 0.2)))
    x_train, y_train, x_val, y_val = x[n_val:], y[n_val:], x[:n_val], y[:n_val]

    base = base_build(keras, size, tuple(int(f) for f in request.get("filters", (16, 32, 64, 128))))
    inputs = keras.Input(shape=(size, size, 3))
    features = base(inputs)
    pooled = keras.layers.GlobalAveragePooling2D(name="gap")(features)
    outputs = keras.layers.Dense(len(names), activation="softmax", name="pretrain_head")(pooled)
    model = keras.Model(inputs, outputs, name="pretrain")
    epochs = int(request.get("epochs", 25))
    batch_size = int(request.get("batch_size", 32))
    # The learning rate decays to 0 along a cosine: the last epochs settle the weights, so the
    # moving statistics of the BN layers fit the weights that are saved.
    steps = epochs * -(-len(x_train) // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(float(request.get("learning_rate", 0.003)), max(1, steps))
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(len(x_train), seed=seed, reshuffle_each_iteration=True)
    if request.get("augment", True):
        train_ds = train_ds.map(_shape_augment(tf, seed))
    train_ds = train_ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    history = model.fit(train_ds, validation_data=(x_val, y_val), epochs=epochs, verbose=0)
    output = Path(request["output"])
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part.keras")
    base.save(partial)
    os.replace(partial, output)  # never leave a half-written base where runs look for it
    return {
        **model_describe(base, keras),
        "preprocessing": PREPROCESSING_UNIT,
        "trained_on_items": int(len(x)),
        "class_names": list(names),
        "epochs": len(history.history.get("loss", [])),
        "val_accuracy": round(float(history.history["val_accuracy"][-1]), 4),
        "seconds": round(time.perf_counter() - started, 1),
    }


def inspect(request: dict) -> dict:
    """Check an uploaded file the safe way and describe it. Refuses what is not a Keras model
    file, what needs Python code to load (Lambda layers: ``safe_mode``), and models whose input is
    not one image of 1 or 3 channels."""
    path = Path(request["path"])
    if not zipfile.is_zipfile(path):
        raise ValueError("The file is not a Keras model: a .keras file is a zip archive, and this one is not.")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    if "config.json" not in names or "model.weights.h5" not in names:
        raise ValueError("The file is a zip archive but not a Keras model: it has no config.json and model.weights.h5 "
                         "(save the model with model.save(\"name.keras\")).")
    import keras

    try:
        model = keras.models.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # noqa: BLE001 — every reason is reported, none trusted
        text = str(exc)
        if "Lambda" in text or "safe_mode" in text:
            raise ValueError("The model contains a Lambda layer (Python code), which the platform does not load for safety. "
                             "Replace it with built-in layers, e.g. Rescaling, and save the model again.") from exc
        raise ValueError(f"Keras could not load the model: {type(exc).__name__}: {text[:300]}") from exc
    if len(model.inputs) != 1:
        raise ValueError(f"A base network needs exactly one image input; this model has {len(model.inputs)} inputs.")
    description = model_describe(model, keras)
    shape = description["input_shape"]
    if len(shape) != 3 or shape[2] not in (1, 3):
        raise ValueError(f"The model's input is {tuple(shape)}, not an image (height, width, 1 or 3 channels).")
    if len(description["output_shape"]) not in (1, 3):
        raise ValueError(f"The model's output {tuple(description['output_shape'])} is neither feature maps nor a feature vector.")
    return description


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trainer.pretrain")
    parser.add_argument("action", choices=("build", "inspect"))
    parser.add_argument("job_dir", type=Path)
    args = parser.parse_args(argv)
    result_path = args.job_dir / "result.json"
    try:
        request = json.loads((args.job_dir / "request.json").read_text(encoding="utf-8"))
        result = build(request) if args.action == "build" else inspect(request)
    except Exception as exc:  # the administrator reads the reason; the platform stores it
        message = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        result_path.write_text(json.dumps({"error": message[:2000]}, ensure_ascii=False), encoding="utf-8")
        return 1
    result_path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
