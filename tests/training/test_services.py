import copy
import json
import os

import pytest
from django.utils import timezone

from training import services
from training.models import EpochMetric, Run
from tests.factories import TINY_SPEC, DatasetFactory, RunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_platform(settings):
    settings.LANGUAGE_CODE = "en"  # reasons are stored in the platform language

HP = {"epochs": 1, "batch_size": 8, "optimizer": "adam", "learning_rate": 0.01}


def submit(learner, lab, **overrides):
    kwargs = {"user": learner, "lab": lab, "dataset_slug": lab.default_dataset_slug, "spec": copy.deepcopy(TINY_SPEC), "hyperparameters": dict(HP)}
    kwargs.update(overrides)
    return services.run_submit(**kwargs)


def test_valid_submission_is_queued_and_enqueued_after_commit(learner, lab, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = submit(learner, lab)
    assert run.status == Run.Status.QUEUED
    assert run.owner == learner and run.course == lab.course
    assert run.total_params > 0
    assert len(callbacks) == 1, "the task is enqueued only once the row is committed"


def test_invalid_spec_is_refused_naming_the_layer_and_nothing_is_queued(learner, lab, django_capture_on_commit_callbacks):
    spec = copy.deepcopy(TINY_SPEC)
    spec["layers"][1]["args"]["kernel_size"] = 40  # larger than the 16×16 input with padding "valid"
    spec["layers"][1]["args"]["padding"] = "valid"
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(services.SubmitError) as excinfo:
        submit(learner, lab, spec=spec)
    errors = excinfo.value.errors
    assert any(e["layer"] == 1 and e["layer_type"] == "Conv2D" and "kernel_size" in e["message"] for e in errors)
    assert Run.objects.count() == 0 and callbacks == []


def test_output_units_must_match_the_dataset_classes(learner, lab):
    spec = copy.deepcopy(TINY_SPEC)
    spec["layers"][-1]["args"]["units"] = 7
    with pytest.raises(services.SubmitError) as excinfo:
        submit(learner, lab, spec=spec)
    assert any(e.get("code") == "num_classes_mismatch" for e in excinfo.value.errors)


@pytest.mark.parametrize(
    "hyperparameters, field",
    [
        ({**HP, "epochs": 0}, "epochs"),
        ({**HP, "epochs": True}, "epochs"),
        ({**HP, "epochs": "5"}, "epochs"),
        ({**HP, "batch_size": 100000}, "batch_size"),
        ({**HP, "optimizer": "__import__('os')"}, "optimizer"),
        ({**HP, "learning_rate": float("nan")}, "learning_rate"),
        ({**HP, "learning_rate": 5}, "learning_rate"),
        ({**HP, "rm_rf": 1}, "hyperparameters"),
        ("not a dict", "hyperparameters"),
    ],
)
def test_bad_hyperparameters_are_refused_with_the_field_named(learner, lab, hyperparameters, field):
    with pytest.raises(services.SubmitError) as excinfo:
        submit(learner, lab, hyperparameters=hyperparameters)
    assert field in [e["field"] for e in excinfo.value.errors]
    assert Run.objects.count() == 0


def test_dataset_outside_the_lab_is_refused(learner, lab):
    other = DatasetFactory()
    with pytest.raises(services.SubmitError) as excinfo:
        submit(learner, lab, dataset_slug=other.slug)
    assert excinfo.value.errors[0]["field"] == "dataset"


def test_claim_is_conditional_so_only_one_worker_gets_a_run(run):
    assert services.run_claim(run.pk, "w1") is True
    assert services.run_claim(run.pk, "w2") is False
    run.refresh_from_db()
    assert run.status == Run.Status.RUNNING and run.worker == "w1"


def test_cancelling_a_queued_run_ends_it_and_it_can_no_longer_be_claimed(run):
    assert services.run_cancel(run) == Run.Status.CANCELLED
    run.refresh_from_db()
    assert run.status == Run.Status.CANCELLED and run.finished_at is not None
    assert services.run_claim(run.pk, "w1") is False


def test_cancelling_a_running_run_asks_the_worker_and_keeps_it_running(run):
    services.run_claim(run.pk, "w1")
    assert services.run_cancel(run) == Run.Status.RUNNING
    run.refresh_from_db()
    assert run.cancel_requested is True and run.status == Run.Status.RUNNING


def test_stale_running_run_goes_back_to_the_queue_to_resume_then_fails_after_the_last_resume(run, settings, django_capture_on_commit_callbacks):
    settings.TRAINING = {**settings.TRAINING, "MAX_RESUMES": 1}
    stale = timezone.now() - timezone.timedelta(seconds=settings.TRAINING["HEARTBEAT_TIMEOUT_S"] + 5)
    services.run_claim(run.pk, "w1")
    Run.objects.filter(pk=run.pk).update(heartbeat_at=stale)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.runs_reap_stale() == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.resumes, run.worker) == (Run.Status.QUEUED, 1, "")
    assert "resume from its last finished epoch" in run.status_reason and len(callbacks) == 1  # its token
    services.run_claim(run.pk, "w2")
    Run.objects.filter(pk=run.pk).update(heartbeat_at=stale)
    assert services.runs_reap_stale() == [run.pk]
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED and "heartbeat" in run.status_reason and "resumed 1 times" in run.status_reason


def test_a_restarted_worker_requeues_the_runs_it_held(run, django_capture_on_commit_callbacks):
    services.run_claim(run.pk, "training@host-a")
    other = RunFactory(lab=run.lab)
    services.run_claim(other.pk, "training@host-b")
    with django_capture_on_commit_callbacks(execute=False):
        assert services.runs_reap_stale(worker="training@host-a") == [run.pk]
    assert Run.objects.get(pk=run.pk).status == Run.Status.QUEUED
    assert Run.objects.get(pk=other.pk).status == Run.Status.RUNNING


def test_epoch_metrics_are_stored_once_per_epoch(run):
    services.epoch_metric_record(run.pk, 1, {"loss": 1.0, "accuracy": 0.5, "val_loss": float("nan")}, 0.3)
    services.epoch_metric_record(run.pk, 1, {"loss": 0.9, "accuracy": 0.6}, 0.3)
    epochs = list(EpochMetric.objects.filter(run=run))
    assert len(epochs) == 1 and epochs[0].loss == 0.9 and epochs[0].val_loss is None


def test_execute_trains_in_a_child_process_and_writes_the_run_folder(run):
    assert services.run_claim(run.pk, "unit-test")
    assert services.run_execute(run.pk) == Run.Status.SUCCEEDED
    run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED, run.status_reason
    assert set(run.final_metrics) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert "Conv2D" in run.model_summary or "conv2d" in run.model_summary
    assert EpochMetric.objects.filter(run=run).count() == 1
    folder = run.workspace_dir
    config = json.loads((folder / "config.json").read_text())
    assert config["run_id"] == run.pk and config["dataset"]["format"] == "image_folder"
    for name in ("model.keras", "history.csv", "summary.txt", "logs/train.log", "checkpoints/latest.weights.h5", "checkpoints/training_metadata.json"):
        assert (folder / name).is_file(), name
    assert any((folder / "tensorboard").rglob("events.out.tfevents.*"))
    assert run.child_pid is None


def test_execute_stops_the_child_at_the_time_limit(run):
    Run.objects.filter(pk=run.pk).update(resources={"time_limit_s": 1}, hyperparameters={**HP, "epochs": 50})
    services.run_claim(run.pk, "unit-test")
    assert services.run_execute(run.pk) == Run.Status.TIMED_OUT
    run.refresh_from_db()
    assert "Time limit of 1 s exceeded" in run.status_reason


def test_a_crash_in_the_child_fails_the_run_with_the_error(run):
    Run.objects.filter(pk=run.pk).update(hyperparameters={**HP, "optimizer": "nonsense"})
    services.run_claim(run.pk, "unit-test")
    assert services.run_execute(run.pk) == Run.Status.FAILED
    run.refresh_from_db()
    assert "unknown optimizer" in run.status_reason


def test_exit_signals_are_explained_to_the_learner():
    assert "out of memory" in services._describe_exit(-9)
    assert "SIGTERM" in services._describe_exit(-15)
    assert "code 3" in services._describe_exit(3)


def test_training_child_dies_when_its_worker_process_is_killed(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    import psutil

    pid_file = tmp_path / "child.pid"
    parent_code = (
        "import subprocess, sys, time\n"
        "from training.services import _die_with_parent\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], preexec_fn=_die_with_parent, start_new_session=True)\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(120)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dlclassroom.settings_test", "PYTHONPATH": "platform:workers"}
    parent = subprocess.Popen([sys.executable, "-c", "import django; django.setup(); exec(open(0).read())"], stdin=subprocess.PIPE, env=env, text=True)
    parent.stdin.write(parent_code)
    parent.stdin.close()
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    child_pid = int(pid_file.read_text())
    assert psutil.pid_exists(child_pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while psutil.pid_exists(child_pid) and psutil.Process(child_pid).status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not psutil.pid_exists(child_pid) or psutil.Process(child_pid).status() == psutil.STATUS_ZOMBIE


def tabular_dataset(slug="tiny-table"):
    from datasets.bundled import linear_synthetic_build
    from datasets.models import Dataset
    from django.conf import settings

    path = settings.DATASET_ROOT / "test" / slug
    if not path.exists():
        linear_synthetic_build(path, count=50)
    return Dataset.objects.create(slug=slug, title_zh="表", title_en="Table", format="tabular", relative_path=f"test/{slug}", num_items=50, item_shape=[1])


def test_a_fixed_program_lab_refuses_a_model_spec_and_queues_without_one(learner, django_capture_on_commit_callbacks):
    from tests.factories import LabFactory

    dataset = tabular_dataset()
    lab = LabFactory(program="linear_tape", spec={}, compile_config={}, dataset_slugs=[dataset.slug], default_dataset_slug=dataset.slug)
    with pytest.raises(services.SubmitError, match="model is fixed"):
        submit(learner, lab)
    with django_capture_on_commit_callbacks(execute=False):
        run = submit(learner, lab, spec=None)
    assert run.program == "linear_tape" and run.spec == {} and run.total_params == 0
    config = json.loads((services.workspace_materialize(run) / "config.json").read_text())
    assert config["program"] == "linear_tape" and config["dataset"]["path"].endswith("data.npz")


def test_a_data_set_of_the_wrong_kind_for_the_program_is_refused(learner):
    from tests.factories import LabFactory

    dataset = tabular_dataset("table-for-cnn")
    lab = LabFactory(dataset_slugs=[dataset.slug], default_dataset_slug=dataset.slug)
    with pytest.raises(services.SubmitError, match="trains on image_folder / npz data; table-for-cnn is tabular"):
        submit(learner, lab)
    assert not Run.objects.exists()


def test_the_normalize_switch_exists_only_where_the_lab_declares_it_and_must_be_boolean(learner, lab):
    with pytest.raises(services.SubmitError, match="Unknown hyper-parameter"):
        submit(learner, lab, hyperparameters={**HP, "normalize": True})
    lab.hyperparameters = {**lab.hyperparameters, "normalize": False}
    lab.save()
    with pytest.raises(services.SubmitError, match="normalize must be true or false"):
        submit(learner, lab, hyperparameters={**HP, "normalize": "yes"})
    run = submit(learner, lab, hyperparameters={**HP, "normalize": True})
    assert run.hyperparameters["normalize"] is True


def test_a_run_trains_on_a_read_only_snapshot_that_later_edits_of_the_data_set_do_not_touch(learner, lab):
    run = submit(learner, lab)
    assert run.snapshot is not None and run.snapshot.dataset == run.dataset
    config = json.loads((services.workspace_materialize(run) / "config.json").read_text())
    assert config["dataset"]["path"] == str(run.snapshot.path) and config["dataset"]["snapshot"] == run.snapshot.content_hash
    files = sorted(p for p in run.snapshot.path.rglob("*.png"))
    assert files and oct(files[0].stat().st_mode & 0o777) == "0o444"


def test_a_learner_may_train_on_their_own_imported_set_but_not_on_another_learners(learner, other_learner, lab, django_capture_on_commit_callbacks):
    from datasets.models import Dataset

    mine = DatasetFactory(slug="my-import", kind=Dataset.Kind.PERSONAL, owner=learner)
    theirs = DatasetFactory(slug="their-import", kind=Dataset.Kind.PERSONAL, owner=other_learner)
    with django_capture_on_commit_callbacks(execute=False):
        run = submit(learner, lab, dataset_slug=mine.slug)
    assert run.dataset == mine
    with pytest.raises(services.SubmitError, match="Choose one of this lab's data sets"):
        submit(learner, lab, dataset_slug=theirs.slug)


# --- lab-declared keys with a type and a range (the transfer lab's strategy and N) -------------


def test_strategy_and_trainable_layers_exist_only_where_declared_and_are_checked_by_choice_and_range(lab):
    hp, errors = services.hyperparameters_validate({**HP, "strategy": "head"}, lab)
    assert "Unknown hyper-parameter(s): strategy." in [e["message"] for e in errors]
    lab.hyperparameters = {**lab.hyperparameters, "strategy": "head", "trainable_layers": 4}
    hp, errors = services.hyperparameters_validate({**HP, "strategy": "last_n", "trainable_layers": 7}, lab)
    assert errors == [] and hp["strategy"] == "last_n" and hp["trainable_layers"] == 7
    for bad, message in [({"strategy": "half"}, "strategy must be one of all, last_n, head."),
                         ({"strategy": 2}, "strategy must be one of all, last_n, head."),
                         ({"trainable_layers": 0}, "trainable_layers must be a whole number from 1 to 50."),
                         ({"trainable_layers": 51}, "trainable_layers must be a whole number from 1 to 50."),
                         ({"trainable_layers": True}, "trainable_layers must be a whole number from 1 to 50."),
                         ({"trainable_layers": "3"}, "trainable_layers must be a whole number from 1 to 50.")]:
        _hp, errors = services.hyperparameters_validate({**HP, **bad}, lab)
        assert [(e["field"], e["message"]) for e in errors] == [(next(iter(bad)), message)], bad
    _hp, errors = services.hyperparameters_validate(HP, lab)
    assert errors == [] and _hp["strategy"] == "head", "the lab's default applies when the form leaves it out"


def test_a_transfer_run_is_refused_until_its_base_is_ready_and_then_gets_the_base_file(learner, settings, tmp_path):
    from modelzoo.models import BaseModel
    from tests.factories import LabFactory

    settings.DATA_ROOT = tmp_path
    lab = LabFactory(program="transfer", spec={}, options={"base_model": "shapes-cnn"},
                     hyperparameters={**HP, "strategy": "head", "trainable_layers": 4})
    with pytest.raises(services.SubmitError, match="The base model shapes-cnn is not installed"):
        submit(learner, lab, spec=None)
    base = BaseModel.objects.create(slug="shapes-cnn", title_zh="t", title_en="t", source="platform", relative_path="models/shapes-cnn.keras")
    with pytest.raises(services.SubmitError, match="is being prepared .* Try again in a few minutes"):
        submit(learner, lab, spec=None)
    assert not Run.objects.exists()
    base.path.parent.mkdir(parents=True)
    base.path.write_bytes(b"model")
    BaseModel.objects.filter(pk=base.pk).update(status=BaseModel.Status.READY, preprocessing="symmetric")
    run = submit(learner, lab, spec=None, hyperparameters={**HP, "strategy": "all"})
    config = json.loads((services.workspace_materialize(run) / "config.json").read_text())
    assert config["program"] == "transfer" and config["hyperparameters"]["strategy"] == "all"
    assert config["options"] == {"base_model": "shapes-cnn", "base_model_path": str(base.path), "base_preprocessing": "symmetric"}
