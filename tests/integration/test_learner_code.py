"""Learner code through the real platform: code exercises graded by the real Celery worker in
the sandbox, and a Keras-code run trained in the sandbox that streams progress over a real
websocket like any other run."""

from __future__ import annotations

import time

import pytest

from tests.asyncio_helpers import run_coro
from tests.integration.test_run_lifecycle import collect

pytestmark = pytest.mark.integration

SIGMOID = "import numpy as np\n\n\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
MODEL_CODE = """import keras
from keras import layers


def build_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)
    x = layers.Rescaling(1 / 255)(inputs)
    x = layers.Conv2D(8, 3, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(num_classes)(x)
    return keras.Model(inputs, outputs)
"""


def code_result(stack, session, key: str, code: str, kind: str, timeout: float = 120) -> dict:
    response = session.post(f"{stack.base_url}/api/code/{key}/submissions/", json={"code": code, "kind": kind}, timeout=10)
    assert response.status_code == 201, response.text
    url = f"{stack.base_url}/api/code/submissions/{response.json()['id']}/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = session.get(url, timeout=10).json()
        if data["status"] not in ("queued", "running"):
            return data
        time.sleep(0.3)
    raise AssertionError(f"code submission did not finish\n{stack.log_tail('worker')}")


def test_code_exercises_are_graded_by_the_worker_and_stay_private(stack):
    session = stack.login("learner")
    session.headers["Accept-Language"] = "en"
    wrong = code_result(stack, session, "sigmoid", SIGMOID.replace("-z", "z"), "run")
    assert wrong["status"] == "done" and wrong["passed"] < wrong["total"] and wrong["score"] is None
    assert any(r["message"] for r in wrong["results"] if not r["passed"])
    right = code_result(stack, session, "sigmoid", SIGMOID, "submit")
    assert right["passed"] == right["total"] and right["score"] == right["points"]
    loop = code_result(stack, session, "sigmoid", "def sigmoid(z):\n    while True:\n        pass\n", "run")
    assert loop["message"] == "超出时间限制 10 s（CPU 时间）"  # stored in the platform language
    other = stack.login("learner2")
    assert other.get(f"{stack.base_url}/api/code/submissions/{right['id']}/", timeout=10).status_code == 404
    # The worker that stopped the loop grades the next submission as usual.
    assert code_result(stack, session, "sigmoid", SIGMOID, "run")["passed"] == len(right["results"]) - sum(r["hidden"] for r in right["results"])


def test_a_keras_code_run_trains_in_the_sandbox_and_streams_its_epochs(stack):
    session = stack.login("learner")
    response = session.post(f"{stack.base_url}/api/runs/", json={
        "course": "deep-learning-tf", "lab": "flowers-cnn", "dataset": "shapes-mini", "spec": {"input_shape": [32, 32, 3]},
        "model_code": MODEL_CODE,
        "hyperparameters": {"epochs": 2, "batch_size": 8, "optimizer": "adam", "learning_rate": 0.001},
    }, timeout=10)
    assert response.status_code == 201, response.text
    run_id = response.json()["id"]
    messages = run_coro(collect(stack, session, run_id, lambda m: m["type"] == "done", timeout=240))
    assert messages[-1]["status"] == "succeeded", (messages[-1], stack.log_tail("worker"))
    epochs = {m["epoch"] for m in messages if m["type"] == "epoch"} | {e["epoch"] for e in messages[0]["epochs"]}
    assert epochs == {1, 2}
    assert any(m["type"] == "summary" for m in messages)
    page = session.get(f"{stack.base_url}/runs/{run_id}/", timeout=10).text
    assert "run-model-code" in page and "GlobalAveragePooling2D" in page


def test_a_broken_keras_code_submission_is_refused_before_it_is_queued(stack):
    session = stack.login("learner")
    response = session.post(f"{stack.base_url}/api/runs/", json={
        "course": "deep-learning-tf", "lab": "flowers-cnn", "dataset": "shapes-mini", "spec": {"input_shape": [32, 32, 3]},
        "model_code": "def build_model(input_shape, num_classes)\n    pass\n",
        "hyperparameters": {"epochs": 1, "batch_size": 8, "optimizer": "adam", "learning_rate": 0.001},
    }, timeout=10, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "SyntaxError in your code, line 1" in response.json()["errors"][0]["message"]
