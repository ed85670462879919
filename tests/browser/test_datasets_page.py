"""A learner imports a class-folder archive on the Data sets page, follows its progress, and
then finds it among the flowers lab's data sets; a hostile archive is refused with its reason."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_lab_flow import log_in
from tests.datasets.archives import class_folder_entries, zip_bytes, zip_with_symlink

pytestmark = pytest.mark.browser


def test_learner_imports_a_class_folder_zip_and_trains_the_flowers_model_on_it(stack, page, tmp_path):
    archive = tmp_path / "my-flowers.zip"
    archive.write_bytes(zip_bytes(class_folder_entries(per_class=6)))
    log_in(page, stack)
    page.goto(f"{stack.base_url}/datasets/")
    page.select_option("#import-kind", "image_folder")
    page.fill("#import-title", "my flowers")
    page.get_by_test_id("import-file").set_input_files(str(archive))
    page.click("#import-submit")
    # The page reloads when the import has succeeded and the new set is in the table.
    row = page.get_by_test_id("dataset-table").locator("tr", has_text="my flowers")
    expect(row).to_be_visible(timeout=90_000)
    slug = row.get_attribute("data-slug")
    expect(row).to_contain_text(re.compile("mine|我的"))

    page.goto(f"{stack.base_url}/courses/deep-learning-tf/labs/flowers-cnn/")
    expect(page.locator("#dataset option").filter(has_text="my flowers")).to_have_count(1)
    page.select_option("#dataset", slug)
    expect(page.get_by_test_id("totals")).to_contain_text(re.compile(r"\d"))
    page.fill("#input-shape", "32, 32, 3")
    page.locator("#input-shape").dispatch_event("change")
    page.fill("#epochs", "1")
    page.fill("#batch_size", "4")
    expect(page.get_by_test_id("submit-run")).to_be_enabled(timeout=10_000)
    page.get_by_test_id("submit-run").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded", timeout=180_000)
    expect(page.get_by_test_id("confusion-matrix").locator("tbody tr")).to_have_count(2, timeout=20_000)


def test_an_archive_with_a_link_is_refused_on_the_page_with_the_reason(stack, page, tmp_path):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(zip_with_symlink("cats/link.png", "/etc/passwd"))
    log_in(page, stack, "learner2")
    page.goto(f"{stack.base_url}/datasets/")
    page.select_option("#import-kind", "image_folder")
    page.fill("#import-title", "evil")
    page.get_by_test_id("import-file").set_input_files(str(archive))
    page.click("#import-submit")
    job = page.get_by_test_id("import-jobs").locator("li", has_text="evil")
    expect(job).to_have_attribute("data-status", "failed", timeout=60_000)
    expect(job).to_contain_text(re.compile("link|链接"))
    expect(page.get_by_test_id("dataset-table").locator("tr", has_text="evil")).to_have_count(0)
