"""Keras-code runs: a learner's build_model(input_shape, num_classes) is checked at submission
without being run, then trained by the worker inside the sandbox, with errors told in the
learner's terms and hostile code contained."""

from __future__ import annotations

import json
import os

import pytest

from tests.factories import LabFactory, RunFactory
from training import services
from training.models import Run

pytestmark = pytest.mark.django_db

HP = {"epochs": 1, "batch_size": 8, "optimizer": "adam", "learning_rate": 0.01}

GOOD = """import keras
from keras import layers


def build_model(input_shape, num_classes):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Rescaling(1 / 255),
        layers.Conv2D(4, 3, activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(num_classes),
    ])
"""


@pytest.fixture(autouse=True)
def english_platform(settings):
    settings.LANGUAGE_CODE = "en"


def submit(learner, lab, code, **overrides):
    kwargs = {"user": learner, "lab": lab, "dataset_slug": lab.default_dataset_slug, "spec": {"input_shape": [16, 16, 3]},
              "hyperparameters": dict(HP), "model_code": code}
    kwargs.update(overrides)
    return services.run_submit(**kwargs)


def refusal(learner, lab, code, **overrides) -> list[dict]:
    with pytest.raises(services.SubmitError) as caught:
        submit(learner, lab, code, **overrides)
    return caught.value.errors


def test_a_keras_code_submission_is_queued_with_its_code_and_only_the_input_shape(learner, lab, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = submit(learner, lab, GOOD)
    assert run.status == Run.Status.QUEUED and run.model_code == GOOD
    assert run.spec == {"input_shape": [16, 16, 3]}
    assert len(callbacks) == 1


@pytest.mark.parametrize(("code", "words"), [
    ("def build_model(input_shape, num_classes)\n    return None\n", "SyntaxError in your code, line 1"),
    ("import keras\n\ndef make(input_shape, num_classes):\n    pass\n", "Define a function build_model"),
    ("def build_model(input_shape):\n    pass\n", "must take two arguments"),
    ("x = '" + "a" * (64 * 1024) + "'\ndef build_model(a, b):\n    pass\n", "larger than 64 KiB"),
    ("def build_model(a, b):\n    return '\x00'\n", "NUL character"),
    ("x = " + "(" * 300 + ")" * 300 + "\ndef build_model(a, b):\n    pass\n", "SyntaxError"),
])
def test_code_that_cannot_be_right_is_refused_at_submission_with_a_reason(learner, lab, code, words):
    errors = refusal(learner, lab, code)
    assert any(words in e["message"] for e in errors), errors
    assert not Run.objects.exists()


def test_a_lab_with_a_fixed_program_does_not_take_keras_code(learner):
    lab = LabFactory(program="linear_tape")
    errors = refusal(learner, lab, GOOD, spec=None)
    assert any(e.get("code") == "code_not_allowed" for e in errors)


def test_an_image_lab_refuses_a_code_run_without_an_image_input_shape(learner, lab):
    errors = refusal(learner, lab, GOOD, spec={"input_shape": [16, 16, 2]})
    assert any(e.get("code") == "input_shape" for e in errors)


@pytest.fixture
def code_run(learner, lab):
    def make(code: str) -> Run:
        run = RunFactory(owner=learner, lab=lab, spec={"input_shape": [16, 16, 3]}, model_code=code)
        assert services.run_claim(run.pk, "unit-test")
        return run
    return make


def test_a_keras_code_run_trains_and_answers_predictions_in_the_sandbox_and_its_folder_is_given_back(code_run, needs_sandbox):
    run = code_run(GOOD)
    owner = os.getuid()
    assert services.run_execute(run.pk) == Run.Status.SUCCEEDED, Run.objects.get(pk=run.pk).status_reason
    run.refresh_from_db()
    folder = run.workspace_dir
    config = json.loads((folder / "config.json").read_text())
    assert config["model_code"] == "model_code.py" and config["num_classes"] == 3
    assert config["dataset"]["path"] == "/data"  # the snapshot as the sandbox sees it
    assert (folder / "model.keras").is_file() and run.total_params > 0
    assert all(os.stat(p).st_uid == owner for p in [folder, *folder.rglob("*")])
    log = (folder / "logs" / "train.log").read_text()
    assert "trains in the sandbox" in log and "building the model from your code" in log
    # Its model is loaded for a prediction only inside the sandbox too.
    from tests.factories import png_bytes
    from training.models import Inference

    job = services.inference_request(user=run.owner, run=run, kind="predict", image_bytes=png_bytes((20, 20)))
    assert services.inference_execute(job.pk) == Inference.Status.SUCCEEDED, Inference.objects.get(pk=job.pk).error
    job.refresh_from_db()
    assert len(job.result["classes"]) == 3


def test_a_wrong_output_size_fails_the_run_with_the_learners_message(code_run, needs_sandbox):
    run = code_run(GOOD.replace("layers.Dense(num_classes)", "layers.Dense(7)"))
    assert services.run_execute(run.pk) == Run.Status.FAILED
    run.refresh_from_db()
    assert "has shape (None, 7) but this data set has 3 classes" in run.status_reason


HOSTILE = """import socket


def build_model(input_shape, num_classes):
    found = []
    for path in ("/etc/shadow", "{settings}", "{db}", "{workspaces}"):
        try:
            open(path).read(10)
            found.append("read " + path)
        except OSError as exc:
            found.append(type(exc).__name__)
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2)
        found.append("connected")
    except OSError as exc:
        found.append("socket " + type(exc).__name__)
    raise RuntimeError(" | ".join(found))
"""


def test_hostile_build_model_code_sees_no_host_files_or_network_and_the_worker_goes_on(code_run, needs_sandbox, settings):
    code = HOSTILE.format(settings=settings.BASE_DIR / "dlclassroom" / "settings.py", db=settings.DATABASES["default"]["NAME"],
                          workspaces=settings.WORKSPACE_ROOT)
    run = code_run(code)
    assert services.run_execute(run.pk) == Run.Status.FAILED
    run.refresh_from_db()
    reason = run.status_reason
    assert "RuntimeError in your code" in reason
    assert "read " not in reason and "connected" not in reason, reason
    assert reason.count("FileNotFoundError") + reason.count("IsADirectoryError") >= 3
    assert "socket" in reason
    # The same worker process trains the next run normally.
    assert services.run_execute(code_run(GOOD).pk) == Run.Status.SUCCEEDED


def test_a_memory_balloon_in_build_model_stops_the_run_with_the_memory_limit_named(code_run, needs_sandbox, lab):
    lab.resources = {**lab.resources, "memory_mb": 1024}
    lab.save()
    balloon = GOOD.replace("    return keras.Sequential([", "    hoard = [bytearray(64 * 2**20) for _ in range(40)]\n    return keras.Sequential([")
    run = code_run(balloon)
    Run.objects.filter(pk=run.pk).update(resources=lab.resources)
    assert services.run_execute(run.pk) == Run.Status.FAILED
    run.refresh_from_db()
    assert "memory limit 1024 MiB exceeded" in run.status_reason or "MemoryError in your code" in run.status_reason, run.status_reason
