"""After training, the run page shows what the model learned and answers questions, in real
headless Chromium: confusion matrix, validation samples, weight templates, a prediction for an
uploaded image, feature maps; and a fixed-model lab (linear regression) shows w and b."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_lab_flow import log_in

pytestmark = pytest.mark.browser


def test_learner_trains_softmax_regression_then_sees_the_insight_and_predicts_an_uploaded_image(stack, page, tmp_path):
    log_in(page, stack)
    page.goto(f"{stack.base_url}/courses/deep-learning-tf/labs/softmax-digits/")
    page.fill("#epochs", "2")
    page.click("#submit-run")
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=180_000)
    matrix = page.get_by_test_id("confusion-matrix")
    expect(matrix.locator("tbody tr")).to_have_count(10, timeout=20_000)
    expect(page.get_by_test_id("val-samples").locator("img")).to_have_count(16)
    expect(page.get_by_test_id("weight-templates").locator("img")).to_have_count(10)
    expect(page.get_by_test_id("weight-histograms")).to_be_visible()
    expect(page.get_by_test_id("downloads")).to_contain_text("model.keras")
    expect(page.locator("#target-best")).not_to_have_text("—")
    expect(page.get_by_test_id("shuffle-verdict")).to_contain_text(re.compile("顺序|order"))

    image = tmp_path / "seven.png"
    Image.new("L", (64, 64), 0).save(image)
    page.get_by_test_id("predict-file").set_input_files(str(image))
    page.get_by_test_id("predict-button").click()
    expect(page.get_by_test_id("predicted-class")).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("predict-result").locator(".progress")).to_have_count(10)

    bad = tmp_path / "bad.png"
    bad.write_bytes(b"this is not an image")
    page.get_by_test_id("predict-file").set_input_files(str(bad))
    page.get_by_test_id("predict-button").click()
    expect(page.get_by_test_id("predict-result").get_by_role("alert")).to_contain_text(re.compile("不是.*图片|not an image"))


def test_fixed_model_lab_shows_its_code_and_the_learned_w_and_b(stack, page):
    log_in(page, stack)
    page.goto(f"{stack.base_url}/courses/deep-learning-tf/labs/linear-regression/")
    expect(page.get_by_test_id("model-code")).to_contain_text("GradientTape")
    expect(page.get_by_test_id("model-builder")).to_have_count(0)
    page.fill("#epochs", "3")
    page.click("#submit-run")
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=180_000)
    expect(page.locator("#second-chart-title")).to_have_text("w / b")
    expect(page.get_by_test_id("learned-wb")).to_contain_text(re.compile(r"w = 0\.\d+\s+b = \d\.\d+"), timeout=20_000)
