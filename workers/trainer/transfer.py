"""Chapter 9's transfer learning: a pre-trained base, global average pooling and a new head.

    inputs → preprocessing the base expects → base(x, training=False) → GlobalAveragePooling2D
           → Dropout → Dense(num_classes, softmax)   (the new head)

The strategy (hyper-parameter ``strategy``) says what learns:

* ``all``: the pre-trained weights are only the starting point; every layer is trained.
* ``last_n``: the base's last ``trainable_layers`` layers learn with the head, the rest are frozen.
* ``head``: the whole base is frozen (``base.trainable = False``); only the new head learns.

BatchNormalization layers of the base stay frozen in all three (see ``strategy_apply``).

The platform passes the base's file and its preprocessing in ``config["options"]``
(``base_model_path``, ``base_preprocessing``); the base is loaded with ``safe_mode`` and never
downloaded.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from trainer.insight import classification_insight
from trainer.train import Emit, _configure_devices, datasets_make, insight_write, loss_make, optimizer_make, standard_callbacks

STRATEGIES = ("all", "last_n", "head")


def base_load(keras, path: Path):
    """The base as a feature extractor: up to its global pooling if it has one (a whole
    classifier was saved), else up to its last feature maps (an ``include_top=False`` base)."""
    model = keras.models.load_model(path, compile=False, safe_mode=True)
    pooling = (keras.layers.GlobalAveragePooling2D, keras.layers.GlobalMaxPooling2D)
    pooled = [layer for layer in model.layers if isinstance(layer, pooling)]
    if pooled:
        cut = pooled[-1]
    elif len(model.outputs[0].shape) == 4:
        return model
    else:
        maps = [layer for layer in model.layers if len(getattr(layer.output, "shape", ())) == 4]
        if not maps:
            raise ValueError("the base model has no convolutional feature maps to reuse")
        cut = maps[-1]
    if cut.output is model.outputs[0]:
        return model
    return keras.Model(model.inputs, cut.output, name=f"{model.name}_base")


def base_layers(base, keras) -> list:
    """The base's layers as ``base.layers[-N:]`` counts them (the input layer is not one)."""
    return [layer for layer in base.layers if not isinstance(layer, keras.layers.InputLayer)]


def strategy_apply(base, keras, strategy: str, n: int) -> list[str]:
    """Set ``trainable`` as the strategy says and return the names of the frozen layers.

    BatchNormalization layers of the base stay frozen in every strategy. A frozen BN layer runs
    in inference mode in Keras 3: it normalizes with the mean and variance collected in
    pre-training instead of the statistics of each small batch of the new data, which would
    overwrite them. Calling the base with ``training=False`` is not enough on its own in Keras 3:
    ``fit`` calls the whole model with training=True and that reaches the layers inside the base
    (keras-team/keras#20285) — an unfrozen BN layer then trains on batch statistics and
    validates with stale moving averages."""
    layers = base_layers(base, keras)
    if strategy == "all":
        base.trainable = True
    elif strategy == "head":
        base.trainable = False
    elif strategy == "last_n":
        base.trainable = True
        for layer in layers[:-n] if n < len(layers) else []:
            layer.trainable = False
    else:
        raise ValueError(f"unknown strategy {strategy!r} (one of {', '.join(STRATEGIES)})")
    for layer in layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    return [layer.name for layer in layers if not layer.trainable]


def preprocessing_layer(keras, kind: str):
    """The base's own preprocess_input, as a layer inside the model so that prediction later
    cannot forget it."""
    if kind == "unit":
        return keras.layers.Rescaling(1 / 255, name="preprocess")
    if kind == "symmetric":
        return keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="preprocess")
    if kind == "none":
        return None
    raise ValueError(f"unknown preprocessing {kind!r}")


def params_count(weights) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def transfer(run_dir: Path, config: dict, emit: Emit) -> None:
    hp = config["hyperparameters"]
    options = config.get("options", {})
    if "base_model_path" not in options:
        raise ValueError("no base model was given to this run")
    base_path = Path(options["base_model_path"])
    if not base_path.is_file():  # said before TensorFlow takes seconds to load
        raise ValueError(f"the base model file {base_path.name} is missing; ask an administrator to prepare it again")
    import keras
    import tensorflow as tf

    device = _configure_devices(tf, config)
    keras.utils.set_random_seed(int(hp.get("seed", 123)))
    emit({"type": "log", "line": f"device: {device}; TensorFlow {tf.__version__}"})
    strategy = str(hp.get("strategy", "head"))
    n = max(1, int(hp.get("trainable_layers", 4)))
    base = base_load(keras, base_path)
    input_shape = [int(d) for d in base.inputs[0].shape[1:]]
    emit({"type": "log", "line": f"base model {options.get('base_model', '')}: input {tuple(input_shape)}, "
                                 f"{len(base_layers(base, keras))} layers, {base.count_params():,} parameters"})
    # The images are read at the base's input size (and as RGB when the base takes colour), as
    # the chapter's IMG_SIZE does; grey characters become three equal channels.
    train_ds, val_ds = datasets_make({**config, "spec": {"input_shape": input_shape}}, tf, keras, emit)
    class_names = list(config["dataset"].get("class_names") or [])
    if not class_names:
        class_names = sorted(p.name for p in Path(config["dataset"]["path"]).iterdir() if p.is_dir())

    frozen = strategy_apply(base, keras, strategy, n)
    # Not "image" or Keras' default "input_layer": a name the base's own input may have, and two
    # equal names break the feature-map view of the saved model.
    inputs = keras.Input(shape=tuple(input_shape), name="transfer_input")
    x = inputs
    preprocess = preprocessing_layer(keras, str(options.get("base_preprocessing", "unit")))
    if preprocess is not None:
        x = preprocess(x)
    # As the chapter writes it; the BN layers are kept in inference mode by freezing them (above).
    x = base(x, training=False)
    if len(x.shape) == 4:
        x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    x = keras.layers.Dropout(float(options.get("dropout", 0.2)), name="dropout")(x)
    outputs = keras.layers.Dense(len(class_names), activation="softmax", name="new_head")(x)
    model = keras.Model(inputs, outputs, name=f"transfer_{strategy}")
    # Compiled after setting trainable: a change of trainable takes effect at the next compile.
    compile_config = config.get("compile", {})
    model.compile(optimizer=optimizer_make(hp, keras), loss=loss_make(compile_config, keras),
                  metrics=list(compile_config.get("metrics", ["accuracy"])))

    trainable = params_count(model.trainable_weights)
    non_trainable = params_count(model.non_trainable_weights)
    head = params_count(model.get_layer("new_head").weights)
    layers = base_layers(base, keras)
    unfrozen = [layer.name for layer in layers if layer.name not in frozen]
    explain = {
        "all": "every convolution of the base learns, starting from the pre-trained weights",
        "last_n": f"the base's last {min(n, len(layers))} of {len(layers)} layers learn ({', '.join(unfrozen)}); the others are frozen",
        "head": f"the base's {len(layers)} layers are frozen (trainable=False); only the new head learns",
    }[strategy]
    lines = [
        f"Strategy: {strategy} — {explain}.",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {non_trainable:,}",
        f"New head Dense({len(class_names)}): {head:,} params",
        "BatchNormalization layers stay frozen in every strategy (trainable=False): they run in inference mode with the "
        "mean and variance from pre-training, and their gamma and beta do not change.",
    ]
    keras_summary = io.StringIO()
    # Nested layers expanded with a Trainable column: which base layers are frozen, one by one.
    model.summary(print_fn=lambda line, *a, **k: keras_summary.write(line + "\n"), expand_nested=True, show_trainable=True)
    text = "\n".join(lines) + "\n\n" + keras_summary.getvalue()
    (run_dir / "summary.txt").write_text(text, encoding="utf-8")
    emit({"type": "summary", "text": text, "total_params": int(model.count_params())})

    history = model.fit(train_ds, validation_data=val_ds, epochs=int(hp["epochs"]),
                        callbacks=standard_callbacks(keras, run_dir, config, emit), verbose=0, shuffle=False)
    model.save(run_dir / "model.keras")
    emit({"type": "log", "line": "analysing the validation set"})
    insight = classification_insight(model, val_ds, class_names, run_dir / "insight")
    insight["transfer"] = {
        "base_model": options.get("base_model", ""),
        "strategy": strategy,
        "trainable_layers": n if strategy == "last_n" else None,
        "trainable_params": trainable,
        "non_trainable_params": non_trainable,
        "head_params": head,
        "base_layers": [{"name": layer.name, "class": type(layer).__name__, "params": int(layer.count_params()),
                         "trainable": layer.name not in frozen} for layer in layers],
    }
    # Numbered as model.layers (which the feature-map request uses). Left out: the input layer,
    # and the base itself — a nested model's output cannot be probed from the outer model's input.
    insight["layers"] = [
        {"index": i, "name": layer.name, "class": type(layer).__name__, "output_shape": list(layer.output.shape[1:])}
        for i, layer in enumerate(model.layers, start=1) if not isinstance(layer, (keras.layers.InputLayer, keras.Model))
    ]
    insight_write(run_dir, insight, emit)
    final = {key: float(values[-1]) for key, values in history.history.items() if values}
    emit({"type": "done", "final_metrics": final})
