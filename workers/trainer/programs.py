"""Training programs other than the model-builder classifier (``train.train_keras_spec``).

Each program is ``run(run_dir, config, emit)`` and reports through the same events (train_begin,
epoch_begin, batch, epoch, summary, insight, done), so the run page, history replay and the
checks of the supervising worker work for every lab alike.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

import numpy as np

from trainer.events import logs_clean
from trainer.train import Emit, insight_write, optimizer_make, standard_callbacks, summary_emit


def tabular_load(config: dict) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A tabular data set: ``data.npz`` with x (items, features), y (items,) and feature names."""
    data = config["dataset"]
    path = Path(data["path"])
    if path.is_dir():
        path = path / "data.npz"
    with np.load(path, allow_pickle=False) as arrays:
        x = arrays["x"].astype("float32")
        y = arrays["y"].astype("float32").reshape(-1)
        names = [str(n) for n in arrays["feature_names"]] if "feature_names" in arrays else [f"x{i}" for i in range(x.shape[1])]
    if x.ndim != 2 or len(x) != len(y):
        raise ValueError(f"tabular data needs x of shape (items, features) and y of shape (items,), got {x.shape} and {y.shape}")
    return x, y, names


def split_indices(n: int, validation_split: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    n_val = int(round(n * validation_split))
    return order[n_val:], order[:n_val]


# --- lab 1: linear regression with GradientTape -------------------------------------------------


def linear_tape(run_dir: Path, config: dict, emit: Emit) -> None:
    """y ≈ w·x + b fitted by hand-written mini-batch SGD: the tape gives dL/dw and dL/db and the
    program applies ``w -= lr · dL/dw`` itself, as the chapter does, reporting w and b every epoch."""
    import tensorflow as tf

    hp = config["hyperparameters"]
    seed = int(hp.get("seed", 123))
    tf.random.set_seed(seed)
    x, y, _names = tabular_load(config)
    if x.shape[1] != 1:
        raise ValueError(f"linear regression here has one input feature; the data has {x.shape[1]}")
    train_idx, val_idx = split_indices(len(x), float(hp.get("validation_split", 0.2)), seed)
    x_train, y_train, x_val, y_val = x[train_idx, 0], y[train_idx], x[val_idx, 0], y[val_idx]
    batch_size = int(hp["batch_size"])
    epochs = int(hp["epochs"])
    lr = float(hp["learning_rate"])
    rng = np.random.default_rng(seed)
    w = tf.Variable(float(rng.normal()), name="w")
    b = tf.Variable(0.0, name="b")
    steps = -(-len(x_train) // batch_size)
    text = f"y_hat = w * x + b  (2 trainable numbers: w, b)\ntraining items: {len(x_train)}, validation items: {len(x_val)}\n"
    (run_dir / "summary.txt").write_text(text, encoding="utf-8")
    emit({"type": "summary", "text": text, "total_params": 2})
    emit({"type": "train_begin", "epochs": epochs, "steps": steps})
    # The same TensorBoard files Keras' callback writes for the other labs: scalars per epoch.
    writer = tf.summary.create_file_writer(str(run_dir / "tensorboard" / "train"))
    history = []
    min_interval = 1.0 / float(config.get("batch_events_per_second", 4))
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        last_event = 0.0
        emit({"type": "epoch_begin", "epoch": epoch, "steps": steps})
        order = rng.permutation(len(x_train))
        losses = []
        for step in range(steps):
            idx = order[step * batch_size:(step + 1) * batch_size]
            xb, yb = tf.constant(x_train[idx]), tf.constant(y_train[idx])
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(w * xb + b - yb))
            dw, db = tape.gradient(loss, [w, b])
            w.assign_sub(lr * dw)
            b.assign_sub(lr * db)
            losses.append(float(loss))
            now = time.perf_counter()
            if now - last_event >= min_interval or step + 1 == steps:
                last_event = now
                emit({"type": "batch", "batch": step + 1, "steps": steps, "metrics": {"loss": float(loss), "w": float(w), "b": float(b)}})
        val_loss = float(np.mean((float(w) * x_val + float(b) - y_val) ** 2)) if len(x_val) else None
        metrics = logs_clean({"loss": float(np.mean(losses)), "val_loss": val_loss, "w": float(w), "b": float(b), "learning_rate": lr})
        history.append({"epoch": epoch, **metrics})
        with writer.as_default(step=epoch):
            for key, value in metrics.items():
                if value is not None:
                    tf.summary.scalar(key, value)
        writer.flush()
        emit({"type": "epoch", "epoch": epoch, "metrics": metrics, "duration_s": round(time.perf_counter() - started, 4)})
    _history_csv(run_dir, history)
    (run_dir / "model.json").write_text(json.dumps({"w": float(w), "b": float(b)}), encoding="utf-8")
    insight_write(run_dir, {"linear": {"w": float(w), "b": float(b), "points": _scatter_sample(x_val, y_val)}}, emit)
    emit({"type": "done", "final_metrics": {k: v for k, v in history[-1].items() if k != "epoch"}})


def _scatter_sample(x: np.ndarray, y: np.ndarray, limit: int = 200) -> list[list[float]]:
    return [[round(float(a), 4), round(float(b), 4)] for a, b in zip(x[:limit], y[:limit])]


def _history_csv(run_dir: Path, history: list[dict]) -> None:
    keys = list(history[0]) if history else ["epoch"]
    lines = [",".join(keys)] + [",".join("" if row.get(k) is None else str(row.get(k)) for k in keys) for row in history]
    (run_dir / "history.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- lab 4: wide & deep regression with the functional API --------------------------------------


def wide_deep(run_dir: Path, config: dict, emit: Emit) -> None:
    """Two inputs (wide: a few features straight to the output; deep: all features through
    hidden layers), concatenated before the output — the chapter's functional-API model — with
    TensorBoard, ModelCheckpoint(save_best_only) and EarlyStopping."""
    import keras

    hp = config["hyperparameters"]
    options = config.get("options", {})
    seed = int(hp.get("seed", 123))
    keras.utils.set_random_seed(seed)
    x, y, names = tabular_load(config)
    wide_idx = [int(i) for i in options.get("wide_features", list(range(min(5, x.shape[1]))))]
    deep_idx = [int(i) for i in options.get("deep_features", list(range(x.shape[1])))]
    for index in wide_idx + deep_idx:
        if not 0 <= index < x.shape[1]:
            raise ValueError(f"feature index {index} is outside the data's {x.shape[1]} features")
    train_idx, val_idx = split_indices(len(x), float(hp.get("validation_split", 0.2)), seed)
    # Standardize with the training split's statistics only, so validation stays unseen.
    mean, std = x[train_idx].mean(axis=0), x[train_idx].std(axis=0) + 1e-7
    xs = (x - mean) / std

    def inputs(idx):
        return {"wide": xs[idx][:, wide_idx], "deep": xs[idx][:, deep_idx]}

    wide_in = keras.Input(shape=(len(wide_idx),), name="wide")
    deep_in = keras.Input(shape=(len(deep_idx),), name="deep")
    hidden = deep_in
    for units in options.get("hidden_units", [30, 30]):
        hidden = keras.layers.Dense(int(units), activation="relu")(hidden)
    merged = keras.layers.concatenate([wide_in, hidden])
    output = keras.layers.Dense(1, name="output")(merged)
    model = keras.Model(inputs=[wide_in, deep_in], outputs=output, name="wide_and_deep")
    model.compile(optimizer=optimizer_make(hp, keras), loss="mse", metrics=["mae"])
    summary_emit(model, run_dir, emit)
    emit({"type": "log", "line": f"wide features: {[names[i] for i in wide_idx]}; deep features: {[names[i] for i in deep_idx]}"})
    callbacks = standard_callbacks(keras, run_dir, config, emit) + [
        keras.callbacks.ModelCheckpoint(str(run_dir / "best.keras"), monitor="val_loss", save_best_only=True),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=int(options.get("patience", 5)), min_delta=float(options.get("min_delta", 0.0)), restore_best_weights=True),
    ]
    history = model.fit(
        inputs(train_idx), y[train_idx], validation_data=(inputs(val_idx), y[val_idx]),
        epochs=int(hp["epochs"]), batch_size=int(hp["batch_size"]), callbacks=callbacks, verbose=0, shuffle=True,
    )
    model.save(run_dir / "model.keras")
    predictions = model.predict(inputs(val_idx), verbose=0).reshape(-1)
    stopped = len(history.history.get("loss", []))
    insight_write(run_dir, {"regression": {
        "val_items": int(len(val_idx)),
        "val_mae": round(float(np.abs(predictions - y[val_idx]).mean()), 4),
        "epochs_run": stopped,
        "stopped_early": stopped < int(hp["epochs"]),
        "points": [[round(float(t), 3), round(float(p), 3)] for t, p in zip(y[val_idx][:200], predictions[:200])],
    }}, emit)
    final = {key: float(values[-1]) for key, values in history.history.items() if values}
    final["best_val_loss"] = float(min(history.history.get("val_loss", [np.nan])))
    emit({"type": "done", "final_metrics": final})


from trainer.transfer import transfer  # noqa: E402 — chapter 9's program has a module of its own
from trainer.detection import detection_lite  # noqa: E402 — chapter 10's program, a module of its own

PROGRAMS: dict[str, Callable[[Path, dict, Emit], None]] = {
    "linear_tape": linear_tape,
    "wide_deep": wide_deep,
    "transfer": transfer,
    "detection_lite": detection_lite,
}
