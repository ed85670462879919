"""The code exercise API: who may see what, refusals for bad input, hidden tests kept hidden,
hostile code stopped by the sandbox with the limit named, and the worker still working after."""

from __future__ import annotations

import pytest
from django.test import Client

from exercises.models import CodeSubmission
from tests.factories import CODE_DIR, UserFactory, code_exercise_make, instructor_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("needs_sandbox", "eager_celery")]

SOLUTION = (CODE_DIR / "sigmoid" / "solution.py").read_text(encoding="utf-8")


@pytest.fixture
def exercise(db):
    return code_exercise_make("sigmoid")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, exercise, code, kind="submit", capture=None):
    url = f"/api/code/{exercise.key}/submissions/"
    if capture is None:
        return client.post(url, {"code": code, "kind": kind}, content_type="application/json")
    with capture(execute=True):
        return client.post(url, {"code": code, "kind": kind}, content_type="application/json")


def result(client, response):
    assert response.status_code == 201, response.content
    data = client.get(f"/api/code/submissions/{response.json()['id']}/").json()
    assert data["status"] in ("done", "error"), data
    return data


def test_the_exercise_api_shows_examples_but_no_hidden_test_and_no_expected_internals(exercise):
    data = client_for(UserFactory()).get(f"/api/code/{exercise.key}/").json()
    hidden = [c for c in exercise.cases if c["hidden"]]
    assert data["hidden_tests"] == len(hidden) > 0
    assert len(data["examples"]) == len(exercise.visible_cases)
    text = str(data)
    for case in hidden:
        assert case["name"] not in text
    assert "cases" not in data and "expected" not in data["examples"][0]["name"]


def test_submit_scores_every_test_and_shows_hidden_ones_only_as_pass_or_fail(exercise, django_capture_on_commit_callbacks):
    client = client_for(UserFactory())
    wrong = "import numpy as np\ndef sigmoid(z):\n    print('secret', z)\n    return 1 / (1 + np.exp(z))\n"
    data = result(client, post(client, exercise, wrong, capture=django_capture_on_commit_callbacks))
    assert data["kind"] == "submit" and data["score"] < data["points"]
    hidden = [r for r in data["results"] if r["hidden"]]
    visible = [r for r in data["results"] if not r["hidden"]]
    assert hidden and all(set(r) == {"name", "hidden", "passed"} for r in hidden)
    assert any(not r["passed"] and r["message"].startswith(("expected", "values differ")) for r in visible)
    assert data["output"] == ""  # a Submit never shows what the code printed (it could print hidden inputs)
    run = result(client, post(client, exercise, wrong, kind="run", capture=django_capture_on_commit_callbacks))
    assert "secret" in run["output"] and run["score"] is None
    assert all(not r["hidden"] for r in run["results"])


def test_a_correct_submission_gets_full_marks_and_appears_in_the_history(exercise, django_capture_on_commit_callbacks):
    client = client_for(UserFactory())
    data = result(client, post(client, exercise, SOLUTION, capture=django_capture_on_commit_callbacks))
    assert data["passed"] == data["total"] and data["score"] == pytest.approx(exercise.points)
    history = client.get(f"/api/code/{exercise.key}/submissions/").json()["results"]
    assert [h["id"] for h in history] == [data["id"]]
    assert data["code"] == SOLUTION


def test_learner_cannot_read_another_learners_submission_but_the_instructor_can(exercise, django_capture_on_commit_callbacks):
    owner, other = UserFactory(), UserFactory()
    data = result(client_for(owner), post(client_for(owner), exercise, SOLUTION, capture=django_capture_on_commit_callbacks))
    assert client_for(other).get(f"/api/code/submissions/{data['id']}/").status_code == 404
    assert client_for(other).get(f"/api/code/{exercise.key}/submissions/").json()["results"] == []
    teacher = instructor_of(exercise.course)
    assert client_for(teacher).get(f"/api/code/submissions/{data['id']}/").json()["code"] == SOLUTION
    assert Client().get(f"/api/code/submissions/{data['id']}/").status_code in (401, 403)


@pytest.mark.parametrize(("payload", "status", "words"), [
    ({"code": "x" * (64 * 1024 + 1), "kind": "submit"}, 413, "larger than 64 KiB"),
    ({"code": "def f():\n    return '\x00'\n", "kind": "run"}, 400, "Null characters"),
    ({"code": "   \n", "kind": "run"}, 400, "Write some code"),
    ({"code": SOLUTION, "kind": "grade-me"}, 400, "not a valid choice"),
    ({"code": ["not", "text"], "kind": "run"}, 400, "valid string"),
    ({"kind": "run"}, 400, "required"),
])
def test_malformed_submissions_are_refused_with_a_reason_and_nothing_is_stored(exercise, payload, status, words):
    response = client_for(UserFactory()).post(f"/api/code/{exercise.key}/submissions/", payload, content_type="application/json")
    assert response.status_code == status and words in response.json()["detail"], response.content
    assert CodeSubmission.objects.count() == 0


def test_a_second_submission_while_one_is_pending_is_refused(exercise):
    client = client_for(UserFactory())
    first = post(client, exercise, SOLUTION)  # on_commit never runs here: it stays queued
    assert first.status_code == 201
    second = post(client, exercise, SOLUTION, kind="run")
    assert second.status_code == 429 and "still running" in second.json()["detail"]
    assert CodeSubmission.objects.count() == 1


def test_an_unknown_or_retired_exercise_is_not_found(exercise):
    client = client_for(UserFactory())
    assert client.get("/api/code/no-such-thing/").status_code == 404
    exercise.retired = True
    exercise.save()
    assert client.get(f"/api/code/{exercise.key}/").status_code == 404
    assert post(client, exercise, SOLUTION).status_code == 404


HOSTILE = {  # the exercise's time limit is lowered to 2 s for these (CPU 2 s, wall clock 2 + 3 s)
    "infinite loop": ("def sigmoid(z):\n    while True:\n        pass\n", "time limit 2 s exceeded (CPU time)"),
    "sleeping forever": ("import time\ndef sigmoid(z):\n    time.sleep(1000)\n", "time limit 5 s exceeded (wall clock)"),
    "memory balloon": ("def sigmoid(z):\n    blocks = []\n    while True:\n        blocks.append(bytearray(50 * 2**20))\n", "memory limit 512 MiB exceeded"),
    "huge output": ("def sigmoid(z):\n    while True:\n        print('x' * 10000)\n", "output truncated at 64 KiB"),
}


@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_hostile_code_is_stopped_with_the_limit_named_and_the_next_submission_still_works(exercise, attack, django_capture_on_commit_callbacks):
    code, message = HOSTILE[attack]
    exercise.time_limit_s = 2
    exercise.save()
    client = client_for(UserFactory())
    data = result(client, post(client, exercise, code, kind="run", capture=django_capture_on_commit_callbacks))
    assert data["status"] == "done" and data["passed"] == 0
    assert data["message"] == message
    assert all(r["message"] == message for r in data["results"])
    again = result(client, post(client, exercise, SOLUTION, capture=django_capture_on_commit_callbacks))
    assert again["passed"] == again["total"]


def test_code_cannot_read_the_hidden_tests_the_reference_or_the_database(exercise, settings, django_capture_on_commit_callbacks):
    targets = [CODE_DIR / "sigmoid" / "cases.py", CODE_DIR / "sigmoid" / "solution.py", settings.DATABASES["default"]["NAME"],
               settings.BASE_DIR / "dlclassroom" / "settings.py"]
    probe = "import os\nFOUND = []\nfor path in %r:\n    try:\n        FOUND.append(open(path).read()[:20])\n    except OSError as exc:\n        FOUND.append(type(exc).__name__)\ndef sigmoid(z):\n    return FOUND\n" % [str(t) for t in targets]
    client = client_for(UserFactory())
    data = result(client, post(client, exercise, probe, kind="run", capture=django_capture_on_commit_callbacks))
    message = data["results"][0]["message"]
    assert message.count("FileNotFoundError") == len(targets), message


def test_a_syntax_error_fails_every_test_with_the_line_and_a_traceback_of_the_learners_file_only(exercise, django_capture_on_commit_callbacks):
    client = client_for(UserFactory())
    data = result(client, post(client, exercise, "import numpy as np\ndef sigmoid(z)\n    return z\n", kind="run",
                               capture=django_capture_on_commit_callbacks))
    assert data["passed"] == 0
    first = data["results"][0]
    assert "could not be loaded: SyntaxError" in first["message"]
    assert 'File "solution.py", line 2' in first["traceback"]
    error = result(client, post(client, exercise, "def sigmoid(z):\n    return helper(z)\n", kind="run",
                                capture=django_capture_on_commit_callbacks))
    traceback = error["results"][0]["traceback"]
    assert "NameError" in traceback and 'File "solution.py", line 2, in sigmoid' in traceback
    assert "_dlc_harness" not in traceback and "/work" not in traceback


def test_the_editor_page_loads_codemirror_from_the_project_and_escapes_the_history(exercise):
    client = client_for(UserFactory())
    page = client.get(f"/courses/{exercise.course.slug}/code/{exercise.key}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/vendor/codemirror/codemirror.js" in html and "cdn" not in html.lower()
    assert client.get(f"/courses/{exercise.course.slug}/code/").status_code == 200
    assert client.get(f"/courses/other-course/code/{exercise.key}/").status_code == 404


def test_when_the_broker_is_down_the_submission_says_so_instead_of_waiting(exercise, monkeypatch, django_capture_on_commit_callbacks):
    from exercises import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.code_submission_run, "apply_async", broker_down)
    client = client_for(UserFactory())
    data = result(client, post(client, exercise, SOLUTION, capture=django_capture_on_commit_callbacks))
    assert data["status"] == "error" and "Run it again" in data["message"]
    # Nothing is left pending, so the learner can try again at once.
    assert post(client, exercise, SOLUTION, kind="run").status_code == 201


def test_forged_or_absurd_lines_in_the_results_file_do_not_break_grading(exercise, django_capture_on_commit_callbacks):
    # The learner's code can write to the harness's results file while the tests run; the grader
    # skips what it cannot read (a line nested 100,000 deep, an object array, not JSON) and never crashes.
    forger = SOLUTION.replace("def sigmoid(z):", "def sigmoid(z):\n    forge()") + (
        "\n\ndef forge():\n    with open('/output/results.jsonl', 'a') as f:\n"
        "        f.write('[' * 100000 + ']' * 100000 + '\\n')\n"
        "        f.write('{\"id\": \"h1\", \"status\": \"returned\", \"value\": {\"__ndarray__\": [1], \"dtype\": \"object\", \"shape\": [1]}}\\n')\n"
        "        f.write('not json\\n')\n")
    compile(forger, "forger", "exec")
    client = client_for(UserFactory())
    data = result(client, post(client, exercise, forger, capture=django_capture_on_commit_callbacks))
    assert data["status"] == "done" and data["total"] == len(exercise.cases)
    assert all(r["passed"] for r in data["results"] if not r["hidden"])


def test_the_results_reader_skips_lines_it_cannot_parse(tmp_path):
    from exercises.services import _results_read

    path = tmp_path / "results.jsonl"
    path.write_text("[" * 100000 + "]" * 100000 + "\nnot json\n[1, 2]\n" + '{"load": {"status": "ok"}}\n{"id": "v1", "status": "returned", "value": 0.5}\n'
                    '{"id": "v1", "status": "returned", "value": 9}\n')
    load, records = _results_read(path)
    assert load == {"status": "ok"} and records == {"v1": {"id": "v1", "status": "returned", "value": 0.5}}
