"""Grading in real headless Chromium, against the real platform (Daphne + Celery worker): an
instructor grades a learner's run on the run page (score, reason, Markdown feedback; a
concurrent change by someone else is shown, not overwritten), compares the learner's runs,
releases the item; the learner then reads the grade and the rendered feedback. The gradebook
sorts by its total, filters, and exports CSV; a written answer is graded from the queue.

Runs and learners are made in the stack's own database (``manage.py shell`` with the
factories), each test with learners of its own, so other tests' runs do not change the grades."""

from __future__ import annotations

import json
import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_lab_flow import log_in
from tests.stack import PASSWORD

pytestmark = pytest.mark.browser

COURSE = "deep-learning-tf"


def orm(stack, code: str):
    """Run ``code`` with Django set up on the stack's database; it sets ``result`` (JSON-able)."""
    out = stack.manage("shell", "-c", f"import json\n{code}\nprint('RESULT=' + json.dumps(result))")
    line = [line for line in out.splitlines() if line.startswith("RESULT=")][-1]
    return json.loads(line[len("RESULT="):])


SETUP = f"""
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from courseware.models import Course, Enrollment, Lab
from datasets.models import Dataset
from grading.models import GradedItem
from grading.services import grades_refresh_for_run
from tests.factories import RunFactory
from training.models import EpochMetric
course = Course.objects.get(slug={COURSE!r})
lab = Lab.objects.get(course=course, slug="mlp-digits")
item = GradedItem.objects.get(course=course, lab=lab)

def learner(username, name=""):
    user, _ = User.objects.get_or_create(username=username, defaults={{"first_name": name}})
    user.set_password({PASSWORD!r})
    user.save()
    Enrollment.objects.get_or_create(course=course, user=user, defaults={{"role": "learner"}})
    return user

def finished(user, values, hours_ago, **hyper):
    run = RunFactory(owner=user, lab=lab, course=course, dataset=Dataset.objects.get(slug="digits-28"), status="succeeded",
                     finished_at=timezone.now() - timedelta(hours=hours_ago), final_metrics={{"val_accuracy": values[-1], "val_loss": 0.5}},
                     hyperparameters={{**lab.hyperparameters, **hyper}})
    for epoch, value in enumerate(values, start=1):
        EpochMetric.objects.create(run=run, epoch=epoch, metrics={{"loss": 1.0 / epoch, "val_loss": 1.2 / epoch, "accuracy": value + 0.05, "val_accuracy": value}})
    grades_refresh_for_run(run)
    return run
"""


def shot(page, name: str) -> None:
    """A screenshot of the page as it is now, when DLC_TEST_ARTIFACTS names a folder."""
    folder = os.environ.get("DLC_TEST_ARTIFACTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"grading-{name}.png"), full_page=True)


def log_out(page, stack) -> None:
    page.context.clear_cookies()
    page.goto(f"{stack.base_url}/accounts/login/")


def test_instructor_grades_a_run_with_feedback_releases_it_and_the_learner_reads_it(stack, page):
    data = orm(stack, SETUP + """
user = learner("grader-learner", "林")
older = finished(user, [0.4, 0.6], 3, learning_rate=0.05)
best = finished(user, [0.5, 0.81], 1)
from grading.models import Grade
grade = Grade.objects.get(item=item, learner=user)
result = {"older": older.pk, "best": best.pk, "item": item.pk, "grade": grade.pk, "final": grade.final_score}
""")
    assert data["final"] == pytest.approx(8.0)  # 0.81 between 0.45 (0) and 0.9 (10 points)
    log_in(page, stack, "instructor")
    page.goto(f"{stack.base_url}/runs/{data['best']}/")
    panel = page.get_by_test_id("grade-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("rubric")).to_contain_text("val_accuracy")
    expect(panel.get_by_test_id("final-score")).to_have_text("8")
    expect(panel.get_by_test_id("counted-run")).to_contain_text(str(data["best"]))
    expect(panel.get_by_test_id("counted-run")).to_contain_text(re.compile("this run|本次"))

    panel.get_by_test_id("grade-score").fill("9.5")
    panel.get_by_test_id("grade-reason").fill("Clear write-up; the curve is explained")
    panel.get_by_test_id("grade-feedback").fill("**Great work.**\n\n- try `Dropout` next\n\n<script>window.pwned = 1</script>")
    panel.get_by_test_id("grade-save").click()
    expect(panel.get_by_test_id("grade-saved")).to_contain_text("9.5")
    expect(panel.get_by_test_id("final-score")).to_have_text("9.5")
    shot(page, "run-panel")

    # Another instructor changes the grade meanwhile: the next save is refused and shows why.
    orm(stack, f"""
from accounts.models import User
from grading.models import Grade
from grading.services import grade_set
grade = Grade.objects.get(pk={data['grade']})
grade_set(grade, by=User.objects.get(username="admin"), version=grade.version, score=7, reason="recounted")
result = None
""")
    panel.get_by_test_id("grade-feedback").fill("**Great work.** Keep the notebook tidy.\n\n<script>window.pwned = 1</script>")
    panel.get_by_test_id("grade-save").click()
    error = panel.get_by_test_id("grade-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("admin")
    expect(panel.get_by_test_id("grade-current")).to_contain_text("7")
    expect(panel.get_by_test_id("final-score")).to_have_text("7")
    shot(page, "run-panel-conflict")
    # Saved again on top of the current version: the score goes back to 9.5 on purpose.
    panel.get_by_test_id("grade-score").fill("9.5")
    panel.get_by_test_id("grade-save").click()
    expect(error).to_contain_text(re.compile("reason|原因|理由"))  # a score needs a reason
    panel.get_by_test_id("grade-reason").fill("Clear write-up after all")
    panel.get_by_test_id("grade-save").click()
    expect(panel.get_by_test_id("grade-saved")).to_contain_text("9.5")
    expect(error).to_be_hidden()
    # The audit trail: who changed what, old → new, why.
    panel.get_by_test_id("grade-history-box").locator("summary").click()
    history = panel.get_by_test_id("grade-history")
    expect(history).to_contain_text("recounted")
    expect(history).to_contain_text("Clear write-up after all")
    expect(history).to_contain_text("9.5 → 7")
    shot(page, "run-panel-history")

    # Compare with the learner's other run: one chart per metric, the differing setting marked.
    panel.get_by_test_id("compare-menu").click()
    panel.get_by_test_id("compare-latest").click()
    expect(page).to_have_url(re.compile(r"/runs/compare/\?ids="))
    expect(page.get_by_test_id("compare-charts").locator("canvas")).to_have_count(4)
    expect(page.get_by_test_id("compare-config").locator("tr.differs", has_text="learning_rate")).to_have_count(1)
    expect(page.get_by_test_id("compare-final")).to_contain_text("val_accuracy")
    page.get_by_test_id("only-differences").check()
    expect(page.get_by_test_id("compare-config").locator("tbody tr:visible")).to_have_count(
        page.get_by_test_id("compare-config").locator("tr.differs").count())
    shot(page, "compare")

    # Release the item on its page.
    page.goto(f"{stack.base_url}/grading/{COURSE}/items/{data['item']}/")
    row = page.get_by_test_id("item-grades").locator("tr", has_text="grader-learner")
    expect(row).to_contain_text("9.5")
    expect(row.locator(f'a[href="/runs/{data["older"]}/"]')).to_have_count(1)
    page.get_by_test_id("release-toggle").click()
    expect(page.get_by_test_id("release-state")).to_have_attribute("data-released", "true")
    shot(page, "item")

    # The learner sees the grade and the rendered (sanitized) feedback.
    log_out(page, stack)
    log_in(page, stack, "grader-learner")
    page.get_by_test_id("nav-my-grades").click()
    mine = page.locator(f'[data-testid=my-grade][data-item="lab-mlp-digits"]')
    expect(mine.get_by_test_id("my-score")).to_contain_text("9.5 / 10")
    expect(mine.get_by_test_id("my-feedback").locator("strong")).to_have_text("Great work.")
    expect(mine.get_by_test_id("my-feedback")).to_contain_text("Keep the notebook tidy.")
    expect(mine.get_by_test_id("my-feedback").locator("script")).to_have_count(0)
    assert page.evaluate("() => window.pwned") is None
    expect(page.get_by_test_id("nav-grading")).to_have_count(0)
    shot(page, "my-grades")


def test_gradebook_sorts_by_total_filters_and_exports_csv(stack, page):
    orm(stack, SETUP + """
for name, accuracy in (("sort-low", 0.5), ("sort-high", 0.9), ("sort-mid", 0.7)):
    finished(learner(name), [accuracy], 2)
result = None
""")
    log_in(page, stack, "instructor")
    page.get_by_test_id("nav-grading").click()
    page.get_by_test_id("taught-courses").get_by_role("link", name=re.compile("TensorFlow")).click()
    expect(page).to_have_url(re.compile(f"/grading/{COURSE}/$"))
    table = page.get_by_test_id("gradebook")
    totals = table.get_by_test_id("total")

    def order(selector="tbody tr:visible"):
        return [name.strip() for name in table.locator(selector).locator("th code").all_inner_texts()]

    def values():
        return [float(v) if v else -1.0 for v in totals.evaluate_all("cells => cells.map((c) => c.dataset.v)")]

    shot(page, "gradebook-initial")
    page.get_by_test_id("total-header").click()
    expect(page.get_by_test_id("total-header")).to_have_attribute("aria-sort", "descending")
    assert values() == sorted(values(), reverse=True)
    mine = [n for n in order() if n.startswith("sort-")]
    assert mine == ["sort-high", "sort-mid", "sort-low"]
    page.get_by_test_id("total-header").click()
    expect(page.get_by_test_id("total-header")).to_have_attribute("aria-sort", "ascending")
    assert values() == sorted(values())
    assert [n for n in order() if n.startswith("sort-")] == ["sort-low", "sort-mid", "sort-high"]

    page.get_by_test_id("learner-filter").fill("sort-")
    expect(table.locator("tbody tr:visible")).to_have_count(3)
    page.get_by_test_id("category-filter").select_option("labs")
    expect(table.locator("thead th.item-col:visible")).to_have_count(table.locator("thead th.item-col[data-category=labs]").count())
    shot(page, "gradebook")

    page.get_by_test_id("export-csv").click()
    download = page.get_by_test_id("export-download")
    expect(download).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download.click()
    text = open(info.value.path(), encoding="utf-8-sig").read()
    assert text.startswith("username,") and "sort-high" in text


def test_written_answer_is_graded_from_the_queue(stack, page):
    data = orm(stack, SETUP + """
from exercises.models import Question
from exercises.services import attempt_submit
question = Question.objects.filter(course=course, type="text", retired=False).order_by("chapter__order", "order").first()
user = learner("queue-learner")
attempt_submit(user=user, question=question, response={"text": "<b>Because</b> the gradient vanishes"})
result = {"item": GradedItem.objects.get(course=course, question=question).pk}
""")
    log_in(page, stack, "instructor")
    page.goto(f"{stack.base_url}/grading/{COURSE}/queue/")
    entry = page.get_by_test_id("queue-entry").filter(has_text="queue-learner")
    expect(entry.get_by_test_id("answer-text")).to_have_text("<b>Because</b> the gradient vanishes")  # shown as typed, not as HTML
    entry.get_by_test_id("grade-score").fill("1")
    entry.get_by_test_id("grade-feedback").fill("Right idea; *say why* it vanishes.")
    entry.get_by_test_id("grade-save").click()
    expect(entry.get_by_test_id("queue-graded")).to_be_visible()
    shot(page, "queue")
    page.goto(f"{stack.base_url}/grading/{COURSE}/items/{data['item']}/")
    row = page.get_by_test_id("item-grades").locator("tr", has_text="queue-learner")
    expect(row.get_by_test_id("answer-text")).to_have_text("<b>Because</b> the gradient vanishes")
    expect(row.locator("[data-field=final_score]")).to_have_text("1")
    # Change it again in the item page's dialog: it loads the grade fresh, saves, updates the row.
    row.get_by_test_id("grade-open").click()
    dialog = page.locator("#grade-modal")
    expect(dialog.get_by_test_id("grade-feedback")).to_have_value("Right idea; *say why* it vanishes.")
    dialog.get_by_test_id("grade-score").fill("0.5")
    dialog.get_by_test_id("grade-reason").fill("Half: the why is missing")
    dialog.get_by_test_id("grade-save").click()
    expect(dialog.get_by_test_id("grade-saved")).to_contain_text("0.5")
    expect(row.locator("[data-field=final_score]")).to_have_text("0.5")
    expect(row.locator("[data-field=override_reason]")).to_have_text("Half: the why is missing")
    shot(page, "item-dialog")
    dialog.get_by_role("button", name=re.compile("Close|关闭")).click()
    expect(dialog).to_be_hidden()
    # The item's settings: 2 points from now on (the grades are recomputed in the background).
    page.get_by_test_id("item-form").locator("#item-points").fill("2")
    page.get_by_test_id("item-save").click()
    expect(page.get_by_test_id("item-message")).to_contain_text(re.compile("Saved|保存"))
    page.goto(f"{stack.base_url}/grading/{COURSE}/settings/")
    expect(page.get_by_test_id("join-code")).to_have_text(re.compile(r"^[A-Z2-9]{8}$"))
    page.get_by_test_id("enrol-form").locator("textarea").fill("learner2\nnobody-here")
    page.get_by_test_id("enrol-form").get_by_role("button").click()
    expect(page.get_by_test_id("enrol-errors")).to_contain_text("nobody-here")
    shot(page, "settings")


def test_instructor_makes_a_new_course_code_and_a_learner_joins_with_it(stack, page, tmp_path):
    orm(stack, f"""
from accounts.models import User
user, _ = User.objects.get_or_create(username="joiner")
user.set_password({PASSWORD!r})
user.save()
User.objects.get_or_create(username="listed-learner")
result = None
""")
    log_in(page, stack, "instructor")
    page.goto(f"{stack.base_url}/grading/{COURSE}/settings/")
    old = page.get_by_test_id("join-code").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("join-code-rotate").click()
    expect(page.get_by_test_id("join-code")).not_to_have_text(old)
    code = page.get_by_test_id("join-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)

    # A class list exported from Excel (UTF-8 with BOM, a header row).
    classlist = tmp_path / "class.csv"
    classlist.write_bytes("用户名,姓名\nlisted-learner,张三\nghost,无\n".encode("utf-8-sig"))
    page.get_by_test_id("classlist-file").set_input_files(str(classlist))
    page.get_by_test_id("classlist-upload").click()
    expect(page.get_by_test_id("enrol-added")).to_contain_text("listed-learner")
    expect(page.get_by_test_id("enrol-errors")).to_contain_text("ghost")

    # A letter cutoff changed: saved, and a broken one is refused with the reason.
    page.locator(".cutoff-row").filter(has=page.locator('input.cutoff-letter[value="D"]')).locator(".cutoff-share").fill("0.55")
    page.get_by_test_id("policy-save").click()
    expect(page.get_by_test_id("policy-message")).to_have_class(re.compile("text-success"))
    page.locator(".category-weight").first.fill("-1")
    page.get_by_test_id("policy-save").click()
    expect(page.get_by_test_id("policy-message")).to_have_class(re.compile("text-danger"))
    expect(page.get_by_test_id("policy-message")).not_to_be_empty()
    shot(page, "settings-policy")

    log_out(page, stack)
    log_in(page, stack, "joiner")
    page.goto(f"{stack.base_url}/grades/")
    expect(page.get_by_test_id("course-grades")).to_have_count(0)
    page.get_by_test_id("join-code-input").fill("WRONGCOD")
    page.get_by_test_id("join-form").get_by_role("button").click()
    expect(page.get_by_test_id("join-message")).to_have_class(re.compile("text-danger"))
    page.get_by_test_id("join-code-input").fill(code.lower())
    page.get_by_test_id("join-form").get_by_role("button").click()
    expect(page.locator(f'[data-testid=course-grades][data-course="{COURSE}"]')).to_be_visible(timeout=10_000)  # after the reload
