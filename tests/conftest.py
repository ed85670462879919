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
