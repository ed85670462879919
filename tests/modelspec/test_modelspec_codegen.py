"""Generated Keras code: text, non-default arguments, compile(), injection safety.

Executing the code with Keras is tested in test_modelspec_keras.py.
"""

from __future__ import annotations

import ast

import pytest

from modelspec import flowers_spec, spec_keras_code

FLOWERS_CODE = '''\
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(180, 180, 3)),
    layers.RandomFlip("horizontal"),
    layers.RandomRotation(0.1),
    layers.RandomZoom(0.1),
    layers.Rescaling(1 / 255),
    layers.Conv2D(16, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(32, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(64, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(),
    layers.Dropout(0.2),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dense(5),
])
'''


def _code_lines(layers, input_shape=(16, 16, 3)):
    code = spec_keras_code({"input_shape": list(input_shape),
                            "layers": [{"type": t, "args": a} for t, a in layers]})
    ast.parse(code)
    return [line.strip().rstrip(",") for line in code.splitlines() if line.startswith("    layers.")]


def test_flowers_code_is_the_course_code():
    assert spec_keras_code(flowers_spec(5)) == FLOWERS_CODE


def test_flowers_code_with_compile_args():
    code = spec_keras_code(flowers_spec(5), compile_args={
        "optimizer": "adam", "learning_rate": 0.001, "loss": "sparse_categorical_crossentropy",
        "from_logits": True, "metrics": ["accuracy"]})
    assert code.startswith(FLOWERS_CODE)
    assert code.endswith(
        "model.compile(\n"
        "    optimizer=keras.optimizers.Adam(learning_rate=0.001),\n"
        "    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),\n"
        '    metrics=["accuracy"],\n'
        ")\n")
    ast.parse(code)


def test_compile_without_learning_rate_or_from_logits_uses_strings():
    code = spec_keras_code(flowers_spec(5), compile_args={"optimizer": "sgd",
                                                         "loss": "categorical_crossentropy"})
    assert 'optimizer="sgd",' in code and 'loss="categorical_crossentropy",' in code
    assert "metrics" not in code


def test_only_non_default_arguments_are_written():
    lines = _code_lines([
        ("Conv2D", {"filters": 8, "kernel_size": [3, 3], "strides": 1, "padding": "valid",
                    "activation": None, "use_bias": True}),
        ("Conv2D", {"filters": 8, "kernel_size": [3, 1], "strides": [2, 1], "use_bias": False,
                    "activation": "linear"}),
        ("MaxPooling2D", {"pool_size": 2, "strides": None}),
        ("MaxPooling2D", {"strides": 1, "padding": "same"}),
        ("AveragePooling2D", {}),
        ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2}),
        ("SeparableConv2D", {"filters": 4, "kernel_size": 1, "activation": "relu6"}),
        ("BatchNormalization", {}),
        ("RandomFlip", {}),
        ("RandomZoom", {"height_factor": -0.2, "width_factor": 0.3}),
        ("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.2}),
        ("RandomContrast", {"factor": 0.5}),
        ("Rescaling", {"scale": 2, "offset": -1}),
        ("Activation", {"activation": "linear"}),
        ("GlobalAveragePooling2D", {}),
        ("Reshape", {"target_shape": [-1]}),
        ("Dense", {"units": 3, "activation": "softmax"}),
    ], input_shape=(32, 32, 3))
    assert lines == [
        "layers.Conv2D(8, 3)",
        "layers.Conv2D(8, (3, 1), strides=(2, 1), use_bias=False)",
        "layers.MaxPooling2D()",
        'layers.MaxPooling2D(strides=1, padding="same")',
        "layers.AveragePooling2D(2)",  # Keras 3 has no default pool_size here
        "layers.DepthwiseConv2D(3, depth_multiplier=2)",
        'layers.SeparableConv2D(4, 1, activation="relu6")',
        "layers.BatchNormalization()",
        "layers.RandomFlip()",
        "layers.RandomZoom(-0.2, width_factor=0.3)",
        "layers.RandomTranslation(0.1, 0.2)",
        "layers.RandomContrast(0.5)",
        "layers.Rescaling(2.0, offset=-1.0)",
        'layers.Activation("linear")',
        "layers.GlobalAveragePooling2D()",
        "layers.Reshape((-1,))",
        'layers.Dense(3, activation="softmax")',
    ]


def test_one_dimensional_input_is_a_tuple():
    code = spec_keras_code({"input_shape": [64], "layers": [{"type": "Dense", "args": {"units": 2}}]})
    assert "keras.Input(shape=(64,))" in code


@pytest.mark.parametrize("spec", [
    None,
    {"input_shape": [4], "layers": [{"type": "Dense); import os; os.system('ls') #",
                                     "args": {"units": 1}}]},
    {"input_shape": [4], "layers": [{"type": "Dense",
                                     "args": {"units": 1, "activation": 'relu"); import os #'}}]},
    {"input_shape": [4], "layers": [{"type": "Dense", "args": {"units": "1); import os #"}}]},
    {"input_shape": ["4)); import os #"], "layers": [{"type": "Dense", "args": {"units": 1}}]},
    {"input_shape": [4], "layers": [{"type": "Dense", "args": {"units": 1, "name": "x\nimport os"}}]},
    {"input_shape": [4], "layers": [{"type": "Rescaling", "args": {"scale": float("nan")}}]},
])
def test_invalid_or_hostile_specs_are_refused(spec):
    with pytest.raises(ValueError):
        spec_keras_code(spec)


@pytest.mark.parametrize("compile_args", [
    "adam",
    {"optimizer": "adam; import os"},
    {"optimizer": "adam", "loss": "mse); import os #"},
    {"optimizer": "adam", "learning_rate": float("nan")},
    {"optimizer": "adam", "learning_rate": True},
    {"optimizer": "adam", "learning_rate": -1},
    {"optimizer": "adam", "loss": "huber", "from_logits": True},
    {"optimizer": "adam", "from_logits": True},
    {"optimizer": "adam", "metrics": ["accuracy", "__import__('os')"]},
    {"optimizer": "adam", "metrics": "accuracy"},
    {"optimizer": "adam", "run_eagerly": True},
])
def test_bad_compile_args_are_refused(compile_args):
    with pytest.raises(ValueError):
        spec_keras_code(flowers_spec(5), compile_args=compile_args)
