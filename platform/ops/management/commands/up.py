"""Start the whole platform on one machine: private Redis (unless REDIS_URL is set), Daphne,
one Celery worker with beat. Ctrl-C stops all of it."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.processes import daphne_command, platform_env, worker_command
from ops.redis_server import redis_start
from ops.services import platform_bootstrap


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Set up and start Redis (if needed), the ASGI server and a Celery worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("DLC_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("DLC_PORT", "8000")))
        parser.add_argument("--demo-password", default=os.environ.get("DLC_DEMO_PASSWORD"))
        parser.add_argument("--skip-bootstrap", action="store_true")

    def handle(self, *args, host, port, demo_password, skip_bootstrap, **options):
        processes: list[tuple[str, subprocess.Popen]] = []
        private_redis = None
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            if stopping:
                return
            stopping = True
            self.stdout.write("\nStopping …")
            for _name, proc in reversed(processes):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 20
            for name, proc in reversed(processes):
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self.stdout.write(f"  {name} did not stop in time; killing it")
                    os.killpg(proc.pid, signal.SIGKILL)
            if private_redis:
                private_redis.stop()
            self.stdout.write("All stopped.")

        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the platform like Ctrl-C does
        try:
            passwords = {}
            if not skip_bootstrap:
                self.stdout.write("Preparing the platform (migrations, data sets, course, demo accounts) …")
                passwords = platform_bootstrap(demo_password=demo_password, stdout=self.stdout)
            redis_url = os.environ.get("REDIS_URL")
            if not redis_url:
                private_redis = redis_start()
                redis_url = private_redis.url
                self.stdout.write(f"Started a private Redis at {redis_url}")
            env = platform_env(redis_url)
            for name, command in (("web", daphne_command(host, port)), ("worker", worker_command(beat_schedule=settings.DATA_ROOT / "celerybeat-schedule"))):
                # Own process groups: Ctrl-C reaches this supervisor, which stops them in order.
                processes.append((name, subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, start_new_session=True)))
            self.stdout.write(self.style.SUCCESS(f"\nDL Classroom is running at http://{host}:{port}/"))
            for username, password in passwords.items():
                self.stdout.write(f"  {username:<11} password: {password}")
            self.stdout.write("Press Ctrl-C to stop.\n")
            while True:
                for name, proc in processes:
                    if proc.poll() is not None:
                        raise CommandError(f"{name} exited with code {proc.returncode}")
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
