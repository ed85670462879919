"""The training itself: data pipeline, model, compile, fit, artifacts."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Callable

from trainer.checkpoint import atomic_backup_make
from trainer.events import logs_clean
from trainer.insight import batch_order_recorder_attach, classification_insight, dense_templates, histogram_callback_make, learning_rate_of
from trainer.splits import image_folder_datasets

Emit = Callable[[dict], None]


def config_load(run_dir: Path) -> dict:
    return json.loads((run_dir / "config.json").read_text(encoding="utf-8"))


def _configure_devices(tf, config: dict | None = None) -> str:
    gpus = tf.config.list_physical_devices("GPU")
    limit = (config or {}).get("gpu_memory_limit_mb")
    for gpu in gpus:
        if limit:
            # The worker's slot: one logical device with a fixed share of the card, so several
            # slots (runs) share one GPU without one taking all its memory.
            tf.config.set_logical_device_configuration(gpu, [tf.config.LogicalDeviceConfiguration(memory_limit=int(limit))])
        else:
            # Grow GPU memory on demand so several small runs can share one card.
            tf.config.experimental.set_memory_growth(gpu, True)
    return "GPU" if gpus else "CPU"


def datasets_make(config: dict, tf, keras, emit: Emit | None = None):
    """Build the training and validation tf.data pipelines the notes describe: a seeded split
    (or the data set's stored one, see ``trainer.splits``), cache, a seeded shuffle that changes
    every epoch, and prefetch."""
    data = config["dataset"]
    hp = config["hyperparameters"]
    seed = int(hp.get("seed", 123))
    batch_size = int(hp["batch_size"])
    validation_split = float(hp.get("validation_split", 0.2))
    input_shape = config["spec"]["input_shape"]
    if data["format"] == "image_folder":
        if len(input_shape) != 3 or input_shape[2] not in (1, 3):
            raise ValueError("image data needs an input shape (height, width, 1 or 3 channels)")
        train_ds, val_ds, info = image_folder_datasets(
            Path(data["path"]), data.get("class_names") or None, (input_shape[0], input_shape[1]), input_shape[2],
            batch_size, validation_split, seed, tf, keras,
        )
        if info["stored_split"] and emit is not None:
            emit({"type": "log", "line": f"using the data set's stored split: {info['train_items']} training / {info['val_items']} validation images"})
    elif data["format"] == "npz":
        import numpy as np

        with np.load(data["path"]) as arrays:
            x, y = arrays["x"].astype("float32"), arrays["y"].astype("int64")
        want = tuple(input_shape)
        if x.shape[1:] != want:
            if int(np.prod(x.shape[1:])) != int(np.prod(want)):
                raise ValueError(f"data items have shape {x.shape[1:]}, the model expects {want}")
            x = x.reshape((len(x),) + want)
        order = np.random.default_rng(seed).permutation(len(x))
        n_val = int(round(len(x) * validation_split))
        val_idx, train_idx = order[:n_val], order[n_val:]
        train_ds = tf.data.Dataset.from_tensor_slices((x[train_idx], y[train_idx])).batch(batch_size)
        val_ds = tf.data.Dataset.from_tensor_slices((x[val_idx], y[val_idx])).batch(batch_size)
    else:
        raise ValueError(f"unknown dataset format {data['format']!r}")
    if hp.get("normalize"):
        # The MLP lab's switch: pixels 0–255 → 0–1 in the pipeline, so the model itself is unchanged.
        train_ds = train_ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y))
        val_ds = val_ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y))
    autotune = tf.data.AUTOTUNE
    # cache/prefetch are on for every run; the switches exist so bench/bench_dataloading.py can
    # measure what each one is worth on the same code path.
    pipeline = config.get("pipeline", {})
    if pipeline.get("cache", True):
        train_ds, val_ds = train_ds.cache(), val_ds.cache()
    train_ds = train_ds.shuffle(int(hp.get("shuffle_buffer", 1000)), seed=seed, reshuffle_each_iteration=True)
    if pipeline.get("prefetch", True):
        train_ds, val_ds = train_ds.prefetch(autotune), val_ds.prefetch(autotune)
    return train_ds, val_ds


def optimizer_make(hp: dict, keras):
    from modelspec.codegen import COMPILE_OPTIMIZERS

    name = str(hp.get("optimizer", "adam")).lower()
    if name not in COMPILE_OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}")
    optimizer_class = getattr(keras.optimizers, COMPILE_OPTIMIZERS[name])
    lr = float(hp.get("learning_rate", 0.001))
    if name == "sgd":
        return optimizer_class(learning_rate=lr, momentum=float(hp.get("momentum", 0.0)))
    return optimizer_class(learning_rate=lr)


def loss_make(compile_config: dict, keras):
    name = compile_config.get("loss", "sparse_categorical_crossentropy")
    from_logits = bool(compile_config.get("from_logits", False))
    if name == "sparse_categorical_crossentropy":
        return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    if name == "mse":
        return keras.losses.MeanSquaredError()
    raise ValueError(f"unknown loss {name!r}")


def progress_callback_make(keras, emit: Emit, batch_events_per_second: float):
    min_interval = 1.0 / batch_events_per_second if batch_events_per_second > 0 else float("inf")

    class ProgressCallback(keras.callbacks.Callback):
        """Reports every epoch and, throttled, the position inside the current epoch."""

        def on_train_begin(self, logs=None):
            emit({"type": "train_begin", "epochs": self.params.get("epochs"), "steps": self.params.get("steps")})

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch_started = time.perf_counter()
            self._last_batch_event = 0.0
            emit({"type": "epoch_begin", "epoch": epoch + 1, "steps": self.params.get("steps")})

        def on_train_batch_end(self, batch, logs=None):
            now = time.perf_counter()
            steps = self.params.get("steps")
            if now - self._last_batch_event < min_interval and (steps is None or batch + 1 < steps):
                return
            self._last_batch_event = now
            emit({"type": "batch", "batch": batch + 1, "steps": steps, "metrics": logs_clean(logs)})

        def on_epoch_end(self, epoch, logs=None):
            metrics = logs_clean(logs)
            metrics.setdefault("learning_rate", learning_rate_of(self.model.optimizer))
            emit({"type": "epoch", "epoch": epoch + 1, "metrics": metrics,
                  "duration_s": round(time.perf_counter() - self._epoch_started, 4)})

    return ProgressCallback()


def train(run_dir: Path, emit: Emit) -> None:
    """Run the lab's training program (``config["program"]``, default the model-spec classifier)."""
    config = config_load(run_dir)
    program = config.get("program", "keras_spec")
    emit({"type": "log", "line": "loading TensorFlow"})
    if program == "keras_spec":
        return train_keras_spec(run_dir, config, emit)
    from trainer import programs

    runner = programs.PROGRAMS.get(program)
    if runner is None:
        raise ValueError(f"unknown training program {program!r}")
    return runner(run_dir, config, emit)


def summary_emit(model, run_dir: Path, emit: Emit) -> None:
    summary = io.StringIO()
    model.summary(print_fn=lambda line, *a, **k: summary.write(line + "\n"))
    (run_dir / "summary.txt").write_text(summary.getvalue(), encoding="utf-8")
    emit({"type": "summary", "text": summary.getvalue(), "total_params": int(model.count_params())})


def standard_callbacks(keras, run_dir: Path, config: dict, emit: Emit) -> list:
    """Progress events, history.csv, TensorBoard files and the per-epoch checkpoint every lab keeps."""
    for folder in ("tensorboard", "checkpoints"):
        (run_dir / folder).mkdir(exist_ok=True)
    return [
        progress_callback_make(keras, emit, float(config.get("batch_events_per_second", 4))),
        # append: a run resumed after its worker was lost keeps the epochs it already logged.
        keras.callbacks.CSVLogger(str(run_dir / "history.csv"), append=True),
        keras.callbacks.TensorBoard(log_dir=str(run_dir / "tensorboard"), histogram_freq=0),
        # The epoch checkpoint: weights after the last finished epoch plus the epoch number. One
        # write per epoch serves both the learner's download and a restarted worker's resume.
        atomic_backup_make(keras, run_dir / "checkpoints", log=lambda line: emit({"type": "log", "line": line})),
        histogram_callback_make(keras, run_dir / "insight"),
    ]


def insight_write(run_dir: Path, insight: dict, emit: Emit) -> None:
    (run_dir / "insight").mkdir(exist_ok=True)
    (run_dir / "insight" / "insight.json").write_text(json.dumps(insight, ensure_ascii=False), encoding="utf-8")
    emit({"type": "insight", "keys": sorted(insight)})


def train_keras_spec(run_dir: Path, config: dict, emit: Emit) -> None:
    import keras
    import tensorflow as tf

    from modelspec import spec_build_keras

    device = _configure_devices(tf, config)
    hp = config["hyperparameters"]
    keras.utils.set_random_seed(int(hp.get("seed", 123)))
    emit({"type": "log", "line": f"device: {device}; TensorFlow {tf.__version__}"})

    train_ds, val_ds = datasets_make(config, tf, keras, emit)
    steps = int(train_ds.cardinality())
    shuffle_summary = None
    if steps > 0:
        train_ds, shuffle_summary = batch_order_recorder_attach(train_ds, tf, steps)
    if config.get("model_code"):
        # A Keras-code lab: the learner's build_model(input_shape, num_classes), checked against the data.
        from trainer.usercode import model_from_code

        emit({"type": "log", "line": f"building the model from your code ({config['model_code']})"})
        model = model_from_code(run_dir / config["model_code"], tuple(config["spec"]["input_shape"]), int(config["num_classes"]), keras, emit)
    else:
        model = spec_build_keras(config["spec"], name=f"run_{config.get('run_id', 'local')}")
    compile_config = config.get("compile", {})
    model.compile(
        optimizer=optimizer_make(hp, keras),
        loss=loss_make(compile_config, keras),
        metrics=list(compile_config.get("metrics", ["accuracy"])),
    )
    summary_emit(model, run_dir, emit)
    history = model.fit(train_ds, validation_data=val_ds, epochs=int(hp["epochs"]), callbacks=standard_callbacks(keras, run_dir, config, emit),
                        verbose=0, shuffle=False)  # tf.data already shuffles, with a seed, every epoch
    model.save(run_dir / "model.keras")
    if compile_config.get("loss", "sparse_categorical_crossentropy") == "sparse_categorical_crossentropy":
        emit({"type": "log", "line": "analysing the validation set"})
        insight = classification_insight(model, val_ds, config["dataset"].get("class_names") or [], run_dir / "insight")
        insight["templates"] = dense_templates(model, run_dir / "insight")
        insight["shuffle"] = shuffle_summary() if shuffle_summary else {}
        insight["layers"] = [
            {"index": i, "name": layer.name, "class": type(layer).__name__, "output_shape": list(layer.output.shape[1:])}
            for i, layer in enumerate(model.layers, start=1)
        ]
        insight_write(run_dir, insight, emit)
    final = {key: float(values[-1]) for key, values in history.history.items() if values}
    emit({"type": "done", "final_metrics": final})
