import io
import os
import pickle
import tarfile
import zipfile
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from datasets import services
from datasets.models import Dataset, ImportJob
from datasets.tasks import dataset_import_run
from tests.datasets import archives
from tests.datasets.conftest import leftovers, upload


def run_import(user, data: bytes, name: str, kind: str, title: str = "") -> ImportJob:
    job = services.dataset_import_start(user=user, upload=upload(data, name), kind=kind, title=title)
    assert services.import_job_claim(job.pk)
    return services.dataset_import_execute(job.pk)


def assert_refused(job: ImportJob, root, *fragments: str) -> None:
    assert job.status == ImportJob.Status.FAILED, job.message
    for fragment in fragments:
        assert fragment in job.message, job.message
    assert job.dataset is None
    assert not Dataset.objects.filter(kind=Dataset.Kind.PERSONAL).exists()
    assert leftovers(root) == []
    assert job.upload_relative_path == ""


# --- valid files ---------------------------------------------------------------------------------


def test_keras_mnist_npz_becomes_an_npz_data_set_with_train_and_test_parts(learner, dataset_root):
    job = run_import(learner, archives.npz_bytes(archives.mnist_arrays()), "mnist.npz", "mnist", "My MNIST")
    assert job.status == ImportJob.Status.SUCCEEDED, job.message
    assert job.progress == 1.0
    dataset = job.dataset
    assert (dataset.kind, dataset.format, dataset.owner) == (Dataset.Kind.PERSONAL, Dataset.Format.NPZ, learner)
    assert dataset.class_names == [str(i) for i in range(10)]
    assert (dataset.num_items, dataset.item_shape) == (20, [28, 28, 1])
    with np.load(dataset.path / "data.npz") as data:
        assert data["x"].shape == (20, 28, 28, 1) and data["x"].dtype == np.uint8
        assert data["y"].dtype == np.int64 and data["x_test"].shape == (5, 28, 28, 1)
    assert dataset.size_bytes == (dataset.path / "data.npz").stat().st_size
    assert leftovers(dataset_root) == sorted(str(p.relative_to(dataset_root)) for p in [dataset.path, dataset.path / "data.npz"])


def test_fashion_mnist_gets_its_class_names(learner, dataset_root):
    job = run_import(learner, archives.npz_bytes(archives.mnist_arrays()), "fashion.npz", "fashion_mnist")
    assert job.dataset.class_names[0] == "T-shirt/top" and job.dataset.class_names[-1] == "Ankle boot"
    assert job.dataset.title_en == "fashion"  # the file name when no title is given


@pytest.mark.parametrize("protocol", [2, 5])
def test_cifar10_python_archive_becomes_npz_with_label_names_from_batches_meta(learner, dataset_root, protocol):
    job = run_import(learner, archives.cifar_archive(10, protocol=protocol), "cifar-10-python.tar.gz", "cifar")
    assert job.status == ImportJob.Status.SUCCEEDED, job.message
    assert job.dataset.class_names[:3] == ["airplane", "automobile", "bird"]
    assert (job.dataset.num_items, job.dataset.item_shape) == (20, [32, 32, 3])
    with np.load(job.dataset.path / "data.npz") as data:
        assert data["x"].shape == (20, 32, 32, 3) and data["x_test"].shape == (4, 32, 32, 3)
        assert list(data["y_test"]) == [0, 1, 2, 3]


def test_cifar_batches_pickled_by_python_2_like_the_real_files_are_read(learner, dataset_root):
    rng = np.random.default_rng(1)
    batches = {f"data_batch_{i}": archives.py2_cifar_batch(rng.integers(0, 256, (3, 3072), dtype=np.uint8), [i, 9, 0]) for i in range(1, 6)}
    batches["test_batch"] = archives.py2_cifar_batch(rng.integers(0, 256, (2, 3072), dtype=np.uint8), [4, 5])
    job = run_import(learner, archives.cifar_archive(10, replace=batches), "cifar-10-python.tar.gz", "cifar")
    assert job.status == ImportJob.Status.SUCCEEDED, job.message
    with np.load(job.dataset.path / "data.npz") as data:
        assert data["x"].shape == (15, 32, 32, 3) and list(data["y"][:3]) == [1, 9, 0] and list(data["y_test"]) == [4, 5]


def test_cifar_rows_are_unpacked_channel_by_channel(learner, dataset_root):
    row = np.zeros(3072, dtype=np.uint8)
    row[:1024], row[1024:2048], row[2048:] = 10, 20, 30  # red plane, green plane, blue plane
    batch = pickle.dumps({b"data": np.tile(row, (4, 1)), b"labels": [0, 1, 2, 3]}, protocol=2)
    job = run_import(learner, archives.cifar_archive(10, replace={"data_batch_1": batch}), "c.tar.gz", "cifar")
    with np.load(job.dataset.path / "data.npz") as data:
        assert list(data["x"][0, 5, 7]) == [10, 20, 30]


def test_cifar100_uses_fine_labels_and_keeps_coarse_ones(learner, dataset_root):
    job = run_import(learner, archives.cifar_archive(100, protocol=4), "cifar-100-python.tar.gz", "cifar")
    assert job.status == ImportJob.Status.SUCCEEDED, job.message
    assert len(job.dataset.class_names) == 100 and job.dataset.class_names[0] == "fine0"
    with np.load(job.dataset.path / "data.npz") as data:
        assert data["x"].shape == (8, 32, 32, 3) and data["y_coarse"].shape == (8,)
        assert list(data["coarse_class_names"][:2]) == ["coarse0", "coarse1"]


@pytest.mark.parametrize("container", ["zip", "tar.gz"])
def test_class_folder_archive_keeps_classes_and_leaves_out_non_images(learner, dataset_root, container):
    entries = archives.class_folder_entries(prefix="pets/")
    entries.update({"pets/LICENSE.txt": b"CC-BY", "__MACOSX/pets/cats/._0.png": b"junk", "pets/cats/.DS_Store": b"junk"})
    data = archives.zip_bytes(entries) if container == "zip" else archives.tar_bytes(entries)
    job = run_import(learner, data, f"pets.{container}", "image_folder")
    assert job.status == ImportJob.Status.SUCCEEDED, job.message
    assert "1 file that is not an image was left out" in job.message
    dataset = job.dataset
    assert (dataset.format, dataset.class_names, dataset.num_items, dataset.item_shape) == ("image_folder", ["cats", "dogs"], 6, [10, 12, 3])
    assert sorted(p.relative_to(dataset.path).as_posix() for p in dataset.path.rglob("*.png")) == [
        "cats/0.png", "cats/1.png", "cats/2.png", "dogs/0.png", "dogs/1.png", "dogs/2.png"]
    assert not (dataset.path / "LICENSE.txt").exists()


@pytest.mark.parametrize("layout,container", [("devkit", "zip"), ("side", "tar.gz")])
def test_voc_archive_becomes_images_and_annotations_with_class_names_from_the_objects(learner, dataset_root, layout, container):
    entries = archives.voc_entries(layout)
    data = archives.zip_bytes(entries) if container == "zip" else archives.tar_bytes(entries)
    job = run_import(learner, data, f"voc.{container}", "voc")
    assert job.status == ImportJob.Status.SUCCEEDED, job.message
    dataset = job.dataset
    assert (dataset.format, dataset.class_names, dataset.num_items, dataset.item_shape) == ("voc", ["cat", "dog", "person"], 3, [30, 40, 3])
    assert sorted(p.name for p in (dataset.path / "images").iterdir()) == ["000000.jpg", "000001.jpg", "000002.jpg"]
    root = ET.parse(dataset.path / "annotations" / "000002.xml").getroot()
    assert root.findtext("filename") == "000002.jpg" and root.findtext("size/width") == "40"
    boxes = [[int(o.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")] for o in root.findall("object")]
    assert boxes == [[2, 3, 22, 25], [1, 1, 40, 30]]
    if layout == "devkit":
        assert "1 image without an annotation was left out" in job.message


def test_bundled_shapes_boxes_can_be_imported_again(learner, dataset_root, tmp_path):
    from datasets.bundled import shapes_boxes_build

    shapes_boxes_build(tmp_path / "boxes", count=8)
    entries = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in (tmp_path / "boxes").rglob("*") if p.is_file()}
    job = run_import(learner, archives.zip_bytes(entries), "boxes.zip", "voc")
    assert job.status == ImportJob.Status.SUCCEEDED, job.message
    assert job.dataset.class_names == ["circle", "square", "star", "triangle"]
    for xml in (tmp_path / "boxes" / "annotations").iterdir():
        assert (job.dataset.path / "annotations" / xml.name).read_bytes() == xml.read_bytes()


def test_progress_is_reported_while_importing_and_ends_at_one(learner, dataset_root, monkeypatch):
    seen = []
    real = services.progress_reporter

    def spying(model, job_id):
        report = real(model, job_id)
        return lambda fraction: (seen.append(fraction), report(fraction))

    monkeypatch.setattr(services, "progress_reporter", spying)
    job = run_import(learner, archives.zip_bytes(archives.class_folder_entries(per_class=10)), "p.zip", "image_folder")
    assert len(seen) >= 20 and seen == sorted(seen) and 0 < seen[0] < seen[-1] <= 1.0
    assert job.progress == 1.0


def test_the_celery_task_claims_the_job_once_and_runs_the_import(learner, dataset_root):
    job = services.dataset_import_start(user=learner, upload=upload(archives.npz_bytes(archives.mnist_arrays()), "m.npz"), kind="mnist")
    assert dataset_import_run.apply(args=[job.pk]).get() == "succeeded"
    assert dataset_import_run.apply(args=[job.pk]).get() == "skipped"  # a redelivered message
    assert Dataset.objects.filter(owner=learner).count() == 1


def test_the_new_folder_is_moved_into_place_from_a_temporary_folder_next_to_it(learner, dataset_root, monkeypatch):
    renames = []
    real_rename = os.rename
    monkeypatch.setattr(os, "rename", lambda src, dst: (renames.append((src, dst)), real_rename(src, dst))[1])
    job = run_import(learner, archives.npz_bytes(archives.mnist_arrays()), "m.npz", "mnist")
    [(src, dst)] = renames
    assert src.parent == dst.parent == dataset_root / "imported" and src.name.startswith(".import-")
    assert dst == job.dataset.path


# --- hostile and broken files ----------------------------------------------------------------


def test_zip_slip_is_refused_and_nothing_is_written_outside(learner, dataset_root):
    entries = {**archives.class_folder_entries(), "../../evil.png": archives.png_bytes()}
    job = run_import(learner, archives.zip_bytes(entries), "slip.zip", "image_folder")
    assert_refused(job, dataset_root, "slip.zip", "../../evil.png", "outside")
    assert not (dataset_root.parent / "evil.png").exists()


@pytest.mark.parametrize("name", ["/tmp/dlc-absolute.png", "C:/Windows/evil.png", "cats\\..\\..\\evil.png"])
def test_absolute_and_windows_paths_are_refused(learner, dataset_root, name):
    entries = {**archives.class_folder_entries(), name: archives.png_bytes()}
    job = run_import(learner, archives.tar_bytes(entries), "abs.tar.gz", "image_folder")
    assert_refused(job, dataset_root, name)
    assert not os.path.exists("/tmp/dlc-absolute.png")


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_links_in_a_tar_are_refused(learner, dataset_root, kind):
    data = archives.tar_bytes(archives.class_folder_entries(), links={"cats/passwd.png": (kind, "/etc/passwd")})
    job = run_import(learner, data, "links.tar.gz", "image_folder")
    assert_refused(job, dataset_root, "cats/passwd.png", "link")


def test_a_device_in_a_tar_is_refused(learner, dataset_root):
    data = archives.tar_bytes(archives.class_folder_entries(), links={"cats/null.png": (tarfile.CHRTYPE, "")})
    assert_refused(run_import(learner, data, "dev.tar", "image_folder"), dataset_root, "cats/null.png", "special file")


def test_a_symlink_in_a_zip_is_refused(learner, dataset_root):
    job = run_import(learner, archives.zip_with_symlink("cats/link.png", "/etc/passwd"), "links.zip", "image_folder")
    assert_refused(job, dataset_root, "cats/link.png", "link")


def test_zip_bomb_is_refused_by_its_compression_ratio(learner, dataset_root):
    entries = {**archives.class_folder_entries(), "cats/bomb.png": b"\0" * (20 * 1024 * 1024)}
    job = run_import(learner, archives.zip_bytes(entries), "bomb.zip", "image_folder")
    assert_refused(job, dataset_root, "cats/bomb.png", "zip bomb")


def test_gzip_bomb_tar_is_refused_by_its_unpacked_size_before_unpacking_it(learner, dataset_root, import_limits):
    import_limits["MAX_UNPACKED_BYTES"] = 1024 * 1024
    entries = {"cats/a.png": archives.png_bytes(), "dogs/big.png": b"\0" * (8 * 1024 * 1024)}
    job = run_import(learner, archives.tar_bytes(entries), "bomb.tar.gz", "image_folder")
    assert_refused(job, dataset_root, "unpacks to more than 1 MB")


def test_tar_with_a_forged_giant_header_is_refused_before_reading_it(learner, dataset_root):
    job = run_import(learner, archives.tar_gz_with_huge_pax_header(), "pax.tar.gz", "image_folder")
    assert_refused(job, dataset_root, "pax.tar.gz", "header that claims to be 40 MB")


def test_too_many_files_are_refused(learner, dataset_root, import_limits):
    import_limits["MAX_FILES"] = 5
    job = run_import(learner, archives.zip_bytes(archives.class_folder_entries(per_class=3)), "many.zip", "image_folder")
    assert_refused(job, dataset_root, "more than 5 files")


def test_truncated_image_is_refused_and_the_images_before_it_are_not_kept(learner, dataset_root):
    entries = archives.class_folder_entries(per_class=3)
    entries["dogs/zz-truncated.png"] = archives.png_bytes(size=(64, 64))[:-40]
    job = run_import(learner, archives.zip_bytes(entries), "trunc.zip", "image_folder")
    assert_refused(job, dataset_root, "dogs/zz-truncated.png", "damaged or truncated")


def test_truncated_jpeg_is_refused(learner, dataset_root):
    entries = archives.class_folder_entries()
    entries["dogs/cut.jpg"] = archives.jpeg_bytes(size=(200, 200))[:400]
    assert_refused(run_import(learner, archives.zip_bytes(entries), "t.zip", "image_folder"), dataset_root, "dogs/cut.jpg")


def test_a_file_pretending_to_be_a_png_is_refused(learner, dataset_root):
    entries = {**archives.class_folder_entries(), "cats/script.png": b"#!/bin/sh\nrm -rf /\n"}
    job = run_import(learner, archives.zip_bytes(entries), "fake.zip", "image_folder")
    assert_refused(job, dataset_root, "cats/script.png", "not an image")


def test_an_image_with_too_many_pixels_is_refused(learner, dataset_root, import_limits):
    import_limits["MAX_IMAGE_PIXELS"] = 100
    job = run_import(learner, archives.zip_bytes(archives.class_folder_entries()), "big.zip", "image_folder")
    assert_refused(job, dataset_root, "12×10 pixels")


def test_a_file_that_is_no_archive_is_refused(learner, dataset_root):
    job = run_import(learner, b"this is just text, not an archive" * 30, "photos.zip", "image_folder")
    assert_refused(job, dataset_root, "photos.zip", "neither a .zip nor a .tar")


def test_images_outside_class_folders_are_refused(learner, dataset_root):
    job = run_import(learner, archives.zip_bytes({"a.png": archives.png_bytes(), "cats/b.png": archives.png_bytes()}), "flat.zip", "image_folder")
    assert_refused(job, dataset_root, "a.png", "class folder")


def test_npz_with_wrong_image_shape_is_refused(learner, dataset_root):
    arrays = archives.mnist_arrays()
    arrays["x_train"] = np.zeros((20, 32, 32), dtype=np.uint8)
    job = run_import(learner, archives.npz_bytes(arrays), "mnist.npz", "mnist")
    assert_refused(job, dataset_root, "x_train", "(20, 32, 32)", "(N, 28, 28) uint8")


def test_npz_with_wrong_dtype_or_missing_arrays_is_refused(learner, dataset_root):
    arrays = archives.mnist_arrays()
    arrays["x_test"] = arrays["x_test"].astype(np.float64)
    assert_refused(run_import(learner, archives.npz_bytes(arrays), "m.npz", "mnist"), dataset_root, "x_test", "float64")
    del arrays["y_test"]
    assert_refused(run_import(learner, archives.npz_bytes(arrays), "m.npz", "mnist"), dataset_root, "lacks y_test")


def test_npz_with_an_object_array_is_refused_without_unpickling_it(learner, dataset_root):
    arrays = archives.mnist_arrays()
    arrays["y_train"] = np.array([object()] * 20, dtype=object)
    with pytest.raises(ValueError, match="allow_pickle"):
        archives.npz_bytes(arrays)  # NumPy itself needs allow_pickle to write it
    data = archives.npz_bytes(arrays, allow_pickle=True)
    assert_refused(run_import(learner, data, "m.npz", "mnist"), dataset_root, "y_train", "Python objects")


def test_npz_whose_header_claims_more_data_than_it_has_is_refused(learner, dataset_root):
    with zipfile.ZipFile(io.BytesIO(archives.npz_bytes(archives.mnist_arrays()))) as npz:
        entries = {name: npz.read(name) for name in npz.namelist()}
    assert b"(20, 28, 28)" in entries["x_train.npy"]
    # The same header length keeps the file well formed; only the claimed shape is a lie.
    entries["x_train.npy"] = entries["x_train.npy"].replace(b"(20, 28, 28)", b"(99, 28, 28)")
    job = run_import(learner, archives.zip_bytes(entries), "m.npz", "mnist")
    assert_refused(job, dataset_root, "x_train", "damaged")


def test_cifar_pickle_with_a_malicious_global_is_refused_without_running_it(learner, dataset_root, tmp_path):
    marker = tmp_path / "pwned"
    evil = b"cos\nsystem\n(V" + f"touch {marker}".encode() + b"\ntR."
    job = run_import(learner, archives.cifar_archive(10, replace={"data_batch_3": evil}), "cifar.tar.gz", "cifar")
    assert_refused(job, dataset_root, "data_batch_3", "os.system is not allowed")
    assert not marker.exists()


def test_cifar_pickle_that_builds_an_object_array_is_refused(learner, dataset_root):
    batch = pickle.dumps({b"data": np.array([1, "x"], dtype=object), b"labels": [0, 1]}, protocol=2)
    job = run_import(learner, archives.cifar_archive(10, replace={"data_batch_2": batch}), "c.tar.gz", "cifar")
    assert_refused(job, dataset_root, "data_batch_2")


def test_archive_that_is_not_cifar_is_refused_naming_what_is_missing(learner, dataset_root):
    job = run_import(learner, archives.tar_bytes(archives.class_folder_entries()), "cifar.tar.gz", "cifar")
    assert_refused(job, dataset_root, "data_batch_1")


def test_voc_box_outside_its_image_is_refused(learner, dataset_root):
    entries = archives.voc_entries("side", count=2)
    entries["labelled/000001.xml"] = entries["labelled/000001.xml"].replace(b"<xmax>40</xmax>", b"<xmax>400</xmax>")
    job = run_import(learner, archives.zip_bytes(entries), "voc.zip", "voc")
    assert_refused(job, dataset_root, "labelled/000001.xml", "not inside its 40×30 image")


def test_voc_xml_with_entities_is_refused_unparsed(learner, dataset_root):
    entries = archives.voc_entries("side", count=1)
    entries["labelled/000000.xml"] = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><annotation>&x;</annotation>'
    job = run_import(learner, archives.zip_bytes(entries), "voc.zip", "voc")
    assert_refused(job, dataset_root, "labelled/000000.xml", "DOCTYPE")


def test_voc_annotation_without_its_image_is_refused(learner, dataset_root):
    entries = archives.voc_entries("devkit", count=2)
    del entries["VOCdevkit/VOC2007/JPEGImages/000001.jpg"]
    job = run_import(learner, archives.zip_bytes(entries), "voc.zip", "voc")
    assert_refused(job, dataset_root, "VOCdevkit/VOC2007/Annotations/000001.xml", "no image")


def test_a_crash_inside_an_importer_fails_the_job_and_cleans_up(learner, dataset_root, monkeypatch):
    def crash(*args, **kwargs):
        (args[2] / "half-written").write_bytes(b"x")
        raise MemoryError

    monkeypatch.setattr(services, "import_build", crash)
    job = run_import(learner, archives.npz_bytes(archives.mnist_arrays()), "m.npz", "mnist")
    assert_refused(job, dataset_root, "internal error (MemoryError)")


def test_upload_over_the_size_limit_is_refused_before_a_job_exists(learner, dataset_root, import_limits):
    import_limits["MAX_UPLOAD_BYTES"] = 1024
    with pytest.raises(services.ImportRefused, match="largest file"):
        services.dataset_import_start(user=learner, upload=upload(b"x" * 2048, "big.zip"), kind="image_folder")
    assert not ImportJob.objects.exists() and leftovers(dataset_root) == []


def test_an_import_whose_worker_was_lost_is_failed_and_its_scratch_folder_removed(learner, dataset_root, settings):
    from datetime import timedelta

    from django.utils import timezone

    from datasets.services import IMPORT_TIME_LIMIT_S, import_jobs_reap_stale

    settings.LANGUAGE_CODE = "en"
    started = timezone.now() - timedelta(seconds=IMPORT_TIME_LIMIT_S + 600)
    lost = ImportJob.objects.create(owner=learner, kind="mnist", title="lost", source_filename="mnist.npz", status=ImportJob.Status.RUNNING, started_at=started)
    fresh = ImportJob.objects.create(owner=learner, kind="mnist", title="fresh", source_filename="mnist.npz", status=ImportJob.Status.RUNNING, started_at=timezone.now())
    scratch = dataset_root / "imported" / f".import-{lost.pk}-abc"
    (scratch / "inner").mkdir(parents=True)
    (scratch / "inner" / "x.png").write_bytes(b"half")
    os.chmod(scratch, 0o500)
    assert import_jobs_reap_stale() == [lost.pk]
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == ImportJob.Status.FAILED and "interrupted" in lost.message
    assert fresh.status == ImportJob.Status.RUNNING
    assert not scratch.exists()
