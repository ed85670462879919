import os
import stat

import pytest

from datasets.models import DatasetSnapshot
from datasets.services import dataset_snapshot_create
from tests.factories import DatasetFactory


def tree(path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def replace_file(path, data: bytes) -> None:
    """How the platform changes data-set files: a new file renamed over the old one."""
    tmp = path.with_name(path.name + ".new")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@pytest.fixture
def dataset(db, dataset_root):
    return DatasetFactory()


def test_snapshot_is_a_read_only_copy_under_its_content_hash(dataset, dataset_root):
    path = dataset_snapshot_create(dataset).path
    assert path.parent == dataset_root / "snapshots" and len(path.name) == 64
    assert tree(path) == tree(dataset.path)
    files = [p for p in path.rglob("*") if p.is_file()]
    assert len(files) == 24 and all(stat.S_IMODE(p.stat().st_mode) == 0o444 for p in files)
    assert stat.S_IMODE(path.stat().st_mode) == 0o555
    snapshot = DatasetSnapshot.objects.get(dataset=dataset)
    assert (snapshot.content_hash, snapshot.path) == (path.name, path)
    assert [p.name for p in (dataset_root / "snapshots").iterdir()] == [path.name]  # no temporary folder left


def test_unchanged_data_set_reuses_its_snapshot(dataset):
    first = dataset_snapshot_create(dataset)
    assert dataset_snapshot_create(dataset) == first
    assert DatasetSnapshot.objects.filter(dataset=dataset).count() == 1


def test_changing_the_data_set_afterwards_does_not_change_the_snapshot(dataset):
    first = dataset_snapshot_create(dataset).path
    before = tree(first)
    victim = sorted((dataset.path / "circle").iterdir())[0]
    replace_file(victim, b"changed")
    sorted((dataset.path / "square").iterdir())[0].unlink()
    (dataset.path / "triangle" / "new.png").write_bytes(b"new")
    assert tree(first) == before
    second = dataset_snapshot_create(dataset).path
    assert second != first and tree(second) == tree(dataset.path)
    assert DatasetSnapshot.objects.filter(dataset=dataset).count() == 2


def test_snapshot_copies_files_where_hard_links_are_refused(dataset, monkeypatch):
    def no_links(*args, **kwargs):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    path = dataset_snapshot_create(dataset).path
    assert tree(path) == tree(dataset.path)
    some = sorted((dataset.path / "circle").iterdir())[0]
    assert os.stat(some).st_ino != os.stat(path / "circle" / some.name).st_ino
    assert stat.S_IMODE(some.stat().st_mode) != 0o444  # the data set's own files are untouched


def test_snapshot_of_a_data_set_without_files_on_disk_says_so(dataset):
    dataset.relative_path = "nowhere"
    with pytest.raises(FileNotFoundError, match=dataset.slug):
        dataset_snapshot_create(dataset)
