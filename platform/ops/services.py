"""Set-up steps shared by the ``bootstrap`` and ``up`` commands."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command

from accounts.services import demo_accounts_create
from courseware.models import Course, Enrollment
from courseware.services import enrollment_ensure
from grading.services import grading_setup, join_code_rotate
from datasets.services import datasets_bootstrap
from modelzoo.services import base_models_bootstrap


def figures_build_subprocess(stdout=None) -> bool:
    """Draw missing or outdated lesson figures in a child process, so matplotlib and TensorFlow
    never load into the long-lived ``up`` process. A failure (e.g. no Chinese font) is reported
    and set-up goes on: lessons then show the figure's alt text."""
    done = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "figures_build"],
        capture_output=True,
        text=True,
    )
    if stdout:
        stdout.write(done.stdout.rstrip() + "\n")
        if done.returncode:
            stdout.write("  WARNING: " + done.stderr.strip().replace("\n", "\n  ") + "\n")
    return done.returncode == 0


def platform_bootstrap(*, datasets: list[str] | None = None, demo_password: str | None = None, figures: bool | None = None, stdout=None) -> dict:
    """Migrate, collect static files, build bundled data, load the course, draw the lesson figures,
    create demo accounts. Safe to run again: every step is idempotent (demo passwords are reset)."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    for dataset, built in datasets_bootstrap(only=datasets):
        if stdout:
            stdout.write(f"  dataset {dataset.slug}: {'built' if built else 'present'} ({dataset.num_items} items)\n")
    call_command("course_load", stdout=stdout)
    # The transfer lab's base network: only marked "being prepared" here when missing; the
    # worker pre-trains it after start-up (80 s on 2 CPU cores), so set-up stays fast.
    for slug, state in base_models_bootstrap():
        if stdout:
            stdout.write(f"  base model {slug}: {state}\n")
    if settings.BUILD_FIGURES if figures is None else figures:
        figures_build_subprocess(stdout)
    accounts = demo_accounts_create(password=demo_password)
    for course in Course.objects.all():
        # Every lab, quiz and written question gets a gradebook column (instructors' edits kept).
        grading_setup(course)
        if not course.join_code:
            join_code_rotate(course)
        for username, (user, _pw) in accounts.items():
            if username.startswith("learner"):
                enrollment_ensure(course, user, Enrollment.Role.LEARNER)
            elif username == "instructor":
                enrollment_ensure(course, user, Enrollment.Role.INSTRUCTOR)
    return {username: pw for username, (_user, pw) in accounts.items()}
