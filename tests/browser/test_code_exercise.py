"""Writing code in the browser: a lesson links to its code exercise; the learner types into the
CodeMirror editor, runs the examples, fixes the code and submits it to the hidden tests; a
Keras-code lab run is submitted from the lab page's code editor."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_lab_flow import log_in
from tests.factories import CODE_DIR

pytestmark = pytest.mark.browser

# The IoU without clamping the overlap at zero: right for overlapping boxes, wrong for disjoint ones.
WRONG_IOU = """def iou(box_a, box_b):
    w = min(box_a[2], box_b[2]) - max(box_a[0], box_b[0])
    h = min(box_a[3], box_b[3]) - max(box_a[1], box_b[1])
    inter = w * h
    area_a = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1])
    area_b = (box_b[2] - box_b[0]) * (box_b[3] - box_b[1])
    return inter / (area_a + area_b - inter
"""


def replace_code(page, code: str) -> None:
    page.locator(".CodeMirror").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)


def test_learner_writes_runs_fixes_and_submits_code_for_an_exercise(stack, page):
    log_in(page, stack, "learner2")
    page.goto(f"{stack.base_url}/courses/deep-learning-tf/ch10-object-detection/detection-and-iou/")
    page.get_by_test_id("open-code-exercise").first.click()
    expect(page).to_have_url(re.compile(r"/courses/deep-learning-tf/code/iou/$"))
    expect(page.get_by_test_id("code-examples").locator("li").first).to_contain_text("iou(")
    expect(page.locator(".CodeMirror .cm-keyword").first).to_be_visible()  # syntax highlighting is on

    # Empty code is refused with a reason, and nothing is queued.
    replace_code(page, "   ")
    page.get_by_test_id("code-run").click()
    expect(page.get_by_test_id("code-message")).to_contain_text("请先写代码")
    expect(page.get_by_test_id("code-history-row")).to_have_count(0)

    # A syntax error (the missing parenthesis) is reported with the learner's line.
    replace_code(page, WRONG_IOU)
    page.get_by_test_id("code-run").click()
    first = page.get_by_test_id("code-result").first
    expect(first).to_have_attribute("data-passed", "false", timeout=60000)
    expect(first.get_by_test_id("code-result-message")).to_contain_text("SyntaxError")

    # Typed by key: close the parenthesis; now the examples pass but the hidden tests catch the bug.
    page.locator(".CodeMirror").first.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Backspace")
    page.keyboard.type(")")
    page.get_by_test_id("code-run").click()
    expect(page.get_by_test_id("code-score")).not_to_be_empty(timeout=60000)
    expect(page.get_by_test_id("code-result").first).to_have_attribute("data-passed", "true", timeout=60000)
    page.get_by_test_id("code-submit").click()
    expect(page.get_by_test_id("code-result").filter(has=page.locator("[data-passed=false]"))).to_have_count(0)
    expect(page.locator("[data-testid=code-result][data-passed=false]").first).to_be_visible(timeout=60000)
    hidden_failure = page.locator("[data-testid=code-result][data-passed=false]").first
    expect(hidden_failure.get_by_test_id("code-result-message")).to_have_count(0)  # hidden tests say only pass/fail

    replace_code(page, (CODE_DIR / "iou" / "solution.py").read_text(encoding="utf-8"))
    page.get_by_test_id("code-submit").click()
    expect(page.get_by_test_id("code-status")).to_have_class(re.compile("text-success"), timeout=60000)
    expect(page.locator("[data-testid=code-result][data-passed=false]")).to_have_count(0)
    expect(page.get_by_test_id("code-score")).to_contain_text("10")
    expect(page.get_by_test_id("code-history-row")).to_have_count(4)

    # Back later: the editor holds the last code sent, and the exercise list shows the best score.
    page.reload()
    expect(page.locator(".CodeMirror-code")).to_contain_text("def iou", timeout=10000)
    page.goto(f"{stack.base_url}/courses/deep-learning-tf/code/")
    expect(page.get_by_test_id("code-exercise-list").locator("tr", has_text="IoU").first).to_contain_text("10 / 10")


def test_learner_trains_a_model_written_as_keras_code_from_the_lab_page(stack, page):
    log_in(page, stack, "learner2")
    page.goto(f"{stack.base_url}/courses/deep-learning-tf/labs/flowers-cnn/")
    page.get_by_test_id("mode-code").click()
    expect(page.get_by_test_id("keras-code-card")).to_be_visible()
    expect(page.get_by_test_id("model-builder")).to_be_hidden()
    expect(page.locator("#code-card .CodeMirror-code")).to_contain_text("def build_model(input_shape, num_classes)")
    small = ("import keras\nfrom keras import layers\n\n\ndef build_model(input_shape, num_classes):\n"
             "    return keras.Sequential([keras.Input(shape=input_shape), layers.Rescaling(1 / 255),\n"
             "                             layers.GlobalAveragePooling2D(), layers.Dense(num_classes)])\n")
    page.locator("#code-card .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(small.replace("num_classes):", "num_classes)", 1))  # a missing colon
    page.get_by_test_id("dataset").select_option("shapes-mini")
    page.fill("#epochs", "1")
    page.get_by_test_id("submit-run").click()
    expect(page.get_by_test_id("submit-errors")).to_contain_text("第 5 行")  # refused before it is queued
    expect(page).to_have_url(re.compile(r"/labs/flowers-cnn/$"))
    page.locator("#code-card .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(small)
    page.get_by_test_id("dataset").select_option("shapes-mini")
    page.fill("#epochs", "1")
    page.get_by_test_id("submit-run").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"), timeout=20000)
    expect(page.get_by_test_id("run-model-code")).to_contain_text("GlobalAveragePooling2D")
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=180000)
