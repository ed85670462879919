"""The baseline for bench_training.py: the same model and data, trained with a plain
``model.fit`` in a plain Python process (no platform, no callbacks but a timer).

Prints one JSON line: per-epoch wall-clock end times and the time from process start to the
end of the first batch.
"""

from __future__ import annotations

import time

PROCESS_START = time.time()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--spec", required=True, help="model spec JSON file")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    from modelspec import spec_build_keras

    spec = json.loads(open(args.spec).read())
    height, width = spec["input_shape"][:2]
    keras.utils.set_random_seed(123)
    train_ds, val_ds = keras.utils.image_dataset_from_directory(
        args.data, validation_split=0.2, subset="both", seed=123, image_size=(height, width), batch_size=args.batch_size
    )
    train_ds = train_ds.cache().shuffle(1000, seed=123).prefetch(tf.data.AUTOTUNE)
    val_ds = val_ds.cache().prefetch(tf.data.AUTOTUNE)
    model = spec_build_keras(spec)
    model.compile(optimizer=keras.optimizers.Adam(0.001),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    marks = {"epoch_end": [], "first_batch": None}

    class Timer(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if marks["first_batch"] is None:
                marks["first_batch"] = time.time()

        def on_epoch_end(self, epoch, logs=None):
            marks["epoch_end"].append(time.time())

    fit_start = time.time()
    model.fit(train_ds, validation_data=val_ds, epochs=args.epochs, callbacks=[Timer()], verbose=0)
    print(json.dumps({"process_start": PROCESS_START, "fit_start": fit_start, **marks}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
