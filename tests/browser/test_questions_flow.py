"""Answering a lesson's question in headless Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_lab_flow import log_in

pytestmark = pytest.mark.browser


def test_learner_answers_a_question_and_sees_the_explanation(stack, page):
    log_in(page, stack)
    page.goto(f"{stack.base_url}/courses/deep-learning-tf/ch08-image-classification/loading-images/")
    question = page.get_by_test_id("question").filter(has_text="500 像素").first
    expect(question).to_be_visible()
    expect(question.get_by_test_id("question-result")).to_be_empty()
    question.locator("input[name=value]").fill("3")
    question.get_by_test_id("check-answer").click()
    expect(question.get_by_test_id("question-result").locator(".alert")).to_have_attribute("data-correct", "false")
    question.locator("input[name=value]").fill("abc")
    question.get_by_test_id("check-answer").click()
    expect(question.get_by_test_id("question-result")).to_contain_text("数")  # "请输入一个数…"
    question.locator("input[name=value]").fill("2")
    question.get_by_test_id("check-answer").click()
    result = question.get_by_test_id("question-result")
    expect(result.locator(".alert")).to_have_attribute("data-correct", "true")
    expect(result.locator(".explanation")).to_contain_text("180")
    expect(result.locator(".explanation .katex").first).to_be_visible()  # formulas rendered by KaTeX
    page.reload()
    expect(page.get_by_test_id("question").filter(has_text="500 像素").first.locator(".explanation")).to_be_visible()


def test_tensor_shape_explorer_in_a_lesson(stack, page):
    log_in(page, stack)
    page.goto(f"{stack.base_url}/courses/deep-learning-tf/ch02-tensors/data-shapes/")
    widget = page.get_by_test_id("tensor-shape-explorer")
    expect(widget.get_by_test_id("ts-output")).to_contain_text("(4, 6)")
    widget.get_by_test_id("ts-op").select_option("matmul")
    widget.get_by_test_id("ts-arg").fill("(5, 2)")
    widget.get_by_test_id("ts-go").click()
    expect(widget.get_by_test_id("ts-error")).to_be_visible()
    widget.get_by_test_id("ts-arg").fill("(4, 5)")
    widget.get_by_test_id("ts-arg").press("Enter")
    expect(widget.get_by_test_id("ts-output")).to_contain_text("(2, 3, 5)")


def test_convolution_and_pooling_widget_on_a_sample_photo_and_an_upload(stack, page, tmp_path):
    from PIL import Image

    log_in(page, stack)
    page.goto(f"{stack.base_url}/courses/deep-learning-tf/ch06-convolution/filters-on-images/")
    widget = page.get_by_test_id("kernel-explorer")
    expect(widget.get_by_test_id("k-formula")).to_contain_text("same: ceil(")
    widget.get_by_test_id("k-preset").select_option("laplacian")
    widget.get_by_test_id("k-apply").click()
    expect(widget.locator("img")).to_have_count(2)
    widget.get_by_test_id("k-op").select_option("max")
    widget.get_by_test_id("k-padding").select_option("valid")
    widget.get_by_test_id("k-apply").click()
    expect(widget.get_by_test_id("k-formula")).to_contain_text("valid: (floor((")
    path = tmp_path / "mine.png"
    Image.new("RGB", (64, 48), (10, 200, 30)).save(path)
    widget.get_by_test_id("k-source").select_option("upload")
    widget.get_by_test_id("k-file").set_input_files(str(path))
    widget.get_by_test_id("k-apply").click()
    expect(widget.get_by_test_id("k-formula")).to_contain_text("= 24 × 32")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"this is not a png")
    widget.get_by_test_id("k-file").set_input_files(str(bad))
    widget.get_by_test_id("k-apply").click()
    expect(widget.get_by_test_id("k-error")).to_be_visible()


def test_layer_explainer_reproduces_a_row_of_the_flowers_table(stack, page):
    log_in(page, stack)
    page.goto(f"{stack.base_url}/courses/deep-learning-tf/ch08-image-classification/flowers-model/")
    widget = page.get_by_test_id("layer-explainer")
    expect(widget.get_by_test_id("le-output")).to_contain_text("(None, 180, 180, 16)")
    expect(widget.get_by_test_id("le-output")).to_contain_text("448")
    widget.get_by_test_id("le-input").fill("(90, 90, 16)")
    widget.locator("input[data-arg=filters]").fill("32")
    widget.get_by_test_id("le-go").click()
    expect(widget.get_by_test_id("le-output")).to_contain_text("4,640")
    expect(widget).to_contain_text("(3·3·16 + 1) · 32 = 4640")
    widget.locator("input[data-arg=kernel_size]").fill("500")
    widget.locator("input[data-arg=padding]").fill("valid")
    widget.get_by_test_id("le-go").click()
    expect(widget.get_by_test_id("le-error")).to_contain_text("kernel_size")
