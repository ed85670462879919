"""Quotas under real concurrency, and a worker killed with SIGKILL mid-run: the run goes back to
the queue and resumes from its last epoch checkpoint on the restarted worker."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ops.processes import worker_command
from tests.integration.test_labs import lab_config, run_to_end
from tests.stack import PASSWORD, ROOT

pytestmark = pytest.mark.integration


def submit(stack, session, slug: str, dataset: str, **overrides):
    config = lab_config(stack, session, slug)
    body = {"course": "deep-learning-tf", "lab": slug, "dataset": dataset,
            "hyperparameters": {**config["hyperparameters"], **overrides}}
    if config.get("spec"):
        body["spec"] = config["spec"]
    return session.post(f"{stack.base_url}/api/runs/", json=body, timeout=30)


def test_parallel_submissions_never_pass_the_queued_limit(stack):
    # This learner's runs may not start (max_running 0), so they stay queued while we count.
    stack.manage("shell", "-c", "from accounts.models import User; from quotas.models import QuotaPolicy; "
                                "u = User.objects.create_user('quota-tester', password='" + PASSWORD + "'); "
                                "QuotaPolicy.objects.create(course=None, user=u, max_queued=3, max_running=0)")
    session = stack.login("quota-tester")
    session.headers["Accept-Language"] = "en"  # the test reads the English message
    config = lab_config(stack, session, "softmax-digits")
    body = {"course": "deep-learning-tf", "lab": "softmax-digits", "dataset": "digits", "spec": config["spec"],
            "hyperparameters": {**config["hyperparameters"], "epochs": 1}}
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _i: session.post(f"{stack.base_url}/api/runs/", json=body, timeout=60), range(8)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 3 + [400] * 5, [r.text[:200] for r in responses]
    refused = next(r for r in responses if r.status_code == 400).json()["errors"][0]
    assert refused["limit"] == "max_queued" and "3 runs waiting" in refused["message"]
    runs = session.get(f"{stack.base_url}/api/runs/", timeout=10).json()
    assert sum(1 for r in runs if r["status"] == "queued") == 3
    for run in runs:
        session.post(f"{stack.base_url}/api/runs/{run['id']}/cancel/", timeout=10)


def _worker_restart(stack) -> None:
    port = stack.base_url.rsplit(":", 1)[1]
    command = worker_command(name=f"training-test-{port}@%h", concurrency=1)
    log = open(stack.logs["worker"], "a")
    stack.processes["worker"] = subprocess.Popen(command, cwd=ROOT, env=stack.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    ready = re.compile(r"training-test-\d+@\S+ ready")
    while time.monotonic() < deadline:
        if len(ready.findall(stack.log_tail("worker", 1_000_000))) >= 2:
            return
        time.sleep(0.5)
    raise AssertionError("the restarted worker did not come up\n" + stack.log_tail("worker"))


def test_worker_killed_mid_run_resumes_the_run_from_its_checkpoint(stack):
    session = stack.login("learner2")
    response = submit(stack, session, "mlp-digits", "digits-28", epochs=6, batch_size=32, normalize=True)
    assert response.status_code == 201, response.text
    run_id = response.json()["id"]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        run = session.get(f"{stack.base_url}/api/runs/{run_id}/", timeout=10).json()
        if len(run["epochs"]) >= 2 or run["status"] not in ("queued", "running"):
            break
        time.sleep(0.3)
    assert run["status"] == "running" and 2 <= len(run["epochs"]) < 6, run["status"]
    done_before = len(run["epochs"])
    worker = stack.processes["worker"]
    os.killpg(worker.pid, signal.SIGKILL)  # the worker, its pool and (by PR_SET_PDEATHSIG) the training child
    worker.wait(timeout=30)
    _worker_restart(stack)
    finished = run_to_end(stack, session, run_id, timeout=300)
    assert finished["status"] == "succeeded", (finished["status_reason"], finished["log_tail"][-30:])
    assert [e["epoch"] for e in finished["epochs"]] == [1, 2, 3, 4, 5, 6]
    log = "\n".join(finished["log_tail"])
    assert "resumed from its last checkpoint, attempt 2" in log, log[-3000:]
    # The resumed attempt trained only the epochs that were not finished before the kill: the
    # history (appended by both attempts) holds each epoch once, not done_before + 6 rows.
    history = next((stack.data_root / "workspaces").rglob(f"runs/{run_id}/history.csv")).read_text().splitlines()
    epochs = [line.split(",")[0] for line in history if line and not line.startswith("epoch")]
    assert sorted(epochs, key=int) == [str(n) for n in range(6)], (done_before, history)


def _wait_for_epochs(stack, session, run_id: int, count: int, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = session.get(f"{stack.base_url}/api/runs/{run_id}/", timeout=10).json()
        if len(run["epochs"]) >= count or run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not reach {count} epochs")


def test_training_child_killed_ends_the_run_failed_with_a_reason_and_the_worker_goes_on(stack):
    import psutil

    session = stack.login("learner2")
    run_id = submit(stack, session, "mlp-digits", "digits-28", epochs=8, batch_size=32, normalize=True).json()["id"]
    run = _wait_for_epochs(stack, session, run_id, 1)
    assert run["status"] == "running"
    marker = f"runs/{run_id}"
    child = next(p for p in psutil.process_iter(["cmdline"]) if "trainer" in (p.info["cmdline"] or []) and any(marker in a for a in p.info["cmdline"] or []))
    child.kill()  # SIGKILL, as the kernel's out-of-memory killer does
    finished = run_to_end(stack, session, run_id, timeout=120)
    assert finished["status"] == "failed" and "SIGKILL" in finished["status_reason"] and "out of memory" in finished["status_reason"]
    # The worker is fine: the next run trains.
    after = submit(stack, session, "softmax-digits", "digits", epochs=1)
    assert run_to_end(stack, session, after.json()["id"])["status"] == "succeeded"


def test_redis_restart_mid_run_loses_no_history_and_the_run_finishes(stack):
    from ops.redis_server import redis_start

    if stack.redis is None:
        pytest.skip("the stack uses an external Redis (DLC_TEST_REDIS_URL); it cannot be restarted here")
    session = stack.login("learner2")
    run_id = submit(stack, session, "mlp-digits", "digits-28", epochs=6, batch_size=32, normalize=True).json()["id"]
    run = _wait_for_epochs(stack, session, run_id, 1)
    assert run["status"] == "running"
    port = stack.redis.port
    stack.redis.stop()  # no persistence: the restarted Redis is empty (queues, channel layer)
    time.sleep(3)
    stack.redis = redis_start(port=port)
    finished = run_to_end(stack, session, run_id, timeout=240)
    assert finished["status"] == "succeeded", (finished["status_reason"], finished["log_tail"][-20:])
    assert [e["epoch"] for e in finished["epochs"]] == [1, 2, 3, 4, 5, 6]  # every epoch is in the database
    # Live progress works again: a new run streams over the restarted Redis and succeeds.
    from tests.asyncio_helpers import run_coro
    from tests.integration.test_run_lifecycle import collect

    after = submit(stack, session, "softmax-digits", "digits", epochs=1).json()["id"]
    # The web process's pooled Redis connections died with the old server; they reconnect
    # (settings: retry on connection errors), so the first websocket after the restart works.
    messages = run_coro(collect(stack, session, after, until=lambda m: m.get("type") == "done", timeout=120))
    assert messages[0]["type"] == "history" and messages[-1]["type"] == "done" and messages[-1]["status"] == "succeeded"
