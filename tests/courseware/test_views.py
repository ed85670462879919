import pytest
from django.test import Client

from courseware.services import course_load
from tests.courseware.test_content import COURSE_DIR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    from datasets.services import datasets_bootstrap

    datasets_bootstrap(only=["shapes-mini"])
    return course_load(COURSE_DIR).course


def logged_in():
    client = Client()
    client.force_login(UserFactory())
    return client


def test_pages_need_a_login(course):
    response = Client().get(f"/courses/{course.slug}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_learner_sees_the_course_and_its_chapter_list(course):
    html = logged_in().get(f"/courses/{course.slug}/").content.decode()
    assert "深度学习与 TensorFlow" in html
    assert "ch-ch08-image-classification" in html
    assert "/courses/deep-learning-tf/labs/flowers-cnn/" in html


def test_lesson_page_renders_from_its_content_file_with_prev_next(course):
    page = course.chapters.get(slug="ch08-image-classification").pages.order_by("order")[1]
    html = logged_in().get(f"/courses/{course.slug}/ch08-image-classification/{page.slug}/").content.decode()
    assert page.title_zh in html and 'data-testid="lesson-body"' in html
    assert "←" in html and "→" in html


def test_lab_page_embeds_the_builder_config_with_the_flowers_model(course):
    html = logged_in().get(f"/courses/{course.slug}/labs/flowers-cnn/").content.decode()
    assert 'id="builder-config"' in html and '"RandomFlip"' in html and "shapes-mini" in html


@pytest.mark.parametrize("slug, words", [
    ("flowers-cnn", ["<code>any</code>", "<code>2048 MB</code>", "<code>1800 s</code>", "val_accuracy ≥ 0.8"]),
    ("wide-deep-diabetes", ["<code>cpu</code>", "val_mae ≤ 48", 'id="lab-config"', "ModelCheckpoint"]),
])
def test_every_lab_page_declares_its_environment_and_target(course, slug, words):
    html = logged_in().get(f"/courses/{course.slug}/labs/{slug}/").content.decode()
    assert 'data-testid="lab-environment"' in html
    assert [w for w in words if w not in html] == []


def test_unknown_pages_are_404(course):
    client = logged_in()
    assert client.get(f"/courses/{course.slug}/ch08-image-classification/nope/").status_code == 404
    assert client.get("/courses/nope/").status_code == 404
    assert client.get(f"/courses/{course.slug}/labs/nope/").status_code == 404


def test_interface_switches_language(course):
    client = logged_in()
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert "Welcome" in client.get("/dashboard/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/dashboard/"})
    assert "欢迎" in client.get("/dashboard/").content.decode()
