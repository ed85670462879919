"""Base networks for transfer learning: the platform's own pre-training (in a child process),
imports of Keras files (checked in a child process), set-up, and who may start them."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import User
from modelzoo import services
from modelzoo.models import BaseModel
from tests.factories import DatasetFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_root(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"  # messages are stored in the platform language
    settings.DATA_ROOT = tmp_path / "data"
    return settings.DATA_ROOT


def upload(path_or_bytes, name: str = "base.keras") -> SimpleUploadedFile:
    content = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- pre-training --------------------------------------------------------------------------------


def test_a_tiny_pretraining_in_the_child_stores_a_ready_base_and_a_second_call_keeps_it(data_root):
    dataset = DatasetFactory()  # 3 classes × 8 images of 16 px, resized to the base's 64 px
    base = services.base_model_pretrain("shapes-cnn", dataset_slug=dataset.slug, epochs=1, max_per_class=4)
    assert base.status == BaseModel.Status.READY, base.message
    assert base.path == data_root / "models" / "shapes-cnn.keras" and base.path.is_file()
    assert base.input_shape == [64, 64, 3] and base.output_shape == [4, 4, 128]
    assert base.num_layers == 16 and base.total_params == 98160  # 4 × (conv + BN + ReLU + pool)
    assert base.source == BaseModel.Source.PLATFORM and base.trained_on == dataset.slug and base.started_at is None
    assert "1 epochs on 12 images" in base.message
    assert not list((data_root / "models" / "jobs").iterdir()), "the job folder is removed"
    with mock.patch.object(services, "_child_run") as child:
        again = services.base_model_pretrain("shapes-cnn", dataset_slug=dataset.slug, epochs=1)
    child.assert_not_called()
    assert again.pk == base.pk and again.status == BaseModel.Status.READY


def test_pretraining_without_its_data_set_fails_with_a_message_and_runs_nothing():
    with mock.patch.object(services, "_child_run") as child:
        base = services.base_model_pretrain("shapes-cnn")
    child.assert_not_called()
    assert base.status == BaseModel.Status.FAILED and "The data set shapes it is pre-trained on is not installed" in base.message


def test_a_child_that_fails_leaves_the_base_failed_with_its_reason():
    dataset = DatasetFactory()
    with mock.patch.object(services, "_child_run", return_value={"error": "ResourceExhaustedError: out of memory"}):
        base = services.base_model_pretrain("shapes-cnn", dataset_slug=dataset.slug)
    assert base.status == BaseModel.Status.FAILED and base.message == "Pre-training failed: ResourceExhaustedError: out of memory"


def test_only_one_process_pretrains_a_base_at_a_time_but_a_dead_claim_is_taken_over():
    dataset = DatasetFactory()
    services.base_model_queue("shapes-cnn")
    BaseModel.objects.filter(slug="shapes-cnn").update(started_at=timezone.now())
    with mock.patch.object(services, "_child_run") as child:
        assert services.base_model_pretrain("shapes-cnn", dataset_slug=dataset.slug) is None
    child.assert_not_called()
    BaseModel.objects.filter(slug="shapes-cnn").update(started_at=timezone.now() - timedelta(seconds=services.PRETRAIN_TIME_LIMIT_S + 600))
    with mock.patch.object(services, "_child_run", return_value={"error": "stopped"}) as child:
        base = services.base_model_pretrain("shapes-cnn", dataset_slug=dataset.slug)
    child.assert_called_once()
    assert base.status == BaseModel.Status.FAILED


def test_an_unknown_platform_base_is_an_error():
    with pytest.raises(ValueError, match="unknown platform base model 'vgg99'"):
        services.base_model_pretrain("vgg99")


# --- set-up and the worker's start -------------------------------------------------------------


def test_setup_skips_a_base_whose_data_set_is_not_built_and_marks_a_missing_one_as_being_prepared():
    assert services.base_models_bootstrap() == [("shapes-cnn", "skipped (no data set shapes)")]
    assert not BaseModel.objects.exists()
    DatasetFactory(slug="shapes")
    assert services.base_models_bootstrap() == [("shapes-cnn", "queued for the worker")]
    base = BaseModel.objects.get(slug="shapes-cnn")
    assert base.status == BaseModel.Status.BUILDING and base.started_at is None and base.source == BaseModel.Source.PLATFORM


def test_setup_leaves_a_ready_base_alone_and_retries_a_failed_one(data_root):
    DatasetFactory(slug="shapes")
    base = BaseModel.objects.create(slug="shapes-cnn", title_zh="t", title_en="t", source="platform", relative_path="models/shapes-cnn.keras",
                                    status=BaseModel.Status.READY)
    base.path.parent.mkdir(parents=True)
    base.path.write_bytes(b"model")
    assert services.base_models_bootstrap() == [("shapes-cnn", "present")]
    BaseModel.objects.filter(pk=base.pk).update(status=BaseModel.Status.FAILED, message="out of memory")
    assert services.base_models_bootstrap() == [("shapes-cnn", "queued for the worker")]
    assert BaseModel.objects.get(pk=base.pk).status == BaseModel.Status.BUILDING


def test_a_starting_worker_queues_the_bases_that_wait_and_not_one_being_trained():
    DatasetFactory(slug="shapes")
    services.base_models_bootstrap()
    with mock.patch("modelzoo.tasks.base_model_pretrain_task.apply_async") as send:
        assert services.base_models_queue_pending() == ["shapes-cnn"]
        BaseModel.objects.filter(slug="shapes-cnn").update(started_at=timezone.now())
        assert services.base_models_queue_pending() == []
    send.assert_called_once()
    assert send.call_args.kwargs["args"] == ["shapes-cnn"] and send.call_args.kwargs["retry"] is False


def test_the_task_pretrains_through_the_service():
    from modelzoo.tasks import base_model_pretrain_task

    with mock.patch.object(services, "base_model_pretrain", return_value=None) as pretrain:
        assert base_model_pretrain_task.run("shapes-cnn") == "skipped"
    pretrain.assert_called_once_with("shapes-cnn", force=False)


# --- imports -----------------------------------------------------------------------------------


def test_a_valid_keras_base_is_imported_with_its_shape_layers_and_params(keras_files, data_root):
    base = services.base_model_import(upload(keras_files["valid"], "my_base.keras"), title_en="Mine", preprocessing="symmetric")
    assert base.slug == "my_base" and base.status == BaseModel.Status.READY and base.source == BaseModel.Source.IMPORTED
    assert base.input_shape == [32, 32, 3] and base.num_layers == 8 and base.total_params == 108 + 288 + 4 * (4 + 8)  # BN: gamma, beta, mean, variance
    assert base.path == data_root / "models" / "my_base.keras" and base.path.is_file()
    assert base.preprocessing == "symmetric" and base.title_zh == "Mine"
    assert "Imported from my_base.keras: 8 layers" in base.message


@pytest.mark.parametrize("case, expected", [
    ("not-a-zip", "not a Keras model: a .keras file is a zip archive"),
    ("other-zip", "a zip archive but not a Keras model"),
    ("lambda", "contains a Lambda layer"),
    ("tabular", "not an image"),
])
def test_hostile_or_unsuitable_files_are_refused_with_a_clear_reason_and_leave_nothing(keras_files, data_root, case, expected):
    if case == "not-a-zip":
        content = b"#!/bin/sh\necho not a model\n"
    elif case == "other-zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("config.json", "{}")
            archive.writestr("notes.txt", "hello")
        content = buffer.getvalue()
    else:
        content = keras_files[case].read_bytes()
    with pytest.raises(services.BaseModelRefused, match=expected):
        services.base_model_import(upload(content), slug="hostile")
    assert not BaseModel.objects.exists()
    assert not (data_root / "models" / "hostile.keras").exists()
    assert not list((data_root / "models" / "jobs").iterdir())


def test_an_oversized_upload_is_refused_before_any_child_runs(keras_files, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMPORT_BYTES", 1024)
    with mock.patch.object(services, "_child_run") as child, pytest.raises(services.BaseModelRefused, match="largest model file"):
        services.base_model_import(upload(keras_files["valid"]))
    child.assert_not_called()


INSPECTED = {"input_shape": [32, 32, 3], "output_shape": [4, 4, 8], "num_layers": 8, "total_params": 444}


def test_an_import_may_not_take_the_name_of_an_existing_base():
    with mock.patch.object(services, "_child_run", return_value=INSPECTED):
        services.base_model_import(upload(b"checked in the child"), slug="twice")
        with pytest.raises(services.BaseModelRefused, match="exists already"):
            services.base_model_import(upload(b"checked in the child"), slug="twice")


# --- Django admin --------------------------------------------------------------------------------


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def platform_base(data_root):
    return BaseModel.objects.create(slug="shapes-cnn", title_zh="t", title_en="t", source="platform",
                                    relative_path="models/shapes-cnn.keras", status=BaseModel.Status.FAILED)


def test_an_admin_starts_the_pretraining_from_the_admin_and_sees_the_import_page(platform_base, django_capture_on_commit_callbacks):
    admin = UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    client = staff_client(admin)
    page = client.get("/admin/modelzoo/basemodel/")
    assert page.status_code == 200 and "Import a Keras file" in page.content.decode() and 'value="pretrain"' in page.content.decode()
    with mock.patch("modelzoo.tasks.base_model_pretrain_task.apply_async") as send, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/modelzoo/basemodel/", {"action": "pretrain", "_selected_action": [platform_base.pk]})
    assert response.status_code == 302
    send.assert_called_once()
    platform_base.refresh_from_db()
    assert platform_base.status == BaseModel.Status.BUILDING
    assert client.get("/admin/modelzoo/basemodel/import/").status_code == 200


def test_staff_who_are_not_platform_admins_can_neither_pretrain_nor_import(platform_base):
    from django.contrib.auth.models import Permission

    instructor = UserFactory(role=User.Role.INSTRUCTOR, is_staff=True)
    instructor.user_permissions.set(Permission.objects.filter(content_type__app_label="modelzoo"))
    client = staff_client(instructor)
    page = client.get("/admin/modelzoo/basemodel/")
    assert page.status_code == 200 and 'value="pretrain"' not in page.content.decode() and "Import a Keras file" not in page.content.decode()
    with mock.patch("modelzoo.tasks.base_model_pretrain_task.apply_async") as send:
        client.post("/admin/modelzoo/basemodel/", {"action": "pretrain", "_selected_action": [platform_base.pk]})
    send.assert_not_called()
    assert BaseModel.objects.get(pk=platform_base.pk).status == BaseModel.Status.FAILED
    assert client.get("/admin/modelzoo/basemodel/import/").status_code == 403
    response = client.post("/admin/modelzoo/basemodel/import/", {"file": upload(b"x"), "slug": "sneaky", "preprocessing": "unit"})
    assert response.status_code == 403 and not BaseModel.objects.filter(slug="sneaky").exists()


def test_a_learner_cannot_reach_the_base_models_admin():
    client = staff_client(UserFactory())
    response = client.get("/admin/modelzoo/basemodel/import/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_import_form_keeps_a_valid_file_and_shows_why_a_bad_one_is_refused():
    client = staff_client(UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    refusal = {"error": "The model contains a Lambda layer (Python code), which the platform does not load for safety."}
    with mock.patch.object(services, "_child_run", return_value=refusal):
        response = client.post("/admin/modelzoo/basemodel/import/", {"file": upload(b"x"), "slug": "bad", "preprocessing": "unit"})
    assert response.status_code == 200 and "Lambda layer" in response.content.decode()
    with mock.patch.object(services, "_child_run", return_value=INSPECTED):
        response = client.post("/admin/modelzoo/basemodel/import/", {"file": upload(b"x"), "slug": "good", "preprocessing": "unit"})
    assert response.status_code == 302 and BaseModel.objects.get(slug="good").is_ready
