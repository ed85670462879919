/* The labeling workspace (keyboard first). Classification projects: a grid of thumbnails and a
   single-image view; number keys give the focused (or the selected) images a class. Detection
   projects: one image at a time with an SVG overlay of its boxes, drawn, moved, resized,
   relabeled and deleted with the mouse and LabelImg's keys.

   Every write names the version it is based on; a 409 answer is shown and the server's current
   state adopted, never overwritten. Writes to one image (or box) go out one after another, so
   each carries the version the previous one returned. User-provided text goes in as text only. */
(function () {
  "use strict";
  const root = document.getElementById("labeler");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const el = window.dlcEl;
  const { api, errorText, swatch } = window.dlcLabeling;
  const config = JSON.parse($("label-config").textContent);
  const detection = config.kind === "detection";
  const projectBase = `/api/labeling/projects/${config.id}/`;
  const PAGE = 120;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const IMAGE_FIELDS = ["id", "name", "file_url", "thumb_url", "width", "height", "label", "verified", "split", "version", "box_count"];

  const classes = config.classes.slice();
  const classById = new Map(classes.map((c) => [c.id, c]));
  const classByKey = new Map(classes.filter((c) => c.hotkey).map((c) => [c.hotkey, c]));

  const state = {
    images: [], // the loaded part of the filtered list, in order
    index: new Map(), // image id → position in images
    count: 0, // how many images match the filter in all
    focus: 0,
    generation: 0,
    loading: null,
    undo: [],
    review: config.review,
  };

  // --- requests: counted (data-pending), and one after another per image / box ----------------------

  let pending = 0;
  function track(promise) {
    pending += 1;
    root.dataset.pending = String(pending);
    return Promise.resolve(promise).finally(() => {
      pending -= 1;
      root.dataset.pending = String(pending);
    });
  }

  const chains = new Map();
  function queue(keys, task) {
    const before = Promise.all(keys.map((k) => chains.get(k) || Promise.resolve()));
    const run = track(before.then(() => task()));
    const settled = run.catch((err) => { showAlert(String(err && err.message ? err.message : err)); });
    keys.forEach((k) => chains.set(k, settled));
    return settled;
  }

  // --- messages -----------------------------------------------------------------------------------

  function showAlert(text, kind) {
    const box = $("lbl-alert");
    const close = el("button", { type: "button", class: "btn-close", "aria-label": gettext("Close") });
    close.addEventListener("click", () => box.replaceChildren());
    box.replaceChildren(el("div", { class: `alert alert-${kind || "warning"} alert-dismissible small lbl-pre py-2 mb-2` }, [
      el("span", { text, "data-testid": "alert-text" }), close,
    ]));
  }

  let statusTimer = null;
  function status(text) {
    $("lbl-status").textContent = text || "";
    clearTimeout(statusTimer);
    if (text) statusTimer = setTimeout(() => { $("lbl-status").textContent = ""; }, 4000);
  }

  function adopt(image, data) {
    if (!data) return;
    IMAGE_FIELDS.forEach((key) => { if (key in data) image[key] = data[key]; });
    if (Array.isArray(data.boxes)) image.box_count = data.boxes.length;
  }

  function pushUndo(entry) {
    state.undo.push(entry);
    if (state.undo.length > 200) state.undo.shift();
    return entry;
  }

  // A change that was refused (a conflict, an error) did not happen: it is not undone later.
  function dropUndo(entry) {
    const at = entry ? state.undo.lastIndexOf(entry) : -1;
    if (at >= 0) state.undo.splice(at, 1);
  }

  // --- progress and classes --------------------------------------------------------------------------

  let reviewTimer = null;
  function refreshReview(delay) {
    clearTimeout(reviewTimer);
    reviewTimer = setTimeout(async () => {
      const result = await api.get(`${projectBase}review/`);
      if (!result.ok) return;
      state.review = result.data;
      renderProgress();
    }, delay === undefined ? 250 : delay);
  }

  function renderProgress() {
    const review = state.review;
    const line = $("lbl-progress");
    line.textContent = interpolate(gettext("labeled %(n)s of %(total)s"), { n: review.labeled, total: review.images }, true);
    line.dataset.labeled = String(review.labeled);
    line.dataset.total = String(review.images);
    $("lbl-progress-bar").style.width = `${review.images ? Math.round((100 * review.labeled) / review.images) : 0}%`;
    review.classes.forEach((c) => {
      const count = document.querySelector(`#class-chips [data-class-id="${c.id}"] [data-testid="class-count"]`);
      if (count) count.textContent = String(detection ? c.boxes : c.images);
    });
  }

  function renderChips() {
    const chips = $("class-chips");
    if (!classes.length) {
      chips.replaceChildren(el("div", { class: "small text-body-secondary" }, [
        el("span", { text: gettext("This project has no classes yet.") }), document.createTextNode(" "),
        el("a", { href: `/labeling/${config.id}/`, text: gettext("Add classes on the project page.") }),
      ]));
      return;
    }
    chips.replaceChildren(...classes.map((c) => {
      const chip = el("button", { type: "button", class: "btn btn-sm btn-light border lbl-chip", "data-testid": "class-chip", "data-class-id": String(c.id),
        title: c.hotkey ? interpolate(gettext("key %s"), [c.hotkey]) : "" }, [
        el("span", { class: "lbl-hotkey", text: c.hotkey || "·" }), swatch(c.colour),
        el("span", { class: "lbl-class-name", text: c.name }),
        el("span", { class: "badge text-bg-light border ms-auto", "data-testid": "class-count", text: "" }),
      ]);
      chip.addEventListener("click", () => { chip.blur(); detection ? chooseClass(c) : assign(c.id); });
      return chip;
    }));
    if (!detection) {
      const none = el("button", { type: "button", class: "btn btn-sm btn-light border lbl-chip", "data-testid": "class-chip-none" }, [
        el("span", { class: "lbl-hotkey", text: "0" }), el("span", { class: "lbl-class-name text-body-secondary", text: gettext("remove the class") }),
      ]);
      none.addEventListener("click", () => { none.blur(); assign(null); });
      chips.appendChild(none);
    }
  }

  // --- the filtered list, loaded page by page ------------------------------------------------------

  function filters() {
    return { label: $("filter-label").value, split: $("filter-split").value, verified: $("filter-verified").value };
  }

  // Whether an image still matches the filter, as far as this page knows (to page on correctly
  // after labeling images out of an "unlabeled" or class filter).
  function matches(image, f) {
    if (f.label === "none" && (detection ? image.box_count > 0 : image.label != null)) return false;
    if (f.label && f.label !== "none" && !detection && String(image.label) !== f.label) return false;
    if (f.split === "none" && image.split) return false;
    if ((f.split === "train" || f.split === "val") && image.split !== f.split) return false;
    if (f.verified === "yes" && !image.verified) return false;
    if (f.verified === "no" && image.verified) return false;
    return true;
  }

  function loadMore() {
    if (state.loading) return state.loading;
    const generation = state.generation;
    const f = filters();
    const offset = state.images.filter((i) => matches(i, f)).length;
    const params = new URLSearchParams({ ...f, offset: String(offset), limit: String(PAGE) });
    const promise = track((async () => {
      const result = await api.get(`${projectBase}images/?${params}`);
      if (generation !== state.generation) return;
      if (!result.ok) { showAlert(errorText(result)); return; }
      const added = [];
      result.data.results.forEach((image) => {
        if (state.index.has(image.id)) return;
        state.index.set(image.id, state.images.length);
        state.images.push(image);
        added.push(image);
      });
      // The server's count, plus the images shown here that left the filter meanwhile.
      state.count = result.data.count + (state.images.length - added.length - offset);
      afterLoad(added);
    })());
    state.loading = promise;
    promise.finally(() => { if (state.loading === promise) state.loading = null; });
    return promise;
  }

  function reload() {
    state.generation += 1;
    state.images = [];
    state.index = new Map();
    state.count = 0;
    state.focus = 0;
    state.loading = null;
    if (!detection) {
      selected.clear();
      state.anchor = null;
      tiles.clear();
      $("grid").replaceChildren();
    }
    return loadMore();
  }

  function renderCount() {
    const node = $("filter-count");
    node.textContent = interpolate(ngettext("%s image", "%s images", state.count), [state.count]);
    node.dataset.count = String(state.count);
    $("lbl-empty").classList.toggle("d-none", state.count > 0 || state.images.length > 0);
  }

  function afterLoad(added) {
    renderCount();
    if (detection) {
      if (!det.image && state.images.length) showImage(0);
      if (!state.images.length) showNothing();
    } else {
      appendTiles(added);
      $("load-more").classList.toggle("d-none", state.images.length >= state.count || state.view === "single");
      updateSelectionInfo();
      if (state.view === "single") renderSingle();
    }
  }

  function setupFilters() {
    const select = $("filter-label");
    select.appendChild(el("option", { value: "", text: gettext("all images") }));
    select.appendChild(el("option", { value: "none", text: detection ? gettext("images without boxes") : gettext("unlabeled") }));
    classes.forEach((c) => select.appendChild(el("option", { value: String(c.id), text: detection ? interpolate(gettext("with a box of: %s"), [c.name]) : c.name })));
    ["filter-label", "filter-split", "filter-verified"].forEach((id) => $(id).addEventListener("change", (event) => {
      event.target.blur();
      if (detection) det.image = null;
      reload();
    }));
  }

  // --- classification: grid, selection, single view -------------------------------------------------

  const selected = new Set();
  const tiles = new Map();
  state.view = "grid";
  state.anchor = null;

  function autoAdvance() { return $("auto-advance").checked; }

  function appendTiles(images) {
    const grid = $("grid");
    images.forEach((image) => {
      const badge = el("div", { class: "lbl-badge", "data-testid": "tile-badge" });
      const tile = el("div", { class: "lbl-tile", role: "option", "data-testid": "grid-item", "data-image-id": String(image.id), title: image.name }, [
        el("img", { src: image.thumb_url, alt: image.name, loading: "lazy", draggable: "false" }),
        el("div", { class: "lbl-tile-name", text: image.name }),
        badge,
      ]);
      tile.addEventListener("mousedown", (event) => { if (event.shiftKey) event.preventDefault(); });
      tile.addEventListener("click", (event) => tileClick(event, image));
      tile.addEventListener("dblclick", () => openSingle(state.index.get(image.id)));
      tiles.set(image.id, tile);
      grid.appendChild(tile);
      updateTile(image);
    });
  }

  function updateTile(image) {
    const tile = tiles.get(image.id);
    if (!tile) return;
    const c = image.label != null ? classById.get(image.label) : null;
    const focused = state.index.get(image.id) === state.focus;
    const isSelected = selected.has(image.id);
    tile.classList.toggle("focused", focused);
    tile.classList.toggle("selected", isSelected);
    tile.dataset.label = image.label == null ? "" : String(image.label);
    tile.dataset.focused = focused ? "true" : "false";
    tile.dataset.selected = isSelected ? "true" : "false";
    tile.dataset.verified = image.verified ? "true" : "false";
    tile.setAttribute("aria-selected", isSelected ? "true" : "false");
    tile.style.borderColor = c ? c.colour : "";
    const badge = tile.querySelector(".lbl-badge");
    badge.textContent = c ? c.name : image.label != null ? gettext("(deleted class)") : "";
    badge.style.background = c ? c.colour : "";
    let mark = tile.querySelector(".lbl-verified");
    if (image.verified && !mark) tile.appendChild(el("span", { class: "lbl-verified", title: gettext("verified"), text: "✓" }));
    if (!image.verified && mark) mark.remove();
  }

  function updateAllTiles() { state.images.forEach(updateTile); updateSelectionInfo(); }

  function updateSelectionInfo() {
    const node = $("selection-count");
    node.textContent = interpolate(ngettext("%s image selected", "%s images selected", selected.size), [selected.size]);
    node.dataset.count = String(selected.size);
    $("bulk-assign").disabled = selected.size === 0;
  }

  function columns() {
    const template = getComputedStyle($("grid")).gridTemplateColumns || "";
    return Math.max(1, template.split(" ").filter(Boolean).length);
  }

  function setFocus(i) {
    if (!state.images.length) return;
    const next = Math.min(Math.max(i, 0), state.images.length - 1);
    const before = state.images[state.focus];
    state.focus = next;
    if (before) updateTile(before);
    const image = state.images[next];
    updateTile(image);
    if (state.view === "single") renderSingle();
    else if (tiles.get(image.id)) tiles.get(image.id).scrollIntoView({ block: "nearest", inline: "nearest" });
    if (next >= state.images.length - 3 && state.images.length < state.count) loadMore();
  }

  async function moveFocus(delta) {
    const target = state.focus + delta;
    if (target >= state.images.length && state.images.length < state.count) await loadMore();
    if (target >= state.images.length && delta > 0 && state.images.length) status(gettext("This is the last image."));
    setFocus(target);
  }

  function tileClick(event, image) {
    const i = state.index.get(image.id);
    const toggle = event.ctrlKey || event.metaKey;
    if (event.shiftKey && state.anchor != null) {
      if (!toggle) selected.clear();
      const [a, b] = [Math.min(state.anchor, i), Math.max(state.anchor, i)];
      for (let k = a; k <= b; k += 1) selected.add(state.images[k].id);
    } else if (toggle) {
      if (selected.has(image.id)) selected.delete(image.id);
      else selected.add(image.id);
      state.anchor = i;
    } else {
      selected.clear();
      selected.add(image.id);
      state.anchor = i;
    }
    state.focus = i;
    updateAllTiles();
  }

  function toggleSelection() {
    const image = state.images[state.focus];
    if (!image) return;
    if (selected.has(image.id)) selected.delete(image.id);
    else selected.add(image.id);
    state.anchor = state.focus;
    updateTile(image);
    updateSelectionInfo();
  }

  function clearSelection() {
    selected.clear();
    updateAllTiles();
  }

  function imageAnswer(image, result, entry) {
    if (!result.ok) dropUndo(entry);
    if (result.ok) {
      adopt(image, result.data);
    } else if (result.status === 409 && result.data && result.data.current) {
      image.conflicts = (image.conflicts || 0) + 1;
      adopt(image, result.data.current);
      showAlert(result.data.detail || gettext("Someone else changed this image meanwhile."));
    } else {
      showAlert(errorText(result));
      return refetchImage(image);
    }
    refreshView(image);
    return null;
  }

  async function refetchImage(image) {
    const result = await api.get(`/api/labeling/images/${image.id}/`);
    if (result.ok) adopt(image, result.data);
    refreshView(image);
  }

  function refreshView(image) {
    if (detection) { if (det.image === image) renderHeader(); return; }
    updateTile(image);
    if (state.view === "single" && state.images[state.focus] === image) renderSingle();
  }

  function setLabel(image, label, record) {
    const previous = image.label;
    const entry = record ? pushUndo({ type: "label", id: image.id, previous, next: label }) : null;
    image.label = label;
    refreshView(image);
    const conflicts = image.conflicts || 0;
    return queue([`image:${image.id}`], async () => {
      if ((image.conflicts || 0) !== conflicts) { dropUndo(entry); await refetchImage(image); return; } // a conflict was shown meanwhile: do not overwrite
      const result = await api.patch(`/api/labeling/images/${image.id}/`, { version: image.version, label });
      await imageAnswer(image, result, entry);
      refreshReview();
    });
  }

  function bulkAssign(images, label, record) {
    if (!images.length) return Promise.resolve();
    const entry = record ? pushUndo({ type: "bulk", previous: images.map((i) => [i.id, i.label]), next: label }) : null;
    images.forEach((image) => { image.label = label; refreshView(image); });
    return queue(images.map((i) => `image:${i.id}`), async () => {
      const result = await api.post(`${projectBase}images/bulk/`, { images: images.map((i) => i.id), label });
      if (result.ok) {
        images.forEach((image) => { image.version += 1; }); // each changed image's version went up by one
        const c = label != null ? classById.get(label) : null;
        status(c ? interpolate(gettext("%(n)s images now have the class “%(name)s”."), { n: result.data.updated, name: c.name }, true)
          : interpolate(gettext("%s images have no class now."), [result.data.updated]));
      } else {
        dropUndo(entry);
        showAlert(errorText(result));
        await Promise.all(images.map(refetchImage));
      }
      refreshReview();
    });
  }

  function assign(label) {
    if (detection) return;
    if (label != null && !classById.has(label)) return;
    if (selected.size > 1) {
      const images = state.images.filter((i) => selected.has(i.id));
      selected.clear();
      bulkAssign(images, label, true);
      updateAllTiles();
      return;
    }
    const image = state.images[state.focus];
    if (!image) return;
    if (selected.size) { selected.clear(); updateAllTiles(); }
    if (image.label !== label) setLabel(image, label, true);
    if (autoAdvance()) moveFocus(1);
  }

  function toggleVerifiedClassification() {
    const images = selected.size > 1 ? state.images.filter((i) => selected.has(i.id)) : [state.images[state.focus]].filter(Boolean);
    if (!images.length) return;
    const value = !images.every((i) => i.verified);
    if (images.length === 1) {
      const image = images[0];
      image.verified = value;
      refreshView(image);
      queue([`image:${image.id}`], async () => {
        const result = await api.patch(`/api/labeling/images/${image.id}/`, { version: image.version, verified: value });
        await imageAnswer(image, result);
        refreshReview();
      });
      return;
    }
    images.forEach((image) => { image.verified = value; refreshView(image); });
    queue(images.map((i) => `image:${i.id}`), async () => {
      const result = await api.post(`${projectBase}images/bulk/`, { images: images.map((i) => i.id), verified: value });
      if (result.ok) images.forEach((image) => { image.version += 1; });
      else { showAlert(errorText(result)); await Promise.all(images.map(refetchImage)); }
      refreshReview();
    });
  }

  async function imageFor(id) {
    if (state.index.has(id)) return state.images[state.index.get(id)];
    const result = await api.get(`/api/labeling/images/${id}/`);
    if (!result.ok) { showAlert(errorText(result)); return null; }
    const image = {};
    adopt(image, result.data);
    return image;
  }

  async function undoClassification(entry) {
    if (entry.type === "label") {
      const image = await imageFor(entry.id);
      if (!image) return;
      setLabel(image, entry.previous, false);
      if (state.index.has(image.id)) setFocus(state.index.get(image.id));
    } else if (entry.type === "bulk") {
      const groups = new Map();
      for (const [id, label] of entry.previous) {
        const image = await imageFor(id);
        if (!image) continue;
        if (!groups.has(label)) groups.set(label, []);
        groups.get(label).push(image);
      }
      groups.forEach((images, label) => bulkAssign(images, label, false));
    }
    status(gettext("Undone."));
  }

  function openSingle(i) {
    if (!state.images.length) return;
    state.view = "single";
    $("grid").classList.add("d-none");
    $("load-more").classList.add("d-none");
    $("single").classList.remove("d-none");
    $("view-toggle").textContent = gettext("All images (Esc)");
    setFocus(i === undefined ? state.focus : i);
    renderSingle();
  }

  function closeSingle() {
    state.view = "grid";
    $("single").classList.add("d-none");
    $("grid").classList.remove("d-none");
    $("load-more").classList.toggle("d-none", state.images.length >= state.count);
    $("view-toggle").textContent = gettext("Open large (Enter)");
    setFocus(state.focus);
  }

  function renderSingle() {
    const image = state.images[state.focus];
    if (!image) return;
    const c = image.label != null ? classById.get(image.label) : null;
    const picture = $("single-image");
    if (picture.getAttribute("src") !== image.file_url) picture.src = image.file_url;
    picture.classList.toggle("lbl-pixelated", Math.max(image.width, image.height) < 160);
    picture.alt = image.name;
    $("single-name").textContent = image.name;
    $("single-position").textContent = interpolate(gettext("image %(i)s of %(n)s"), { i: state.focus + 1, n: state.count }, true);
    $("single-position").dataset.index = String(state.focus + 1);
    const badge = $("single-label");
    badge.textContent = c ? c.name : gettext("no class");
    badge.style.background = c ? c.colour : "#6c757d";
    badge.dataset.label = image.label == null ? "" : String(image.label);
    $("single-frame").style.borderColor = c ? c.colour : "";
    $("single-verified").textContent = image.verified ? `✓ ${gettext("verified")}` : "";
    const next = state.images[state.focus + 1];
    if (next) (new Image()).src = next.file_url;
  }

  function classificationKey(event) {
    const key = event.key;
    const single = state.view === "single";
    if (/^[1-9]$/.test(key)) {
      const c = classByKey.get(key);
      if (c) assign(c.id);
      else status(interpolate(gettext("No class has the key %s."), [key]));
      return true;
    }
    switch (key) {
      case "0": case "Backspace": case "Delete": assign(null); return true;
      case "ArrowRight": moveFocus(1); return true;
      case "ArrowLeft": moveFocus(-1); return true;
      case "ArrowDown": if (!single) moveFocus(columns()); return true;
      case "ArrowUp": if (!single) moveFocus(-columns()); return true;
      case "Home": setFocus(0); return true;
      case "End": moveFocus(state.count); return true;
      case "Enter": if (!single) openSingle(); return true;
      case "Escape": if (single) closeSingle(); else clearSelection(); return true;
      case " ": toggleSelection(); return true;
      case "v": toggleVerifiedClassification(); return true;
      case "z": undo(); return true;
      default: return false;
    }
  }

  function setupClassification() {
    const bulk = $("bulk-class");
    classes.forEach((c) => bulk.appendChild(el("option", { value: String(c.id), text: c.hotkey ? `${c.hotkey} · ${c.name}` : c.name })));
    bulk.appendChild(el("option", { value: "", text: gettext("— no class —") }));
    bulk.addEventListener("change", () => bulk.blur());
    $("bulk-assign").addEventListener("click", (event) => {
      event.currentTarget.blur();
      const label = bulk.value === "" ? null : Number(bulk.value);
      const images = state.images.filter((i) => selected.has(i.id));
      selected.clear();
      bulkAssign(images, label, true);
      updateAllTiles();
    });
    $("select-none").addEventListener("click", (event) => { event.currentTarget.blur(); clearSelection(); });
    $("load-more").addEventListener("click", (event) => { event.currentTarget.blur(); loadMore(); });
    $("view-toggle").textContent = gettext("Open large (Enter)");
    $("view-toggle").addEventListener("click", (event) => { event.currentTarget.blur(); state.view === "single" ? closeSingle() : openSingle(); });
    $("single-back").addEventListener("click", (event) => { event.currentTarget.blur(); closeSingle(); });
    $("auto-advance").addEventListener("change", (event) => event.target.blur());
    window.addEventListener("resize", () => { if (state.view === "grid") setFocus(state.focus); });
  }

  // --- detection: one image with its boxes ---------------------------------------------------------

  const det = { image: null, boxes: [], selected: null, mode: "idle", drag: null, token: 0, currentClass: classes.length ? classes[0].id : null, natW: 1, natH: 1 };

  function svgEl(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, String(v)));
    return node;
  }

  function showNothing() {
    det.image = null;
    det.boxes = [];
    $("stage-image").removeAttribute("src");
    $("overlay").replaceChildren();
    $("stage-wrap").classList.add("d-none");
    $("det-header").classList.add("d-none");
    renderBoxList();
  }

  async function showImage(i) {
    if (i < 0) { status(gettext("This is the first image.")); return; }
    if (i >= state.images.length && state.images.length < state.count) await loadMore();
    if (i >= state.images.length) { if (state.images.length) status(gettext("This is the last image.")); return; }
    const meta = state.images[i];
    const token = ++det.token;
    state.focus = i;
    const result = await track(api.get(`/api/labeling/images/${meta.id}/`));
    if (token !== det.token) return;
    if (!result.ok) { showAlert(errorText(result)); return; }
    adopt(meta, result.data);
    det.image = meta;
    det.boxes = result.data.boxes;
    det.selected = null;
    det.drag = null;
    $("stage-wrap").classList.remove("d-none");
    $("det-header").classList.remove("d-none");
    const img = $("stage-image");
    img.alt = meta.name;
    if (img.getAttribute("src") !== meta.file_url) {
      img.onload = () => { if (det.image === meta) layout(); };
      img.src = meta.file_url;
    }
    renderHeader();
    renderBoxList();
    layout();
    const next = state.images[i + 1];
    if (next) (new Image()).src = next.file_url;
    if (i >= state.images.length - 3 && state.images.length < state.count) loadMore();
  }

  function layout() {
    if (!det.image) return;
    const img = $("stage-image");
    const natW = (img.complete && img.naturalWidth) || det.image.width;
    const natH = (img.complete && img.naturalHeight) || det.image.height;
    const wrap = $("stage-wrap");
    const availW = Math.max(100, wrap.clientWidth - 16);
    const availH = Math.max(260, window.innerHeight - 230);
    const scale = Math.min(availW / natW, availH / natH, 8);
    const w = Math.max(1, Math.round(natW * scale));
    const h = Math.max(1, Math.round(natH * scale));
    img.style.width = `${w}px`;
    img.style.height = `${h}px`;
    img.classList.toggle("lbl-pixelated", scale >= 3);
    const svg = $("overlay");
    svg.setAttribute("width", String(w));
    svg.setAttribute("height", String(h));
    det.natW = natW;
    det.natH = natH;
    det.displayW = w;
    det.displayH = h;
    renderBoxes();
  }

  function boxById(id) { return det.boxes.find((b) => b.id === id) || null; }
  function area(b) { return (b.x1 - b.x0) * (b.y1 - b.y0); }
  function normal(c) {
    return { x0: Math.min(c.x0, c.x1), y0: Math.min(c.y0, c.y1), x1: Math.max(c.x0, c.x1), y1: Math.max(c.y0, c.y1) };
  }
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
  // Until the server answers, a moved box shows at whole pixels (the server rounds and clips).
  function shownCoords(changes) {
    const shown = { ...changes };
    ["x0", "y0", "x1", "y1"].forEach((k) => { if (k in shown) shown[k] = Math.round(shown[k]); });
    return shown;
  }
  const round2 = (v) => Math.round(v * 100) / 100;

  function renderBoxes() {
    const svg = $("overlay");
    if (!det.image) { svg.replaceChildren(); return; }
    const sx = det.displayW / det.natW;
    const sy = det.displayH / det.natH;
    const nodes = [svgEl("rect", { x: 0, y: 0, width: det.displayW, height: det.displayH, fill: "transparent", "data-testid": "overlay-background" })];
    const drag = det.drag;
    const shown = det.boxes.map((b) => (drag && drag.box && drag.box.id === b.id && drag.moved ? { ...b, ...normal(drag.coords) } : b));
    shown.sort((a, b) => area(b) - area(a)); // big ones first, so the small ones inside stay visible on top
    shown.forEach((b) => {
      const c = classById.get(b.label) || { name: "?", colour: "#6c757d" };
      const x = b.x0 * sx;
      const y = b.y0 * sy;
      const w = (b.x1 - b.x0) * sx;
      const h = (b.y1 - b.y0) * sy;
      const isSelected = det.selected === b.id;
      const group = svgEl("g", { class: `lbl-box${isSelected ? " selected" : ""}`, "data-testid": "box", "data-box-id": b.id, "data-label": b.label,
        "data-selected": isSelected ? "true" : "false" });
      group.appendChild(svgEl("rect", { class: "lbl-box-rect", x, y, width: w, height: h, stroke: c.colour, fill: c.colour }));
      const label = svgEl("text", { class: "lbl-box-label", x: x + 3, y: y >= 16 ? y - 4 : y + 14 });
      label.textContent = c.name;
      group.appendChild(label);
      if (isSelected) {
        [[x, y, "nw"], [x + w, y, "ne"], [x, y + h, "sw"], [x + w, y + h, "se"]].forEach(([hx, hy, corner]) => {
          group.appendChild(svgEl("rect", { class: "lbl-handle", x: hx - 4, y: hy - 4, width: 8, height: 8, "data-corner": corner }));
        });
      }
      nodes.push(group);
    });
    if (drag && drag.kind === "draw" && drag.moved) {
      const n = normal(drag.coords);
      const c = classById.get(det.currentClass);
      nodes.push(svgEl("rect", { class: "lbl-draft", x: n.x0 * sx, y: n.y0 * sy, width: (n.x1 - n.x0) * sx, height: (n.y1 - n.y0) * sy,
        stroke: c ? c.colour : "#212529", "data-testid": "draft" }));
    }
    svg.replaceChildren(...nodes);
  }

  function renderHeader() {
    const image = det.image;
    if (!image) return;
    $("image-name").textContent = image.name;
    $("image-position").textContent = interpolate(gettext("image %(i)s of %(n)s"), { i: state.focus + 1, n: state.count }, true);
    $("image-position").dataset.index = String(state.focus + 1);
    $("image-size").textContent = `${image.width} × ${image.height} px`;
    const button = $("verified-toggle");
    button.dataset.verified = image.verified ? "true" : "false";
    button.className = `btn btn-sm ms-auto ${image.verified ? "btn-success" : "btn-outline-secondary"}`;
    button.textContent = image.verified ? `✓ ${gettext("verified")}` : gettext("not verified (Space)");
  }

  function renderBoxList() {
    const list = $("box-list");
    if (!det.image || !det.boxes.length) {
      list.replaceChildren(el("li", { class: "list-group-item text-body-secondary", text: det.image ? gettext("No boxes yet: press w and drag on the image.") : "" }));
      return;
    }
    list.replaceChildren(...det.boxes.map((b) => {
      const c = classById.get(b.label) || { name: "?", colour: "#6c757d" };
      const remove = el("button", { type: "button", class: "btn btn-sm btn-link text-danger p-0 ms-1", "aria-label": gettext("Delete box"), text: "×" });
      remove.addEventListener("click", (event) => { event.stopPropagation(); remove.blur(); deleteBox(b, true); });
      const item = el("li", { class: `list-group-item d-flex align-items-center gap-2${det.selected === b.id ? " lbl-active" : ""}`, "data-testid": "box-item", "data-box-id": String(b.id) }, [
        swatch(c.colour), el("span", { class: "lbl-class-name", text: c.name }),
        el("span", { class: "ms-auto font-monospace text-body-secondary", text: `${b.x0},${b.y0} – ${b.x1},${b.y1}` }), remove,
      ]);
      item.addEventListener("click", () => select(b.id));
      return item;
    }));
  }

  function renderCurrentClass() {
    const node = $("current-class");
    const c = classById.get(det.currentClass);
    node.dataset.classId = c ? String(c.id) : "";
    node.replaceChildren(...(c ? [swatch(c.colour), el("span", { class: "lbl-class-name", text: c.name }), c.hotkey ? el("span", { class: "lbl-hotkey", text: c.hotkey }) : null].filter(Boolean)
      : [el("span", { class: "text-body-secondary", text: gettext("none") })]));
    document.querySelectorAll("#class-chips [data-class-id]").forEach((chip) => chip.classList.toggle("active", chip.dataset.classId === String(det.currentClass)));
  }

  function setMode(mode) {
    det.mode = mode;
    $("stage").classList.toggle("drawing", mode === "draw");
    $("lbl-mode").textContent = mode === "draw" ? gettext("Drawing: drag on the image (Esc stops)") : "";
    $("lbl-mode").dataset.mode = mode;
    const button = $("draw-button");
    button.classList.toggle("btn-primary", mode === "draw");
    button.classList.toggle("btn-outline-secondary", mode !== "draw");
    button.setAttribute("aria-pressed", mode === "draw" ? "true" : "false");
    button.title = mode === "draw" ? gettext("Drawing: drag on the image (Esc stops)") : gettext("Draw a box (w)");
  }

  function select(id) {
    det.selected = id;
    renderBoxes();
    renderBoxList();
  }

  function chooseClass(c) {
    const box = det.selected != null ? boxById(det.selected) : null;
    if (box) {
      if (box.label !== c.id) updateBox(box, { label: c.id }, true);
      return;
    }
    det.currentClass = c.id;
    renderCurrentClass();
    renderBoxes();
  }

  function imageMeta(imageId) {
    return state.index.has(imageId) ? state.images[state.index.get(imageId)] : null;
  }

  function boxesChanged(imageId, delta) {
    const meta = imageMeta(imageId);
    if (meta) meta.box_count = Math.max(0, (meta.box_count || 0) + delta);
    refreshReview();
  }

  function createBox(imageId, coords, label, record) {
    return queue([`boxes:${imageId}`], async () => {
      const body = { label, x0: round2(coords.x0), y0: round2(coords.y0), x1: round2(coords.x1), y1: round2(coords.y1) };
      const result = await api.post(`/api/labeling/images/${imageId}/boxes/`, body);
      if (!result.ok) { showAlert(errorText(result)); await reloadBoxes(imageId); return null; }
      const box = result.data;
      if (record) pushUndo({ type: "create", boxId: box.id, imageId });
      if (det.image && det.image.id === imageId) {
        det.boxes.push(box);
        det.selected = box.id;
        renderBoxes();
        renderBoxList();
      }
      boxesChanged(imageId, 1);
      return box;
    });
  }

  function boxAnswer(box, result, entry) {
    if (!result.ok) dropUndo(entry);
    if (result.ok) {
      Object.assign(box, result.data);
    } else if (result.status === 409) {
      box.conflicts = (box.conflicts || 0) + 1;
      showAlert((result.data && result.data.detail) || gettext("Someone else changed this box meanwhile."));
      if (result.data && result.data.current) Object.assign(box, result.data.current);
      else {
        det.boxes = det.boxes.filter((b) => b !== box);
        if (det.selected === box.id) det.selected = null;
        boxesChanged(box.image, -1);
      }
    } else {
      showAlert(errorText(result));
      return reloadBoxes(box.image);
    }
    if (det.image && det.image.id === box.image) { renderBoxes(); renderBoxList(); }
    return null;
  }

  async function reloadBoxes(imageId) {
    const result = await api.get(`/api/labeling/images/${imageId}/`);
    if (!result.ok || !det.image || det.image.id !== imageId) return;
    det.boxes = result.data.boxes;
    if (det.selected != null && !boxById(det.selected)) det.selected = null;
    renderBoxes();
    renderBoxList();
  }

  function updateBox(box, changes, record) {
    const before = {};
    Object.keys(changes).forEach((k) => { before[k] = box[k]; });
    const entry = record ? pushUndo({ type: "update", boxId: box.id, imageId: box.image, before }) : null;
    Object.assign(box, shownCoords(changes));
    renderBoxes();
    renderBoxList();
    const conflicts = box.conflicts || 0;
    return queue([`box:${box.id}`], async () => {
      if ((box.conflicts || 0) !== conflicts) { dropUndo(entry); await reloadBoxes(box.image); return; }
      const body = { version: box.version };
      Object.keys(changes).forEach((k) => { body[k] = k === "label" ? changes[k] : round2(changes[k]); });
      const result = await api.patch(`/api/labeling/boxes/${box.id}/`, body);
      await boxAnswer(box, result, entry);
      if (changes.label !== undefined) refreshReview();
    });
  }

  function deleteBox(box, record) {
    const entry = record ? pushUndo({ type: "delete", boxId: box.id, imageId: box.image, box: { label: box.label, x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1 } }) : null;
    det.boxes = det.boxes.filter((b) => b !== box);
    if (det.selected === box.id) det.selected = null;
    renderBoxes();
    renderBoxList();
    return queue([`box:${box.id}`], async () => {
      const result = await api.delete(`/api/labeling/boxes/${box.id}/`);
      if (!result.ok && result.status !== 404) { dropUndo(entry); showAlert(errorText(result)); await reloadBoxes(box.image); return; }
      boxesChanged(box.image, -1);
    });
  }

  // The boxes of an image for an undo: shown ones when it is the current image, else asked for.
  async function boxesOf(imageId) {
    if (det.image && det.image.id === imageId) return det.boxes;
    if (state.index.has(imageId)) {
      await showImage(state.index.get(imageId));
      if (det.image && det.image.id === imageId) return det.boxes;
    }
    const result = await api.get(`/api/labeling/images/${imageId}/`);
    return result.ok ? result.data.boxes : [];
  }

  async function undoDetection(entry) {
    if (entry.type === "create") {
      const box = (await boxesOf(entry.imageId)).find((b) => b.id === entry.boxId);
      if (box) await deleteBox(box, false);
    } else if (entry.type === "update") {
      const box = (await boxesOf(entry.imageId)).find((b) => b.id === entry.boxId);
      if (!box) { showAlert(gettext("That box is not there any more; nothing was undone.")); return; }
      await updateBox(box, entry.before, false);
    } else if (entry.type === "delete") {
      await boxesOf(entry.imageId);
      const box = await createBox(entry.imageId, entry.box, entry.box.label, false);
      if (box) state.undo.forEach((e) => { if (e.boxId === entry.boxId) e.boxId = box.id; });
    }
    status(gettext("Undone."));
  }

  function toggleVerifiedDetection() {
    const image = det.image;
    if (!image) return;
    const value = !image.verified;
    image.verified = value;
    renderHeader();
    const conflicts = image.conflicts || 0;
    queue([`image:${image.id}`], async () => {
      if ((image.conflicts || 0) !== conflicts) return;
      const result = await api.patch(`/api/labeling/images/${image.id}/`, { version: image.version, verified: value });
      await imageAnswer(image, result);
      refreshReview();
    });
  }

  // Pointer: draw on empty image (or anywhere after "w"), select the smallest box under the
  // pointer, move a box by dragging it, resize it by its corner handles.
  function imagePoint(event) {
    const rect = $("overlay").getBoundingClientRect();
    return {
      x: clamp(((event.clientX - rect.left) * det.natW) / rect.width, 0, det.natW),
      y: clamp(((event.clientY - rect.top) * det.natH) / rect.height, 0, det.natH),
    };
  }

  function boxAt(p) {
    let best = null;
    det.boxes.forEach((b) => {
      if (p.x >= b.x0 && p.x <= b.x1 && p.y >= b.y0 && p.y <= b.y1 && (!best || area(b) < area(best))) best = b;
    });
    return best;
  }

  function cornerAt(b, p, tolerance) {
    const corners = { nw: [b.x0, b.y0], ne: [b.x1, b.y0], sw: [b.x0, b.y1], se: [b.x1, b.y1] };
    return Object.keys(corners).find((k) => Math.abs(corners[k][0] - p.x) <= tolerance && Math.abs(corners[k][1] - p.y) <= tolerance) || null;
  }

  function pointerDown(event) {
    if (event.button !== 0 || !det.image) return;
    event.preventDefault();
    const p = imagePoint(event);
    const perDisplayPixel = det.natW / det.displayW;
    let drag = null;
    if (det.mode !== "draw") {
      const current = det.selected != null ? boxById(det.selected) : null;
      const corner = current && cornerAt(current, p, 7 * perDisplayPixel);
      if (corner) {
        drag = { kind: "resize", box: current, corner, start: p, coords: { x0: current.x0, y0: current.y0, x1: current.x1, y1: current.y1 } };
      } else {
        const hit = boxAt(p);
        if (hit) {
          det.selected = hit.id;
          drag = { kind: "move", box: hit, start: p, coords: { x0: hit.x0, y0: hit.y0, x1: hit.x1, y1: hit.y1 } };
          renderBoxList();
        }
      }
    }
    if (!drag) {
      if (!classById.has(det.currentClass)) { showAlert(gettext("Add a class on the project page before drawing boxes.")); return; }
      det.selected = null;
      drag = { kind: "draw", start: p, coords: { x0: p.x, y0: p.y, x1: p.x, y1: p.y } };
      renderBoxList();
    }
    drag.moved = false;
    drag.pointer = event.pointerId;
    det.drag = drag;
    $("overlay").setPointerCapture(event.pointerId);
    renderBoxes();
  }

  function pointerMove(event) {
    const drag = det.drag;
    if (!drag || event.pointerId !== drag.pointer) return;
    const p = imagePoint(event);
    const perDisplayPixel = det.natW / det.displayW;
    if (!drag.moved && Math.hypot(p.x - drag.start.x, p.y - drag.start.y) / perDisplayPixel < 3) return;
    drag.moved = true;
    if (drag.kind === "draw") {
      drag.coords = { x0: drag.start.x, y0: drag.start.y, x1: p.x, y1: p.y };
    } else if (drag.kind === "move") {
      const b = drag.box;
      const dx = clamp(p.x - drag.start.x, -b.x0, det.natW - b.x1);
      const dy = clamp(p.y - drag.start.y, -b.y0, det.natH - b.y1);
      drag.coords = { x0: b.x0 + dx, y0: b.y0 + dy, x1: b.x1 + dx, y1: b.y1 + dy };
    } else {
      const b = drag.box;
      const c = { x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 };
      if (drag.corner.includes("w")) c.x0 = p.x; else c.x1 = p.x;
      if (drag.corner.includes("n")) c.y0 = p.y; else c.y1 = p.y;
      drag.coords = c;
    }
    renderBoxes();
  }

  function pointerUp(event) {
    const drag = det.drag;
    if (!drag || event.pointerId !== drag.pointer) return;
    det.drag = null;
    const n = normal(drag.coords);
    const perDisplayPixel = det.natW / det.displayW;
    if (drag.kind === "draw") {
      if (drag.moved && (n.x1 - n.x0) / perDisplayPixel >= 3 && (n.y1 - n.y0) / perDisplayPixel >= 3) {
        setMode("idle");
        createBox(det.image.id, n, det.currentClass, true);
      }
    } else if (drag.moved && (n.x1 - n.x0) >= 1 && (n.y1 - n.y0) >= 1) {
      updateBox(drag.box, n, true);
    }
    renderBoxes();
    renderBoxList();
  }

  function cancelDrag() {
    if (!det.drag) return false;
    det.drag = null;
    renderBoxes();
    return true;
  }

  function detectionKey(event) {
    const key = event.key;
    if (/^[1-9]$/.test(key)) {
      const c = classByKey.get(key);
      if (c) chooseClass(c);
      else status(interpolate(gettext("No class has the key %s."), [key]));
      return true;
    }
    switch (key) {
      case "w": case "W": setMode(det.mode === "draw" ? "idle" : "draw"); return true;
      case "d": case "D": case "ArrowRight": if (!det.drag) showImage(state.focus + 1); return true;
      case "a": case "A": case "ArrowLeft": if (!det.drag) showImage(state.focus - 1); return true;
      case "Delete": case "Backspace": {
        const box = det.selected != null ? boxById(det.selected) : null;
        if (box && !det.drag) deleteBox(box, true);
        return true;
      }
      case " ": toggleVerifiedDetection(); return true;
      case "Escape":
        if (cancelDrag()) return true;
        if (det.mode === "draw") setMode("idle");
        else select(null);
        return true;
      case "z": undo(); return true;
      default: return false;
    }
  }

  function setupDetection() {
    const svg = $("overlay");
    svg.addEventListener("pointerdown", pointerDown);
    svg.addEventListener("pointermove", pointerMove);
    svg.addEventListener("pointerup", pointerUp);
    svg.addEventListener("pointercancel", () => cancelDrag());
    $("draw-button").addEventListener("click", (event) => { event.currentTarget.blur(); setMode(det.mode === "draw" ? "idle" : "draw"); });
    $("prev-button").addEventListener("click", (event) => { event.currentTarget.blur(); showImage(state.focus - 1); });
    $("next-button").addEventListener("click", (event) => { event.currentTarget.blur(); showImage(state.focus + 1); });
    $("verified-toggle").addEventListener("click", (event) => { event.currentTarget.blur(); toggleVerifiedDetection(); });
    let pendingFrame = 0;
    window.addEventListener("resize", () => {
      cancelAnimationFrame(pendingFrame);
      pendingFrame = requestAnimationFrame(layout);
    });
    setMode("idle");
    renderCurrentClass();
  }

  // --- keys ---------------------------------------------------------------------------------------------

  let undoing = Promise.resolve();
  function undo() {
    const entry = state.undo.pop();
    if (!entry) { status(gettext("Nothing to undo.")); return; }
    undoing = undoing.then(() => (detection ? undoDetection(entry) : undoClassification(entry))).catch((err) => showAlert(String(err)));
  }

  function typing(target) {
    if (!target || target === document.body) return false;
    if (target.isContentEditable) return true;
    const tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && !["checkbox", "radio", "button", "submit", "range", "color"].includes(target.type);
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.isComposing) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && (event.key === "z" || event.key === "Z") && !event.shiftKey) {
      event.preventDefault();
      undo();
      return;
    }
    if (ctrl && (event.key === "a" || event.key === "A") && !detection) {
      event.preventDefault();
      state.images.forEach((i) => selected.add(i.id));
      updateAllTiles();
      return;
    }
    if (ctrl) return; // leave the browser's own shortcuts alone
    const onControl = event.target && ["BUTTON", "SUMMARY", "A"].includes(event.target.tagName);
    if (onControl && event.key === "Enter") return; // Enter still presses a focused button or link
    if (event.target && event.target.tagName === "INPUT" && event.key === " ") event.target.blur(); // Space labels, not ticks
    const handled = detection ? detectionKey(event) : classificationKey(event);
    if (handled) {
      event.preventDefault();
      if (onControl) event.target.blur();
    }
  });

  // --- start ----------------------------------------------------------------------------------------

  renderChips();
  renderProgress();
  setupFilters();
  if (detection) setupDetection();
  else setupClassification();
  if (!classes.length) showAlert(gettext("This project has no classes yet: add them on the project page first."), "info");
  reload();
})();
