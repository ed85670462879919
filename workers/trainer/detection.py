"""Lab 10, object detection lite: one object per image, the model predicts its class and its box.

Data: a ``voc`` data set, ``images/<id>.<ext>`` with ``annotations/<id>.xml`` in PASCAL VOC XML as
LabelImg writes it (see ``platform/datasets/formats.py``). VOC boxes are whole pixels, 1-based and
inclusive: ``xmin=11, xmax=30`` covers the 0-based pixel columns 10..29, i.e. the continuous
extent ``[10, 30)``. Here a box becomes **normalised corners** ``[xmin, ymin, xmax, ymax]`` in 0–1:
``((xmin - 1) / width, (ymin - 1) / height, xmax / width, ymax / height)``, the order the chapter's
page uses (``box_from_voc`` / ``box_to_voc`` are exact inverses for whole-pixel boxes). Normalised
boxes do not change when the image is resized to the model's input size, so the images are simply
stretched to a square.

Model: a small functional CNN backbone (Conv2D + MaxPooling per entry of ``options.filters``) with
two heads: ``cls`` (softmax, sparse categorical cross-entropy) and ``box`` (4 sigmoids; Huber or
MSE loss, optionally plus ``iou_loss_weight · (1 − IoU)``). Reported every epoch: ``accuracy`` and
``iou`` (mean IoU of predicted vs true boxes) and their ``val_`` twins; at the end
``val_hit@0.5``, the share of validation images whose box has IoU ≥ 0.5 *and* whose class is right.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np

from trainer.splits import stored_split_indices, stored_split_load
from trainer.train import Emit, insight_write, optimizer_make, standard_callbacks, summary_emit

MAX_XML_BYTES = 1024 * 1024
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
BOX_IMAGES = 12
HIT_IOU = 0.5
TRUE_COLOUR = (0, 200, 0)
PRED_COLOUR = (230, 0, 0)
DEFAULT_OPTIONS = {
    "input_size": 64,
    "filters": [16, 32, 64, 128],
    "dense_units": 128,
    "batch_norm": True,
    "dropout": 0.0,
    "box_loss": "huber",
    "iou_loss_weight": 1.0,
    "loss_weights": {"cls": 1.0, "box": 5.0},
    "augment": True,
    "cosine_decay": True,
}


# --- VOC annotations ----------------------------------------------------------------------------


class AnnotationError(ValueError):
    """An annotation file the lab cannot use; the message names the file."""


@dataclass(frozen=True)
class VocObject:
    name: str
    xmin: float
    ymin: float
    xmax: float
    ymax: float


@dataclass(frozen=True)
class VocAnnotation:
    filename: str
    width: int
    height: int
    objects: tuple[VocObject, ...]


def _number(node, path: str, name: str) -> float:
    text = node.findtext(path)
    if text is None or not text.strip():
        raise AnnotationError(f"{name}: an object has no <{path}>")
    try:
        return float(text)
    except ValueError:
        raise AnnotationError(f"{name}: <{path}> is not a number: {text.strip()[:40]!r}") from None


def voc_parse(data: bytes, name: str) -> VocAnnotation:
    """Read one VOC annotation. Like the platform's importer (``datasets.importers.voc``), XML
    with a DOCTYPE or entity declarations is refused before parsing: VOC files never have one,
    and entities are how "billion laughs" bombs and external-file tricks work."""
    if len(data) > MAX_XML_BYTES:
        raise AnnotationError(f"{name}: too big for an annotation ({len(data)} bytes)")
    lowered = data.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise AnnotationError(f"{name}: declares a DOCTYPE or entities, which VOC annotations never do; it was not read")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise AnnotationError(f"{name}: not well-formed XML ({exc})") from None
    if root.tag != "annotation":
        raise AnnotationError(f"{name}: not a VOC annotation (root element <{root.tag[:40]}>, not <annotation>)")
    objects = []
    for node in root.findall("object"):
        label = (node.findtext("name") or "").strip()
        if not label:
            raise AnnotationError(f"{name}: an object has no class name")
        box = node.find("bndbox")
        if box is None:
            raise AnnotationError(f"{name}: the {label} object has no <bndbox>")
        objects.append(VocObject(label, *(_number(box, key, name) for key in ("xmin", "ymin", "xmax", "ymax"))))
    width = int(float(root.findtext("size/width") or 0))
    height = int(float(root.findtext("size/height") or 0))
    return VocAnnotation((root.findtext("filename") or "").strip(), width, height, tuple(objects))


def box_from_voc(obj: VocObject, width: int, height: int) -> np.ndarray:
    """1-based inclusive pixel box → normalised corners [xmin, ymin, xmax, ymax] in 0–1."""
    box = np.array([(obj.xmin - 1) / width, (obj.ymin - 1) / height, obj.xmax / width, obj.ymax / height], dtype=np.float32)
    return np.clip(box, 0.0, 1.0)


def box_to_voc(box, width: int, height: int) -> tuple[int, int, int, int]:
    """Normalised corners → the 1-based inclusive whole-pixel box (the inverse of box_from_voc)."""
    x0, y0, x1, y1 = (float(v) for v in box)
    xmin = min(max(int(round(x0 * width)) + 1, 1), width)
    ymin = min(max(int(round(y0 * height)) + 1, 1), height)
    return xmin, ymin, min(max(int(round(x1 * width)), xmin), width), min(max(int(round(y1 * height)), ymin), height)


def iou(boxes_a, boxes_b) -> np.ndarray:
    """Intersection over union of corner boxes [xmin, ymin, xmax, ymax] (any units, ``...×4``).
    A box with xmax < xmin (or ymax < ymin) has no area, so its IoU is 0."""
    a, b = np.asarray(boxes_a, dtype=np.float64), np.asarray(boxes_b, dtype=np.float64)
    inter_w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    inter_h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = inter_w * inter_h
    area_a = np.clip(a[..., 2] - a[..., 0], 0, None) * np.clip(a[..., 3] - a[..., 1], 0, None)
    area_b = np.clip(b[..., 2] - b[..., 0], 0, None) * np.clip(b[..., 3] - b[..., 1], 0, None)
    union = area_a + area_b - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def _image_of(root: Path, stem: str, annotation: VocAnnotation, xml_name: str) -> Path:
    images = root / "images"
    # The annotation's <filename> first (a bare name only: never a path out of the folder), then
    # any image with the annotation's stem, which is how the importer names them.
    if annotation.filename and Path(annotation.filename).name == annotation.filename and (images / annotation.filename).is_file():
        return images / annotation.filename
    for suffix in IMAGE_SUFFIXES:
        for candidate in (images / f"{stem}{suffix}", images / f"{stem}{suffix.upper()}"):
            if candidate.is_file():
                return candidate
    raise AnnotationError(f"{xml_name}: no image named {stem}.* in images/")


@dataclass
class VocItems:
    images: np.ndarray  # (N, size, size, 3) uint8
    labels: np.ndarray  # (N,) int64
    boxes: np.ndarray  # (N, 4) float32, normalised corners
    stems: list[str]
    paths: list[Path]  # the original image files, for drawing the boxes at full size
    class_names: list[str]
    skipped: dict[str, int]


def voc_items_load(root: Path, class_names: list[str] | None, size: int) -> VocItems:
    """Every image with exactly one object, resized to size×size RGB. Images with no object,
    several objects or a class outside ``class_names`` are skipped and counted."""
    from PIL import Image

    root = Path(root)
    xml_files = sorted((root / "annotations").glob("*.xml"))
    if not xml_files:
        raise AnnotationError(f"{root.name}: no annotations/*.xml files")
    parsed = []
    skipped = {"no_object": 0, "several_objects": 0, "unknown_class": 0}
    for path in xml_files:
        xml_name = f"annotations/{path.name}"
        annotation = voc_parse(path.read_bytes(), xml_name)
        if not annotation.objects:
            skipped["no_object"] += 1
        elif len(annotation.objects) > 1:
            skipped["several_objects"] += 1
        else:
            parsed.append((path.stem, xml_name, annotation))
    names = list(class_names) if class_names else sorted({a.objects[0].name for _s, _x, a in parsed})
    index = {name: i for i, name in enumerate(names)}
    images, labels, boxes, stems, paths = [], [], [], [], []
    for stem, xml_name, annotation in parsed:
        obj = annotation.objects[0]
        if obj.name not in index:
            skipped["unknown_class"] += 1
            continue
        path = _image_of(root, stem, annotation, xml_name)
        with Image.open(path) as image:
            width, height = image.size
            if obj.xmin > obj.xmax or obj.ymin > obj.ymax or obj.xmax > width + 0.5 or obj.ymax > height + 0.5:
                raise AnnotationError(f"{xml_name}: the {obj.name} box ({obj.xmin:g}, {obj.ymin:g}, {obj.xmax:g}, {obj.ymax:g}) "
                                      f"is not inside its {width}×{height} image")
            images.append(np.asarray(image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR), dtype=np.uint8))
        labels.append(index[obj.name])
        boxes.append(box_from_voc(obj, width, height))
        stems.append(stem)
        paths.append(path)
    if not images:
        raise AnnotationError(f"{root.name}: no image has exactly one object of a known class")
    return VocItems(np.stack(images), np.array(labels, dtype=np.int64), np.stack(boxes).astype(np.float32), stems, paths, names, skipped)


# --- model ---------------------------------------------------------------------------------------


def options_merge(options: dict | None) -> dict:
    merged = {**DEFAULT_OPTIONS, **(options or {})}
    merged["loss_weights"] = {**DEFAULT_OPTIONS["loss_weights"], **(merged.get("loss_weights") or {})}
    if merged["box_loss"] not in ("huber", "mse"):
        raise ValueError(f"box_loss must be 'huber' or 'mse', not {merged['box_loss']!r}")
    if not merged["filters"] or any(int(f) < 1 for f in merged["filters"]):
        raise ValueError("filters must be a non-empty list of positive numbers")
    if not 16 <= int(merged["input_size"]) <= 512:
        raise ValueError("input_size must be from 16 to 512 pixels")
    return merged


def model_make(keras, num_classes: int, options: dict):
    """The lab's model (the YAML's model_code shows the same code)."""
    layers = keras.layers
    size = int(options["input_size"])
    inputs = keras.Input(shape=(size, size, 3), name="image")
    x = layers.Rescaling(1.0 / 255)(inputs)
    for filters in options["filters"]:
        if options["batch_norm"]:
            # Normalising each layer's outputs lets the small net train in few epochs.
            x = layers.Conv2D(int(filters), 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=0.9)(x)
            x = layers.Activation("relu")(x)
        else:
            x = layers.Conv2D(int(filters), 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    # Flatten, not global pooling: it keeps where things are in the feature map, and the box head
    # needs exactly that. Both heads share the dense layer, so both tasks shape its features.
    x = layers.Flatten()(x)
    x = layers.Dense(int(options["dense_units"]), activation="relu")(x)
    if float(options["dropout"]) > 0:
        x = layers.Dropout(float(options["dropout"]))(x)
    class_out = layers.Dense(num_classes, activation="softmax", name="cls")(x)
    box_out = layers.Dense(4, activation="sigmoid", name="box")(x)  # normalised [xmin, ymin, xmax, ymax]
    return keras.Model(inputs, {"cls": class_out, "box": box_out}, name="detection_lite")


def _box_iou_tensor(ops, y_true, y_pred):
    """Per-image IoU of normalised corner boxes, as a tensor (for the metric and the loss)."""
    inter_w = ops.maximum(ops.minimum(y_true[:, 2], y_pred[:, 2]) - ops.maximum(y_true[:, 0], y_pred[:, 0]), 0.0)
    inter_h = ops.maximum(ops.minimum(y_true[:, 3], y_pred[:, 3]) - ops.maximum(y_true[:, 1], y_pred[:, 1]), 0.0)
    inter = inter_w * inter_h
    area_t = ops.maximum(y_true[:, 2] - y_true[:, 0], 0.0) * ops.maximum(y_true[:, 3] - y_true[:, 1], 0.0)
    area_p = ops.maximum(y_pred[:, 2] - y_pred[:, 0], 0.0) * ops.maximum(y_pred[:, 3] - y_pred[:, 1], 0.0)
    return inter / (area_t + area_p - inter + 1e-7)


def box_objects_make(keras):
    """The box IoU metric and the box loss, registered so model.keras loads with them."""
    ops = keras.ops

    @keras.saving.register_keras_serializable(package="dlc_detection")
    class BoxIoU(keras.metrics.Metric):
        """Mean IoU of predicted vs true boxes over the images seen this epoch."""

        def __init__(self, name="iou", **kwargs):
            super().__init__(name=name, **kwargs)
            self.total = self.add_variable(shape=(), initializer="zeros", name="total")
            self.count = self.add_variable(shape=(), initializer="zeros", name="count")

        def update_state(self, y_true, y_pred, sample_weight=None):
            values = _box_iou_tensor(ops, ops.cast(y_true, "float32"), ops.cast(y_pred, "float32"))
            self.total.assign_add(ops.sum(values))
            self.count.assign_add(ops.cast(ops.shape(values)[0], "float32"))

        def result(self):
            return ops.divide_no_nan(self.total, self.count)

        def reset_state(self):
            self.total.assign(0.0)
            self.count.assign(0.0)

    @keras.saving.register_keras_serializable(package="dlc_detection")
    class BoxLoss(keras.losses.Loss):
        """Huber (or MSE) on the four coordinates, plus iou_weight · (1 − IoU): the coordinate loss
        pulls every corner, the IoU term rewards overlap directly (the metric we judge by)."""

        def __init__(self, kind="huber", iou_weight=0.0, name="box_loss", **kwargs):
            super().__init__(name=name, **kwargs)
            self.kind, self.iou_weight = kind, float(iou_weight)

        def call(self, y_true, y_pred):
            y_true = ops.cast(y_true, y_pred.dtype)
            error = y_pred - y_true
            if self.kind == "mse":
                coordinate = ops.mean(ops.square(error), axis=-1)
            else:  # Huber with delta 1: on 0–1 coordinates this is half the squared error
                absolute = ops.abs(error)
                coordinate = ops.mean(ops.where(absolute <= 1.0, 0.5 * ops.square(error), absolute - 0.5), axis=-1)
            if self.iou_weight:
                coordinate = coordinate + self.iou_weight * (1.0 - _box_iou_tensor(ops, y_true, y_pred))
            return coordinate

        def get_config(self):
            return {**super().get_config(), "kind": self.kind, "iou_weight": self.iou_weight}

    return BoxIoU, BoxLoss


def metric_names_callback_make(keras):
    class MetricNames(keras.callbacks.Callback):
        """Keras names a two-output model's metrics after the output (``box_iou``,
        ``cls_accuracy``); the run page, history.csv and the lab's target use ``iou`` and
        ``accuracy``. First in the callback list, so every later callback sees the short names."""

        RENAMES = {"box_iou": "iou", "cls_accuracy": "accuracy", "val_box_iou": "val_iou", "val_cls_accuracy": "val_accuracy"}

        def _rename(self, logs):
            for old, new in self.RENAMES.items():
                if logs is not None and old in logs:
                    logs[new] = logs.pop(old)

        def on_train_batch_end(self, batch, logs=None):
            self._rename(logs)

        def on_epoch_end(self, epoch, logs=None):
            self._rename(logs)

    return MetricNames()


def cosine_decay_callback_make(keras, learning_rate: float, epochs: int):
    """The learning rate falls from its start value to nearly 0 along half a cosine, one step per
    epoch: big steps while the boxes are far off, small ones to settle at the end."""
    import math

    def schedule(epoch: int, _lr: float) -> float:
        return learning_rate * 0.5 * (1 + math.cos(math.pi * epoch / max(epochs, 1)))

    return keras.callbacks.LearningRateScheduler(schedule)


# --- insight -------------------------------------------------------------------------------------


def box_image_draw(source: Path, true_box, pred_box, caption: str, path: Path, side: int = 192) -> None:
    """The original image scaled to ``side`` pixels (its longer side), the true box in green, the
    predicted one in red, and a caption strip below."""
    from PIL import Image, ImageDraw

    with Image.open(source) as original:
        original = original.convert("RGB")
        factor = side / max(original.size)
        size = (max(1, round(original.width * factor)), max(1, round(original.height * factor)))
        base = original.resize(size, Image.Resampling.NEAREST if factor >= 1 else Image.Resampling.BILINEAR)
    width, height = base.size
    canvas = Image.new("RGB", (width, height + 14), (255, 255, 255))
    canvas.paste(base, (0, 0))
    draw = ImageDraw.Draw(canvas)
    for box, colour in ((true_box, TRUE_COLOUR), (pred_box, PRED_COLOUR)):
        x0, y0, x1, y1 = (float(v) for v in box)
        draw.rectangle([x0 * width, y0 * height, max(x1 * width - 1, x0 * width), max(y1 * height - 1, y0 * height)], outline=colour, width=2)
    draw.text((2, height + 1), caption, fill=(0, 0, 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path, format="PNG", optimize=True)


def detection_insight(items: VocItems, val_idx: np.ndarray, probs: np.ndarray, pred_boxes: np.ndarray, out_dir: Path) -> dict:
    true = items.labels[val_idx]
    pred = probs.argmax(axis=1)
    true_boxes = items.boxes[val_idx]
    ious = iou(true_boxes, pred_boxes)
    hits = (ious >= HIT_IOU) & (pred == true)
    names = items.class_names
    per_class_accuracy, per_class_iou = [], []
    for c in range(len(names)):
        mask = true == c
        per_class_accuracy.append(round(float((pred[mask] == c).mean()), 4) if mask.any() else None)
        per_class_iou.append(round(float(ious[mask].mean()), 4) if mask.any() else None)
    boxes = []
    for i in range(min(BOX_IMAGES, len(val_idx))):
        file = f"boxes/{i:02d}.png"
        caption = f"{names[true[i]]} -> {names[pred[i]]}  IoU {ious[i]:.2f}"
        box_image_draw(items.paths[val_idx[i]], true_boxes[i], pred_boxes[i], caption, out_dir / file)
        boxes.append({
            "file": file, "item": items.stems[val_idx[i]], "true": int(true[i]), "pred": int(pred[i]),
            "prob": round(float(probs[i, pred[i]]), 4), "iou": round(float(ious[i]), 4), "hit": bool(hits[i]),
            "true_box": [round(float(v), 4) for v in true_boxes[i]], "pred_box": [round(float(v), 4) for v in pred_boxes[i]],
        })
    return {
        "class_names": names,
        "box_format": "normalised [xmin, ymin, xmax, ymax]",
        "val_items": int(len(val_idx)),
        "val_accuracy": round(float((pred == true).mean()), 4),
        "mean_iou": round(float(ious.mean()), 4),
        "hit_iou": HIT_IOU,
        "hit_rate": round(float(hits.mean()), 4),
        "per_class_accuracy": per_class_accuracy,
        "per_class_iou": per_class_iou,
        "skipped": items.skipped,
        "boxes": boxes,
    }


# --- the program ---------------------------------------------------------------------------------


def detection_split(root: Path, stems: list[str], validation_split: float, seed: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """(training, validation) positions in ``stems`` and whether they come from the set's stored
    split: its listed stems that survived the one-object filter are the validation images. With
    no ``split.json``, the same seeded split as the other programs (trainer.programs.split_indices,
    not imported: that module imports this one to register the program)."""
    validation = stored_split_load(root, "voc")
    if validation is not None:
        train_idx, val_idx = stored_split_indices(stems, validation)
        return train_idx, val_idx, True
    order = np.random.default_rng(seed).permutation(len(stems))
    n_val = int(round(len(order) * validation_split))
    train_idx, val_idx = order[n_val:], order[:n_val]
    if len(train_idx) == 0 or len(val_idx) == 0:
        raise ValueError(f"{len(stems)} usable images are too few to split into training and validation")
    return train_idx, val_idx, False


def detection_lite(run_dir: Path, config: dict, emit: Emit) -> None:
    """Train the two-head model on a VOC data set (one object per image) and report class
    accuracy and box IoU every epoch, the hit rate at IoU 0.5 at the end, and the box images."""
    import keras
    import tensorflow as tf

    hp = config["hyperparameters"]
    options = options_merge(config.get("options"))
    seed = int(hp.get("seed", 123))
    keras.utils.set_random_seed(seed)
    size = int(options["input_size"])
    data = config["dataset"]
    if data.get("format", "voc") != "voc":
        raise ValueError(f"the detection lab reads VOC data sets, not {data.get('format')!r}")
    started = time.perf_counter()
    items = voc_items_load(Path(data["path"]), data.get("class_names") or None, size)
    skipped = sum(items.skipped.values())
    emit({"type": "log", "line": (f"read {len(items.labels)} images with one object ({time.perf_counter() - started:.1f} s); "
                                  f"skipped {skipped}: {items.skipped['no_object']} with no object, "
                                  f"{items.skipped['several_objects']} with several objects, {items.skipped['unknown_class']} of an unknown class")})
    train_idx, val_idx, stored = detection_split(Path(data["path"]), items.stems, float(hp.get("validation_split", 0.2)), seed)
    if stored:
        emit({"type": "log", "line": f"using the data set's stored split: {len(train_idx)} training / {len(val_idx)} validation images"})
    batch_size = int(hp["batch_size"])

    def pipeline(idx: np.ndarray, training: bool):
        ds = tf.data.Dataset.from_tensor_slices((items.images[idx], {"cls": items.labels[idx], "box": items.boxes[idx]}))
        if training:
            ds = ds.shuffle(len(idx), seed=seed, reshuffle_each_iteration=True)
            if options["augment"]:
                # Sequential on purpose: parallel calls would draw the random flips in whatever
                # order the threads run, and the same seed would give a different run.
                ds = ds.map(_dihedral_random_make(tf, seed))
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    BoxIoU, BoxLoss = box_objects_make(keras)
    model = model_make(keras, len(items.class_names), options)
    model.compile(
        optimizer=optimizer_make(hp, keras),
        loss={"cls": keras.losses.SparseCategoricalCrossentropy(), "box": BoxLoss(options["box_loss"], float(options["iou_loss_weight"]))},
        loss_weights={k: float(options["loss_weights"][k]) for k in ("cls", "box")},
        metrics={"cls": ["accuracy"], "box": [BoxIoU()]},
    )
    summary_emit(model, run_dir, emit)
    emit({"type": "log", "line": f"training images: {len(train_idx)}, validation images: {len(val_idx)}; classes: {', '.join(items.class_names)}"})
    callbacks = [metric_names_callback_make(keras)]
    if options["cosine_decay"]:
        callbacks.append(cosine_decay_callback_make(keras, float(hp.get("learning_rate", 0.001)), int(hp["epochs"])))
    callbacks += standard_callbacks(keras, run_dir, config, emit)
    history = model.fit(pipeline(train_idx, True), validation_data=pipeline(val_idx, False), epochs=int(hp["epochs"]),
                        callbacks=callbacks, verbose=0, shuffle=False)  # tf.data already shuffles, with a seed
    model.save(run_dir / "model.keras")

    emit({"type": "log", "line": "drawing the validation boxes"})
    # One eager call, not model.predict: the validation set is small, and predict would first
    # spend seconds building a graph it then runs once.
    outputs = model(tf.convert_to_tensor(items.images[val_idx], tf.float32), training=False)
    insight = detection_insight(items, val_idx, np.asarray(outputs["cls"]), np.asarray(outputs["box"]), run_dir / "insight")
    insight_write(run_dir, {"detection": insight}, emit)
    final = {key: float(values[-1]) for key, values in history.history.items() if values}
    final["val_hit@0.5"] = insight["hit_rate"]
    emit({"type": "done", "final_metrics": final})


def _dihedral_random_make(tf, seed: int):
    """Random mirror images and quarter turns (flip left-right, flip up-down, swap the axes), each
    with the box moved along: a mirrored or turned shape is still the same class, so the few
    training images count eight times over."""

    def augment(image, targets):
        box = targets["box"]  # [xmin, ymin, xmax, ymax]
        draws = tf.random.uniform([3], seed=seed) < 0.5
        image, box = tf.cond(draws[0], lambda: (tf.image.flip_left_right(image), tf.stack([1.0 - box[2], box[1], 1.0 - box[0], box[3]])), lambda: (image, box))
        image, box = tf.cond(draws[1], lambda: (tf.image.flip_up_down(image), tf.stack([box[0], 1.0 - box[3], box[2], 1.0 - box[1]])), lambda: (image, box))
        image, box = tf.cond(draws[2], lambda: (tf.transpose(image, [1, 0, 2]), tf.stack([box[1], box[0], box[3], box[2]])), lambda: (image, box))
        return image, {"cls": targets["cls"], "box": box}

    return augment
