"""A learner's path in real headless Chromium: log in, course, lesson, lab, model builder,
submit, watch the run train live."""

import re

import pytest
from playwright.sync_api import expect

from tests.stack import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, stack, username="learner"):
    page.goto(f"{stack.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_learner_opens_the_lab_edits_the_model_trains_and_watches_it_live(stack, page):
    log_in(page, stack)
    page.get_by_role("link", name="课程").first.click()
    page.get_by_role("link", name="深度学习与 TensorFlow").click()
    expect(page.get_by_test_id("chapter-list")).to_contain_text("图像分类项目")
    page.get_by_role("button", name=re.compile("图像分类项目")).click()
    page.locator("#ch-ch08-image-classification a").nth(2).click()
    expect(page.get_by_test_id("lesson-body")).to_be_visible()
    page.get_by_test_id("open-lab").first.click()

    # The builder is prefilled with the flowers model, with shapes and counts from the calculator.
    rows = page.get_by_test_id("layer-row")
    expect(rows).to_have_count(14)
    expect(page.get_by_test_id("layer-shape").nth(4)).to_have_text("(None, 180, 180, 16)")
    expect(page.get_by_test_id("layer-params").nth(4)).to_have_text("448")
    expect(page.get_by_test_id("keras-code")).to_contain_text('layers.Conv2D(16, 3, padding="same", activation="relu")')

    # Pick the mini data set: the output layer follows its class count.
    page.get_by_test_id("dataset").select_option("shapes-mini")
    expect(page.get_by_test_id("layer-params").nth(13)).to_have_text("387")  # (128 + 1) · 3

    # A broken edit is explained, naming the layer; then fixed.
    page.locator("#arg-4-kernel_size").fill("500")
    page.locator("#arg-4-kernel_size").dispatch_event("change")
    expect(page.get_by_test_id("spec-errors")).to_contain_text("Conv2D")
    expect(page.get_by_test_id("submit-run")).to_be_disabled()
    page.locator("#arg-4-kernel_size").fill("3")
    page.locator("#arg-4-kernel_size").dispatch_event("change")
    expect(page.get_by_test_id("spec-errors")).to_be_empty()

    # Shrink the input so the run is CI-sized.
    page.get_by_test_id("input-shape").fill("32,32,3")
    page.get_by_test_id("input-shape").dispatch_event("change")
    expect(page.get_by_test_id("layer-shape").nth(4)).to_have_text("(None, 32, 32, 16)")
    page.get_by_test_id("remove-layer").nth(2).click()  # drop RandomZoom
    expect(rows).to_have_count(13)
    # Add a layer (it goes in before the output layer) and move it up one place.
    page.locator("#add-type").select_option("Dropout")
    page.get_by_test_id("add-layer").click()
    expect(rows).to_have_count(14)
    expect(rows.nth(12)).to_contain_text("Dropout")
    rows.nth(12).get_by_role("button", name="上移").click()
    expect(rows.nth(11)).to_contain_text("Dropout")
    expect(rows.nth(12)).to_contain_text("Dense")
    expect(page.get_by_test_id("spec-errors")).to_be_empty()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=keras-code]').textContent.includes('layers.Dropout(0.2),\\n    layers.Dense(128')"
    )
    page.fill("#epochs", "2")
    page.fill("#batch_size", "16")
    page.get_by_test_id("submit-run").click()

    # The run page: live progress, curves, final status.
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    status = page.get_by_test_id("run-status")
    expect(status).to_have_attribute("data-status", re.compile("queued|running|succeeded"))
    expect(page.get_by_test_id("connection")).to_have_text(re.compile("实时|live|^$"), timeout=20_000)
    expect(status).to_have_attribute("data-status", "succeeded", timeout=120_000)
    expect(page.get_by_test_id("epoch-rows").locator("tr")).to_have_count(2)
    points = page.evaluate("Chart.getChart('loss-chart').data.datasets.map(d => d.data.length)")
    assert points == [2, 2]
    width = page.evaluate("document.querySelector('[data-testid=progress-bar]').style.width")
    assert width == "100%"
    expect(page.get_by_test_id("final-metrics")).to_contain_text("val_accuracy")
    expect(page.get_by_test_id("model-summary")).to_contain_text("Total params")

    # Reloading shows the history again.
    page.reload()
    expect(page.get_by_test_id("epoch-rows").locator("tr")).to_have_count(2)


def test_progress_bar_moves_during_an_epoch(stack, page):
    log_in(page, stack)
    page.goto(f"{stack.base_url}/courses/deep-learning-tf/labs/flowers-cnn/")
    page.get_by_test_id("dataset").select_option("shapes-mini")
    page.get_by_test_id("input-shape").fill("64,64,3")
    page.get_by_test_id("input-shape").dispatch_event("change")
    expect(page.get_by_test_id("spec-errors")).to_be_empty()
    expect(page.get_by_test_id("submit-run")).to_be_enabled()
    page.fill("#epochs", "3")
    page.fill("#batch_size", "2")
    page.get_by_test_id("submit-run").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    expect(page.get_by_test_id("epoch-label")).to_contain_text("第", timeout=60_000)
    page.wait_for_function(
        "() => { const w = parseFloat(document.querySelector('[data-testid=progress-bar]').style.width); return w > 0 && w < 100; }",
        timeout=60_000,
    )
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("cancel-run").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "cancelled", timeout=30_000)
