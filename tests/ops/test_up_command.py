"""``./dlc up``'s Python half: everything starts, the site answers, Ctrl-C stops it all."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
import requests

from ops.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def test_up_starts_the_platform_prints_passwords_and_ctrl_c_stops_everything():
    port = free_port()
    data_root = tempfile.mkdtemp(prefix="dlc-up-")
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    # Figures are drawn and tested in tests/lessonfigures; here they would only add a minute.
    env.update({"DLC_DATA_ROOT": data_root, "DLC_PORT": str(port), "PYTHONUNBUFFERED": "1", "DLC_BUILD_FIGURES": "0"})
    log_path = Path(data_root) / "up.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "manage.py", "up"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while "Press Ctrl-C to stop" not in log_path.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log_path.read_text()[-3000:]
            time.sleep(0.5)
        output = log_path.read_text()
        assert f"DL Classroom is running at http://127.0.0.1:{port}/" in output
        assert "Started a private Redis" in output
        passwords = dict(re.findall(r"^\s+(learner|instructor|admin)\s+password: (\S+)$", output, re.M))
        assert set(passwords) == {"learner", "instructor", "admin"}
        children = psutil.Process(proc.pid).children(recursive=True)
        names = " ".join(" ".join(c.cmdline()) for c in children)
        assert "daphne" in names and "celery" in names and "redis-server" in names
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            pytest.fail("the web server never answered")

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, log_path.read_text()[-3000:]
        assert "All stopped." in log_path.read_text()
        time.sleep(0.5)
        assert [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE] == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
