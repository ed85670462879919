"""End to end over real processes: HTTP submit → Celery worker → training child → Redis
channel layer → Daphne → a real websocket client."""

import asyncio
import json
import time

import psutil
import pytest

from tests.asyncio_helpers import run_coro
import websockets

pytestmark = pytest.mark.integration

SMALL_SPEC = {
    "input_shape": [32, 32, 3],
    "layers": [
        {"type": "RandomFlip", "args": {"mode": "horizontal"}},
        {"type": "Rescaling", "args": {"scale": 1 / 255}},
        {"type": "Conv2D", "args": {"filters": 8, "kernel_size": 3, "padding": "same", "activation": "relu"}},
        {"type": "MaxPooling2D", "args": {}},
        {"type": "Dropout", "args": {"rate": 0.2}},
        {"type": "Flatten", "args": {}},
        {"type": "Dense", "args": {"units": 16, "activation": "relu"}},
        {"type": "Dense", "args": {"units": 3}},
    ],
}


def submit(stack, session, epochs=2, spec=SMALL_SPEC, batch_size=8):
    response = session.post(f"{stack.base_url}/api/runs/", json={
        "course": "deep-learning-tf", "lab": "flowers-cnn", "dataset": "shapes-mini", "spec": spec,
        "hyperparameters": {"epochs": epochs, "batch_size": batch_size, "optimizer": "adam", "learning_rate": 0.001},
    }, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


async def collect(stack, session, run_id, until, timeout=180, origin=None):
    """Read messages until ``until(message)`` is true; returns all messages."""
    messages = []
    headers = {"Cookie": stack.cookie_header(session), "Origin": origin or stack.base_url}
    async with websockets.connect(f"ws://{stack.host}/ws/runs/{run_id}/", additional_headers=headers) as ws:
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic())))
            messages.append(message)
            if until(message):
                return messages


def test_submitted_run_streams_history_progress_epochs_and_succeeds(stack):
    session = stack.login("learner")
    run = submit(stack, session, epochs=2)
    messages = run_coro(collect(stack, session, run["id"], lambda m: m["type"] == "done"))
    types = [m["type"] for m in messages]
    assert types[0] == "history"
    assert "batch" in types and "epoch_begin" in types and "summary" in types
    epochs = [m for m in messages if m["type"] == "epoch"]
    history_epochs = messages[0]["epochs"]
    assert sorted({e["epoch"] for e in epochs + history_epochs}) == [1, 2]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(epochs[-1]["metrics"])
    assert messages[-1]["status"] == "succeeded", messages[-1]
    detail = session.get(f"{stack.base_url}/api/runs/{run['id']}/", timeout=10).json()
    assert detail["status"] == "succeeded" and [e["epoch"] for e in detail["epochs"]] == [1, 2]
    assert detail["final_metrics"]["val_accuracy"] is not None and "Conv2D" in detail["model_summary"]


def test_reconnecting_client_gets_the_full_history(stack):
    session = stack.login("learner")
    run = submit(stack, session, epochs=2)
    run_coro(collect(stack, session, run["id"], lambda m: m["type"] == "done"))
    history = run_coro(collect(stack, session, run["id"], lambda m: m["type"] == "history", timeout=20))[0]
    assert history["run"]["status"] == "succeeded"
    assert [e["epoch"] for e in history["epochs"]] == [1, 2]
    assert any("started" in line for line in history["log_tail"])


def _trainer_processes(run_id):
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if "-m trainer" in cmdline and f"/runs/{run_id}" in cmdline:
            found.append(proc)
    return found


def test_cancel_kills_the_training_child_and_the_run_ends_cancelled(stack):
    session = stack.login("learner")
    run = submit(stack, session, epochs=80, batch_size=4)
    run_coro(collect(stack, session, run["id"], lambda m: m["type"] == "batch"))
    assert _trainer_processes(run["id"]), "the child should be training now"
    response = session.post(f"{stack.base_url}/api/runs/{run['id']}/cancel/", timeout=10)
    assert response.status_code == 200
    messages = run_coro(collect(stack, session, run["id"], lambda m: m["type"] == "done", timeout=60))
    assert messages[-1]["status"] == "cancelled"
    deadline = time.monotonic() + 15
    while _trainer_processes(run["id"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _trainer_processes(run["id"]), "the child process must be gone"


def test_invalid_spec_over_http_is_refused_and_nothing_is_queued(stack):
    session = stack.login("learner")
    before = session.get(f"{stack.base_url}/api/runs/", timeout=10).json()
    spec = json.loads(json.dumps(SMALL_SPEC))
    spec["layers"][2]["args"]["kernel_size"] = 99
    response = session.post(f"{stack.base_url}/api/runs/", json={
        "course": "deep-learning-tf", "lab": "flowers-cnn", "dataset": "shapes-mini", "spec": spec,
        "hyperparameters": {"epochs": 1, "batch_size": 8, "optimizer": "adam", "learning_rate": 0.001}}, timeout=10)
    assert response.status_code == 400
    assert "Conv2D" in response.json()["detail"] and "kernel_size" in response.json()["detail"]
    assert session.get(f"{stack.base_url}/api/runs/", timeout=10).json() == before


def test_reconnecting_mid_run_replays_history_then_continues_live(stack):
    session = stack.login("learner")
    run = submit(stack, session, epochs=4, batch_size=4)
    first = run_coro(collect(stack, session, run["id"], lambda m: m["type"] == "epoch"))
    seen = max(m["epoch"] for m in first if m["type"] == "epoch")
    rest = run_coro(collect(stack, session, run["id"], lambda m: m["type"] == "done"))
    history = rest[0]
    assert history["type"] == "history" and history["run"]["status"] in ("running", "succeeded")
    replayed = [e["epoch"] for e in history["epochs"]]
    assert replayed[:seen] == list(range(1, seen + 1)), "epochs finished before the reconnect come from the database"
    live = [m["epoch"] for m in rest[1:] if m["type"] == "epoch"]
    assert sorted(set(replayed) | set(live)) == [1, 2, 3, 4]
    assert rest[-1]["status"] == "succeeded"
