import pytest

from tests.factories import LabFactory, RunFactory, UserFactory


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def other_learner(db):
    return UserFactory()


@pytest.fixture
def lab(db):
    return LabFactory()


@pytest.fixture
def run(db, learner, lab):
    return RunFactory(owner=learner, lab=lab)


@pytest.fixture
def eager_celery():
    """Run tasks in-process at .apply_async, as CELERY_TASK_ALWAYS_EAGER does (never through the
    machine's own Redis)."""
    from dlclassroom.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def needs_sandbox():
    """Learner code needs bubblewrap; without it the test fails (it is never skipped)."""
    from sandbox.runner import sandbox_available

    reason = sandbox_available()
    if reason is not None:
        pytest.fail(f"learner code needs the sandbox: {reason}")


@pytest.fixture(scope="session")
def stack():
    """The real platform (Redis, Daphne, Celery worker), started once for the session."""
    from tests.stack import stack_start, stack_stop

    started, cleanups = stack_start()
    try:
        yield started
    finally:
        stack_stop(started, cleanups)


def pytest_collection_modifyitems(config, items):
    """Fast in-process tests first, then integration, then the browser: failures show up early."""
    rank = lambda item: 2 if item.get_closest_marker("browser") else 1 if item.get_closest_marker("integration") else 0  # noqa: E731
    items.sort(key=rank)
