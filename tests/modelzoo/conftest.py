"""Keras files for the import tests, made once in a child process (TensorFlow stays out of the
test process, as it stays out of the web and worker processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras
    from trainer.pretrain import base_build
    out = sys.argv[1]
    keras.utils.set_random_seed(1)
    base_build(keras, 32, (4, 8)).save(f"{out}/valid.keras")
    # A whole classifier (with GAP and a head): transfer cuts it at the pooling.
    inputs = keras.Input((24, 24, 1))
    x = keras.layers.Conv2D(3, 3)(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    keras.Model(inputs, keras.layers.Dense(2)(x)).save(f"{out}/classifier.keras")
    keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Lambda(lambda t: t * 2), keras.layers.Conv2D(2, 3)]).save(f"{out}/lambda.keras")
    keras.Sequential([keras.Input((10,)), keras.layers.Dense(2)]).save(f"{out}/tabular.keras")
""")


@pytest.fixture(scope="session")
def keras_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keras-files")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "workers"), str(ROOT / "platform")])}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(folder)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return {path.stem: path for path in folder.glob("*.keras")}
