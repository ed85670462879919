"""``platform/`` is a source root, never a package: the standard library's ``platform`` module
must be what every entry point imports (uuid, redis, Celery and TensorFlow all use it)."""

import os
import platform
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()
CHECK = "import platform, pathlib; print(platform.system(), pathlib.Path(platform.__file__).resolve())"


def assert_stdlib(output: str) -> None:
    system, path = output.strip().splitlines()[-1].split(" ", 1)
    assert system == "Linux" or system == platform.system()
    assert Path(path).parent == STDLIB, path


def run(args, **env):
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT / "workers")]), **env}
    result = subprocess.run(args, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_there_is_no_platform_package():
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_pytest_imports_the_standard_library_platform():
    assert Path(platform.__file__).resolve().parent == STDLIB
    assert platform.system()


def test_manage_py_imports_the_standard_library_platform():
    assert_stdlib(run([sys.executable, "manage.py", "shell", "-c", CHECK]))


def test_asgi_application_imports_the_standard_library_platform():
    assert_stdlib(run([sys.executable, "-c", "import dlclassroom.asgi; " + CHECK], DJANGO_SETTINGS_MODULE="dlclassroom.settings"))


def test_celery_app_imports_the_standard_library_platform():
    out = run([sys.executable, "-c", "from dlclassroom.celery import app; import django; django.setup(); import training.tasks; "
               "assert 'training.tasks.run_train' in app.tasks; " + CHECK])
    assert_stdlib(out)


def test_training_child_imports_the_standard_library_platform():
    assert_stdlib(run([sys.executable, "-c", "import trainer.train, modelspec; " + CHECK]))


@pytest.mark.parametrize("module", ["uuid", "redis", "celery", "tensorflow"])
def test_libraries_that_use_platform_import_from_the_repository_root(module):
    run([sys.executable, "-c", f"import {module}"])
