import pytest

from tests.factories import CourseFactory, LabelProjectFactory, UserFactory, instructor_of, label_class_make


@pytest.fixture(autouse=True)
def english_messages(settings):
    """The tests read the English messages; the platform's own language is Chinese."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def private_roots(settings, tmp_path):
    """Fresh workspace and data-set roots per test, so files left behind can be checked."""
    settings.WORKSPACE_ROOT = tmp_path / "workspaces"
    settings.DATASET_ROOT = tmp_path / "datasets"
    settings.WORKSPACE_ROOT.mkdir()
    settings.DATASET_ROOT.mkdir()
    return tmp_path


@pytest.fixture
def project(db, learner):
    project = LabelProjectFactory(owner=learner, title="My pets")
    label_class_make(project, "cat")
    label_class_make(project, "dog")
    return project


@pytest.fixture
def box_project(db, learner):
    project = LabelProjectFactory(owner=learner, title="Street", kind="detection")
    label_class_make(project, "car")
    label_class_make(project, "person")
    return project


@pytest.fixture
def course(db):
    return CourseFactory()


@pytest.fixture
def instructor(course):
    return instructor_of(course)


@pytest.fixture
def classmate(course):
    from courseware.models import Enrollment

    user = UserFactory()
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.LEARNER)
    return user
