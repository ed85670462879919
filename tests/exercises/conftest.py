import pytest

from sandbox.runner import sandbox_available


@pytest.fixture(autouse=True)
def english_messages(settings):
    """The tests read the English messages; the platform's own language is Chinese."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def eager_celery():
    from dlclassroom.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def needs_sandbox():
    reason = sandbox_available()
    if reason is not None:
        pytest.fail(f"the code exercises need the sandbox: {reason}")
