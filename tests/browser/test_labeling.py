"""Labeling in real headless Chromium, against the real platform (Daphne + Celery worker): a
project made on the list page, keyboard labeling with auto-advance and undo, bulk labeling by
selection, drawing / selecting / moving / resizing / relabeling / deleting boxes with the mouse,
uploads with a broken file, class names that look like HTML, and an export downloaded as a zip.

Projects are made in the stack's own database (``manage.py shell`` with the factories) and what
the pages saved is read back from that database file."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import zipfile
from contextlib import closing

import pytest
from playwright.sync_api import expect

from tests.browser.test_lab_flow import log_in
from tests.factories import png_bytes

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"


def orm(stack, code: str):
    """Run ``code`` with Django set up on the stack's database; it sets ``result`` (JSON-able)."""
    out = stack.manage("shell", "-c", f"import json\n{code}\nprint('RESULT=' + json.dumps(result))")
    line = [line for line in out.splitlines() if line.startswith("RESULT=")][-1]
    return json.loads(line[len("RESULT="):])


def make_project(stack, *, kind="classification", classes=("cat", "dog"), images=6, size=(40, 30), title="Pets",
                 labels=None, names=None, owner="learner") -> dict:
    """A project with classes and images; ``labels`` gives image i the class with index labels[i]."""
    return orm(stack, f"""
from accounts.models import User
from tests.factories import LabelProjectFactory, label_class_make, label_image_make
owner = User.objects.get(username={owner!r})
project = LabelProjectFactory(owner=owner, title={title!r}, kind={kind!r})
classes = [label_class_make(project, name) for name in {list(classes)!r}]
labels = {labels!r} or [None] * {images}
names = {names!r} or [None] * {images}
images = [label_image_make(project, size={tuple(size)!r}, label=None if labels[i] is None else classes[labels[i]], name=names[i]).pk
          for i in range({images})]
result = {{"project": project.pk, "classes": [c.pk for c in classes], "images": images}}
""")


def query(stack, sql: str, *params):
    with closing(sqlite3.connect(stack.data_root / "db.sqlite3", timeout=30)) as connection:
        return connection.execute(sql, params).fetchall()


def image_labels(stack, ids) -> dict:
    rows = query(stack, f"SELECT id, label_id FROM labeling_labelimage WHERE id IN ({','.join('?' * len(ids))})", *ids)
    return dict(rows)


def boxes_of(stack, image_id) -> list[tuple]:
    return query(stack, "SELECT id, label_id, x0, y0, x1, y1 FROM labeling_labelbox WHERE image_id = ? ORDER BY id", image_id)


def eventually(read, check, timeout: float = 10.0):
    """Poll ``read()`` until ``check(value)`` holds (the page's request has reached the database)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if check(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {timeout} s")
        time.sleep(0.1)


def settled(page):
    expect(page.get_by_test_id("labeler")).to_have_attribute("data-pending", "0", timeout=10_000)


def near(actual, expected, tolerance=2):
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def no_dialogs(page) -> list:
    dialogs: list[str] = []

    def seen(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    return dialogs


def test_a_learner_creates_a_project_on_the_list_page_and_manages_its_classes(stack, page):
    dialogs = no_dialogs(page)
    log_in(page, stack)
    page.goto(f"{stack.base_url}/labeling/")
    page.click("#create-submit")
    expect(page.get_by_test_id("create-errors")).to_be_visible()  # no title: said, nothing sent
    page.get_by_test_id("create-title").fill("Fruit & <veg>")
    page.get_by_test_id("create-kind").select_option("classification")
    page.get_by_test_id("create-classes").fill("apple, pear\nplum")
    page.click("#create-submit")
    expect(page).to_have_url(re.compile(r"/labeling/\d+/$"))
    expect(page.get_by_test_id("project-title")).to_have_text("Fruit & <veg>")
    rows = page.get_by_test_id("class-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1).get_by_test_id("class-name")).to_have_value("pear")
    expect(rows.nth(1).get_by_test_id("class-hotkey")).to_have_value("2")

    # Rename and re-key a class; add one; a name the server refuses is explained.
    rows.nth(2).get_by_test_id("class-name").fill("plums")
    rows.nth(2).get_by_test_id("class-hotkey").select_option("9")
    rows.nth(2).get_by_test_id("class-save").click()
    expect(page.get_by_test_id("class-alert")).to_contain_text("plums")
    page.get_by_test_id("class-add-name").fill("a/b")
    page.get_by_test_id("class-add-name").press("Enter")
    expect(page.get_by_test_id("class-alert")).to_contain_text("/")
    expect(rows).to_have_count(3)
    project_id = int(re.search(r"/labeling/(\d+)/$", page.url).group(1))
    assert query(stack, "SELECT name, hotkey FROM labeling_labelclass WHERE project_id = ? ORDER BY position", project_id) == [
        ("apple", "1"), ("pear", "2"), ("plums", "9")]

    # "Train on this" without labeled images is refused with the reason.
    page.get_by_test_id("train-button").click()
    expect(page.get_by_test_id("train-message")).to_have_class(re.compile("alert-danger"))
    expect(page.get_by_test_id("train-message")).not_to_be_empty()

    # A class in use is only deleted after "delete anyway".
    orm(stack, f"""
from labeling.models import LabelProject
from tests.factories import label_image_make
project = LabelProject.objects.get(pk={project_id})
label_image_make(project, label=project.classes.get(name="apple"))
result = 1
""")
    page.reload()
    rows.nth(0).get_by_test_id("class-delete").click()
    expect(page.get_by_test_id("class-alert")).to_contain_text("apple")
    page.get_by_test_id("class-delete-force").click()
    expect(rows).to_have_count(2)
    assert query(stack, "SELECT label_id FROM labeling_labelimage WHERE project_id = ?", project_id) == [(None,)]

    page.goto(f"{stack.base_url}/labeling/")
    row = page.get_by_test_id("project-row").filter(has_text="Fruit & <veg>")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("1")
    assert not dialogs


def test_keyboard_labeling_auto_advances_undoes_and_filters(stack, page):
    made = make_project(stack, images=6, title="Keyboard")
    cat, dog = made["classes"]
    ids = made["images"]
    log_in(page, stack)
    page.goto(f"{stack.base_url}/labeling/{made['project']}/label/")
    items = page.get_by_test_id("grid-item")
    expect(items).to_have_count(6)
    expect(items.nth(0)).to_have_attribute("data-focused", "true")
    expect(page.get_by_test_id("help")).to_contain_text("Ctrl")

    page.keyboard.press("1")
    eventually(lambda: image_labels(stack, ids)[ids[0]], lambda v: v == cat)
    expect(items.nth(0)).to_have_attribute("data-label", str(cat))
    expect(items.nth(0).get_by_test_id("tile-badge")).to_have_text("cat")
    expect(items.nth(1)).to_have_attribute("data-focused", "true")

    page.keyboard.press("2")
    eventually(lambda: image_labels(stack, ids)[ids[1]], lambda v: v == dog)
    expect(items.nth(1).get_by_test_id("tile-badge")).to_have_text("dog")
    expect(items.nth(2)).to_have_attribute("data-focused", "true")

    page.keyboard.press("ArrowRight")
    expect(items.nth(3)).to_have_attribute("data-focused", "true")
    page.keyboard.press("1")
    eventually(lambda: image_labels(stack, ids)[ids[3]], lambda v: v == cat)
    expect(items.nth(4)).to_have_attribute("data-focused", "true")

    page.keyboard.press("Control+z")
    eventually(lambda: image_labels(stack, ids)[ids[3]], lambda v: v is None)
    expect(items.nth(3)).to_have_attribute("data-label", "")
    expect(items.nth(3).get_by_test_id("tile-badge")).to_have_text("")
    expect(items.nth(3)).to_have_attribute("data-focused", "true")
    settled(page)
    assert image_labels(stack, ids) == {ids[0]: cat, ids[1]: dog, ids[2]: None, ids[3]: None, ids[4]: None, ids[5]: None}
    expect(page.get_by_test_id("progress-line")).to_have_attribute("data-labeled", "2")
    expect(page.get_by_test_id("progress-line")).to_have_attribute("data-total", "6")

    # Unlabel with 0; the single view: Enter opens, a key labels and moves on, Esc goes back.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(items.nth(0)).to_have_attribute("data-focused", "true")
    page.get_by_test_id("auto-advance").uncheck()
    page.keyboard.press("0")
    eventually(lambda: image_labels(stack, ids)[ids[0]], lambda v: v is None)
    expect(items.nth(0)).to_have_attribute("data-focused", "true")  # auto-advance is off
    page.get_by_test_id("auto-advance").check()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("single-view")).to_be_visible()
    expect(page.get_by_test_id("single-position")).to_have_attribute("data-index", "1")
    page.keyboard.press("2")
    eventually(lambda: image_labels(stack, ids)[ids[0]], lambda v: v == dog)
    expect(page.get_by_test_id("single-position")).to_have_attribute("data-index", "2")
    expect(page.get_by_test_id("single-label")).to_have_text("dog")  # image 2 was labeled dog before
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("grid")).to_be_visible()
    expect(items.nth(1)).to_have_attribute("data-focused", "true")
    settled(page)

    page.get_by_test_id("filter-label").select_option("none")
    expect(items).to_have_count(4)
    expect(page.get_by_test_id("filter-count")).to_have_attribute("data-count", "4")
    page.get_by_test_id("filter-label").select_option(str(dog))
    expect(items).to_have_count(2)
    page.get_by_test_id("filter-label").select_option("")
    expect(items).to_have_count(6)
    expect(page.get_by_test_id("alert")).to_be_empty()


def test_bulk_labeling_of_images_selected_with_clicks(stack, page):
    made = make_project(stack, images=6, title="Bulk")
    cat, dog = made["classes"]
    ids = made["images"]
    log_in(page, stack)
    page.goto(f"{stack.base_url}/labeling/{made['project']}/label/")
    items = page.get_by_test_id("grid-item")
    expect(items).to_have_count(6)

    items.nth(0).click()
    items.nth(2).click(modifiers=["Shift"])
    items.nth(4).click(modifiers=["Control"])
    expect(page.get_by_test_id("selection-count")).to_have_attribute("data-count", "4")
    expect(items.nth(1)).to_have_attribute("data-selected", "true")
    expect(items.nth(3)).to_have_attribute("data-selected", "false")
    page.keyboard.press("2")
    eventually(lambda: image_labels(stack, ids), lambda v: v == {ids[0]: dog, ids[1]: dog, ids[2]: dog, ids[3]: None, ids[4]: dog, ids[5]: None})
    expect(page.get_by_test_id("selection-count")).to_have_attribute("data-count", "0")
    for i in (0, 1, 2, 4):
        expect(items.nth(i).get_by_test_id("tile-badge")).to_have_text("dog")

    # Undo gives each image its class back; then the dropdown and button, and Space to select.
    page.keyboard.press("z")
    eventually(lambda: image_labels(stack, ids), lambda v: set(v.values()) == {None})
    items.nth(3).click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("selection-count")).to_have_attribute("data-count", "2")
    page.get_by_test_id("bulk-class").select_option(str(cat))
    page.get_by_test_id("bulk-assign").click()
    eventually(lambda: image_labels(stack, ids), lambda v: v[ids[3]] == cat and v[ids[4]] == cat and v[ids[0]] is None)
    settled(page)
    # The versions kept after a bulk change are right: a single change afterwards is no conflict.
    items.nth(3).click()
    page.keyboard.press("2")
    eventually(lambda: image_labels(stack, ids)[ids[3]], lambda v: v == dog)
    settled(page)
    expect(page.get_by_test_id("alert")).to_be_empty()

    # Up and down move by the grid's column count.
    page.set_viewport_size({"width": 760, "height": 1000})
    page.keyboard.press("Home")
    expect(items.nth(0)).to_have_attribute("data-focused", "true")
    columns = page.evaluate("getComputedStyle(document.getElementById('grid')).gridTemplateColumns.split(' ').length")
    assert 1 < columns < 6
    page.keyboard.press("ArrowDown")
    expect(items.nth(columns)).to_have_attribute("data-focused", "true")
    page.keyboard.press("ArrowUp")
    expect(items.nth(0)).to_have_attribute("data-focused", "true")


def test_a_conflicting_change_is_shown_and_not_overwritten(stack, page):
    made = make_project(stack, images=2, title="Race")
    cat, dog = made["classes"]
    ids = made["images"]
    log_in(page, stack)
    page.goto(f"{stack.base_url}/labeling/{made['project']}/label/")
    expect(page.get_by_test_id("grid-item")).to_have_count(2)
    # Someone else labels the first image meanwhile.
    orm(stack, f"""
from accounts.models import User
from labeling.models import LabelImage
from labeling.services import image_update
image = LabelImage.objects.get(pk={ids[0]})
image_update(image, user=User.objects.get(username="learner2"), version=image.version, label={dog})
result = 1
""")
    page.keyboard.press("1")
    expect(page.get_by_test_id("alert")).to_contain_text("learner2")
    settled(page)
    assert image_labels(stack, ids)[ids[0]] == dog
    expect(page.get_by_test_id("grid-item").nth(0).get_by_test_id("tile-badge")).to_have_text("dog")


def test_boxes_are_drawn_selected_moved_resized_relabeled_and_deleted_with_mouse_and_keys(stack, page):
    made = make_project(stack, kind="detection", classes=("car", "person"), images=2, size=(200, 100), title="Street")
    car, person = made["classes"]
    image = made["images"][0]
    log_in(page, stack)
    page.goto(f"{stack.base_url}/labeling/{made['project']}/label/")
    overlay = page.get_by_test_id("overlay")
    expect(overlay).to_be_visible()
    expect(page.get_by_test_id("current-class")).to_have_attribute("data-class-id", str(car))
    page.wait_for_function("document.getElementById('stage-image').complete && document.getElementById('stage-image').naturalWidth === 200")
    frame = overlay.bounding_box()
    scale = frame["width"] / 200
    assert abs(frame["height"] / 100 - scale) < 0.02
    assert scale > 1.5, "the 200×100 image is shown larger than its pixels"

    def at(x, y):  # image pixels → page position (measured each time: nothing may have moved, but be sure)
        frame = overlay.bounding_box()
        return frame["x"] + x * frame["width"] / 200, frame["y"] + y * frame["height"] / 100

    def drag(start, end):
        page.mouse.move(*at(*start))
        page.mouse.down()
        page.mouse.move(*at((start[0] + end[0]) / 2, (start[1] + end[1]) / 2), steps=4)
        page.mouse.move(*at(*end), steps=4)
        page.mouse.up()

    # Draw on the empty image: a box of the current class, stored in image pixels.
    drag((20, 10), (120, 80))
    boxes = page.get_by_test_id("box")
    expect(boxes).to_have_count(1)
    rows = eventually(lambda: boxes_of(stack, image), lambda v: len(v) == 1)
    box_id, label, *coords = rows[0]
    assert label == car and near(coords, (20, 10, 120, 80)), coords
    expect(page.get_by_test_id("box-list")).to_contain_text("car")

    # Select it with a click and relabel it with "2".
    page.keyboard.press("Escape")
    expect(boxes.first).to_have_attribute("data-selected", "false")
    page.mouse.click(*at(60, 40))
    expect(boxes.first).to_have_attribute("data-selected", "true")
    page.keyboard.press("2")
    eventually(lambda: boxes_of(stack, image)[0][1], lambda v: v == person)
    expect(boxes.first).to_have_attribute("data-label", str(person))
    expect(overlay.locator("text")).to_have_text("person")

    # Drag it 30 px right and 10 px down; then drag its bottom-right corner.
    drag((60, 40), (90, 50))
    eventually(lambda: boxes_of(stack, image)[0][2:], lambda v: near(v, (50, 20, 150, 90)))
    current = boxes_of(stack, image)[0][2:]
    drag((current[2], current[3]), (180, 95))
    eventually(lambda: boxes_of(stack, image)[0][2:], lambda v: near(v, (current[0], current[1], 180, 95)))
    assert boxes_of(stack, image)[0][0] == box_id

    # Undo the resize, then delete the box.
    page.keyboard.press("Control+z")
    eventually(lambda: boxes_of(stack, image)[0][2:], lambda v: tuple(v) == tuple(current))
    settled(page)
    page.keyboard.press("Delete")
    eventually(lambda: boxes_of(stack, image), lambda v: v == [])
    expect(boxes).to_have_count(0)

    # A big box, and (after "w") a small one inside it; clicks select the one under the pointer.
    page.keyboard.press("1")
    expect(page.get_by_test_id("current-class")).to_have_attribute("data-class-id", str(car))
    drag((10, 5), (190, 95))
    eventually(lambda: boxes_of(stack, image), lambda v: len(v) == 1)
    settled(page)
    page.keyboard.press("w")
    drag((40, 30), (80, 60))
    rows = eventually(lambda: boxes_of(stack, image), lambda v: len(v) == 2)
    big, small = rows[0][0], rows[1][0]
    assert near(rows[0][2:], (10, 5, 190, 95)) and near(rows[1][2:], (40, 30, 80, 60)), rows
    settled(page)
    page.keyboard.press("Escape")
    page.mouse.click(*at(20, 15))
    expect(overlay.locator(f"[data-box-id='{big}']")).to_have_attribute("data-selected", "true")
    page.mouse.click(*at(60, 45))
    expect(overlay.locator(f"[data-box-id='{small}']")).to_have_attribute("data-selected", "true")
    expect(overlay.locator(f"[data-box-id='{big}']")).to_have_attribute("data-selected", "false")
    page.keyboard.press("Backspace")
    eventually(lambda: [r[0] for r in boxes_of(stack, image)], lambda v: v == [big])
    page.keyboard.press("z")  # undoing the deletion draws the small box again
    rows = eventually(lambda: boxes_of(stack, image), lambda v: len(v) == 2)
    assert near(rows[1][2:], (40, 30, 80, 60))
    settled(page)

    # Space marks the image verified; d goes to the next image, a back.
    page.keyboard.press("Space")
    eventually(lambda: query(stack, "SELECT verified FROM labeling_labelimage WHERE id = ?", image)[0][0], lambda v: v == 1)
    expect(page.get_by_test_id("verified")).to_have_attribute("data-verified", "true")
    page.keyboard.press("d")
    expect(page.get_by_test_id("image-position")).to_have_attribute("data-index", "2")
    expect(boxes).to_have_count(0)
    page.keyboard.press("a")
    expect(boxes).to_have_count(2)
    expect(page.get_by_test_id("progress-line")).to_have_attribute("data-labeled", "1")
    expect(page.get_by_test_id("alert")).to_be_empty()


def test_upload_adds_the_good_files_and_names_the_broken_one_with_its_reason(stack, page, tmp_path):
    made = make_project(stack, images=0, title="Uploads")
    files = []
    for name, data in (("red.png", png_bytes((30, 20), (220, 20, 20))), ("broken.png", b"this is not an image at all"),
                       ("blue.png", png_bytes((24, 24), (20, 20, 220)))):
        path = tmp_path / name
        path.write_bytes(data)
        files.append(str(path))
    log_in(page, stack)
    page.goto(f"{stack.base_url}/labeling/{made['project']}/")
    expect(page.get_by_test_id("storage")).not_to_be_empty()
    page.get_by_test_id("upload-input").set_input_files(files)
    expect(page.get_by_test_id("uploaded-thumb")).to_have_count(2)
    errors = page.get_by_test_id("upload-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text(re.compile(r"broken\.png: .+"))
    expect(page.get_by_test_id("upload-progress")).to_contain_text("3")
    expect(page.get_by_test_id("review-images")).to_have_text("2")
    expect(page.get_by_test_id("review-unlabeled")).to_have_text("2")
    assert sorted(r[0] for r in query(stack, "SELECT original_name FROM labeling_labelimage WHERE project_id = ?", made["project"])) == [
        "blue.png", "red.png"]

    # Files dropped on the drop zone go the same way.
    page.evaluate("""async () => {
        const transfer = new DataTransfer();
        for (const [name, colour] of [["drop-a.png", "#00aa00"], ["drop-b.png", "#aa00aa"]]) {
            const canvas = Object.assign(document.createElement("canvas"), { width: 16, height: 12 });
            const context = canvas.getContext("2d");
            context.fillStyle = colour;
            context.fillRect(0, 0, 16, 12);
            const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
            transfer.items.add(new File([blob], name, { type: "image/png" }));
        }
        const zone = document.querySelector("[data-testid=drop-zone]");
        zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }""")
    expect(page.get_by_test_id("uploaded-thumb")).to_have_count(2)
    expect(page.get_by_test_id("upload-error")).to_have_count(0)
    expect(page.get_by_test_id("review-images")).to_have_text("4")


def test_class_names_and_file_names_that_look_like_html_show_as_text(stack, page):
    made = make_project(stack, classes=(HOSTILE, "dog"), images=2, title="<b>bold</b><script>alert(2)</script>",
                        names=["<svg onload=alert(3)>.png", "plain.png"])
    dialogs = no_dialogs(page)
    log_in(page, stack)
    page.goto(f"{stack.base_url}/labeling/{made['project']}/")
    expect(page.get_by_test_id("project-title")).to_have_text("<b>bold</b><script>alert(2)</script>")
    expect(page.get_by_test_id("class-row").first.get_by_test_id("class-name")).to_have_value(HOSTILE)
    expect(page.get_by_test_id("review")).to_contain_text(HOSTILE)

    page.get_by_test_id("label-link").click()
    expect(page.get_by_test_id("class-chips")).to_contain_text(HOSTILE)
    items = page.get_by_test_id("grid-item")
    expect(items).to_have_count(2)
    page.keyboard.press("1")
    expect(items.nth(0).get_by_test_id("tile-badge")).to_have_text(HOSTILE)
    expect(items.nth(0)).to_contain_text("<svg onload=alert(3)>.png")
    settled(page)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("single-label")).to_have_text(HOSTILE)
    expect(page.get_by_test_id("single-name")).to_have_text("<svg onload=alert(3)>.png")
    assert page.locator("img[src='x'], svg[onload], h1 b").count() == 0
    page.wait_for_timeout(300)
    assert not dialogs, dialogs


def test_export_is_followed_to_a_download_link_and_the_zip_holds_the_images(stack, page):
    made = make_project(stack, images=4, labels=[0, 0, 1, 1], title="Exported")
    log_in(page, stack)
    page.goto(f"{stack.base_url}/labeling/{made['project']}/")
    page.get_by_test_id("export-button").first.click()
    link = page.get_by_test_id("download-link").first
    expect(link).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("job").first).to_have_attribute("data-status", "succeeded")
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith((".png", ".jpg"))]
        assert len(names) == 4, archive.namelist()
        assert sum("cat/" in n for n in names) == 2 and sum("dog/" in n for n in names) == 2
        for name in names:
            assert archive.read(name)[:8] == b"\x89PNG\r\n\x1a\n"

    # The split, and the earlier job listed after a reload.
    page.fill("#split-seed", "7")
    page.fill("#split-fraction", "0.5")
    page.locator("#split-form button[type=submit]").click()
    expect(page.get_by_test_id("split-summary")).to_contain_text("2")
    assert sorted(r[0] for r in query(stack, "SELECT split FROM labeling_labelimage WHERE project_id = ?", made["project"])) == [
        "train", "train", "val", "val"]
    page.reload()
    expect(page.get_by_test_id("job")).to_have_count(1)
    expect(page.get_by_test_id("download-link")).to_have_count(1)

    # The archive imported into an empty project: followed to the end, with its message.
    other = make_project(stack, images=0, classes=(), title="Imported")
    page.goto(f"{stack.base_url}/labeling/{other['project']}/")
    page.get_by_test_id("import-file").set_input_files(str(path))
    expect(page.get_by_test_id("import-format")).to_have_value("auto")
    page.click("#import-submit")
    job = page.get_by_test_id("import-job")
    expect(job).to_have_attribute("data-status", "succeeded", timeout=60_000)
    expect(job).to_contain_text("4")
    expect(page.get_by_test_id("review-images")).to_have_text("4")
    expect(page.get_by_test_id("review-labeled")).to_have_text("4")
    expect(page.get_by_test_id("class-row")).to_have_count(2)


def test_a_long_list_loads_page_by_page_and_v_marks_images_verified(stack, page):
    made = make_project(stack, images=125, size=(8, 8), title="Many")
    ids = made["images"]
    log_in(page, stack)
    page.goto(f"{stack.base_url}/labeling/{made['project']}/label/")
    items = page.get_by_test_id("grid-item")
    expect(items).to_have_count(120)
    expect(page.get_by_test_id("filter-count")).to_have_attribute("data-count", "125")
    page.keyboard.press("v")
    eventually(lambda: query(stack, "SELECT verified FROM labeling_labelimage WHERE id = ?", ids[0])[0][0], lambda v: v == 1)
    expect(items.nth(0)).to_have_attribute("data-verified", "true")
    page.keyboard.press("End")  # going to the end loads the rest
    expect(items).to_have_count(125)
    expect(items.nth(124)).to_have_attribute("data-focused", "true")
    expect(page.get_by_test_id("load-more")).to_be_hidden()
    page.keyboard.press("1")
    eventually(lambda: image_labels(stack, [ids[124]])[ids[124]], lambda v: v == made["classes"][0])
    settled(page)
