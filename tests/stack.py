"""The real platform, started for integration and browser tests: a private Redis, the Daphne
ASGI server and a Celery worker process, on a fresh data root with the real settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ops.processes import daphne_command, worker_command
from ops.redis_server import free_port, redis_start

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "integration-pass-42"


@dataclass
class Stack:
    base_url: str
    data_root: Path
    env: dict
    processes: dict = field(default_factory=dict)
    logs: dict = field(default_factory=dict)
    redis: object = None  # the private Redis (None when DLC_TEST_REDIS_URL points at another one)

    @property
    def host(self) -> str:
        return self.base_url.split("//", 1)[1]

    def login(self, username: str, password: str = PASSWORD) -> requests.Session:
        session = requests.Session()
        session.get(f"{self.base_url}/accounts/login/", timeout=10)
        response = session.post(
            f"{self.base_url}/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": f"{self.base_url}/accounts/login/"},
            timeout=10,
        )
        assert response.url.endswith("/dashboard/"), f"login failed for {username}"
        session.headers.update({"X-CSRFToken": session.cookies["csrftoken"], "Referer": self.base_url})
        return session

    def cookie_header(self, session: requests.Session) -> str:
        return "; ".join(f"{k}={v}" for k, v in session.cookies.items())

    def log_tail(self, name: str, chars: int = 4000) -> str:
        path = self.logs.get(name)
        return path.read_text(errors="replace")[-chars:] if path and path.exists() else ""

    def manage(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        return result.stdout


def _wait_for(predicate, timeout: float, what: str, stack: Stack | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    details = "" if stack is None else "\n".join(f"--- {n} ---\n{stack.log_tail(n)}" for n in stack.logs)
    raise RuntimeError(f"timed out waiting for {what}\n{details}")


# The data sets the labs' end-to-end tests train on (all small; built in a few seconds).
STACK_DATASETS = ("shapes-mini", "linear-synthetic", "digits", "digits-28", "diabetes", "hanzi-fonts", "shapes-boxes")


def stack_start(datasets: tuple[str, ...] = STACK_DATASETS) -> tuple[Stack, list]:
    data_root = Path(tempfile.mkdtemp(prefix="dlc-stack-"))
    cleanups = []
    redis_url = os.environ.get("DLC_TEST_REDIS_URL")
    if not redis_url:
        # Always a private Redis: the tests must not depend on (or pollute) a shared one.
        redis = redis_start()
        cleanups.append(lambda: stack.redis.stop())  # the current one: a test may restart it
        redis_url = redis.url
    port = free_port()
    env = {
        **os.environ,
        "DLC_DATA_ROOT": str(data_root),
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "dlclassroom.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT / "workers")]),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DLC_HEARTBEAT_TIMEOUT_S": "60",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)
    stack = Stack(base_url=f"http://127.0.0.1:{port}", data_root=data_root, env=env,
                  redis=None if os.environ.get("DLC_TEST_REDIS_URL") else redis)
    stack.manage("bootstrap", "--datasets", *datasets, "--demo-password", PASSWORD, "--no-figures")

    commands = {
        "web": daphne_command("127.0.0.1", port),
        "worker": worker_command(name=f"training-test-{port}@%h", concurrency=1),
    }
    for name, command in commands.items():
        log_path = data_root / f"{name}.log"
        stack.logs[name] = log_path
        log = open(log_path, "w")
        stack.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def web_ready() -> bool:
        try:
            return requests.get(f"{stack.base_url}/accounts/login/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    _wait_for(web_ready, 60, "the ASGI server", stack)
    _wait_for(lambda: re.search(r"training-test-\d+@\S+ ready", stack.log_tail("worker", 100_000)) is not None, 90, "the Celery worker", stack)
    return stack, cleanups


def stack_stop(stack: Stack, cleanups: list) -> None:
    for proc in stack.processes.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in stack.processes.values():
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
    for cleanup in cleanups:
        cleanup()
