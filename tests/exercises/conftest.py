import pytest


@pytest.fixture(autouse=True)
def english_messages(settings):
    """The tests read the English messages; the platform's own language is Chinese."""
    settings.LANGUAGE_CODE = "en"
