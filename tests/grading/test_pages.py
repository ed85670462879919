"""The grading pages through Django's test client: who may open which page (exactly the API's
rules: the course's instructors and admins; 404 for everyone else; the login page for anonymous
visitors), what the gradebook shows, a learner's own released grades, the run page's grading
panel, and the run comparison page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from accounts.models import User
from courseware.models import Enrollment
from exercises.models import Question
from exercises.services import attempt_submit
from grading import selectors, services
from grading.models import Grade, GradedItem
from tests.factories import ChapterFactory, CourseFactory, UserFactory, instructor_of
from tests.grading.conftest import enrol, finished_run

HOSTILE = "<img src=x onerror=alert(1)>"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(course, lab, lab_item, student, instructor):
    run = finished_run(student, lab, [0.5, 0.81])
    grade = services.grade_refresh(lab_item, student)
    chapter = ChapterFactory(course=course)
    question = Question.objects.create(course=course, chapter=chapter, key="essay", type="text", prompt_html="<p>Why does it overfit?</p>", points=5)
    services.grading_setup(course)
    question_item = GradedItem.objects.get(course=course, question=question)
    attempt_submit(user=student, question=question, response={"text": f"Because {HOSTILE} memorises"})
    other_course = CourseFactory()
    services.grading_setup(other_course)
    return {
        "course": course, "lab_item": lab_item, "question_item": question_item, "grade": grade, "run": run,
        "other_item": GradedItem.objects.create(course=other_course, kind="quiz", key="x", title_zh="x", title_en="x",
                                                category=other_course.grading_categories.first()),
        "users": {
            "learner": student,
            "other_learner": enrol(course),
            "instructor": instructor,
            "other_instructor": instructor_of(other_course),
            "admin": UserFactory(role=User.Role.ADMIN),
            "anonymous": None,
        },
    }


def course_pages(w) -> list[str]:
    slug = w["course"].slug
    return [f"/grading/{slug}/", f"/grading/{slug}/items/{w['lab_item'].pk}/", f"/grading/{slug}/items/{w['question_item'].pk}/",
            f"/grading/{slug}/queue/", f"/grading/{slug}/settings/"]


@pytest.mark.parametrize("role", ["instructor", "admin", "learner", "other_learner", "other_instructor", "anonymous"])
def test_course_pages_open_only_for_the_courses_instructors_and_admins(world, role):
    client = client_for(world["users"][role])
    for url in course_pages(world):
        response = client.get(url)
        if role in ("instructor", "admin"):
            assert response.status_code == 200, (role, url, response.status_code)
        elif role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (url, response.status_code)
        else:
            assert response.status_code == 404, (role, url, response.status_code)


def test_an_item_of_another_course_is_404_under_this_courses_address(world):
    response = client_for(world["users"]["instructor"]).get(f"/grading/{world['course'].slug}/items/{world['other_item'].pk}/")
    assert response.status_code == 404
    assert client_for(world["users"]["instructor"]).get("/grading/no-such-course/").status_code == 404


def test_course_list_links_the_courses_i_teach_and_is_empty_for_a_learner(world):
    body = client_for(world["users"]["instructor"]).get("/grading/").content.decode()
    assert f'href="/grading/{world["course"].slug}/"' in body
    learner = client_for(world["users"]["learner"]).get("/grading/")
    assert learner.status_code == 200 and 'data-testid="no-courses"' in learner.content.decode()
    assert client_for(None).get("/grading/").status_code == 302


def test_navbar_shows_grading_to_instructors_and_my_grades_to_everyone(world):
    teacher = client_for(world["users"]["instructor"]).get("/dashboard/").content.decode()
    learner = client_for(world["users"]["learner"]).get("/dashboard/").content.decode()
    assert 'data-testid="nav-grading"' in teacher and 'data-testid="nav-my-grades"' in teacher
    assert 'data-testid="nav-grading"' not in learner and 'data-testid="nav-my-grades"' in learner


def test_gradebook_shows_points_totals_letters_late_cells_and_escapes_names(world, lab, lab_item, course):
    late = enrol(course, UserFactory(username="late", first_name=HOSTILE))
    lab_item.deadline = world["run"].finished_at
    lab_item.save()
    finished_run(late, lab, [0.9], finished_at=lab_item.deadline + timedelta(days=1, hours=2))  # two started days late
    services.grade_refresh(lab_item, late)
    body = client_for(world["users"]["instructor"]).get(f"/grading/{course.slug}/").content.decode()
    assert HOSTILE not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr data-learner="\d+">.*?<code class="small">([^<]+)</code>.*?</tr>', body, re.S)}
    zhang = rows["zhang"]
    book = {row["username"]: row for row in selectors.gradebook(course)["rows"]}
    # 0.81 → 8 of 10 points; the unanswered written question counts 0 in its category.
    assert '<td class="num">8</td>' in zhang
    assert f'data-testid="total">{book["zhang"]["total"] * 100:.1f}</td>' in zhang and f'data-testid="letter">{book["zhang"]["letter"]}</td>' in zhang
    assert re.search(r'<td class="num late" title="2 days late">8</td>', rows["late"])  # 10 points − 2 × 10 %
    other = rows[world["users"]["other_learner"].username]
    assert '<td class="num"></td>' in other  # no grade: a blank cell
    assert f'href="/grading/{course.slug}/items/{lab_item.pk}/"' in body


def test_gradebook_page_queries_do_not_grow_with_the_number_of_learners(world, course, lab, lab_item, django_assert_max_num_queries):
    client = client_for(world["users"]["instructor"])
    url = f"/grading/{course.slug}/"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(15):
        learner = enrol(course)
        finished_run(learner, lab, [0.7])
        services.grade_refresh(lab_item, learner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_item_page_lists_runs_with_links_and_the_counted_run_and_item_settings(world):
    body = client_for(world["users"]["instructor"]).get(f"/grading/{world['course'].slug}/items/{world['lab_item'].pk}/").content.decode()
    assert f'href="/runs/{world["run"].pk}/"' in body
    assert 'id="rubric-metric"' in body and 'value="val_accuracy"' in body and 'id="item-counts"' in body
    assert 'data-testid="release-toggle"' in body


def test_queue_shows_the_prompt_and_the_answer_escaped(world):
    body = client_for(world["users"]["instructor"]).get(f"/grading/{world['course'].slug}/queue/").content.decode()
    assert "<p>Why does it overfit?</p>" in body  # course content: trusted HTML
    assert "Because &lt;img src=x onerror=alert(1)&gt; memorises" in body and HOSTILE not in body
    grade = Grade.objects.get(item=world["question_item"], learner=world["users"]["learner"])
    assert f'data-grade-id="{grade.pk}" data-version="{grade.version}"' in body


def test_settings_page_shows_the_policy_and_the_join_code(world, course):
    code = services.join_code_rotate(course)
    body = client_for(world["users"]["instructor"]).get(f"/grading/{course.slug}/settings/").content.decode()
    assert code in body and 'data-key="labs"' in body and 'id="late-penalty"' in body and 'class="form-control cutoff-letter"' in body


def test_my_grades_shows_only_released_grades_with_rendered_feedback(world):
    learner, other, teacher = world["users"]["learner"], world["users"]["other_learner"], world["users"]["instructor"]
    grade = Grade.objects.get(pk=world["grade"].pk)
    services.grade_set(grade, by=teacher, version=grade.version, score=9, reason="clean code", feedback=f"**Well done.** {HOSTILE}")
    before = client_for(learner).get("/grades/").content.decode()
    assert "Well done" not in before and 'data-testid="my-grade"' not in before
    services.item_release(world["lab_item"], by=teacher)
    body = client_for(learner).get("/grades/").content.decode()
    assert body.count('data-testid="my-grade"') == 1
    assert "<strong>Well done.</strong>" in body and "onerror" not in body
    assert "<strong>9</strong> / 10" in body
    assert 'data-testid="course-letter">A<' in body  # only the released lab counts: 9 / 10
    assert "clean code" not in body  # the override's reason is for instructors
    assert 'data-testid="my-grade"' not in client_for(other).get("/grades/").content.decode()
    assert client_for(None).get("/grades/").status_code == 302


def test_run_page_shows_the_grading_panel_only_to_the_courses_instructors(world):
    url = f"/runs/{world['run'].pk}/"
    teacher = client_for(world["users"]["instructor"]).get(url)
    assert teacher.status_code == 200 and 'data-testid="grade-panel"' in teacher.content.decode()
    body = teacher.content.decode()
    assert "val_accuracy" in body and 'data-testid="final-score">8<' in body and "this run" in body
    assert 'id="grading-panel"' in body  # the data for grading.js
    assert 'data-testid="grade-panel"' in client_for(world["users"]["admin"]).get(url).content.decode()
    owner = client_for(world["users"]["learner"]).get(url)
    assert owner.status_code == 200 and 'data-testid="grade-panel"' not in owner.content.decode()
    assert client_for(world["users"]["other_instructor"]).get(url).status_code == 404


def test_run_page_offers_to_compare_with_the_learners_other_runs(world, lab):
    second = finished_run(world["users"]["learner"], lab, [0.3])
    body = client_for(world["users"]["instructor"]).get(f"/runs/{world['run'].pk}/").content.decode()
    assert f"/runs/compare/?ids={world['run'].pk},{second.pk}" in body


def test_compare_page_checks_who_may_see_the_runs(world, lab):
    second = finished_run(world["users"]["learner"], lab, [0.3])
    url = f"/runs/compare/?ids={world['run'].pk},{second.pk}"
    for role in ("learner", "instructor", "admin"):
        response = client_for(world["users"][role]).get(url)
        assert response.status_code == 200 and 'id="compare-page"' in response.content.decode(), role
    assert client_for(world["users"]["other_learner"]).get(url).status_code == 404
    assert client_for(world["users"]["other_instructor"]).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    learner = client_for(world["users"]["learner"])
    assert learner.get(f"/runs/compare/?ids={world['run'].pk}").status_code == 400
    assert learner.get("/runs/compare/?ids=1,x").status_code == 400


def test_pages_are_in_chinese_by_default(world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client_for(world["users"]["instructor"]).get(f"/grading/{world['course'].slug}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200 and '<html lang="zh-hans">' in response.content.decode()


def test_enrolment_role_of_course_instructor_is_what_grants_access(world, course):
    # A platform instructor who does not teach this course is like any learner here.
    outsider = UserFactory(role=User.Role.INSTRUCTOR)
    assert client_for(outsider).get(f"/grading/{course.slug}/").status_code == 404
    Enrollment.objects.create(course=course, user=outsider, role=Enrollment.Role.INSTRUCTOR)
    assert client_for(outsider).get(f"/grading/{course.slug}/").status_code == 200


def test_learner_chooses_the_graded_run_on_the_run_page(student, lab, lab_item, client):
    from django.utils import timezone
    from rest_framework.test import APIClient

    from grading.models import Grade, GradedItem
    from tests.grading.conftest import finished_run

    GradedItem.objects.filter(pk=lab_item.pk).update(counts="chosen", deadline=timezone.now() + timezone.timedelta(days=1))
    run = finished_run(student, lab, [0.7])
    client.force_login(student)
    html = client.get(f"/runs/{run.pk}/").content.decode()
    assert 'id="choose-run"' in html and f'data-item="{lab_item.pk}"' in html
    api = APIClient()
    api.force_authenticate(student)
    assert api.post(f"/api/grading/items/{lab_item.pk}/choose-run/", {"run": run.pk}, format="json").status_code == 200
    assert Grade.objects.get(item=lab_item, learner=student).chosen_run == run
    assert "This run is the one graded" in client.get(f"/runs/{run.pk}/").content.decode()
