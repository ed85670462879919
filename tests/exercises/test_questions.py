"""Questions loaded from the course, answered over the API, never leaked before answering."""

import re

import pytest
from django.test import Client

from courseware.content import ContentError
from courseware.models import Chapter, Page
from courseware.services import course_load
from exercises.models import Attempt, Question
from tests.courseware.test_content import COURSE_DIR, mini_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SYLLABUS_CHAPTERS = [f"ch{n:02d}" for n in range(1, 12)]


@pytest.fixture(scope="module")
def course(django_db_setup, django_db_blocker):
    from datasets.models import Dataset
    from datasets.services import datasets_bootstrap

    with django_db_blocker.unblock():
        datasets_bootstrap(only=["shapes-mini"])
        loaded = course_load(COURSE_DIR).course
    yield loaded
    # Loaded outside the per-test transactions, so remove it again for the modules that follow.
    with django_db_blocker.unblock():
        loaded.delete()
        Dataset.objects.filter(slug="shapes-mini").delete()


def logged_in(user=None):
    client = Client()
    client.force_login(user or UserFactory())
    return client


def test_every_chapter_has_questions_and_all_ten_s0_questions_are_present(course):
    chapters = {c.slug[:4]: c for c in Chapter.objects.filter(course=course)}
    assert sorted(chapters) == SYLLABUS_CHAPTERS
    for prefix, chapter in chapters.items():
        count = Question.objects.filter(chapter=chapter, retired=False).count()
        assert count >= (10 if prefix in ("ch05", "ch06", "ch07", "ch08", "ch10") else 5), prefix
    sources = set(Question.objects.filter(course=course).values_list("source", flat=True))
    assert {f"S0-Q{n}" for n in range(1, 11)} <= sources
    assert Question.objects.filter(course=course, source="S3-after-class", type="text").count() >= 10


def test_answers_and_explanations_are_not_in_the_page_before_answering(course):
    question = Question.objects.filter(course=course, type="numeric", page__isnull=False).first()
    page = question.page
    html = logged_in().get(f"/courses/{course.slug}/{page.chapter.slug}/{page.slug}/").content.decode()
    assert f'data-question-id="{question.pk}"' in html
    explanation_text = re.sub(r"<[^>]+>", "", question.explanation_html).strip()[:30]
    assert explanation_text and explanation_text not in html
    assert '"correct_answer"' not in html and "explanation_html" not in html


def test_api_question_view_hides_the_answer(course):
    question = Question.objects.filter(course=course, type="single").first()
    body = logged_in().get(f"/api/questions/{question.pk}/").json()
    assert set(body) == {"id", "key", "type", "prompt_html", "choices", "max_attempts", "points"}


def test_answering_returns_the_verdict_and_explanation_and_stores_the_attempt(course):
    question = Question.objects.filter(course=course, type="numeric").first()
    user = UserFactory()
    client = logged_in(user)
    wrong = client.post(f"/api/questions/{question.pk}/attempts/", {"response": {"value": float(question.answer) + 1000}}, content_type="application/json")
    assert wrong.status_code == 201 and wrong.json()["correct"] is False and wrong.json()["explanation_html"]
    right = client.post(f"/api/questions/{question.pk}/attempts/", {"response": {"value": question.answer}}, content_type="application/json")
    assert right.json()["correct"] is True and right.json()["score"] == question.points
    assert Attempt.objects.filter(user=user, question=question).count() == 2
    page = question.page
    html = client.get(f"/courses/{course.slug}/{page.chapter.slug}/{page.slug}/").content.decode()
    assert f"question-{question.pk}-last" in html  # the last result is shown again on reload


def test_free_text_goes_to_instructors_without_the_reference_answer(course):
    question = Question.objects.filter(course=course, type="text").first()
    body = logged_in().post(f"/api/questions/{question.pk}/attempts/", {"response": {"text": "我的回答"}}, content_type="application/json").json()
    assert body["pending_review"] is True and body["correct"] is None and body["explanation_html"] == ""


def test_bad_answers_get_a_readable_message_and_store_nothing(course):
    question = Question.objects.filter(course=course, type="shape").first()
    client = logged_in()
    for payload in ({"response": {"value": "(a, b)"}}, {"response": "x"}, {"nope": 1}):
        response = client.post(f"/api/questions/{question.pk}/attempts/", payload, content_type="application/json")
        assert response.status_code == 400 and response.json()["detail"]
    assert Attempt.objects.count() == 0


def test_attempt_limit_is_enforced(course):
    question = Question.objects.filter(course=course, type="single").first()
    Question.objects.filter(pk=question.pk).update(max_attempts=2)
    client = logged_in()
    wrong = next(c["id"] for c in question.choices if c["id"] != question.answer)
    for _ in range(2):
        assert client.post(f"/api/questions/{question.pk}/attempts/", {"response": {"choice": wrong}}, content_type="application/json").status_code == 201
    third = client.post(f"/api/questions/{question.pk}/attempts/", {"response": {"choice": question.answer}}, content_type="application/json")
    assert third.status_code == 400 and "2" in third.json()["detail"] and Attempt.objects.filter(question=question).count() == 2


def test_anonymous_users_cannot_answer(course):
    question = Question.objects.filter(course=course).first()
    assert Client().post(f"/api/questions/{question.pk}/attempts/", {"response": {}}, content_type="application/json").status_code == 403


QUESTIONS = """
- id: q-one
  type: numeric
  page: a
  prompt: 一个 epoch 多少步？
  answer: 469
  explanation: ceil(60000 / 128) = 469
"""


def test_reloading_keeps_attempts_and_retires_removed_questions(tmp_path):
    root = mini_course(tmp_path)
    (root / "ch01-intro" / "questions.yaml").write_text(QUESTIONS, encoding="utf-8")
    course_load(root)
    question = Question.objects.get(key="q-one")
    user = UserFactory()
    Attempt.objects.create(question=question, user=user, response=469, is_correct=True, score=1)
    (root / "ch01-intro" / "questions.yaml").write_text(QUESTIONS.replace("469\n", "469\n  tolerance: 0\n", 1), encoding="utf-8")
    course_load(root)
    assert Attempt.objects.filter(question__key="q-one", user=user).count() == 1
    (root / "ch01-intro" / "questions.yaml").write_text("[]\n", encoding="utf-8")
    course_load(root)
    assert Question.objects.get(key="q-one").retired is True
    assert Attempt.objects.filter(question__key="q-one").count() == 1


@pytest.mark.parametrize("text, line, words", [
    ("- id: q-x\n  type: essay\n  prompt: p\n  explanation: e\n", 1, "type must be one of"),
    ("- id: q-x\n  type: numeric\n  prompt: p\n  explanation: e\n  answer: 1\n- id: q-y\n  type: single\n  prompt: p\n  explanation: e\n"
     "  choices:\n    - {id: a, text: A}\n    - {id: b, text: B}\n  answer: c\n", 6, "not one of the choices"),
    ("- id: q-x\n  type: shape\n  prompt: p\n  explanation: e\n  answer: '(a, b)'\n", 1, "shape"),
    ("- id: q-x\n  type: numeric\n  page: nope\n  prompt: p\n  explanation: e\n  answer: 1\n", 1, "not a page"),
])
def test_malformed_questions_fail_the_load_naming_file_and_line(tmp_path, text, line, words):
    root = mini_course(tmp_path)
    (root / "ch01-intro" / "questions.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        course_load(root)
    assert excinfo.value.path.endswith("questions.yaml") and excinfo.value.line == line and words in str(excinfo.value)
    assert not Page.objects.filter(chapter__course__slug="mini").exists()


def test_progress_counts_pages_read_and_questions_answered(course):
    from courseware.selectors import course_progress

    user = UserFactory()
    client = logged_in(user)
    before = course_progress(course, user)
    assert before["pages_read"] == 0 and before["answered"] == 0 and before["pages"] >= 50 and before["questions"] >= 100
    question = Question.objects.filter(course=course, type="single").first()
    page = question.page
    client.get(f"/courses/{course.slug}/{page.chapter.slug}/{page.slug}/")
    client.get(f"/courses/{course.slug}/{page.chapter.slug}/{page.slug}/")
    client.post(f"/api/questions/{question.pk}/attempts/", {"response": {"choice": question.answer}}, content_type="application/json")
    after = course_progress(course, user)
    assert (after["pages_read"], after["answered"], after["solved"]) == (1, 1, 1)
    assert after["chapters"][page.chapter_id]["pages_read"] == 1
    html = client.get(f"/courses/{course.slug}/").content.decode()
    assert 'data-testid="course-progress"' in html
    assert "1/" in client.get("/dashboard/").content.decode()
