import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture(autouse=True)
def english_messages(settings):
    """The tests read the English messages; the platform's own language is Chinese."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def dataset_root(settings, tmp_path):
    """A fresh DATASET_ROOT per test, so leftovers can be checked exactly."""
    settings.DATASET_ROOT = tmp_path / "datasets"
    settings.DATASET_ROOT.mkdir()
    return settings.DATASET_ROOT


@pytest.fixture
def import_limits(settings):
    """The import limits as a dict the test may change."""
    settings.DATASET_IMPORT = dict(settings.DATASET_IMPORT)
    return settings.DATASET_IMPORT


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def leftovers(root) -> list[str]:
    """Everything an import may have left under the data-set root (there should be nothing but
    the empty folders the importer creates)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.name not in ("imported", "uploads"))
