"""Keras-code labs, the trainer's side: the learner's build_model(input_shape, num_classes) is run,
checked against the data, and every failure is told in the learner's terms with a traceback of
the learner's own lines only."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests.trainer.test_child_process import run_child, write_config
from trainer.usercode import LearnerCodeError, model_from_code, traceback_trim

PLATFORM_PATHS = ("/work/main", "site-packages", "trainer/", "keras/src", str(Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def write_code(tmp_path: Path, code: str) -> Path:
    path = tmp_path / "model_code.py"
    path.write_text(textwrap.dedent(code).lstrip("\n"), encoding="utf-8")
    return path


def build(tmp_path, keras, code: str, input_shape=(8, 8, 1), num_classes=3, emit=None):
    return model_from_code(write_code(tmp_path, code), input_shape, num_classes, keras, emit)


def failure(tmp_path, keras, code: str, **kwargs) -> LearnerCodeError:
    with pytest.raises(LearnerCodeError) as caught:
        build(tmp_path, keras, code, **kwargs)
    return caught.value


def assert_only_learner_paths(text: str) -> None:
    for path in PLATFORM_PATHS:
        assert path not in text, (path, text)


SEQUENTIAL = """
import keras
from keras import layers

def build_model(input_shape, num_classes):
    return keras.Sequential([
        layers.Rescaling(1 / 255),
        layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(num_classes),
    ])
"""


def test_a_sequential_without_input_is_built_for_the_data_and_passes_the_checks(tmp_path, keras):
    model = build(tmp_path, keras, SEQUENTIAL)
    assert isinstance(model, keras.Sequential)
    assert tuple(model.inputs[0].shape) == (None, 8, 8, 1) and tuple(model.outputs[0].shape) == (None, 3)


def test_a_functional_model_passes_the_checks_and_what_the_code_prints_goes_to_the_log(tmp_path, keras):
    logs = []
    model = build(tmp_path, keras, """
        import keras
        from keras import layers

        def build_model(input_shape, num_classes):
            inputs = keras.Input(shape=input_shape)
            x = layers.Dense(16, activation="relu")(inputs)
            outputs = layers.Dense(num_classes)(x)
            model = keras.Model(inputs, outputs)
            print("hello from build_model")
            model.compile(optimizer="adam", loss="mse")
            return model
        """, input_shape=(64,), num_classes=5, emit=logs.append)
    assert tuple(model.outputs[0].shape) == (None, 5)
    lines = [event["line"] for event in logs]
    assert "hello from build_model" in lines
    assert any("compiles it again" in line for line in lines)


def test_a_syntax_error_reports_its_line(tmp_path, keras):
    error = failure(tmp_path, keras, """
        import keras

        def build_model(input_shape, num_classes)
            return keras.Sequential([])
        """)
    assert error.message.startswith("SyntaxError in your code, line 3: ")
    assert "model_code.py, line 3" in error.traceback and "def build_model(input_shape, num_classes)" in error.traceback
    assert_only_learner_paths(error.traceback)


def test_missing_build_model_is_reported(tmp_path, keras):
    error = failure(tmp_path, keras, """
        def make_model(input_shape, num_classes):
            return None
        """)
    assert error.message == "build_model is not defined in your code"


def test_build_model_with_the_wrong_arguments_is_reported(tmp_path, keras):
    error = failure(tmp_path, keras, "def build_model(input_shape):\n    return None\n")
    assert error.message == "build_model must take two arguments (input_shape, num_classes), yours is build_model(input_shape)"


def test_returning_something_else_than_a_model_names_what_was_returned(tmp_path, keras):
    error = failure(tmp_path, keras, """
        from keras import layers

        def build_model(input_shape, num_classes):
            return [layers.Flatten(), layers.Dense(num_classes)]
        """)
    assert error.message.startswith("build_model must return a Keras model, got list")


def test_wrong_number_of_output_units_names_both_numbers(tmp_path, keras):
    error = failure(tmp_path, keras, SEQUENTIAL.replace("layers.Dense(num_classes)", "layers.Dense(3)"), num_classes=5)
    assert error.message == "your model's output has shape (None, 3) but this data set has 5 classes: end with Dense(5)"


def test_an_input_of_another_shape_than_the_data_is_reported(tmp_path, keras):
    error = failure(tmp_path, keras, """
        import keras
        from keras import layers

        def build_model(input_shape, num_classes):
            return keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Flatten(), layers.Dense(num_classes)])
        """, input_shape=(64, 64, 3))
    assert error.message == "your model expects inputs of shape (None, 32, 32, 3) but the data are (None, 64, 64, 3)"


def test_an_error_inside_keras_called_from_the_learners_code_shows_only_the_learners_lines(tmp_path, keras):
    error = failure(tmp_path, keras, """
        import keras
        from keras import layers

        def build_model(input_shape, num_classes):
            inputs = keras.Input(shape=input_shape)
            x = layers.Conv2D(filters=4, kernel_size=3)(inputs)
            return keras.Model(inputs, layers.Dense(num_classes)(x))
        """, input_shape=(64,))
    assert error.message.startswith("ValueError in your code, line 6: ")
    assert "expected min_ndim=4, found ndim=2" in error.message
    assert "model_code.py, line 6, in build_model" in error.traceback
    assert "x = layers.Conv2D(filters=4, kernel_size=3)(inputs)" in error.traceback
    assert error.traceback.splitlines()[-1].startswith("ValueError: ")
    assert_only_learner_paths(error.traceback)


def test_traceback_trim_keeps_the_learners_frames_and_caps_a_long_message():
    source = "def helper():\n    raise ValueError('x' * 5000)\n\ndef build_model(a, b):\n    helper()\n"
    namespace = {}
    exec(compile(source, "model_code.py", "exec"), namespace)
    with pytest.raises(ValueError) as caught:
        namespace["build_model"](1, 2)
    text = traceback_trim(caught.value, source=source)
    assert [line.strip() for line in text.splitlines()[1:5]] == [
        "model_code.py, line 5, in build_model", "helper()", "model_code.py, line 2, in helper", "raise ValueError('x' * 5000)",
    ]
    assert len(text.splitlines()[-1]) < 1600
    assert_only_learner_paths(text)


# --- the training child with a learner's code ---------------------------------------------------


def code_run_dir(tmp_path: Path, code: str) -> Path:
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "data.npz", x=rng.integers(0, 255, size=(48, 8, 8, 1), dtype=np.uint8), y=rng.integers(0, 3, size=48))
    run_dir = tmp_path / "run"
    write_config(run_dir, {"format": "npz", "path": str(tmp_path / "data.npz")}, {"input_shape": [8, 8, 1]}, epochs=1)
    config = json.loads((run_dir / "config.json").read_text())
    (run_dir / "config.json").write_text(json.dumps({**config, "model_code": "model_code.py", "num_classes": 3}))
    write_code(run_dir, code)
    return run_dir


def test_the_child_trains_the_learners_model_and_saves_it(tmp_path):
    run_dir = code_run_dir(tmp_path, SEQUENTIAL)
    code, events = run_child(run_dir)
    assert code == 0, events[-1]
    assert events[-1]["type"] == "done"
    assert any(e["type"] == "log" and e["line"] == "building the model from your code (model_code.py)" for e in events)
    assert (run_dir / "model.keras").is_file()


BUG_WHEN_BUILT = """
import keras
from keras import layers

def build_model(input_shape, num_classes):
    return keras.Sequential([layers.Flatten(), layers.Dense(units=-num_classes)])
"""

BUG_WHEN_TRAINED = """
import keras
from keras import layers

class Noise(layers.Layer):
    def call(self, x, training=None):
        if training:
            return x + noise_level
        return x

def build_model(input_shape, num_classes):
    return keras.Sequential([layers.Flatten(), Noise(), layers.Dense(num_classes)])
"""


@pytest.mark.parametrize(("code", "line", "message"), [
    (BUG_WHEN_BUILT, "model_code.py, line 5, in build_model", "ValueError in your code, line 5: "),
    (BUG_WHEN_TRAINED, "model_code.py, line 7, in call", "training your model failed: NameError in your code, line 7: name 'noise_level' is not defined"),
], ids=["when-built", "when-trained"])
def test_a_bug_in_the_learners_code_is_an_error_event_whose_traceback_names_only_model_code(tmp_path, code, line, message):
    code, events = run_child(code_run_dir(tmp_path, code))
    assert code == 1
    error = events[-1]
    assert error["type"] == "error" and error["message"].startswith(message), error
    assert line in error["traceback"]
    assert_only_learner_paths(error["traceback"])
    assert [text for text in error["traceback"].splitlines() if ".py" in text and "model_code.py" not in text] == []
