/* Labeling: shared helpers (window.dlcLabeling, also used by the workspace in labeler.js), the
   project list's "new project" form and the project page (classes, upload, import, review,
   split, export, train, share). Every user-provided string goes in as text, never as HTML. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = window.dlcEl;
  const FINAL = ["succeeded", "failed"];

  // --- shared helpers ---------------------------------------------------------------------------

  const api = window.dlcApi;

  // A readable message from an API error: its detail, and the field errors of a refused form.
  function errorText(result) {
    const data = (result && result.data) || {};
    const parts = [];
    if (data.detail) parts.push(String(data.detail));
    if (data.errors && !Array.isArray(data.errors) && typeof data.errors === "object") {
      Object.entries(data.errors).forEach(([field, messages]) => {
        const text = [].concat(messages).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
        parts.push(field === "non_field_errors" ? text : `${field}: ${text}`);
      });
    }
    if (!parts.length) parts.push(interpolate(gettext("The request failed (HTTP %s)."), [result ? result.status : "?"]));
    return parts.join("\n");
  }

  function bytes(n) {
    const value = Number(n) || 0;
    if (value >= 1024 * 1024 * 1024) return `${(value / 1024 ** 3).toFixed(1)} GiB`;
    if (value >= 1024 * 1024) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
    if (value >= 1024) return `${Math.round(value / 1024)} KiB`;
    return `${value} B`;
  }

  function swatch(colour) {
    const node = el("span", { class: "lbl-swatch", "aria-hidden": "true" });
    if (/^#[0-9a-fA-F]{6}$/.test(colour || "")) node.style.background = colour;
    return node;
  }

  function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

  // Follow a job until it has finished; onUpdate(job) after every answer.
  async function pollJob(job, onUpdate, onError) {
    let current = job;
    let failures = 0;
    while (!FINAL.includes(current.status)) {
      await sleep(1000);
      const result = await api.get(current.url);
      if (!result.ok) {
        failures += 1;
        if (failures >= 5 || result.status === 404) { if (onError) onError(errorText(result)); return current; }
        continue;
      }
      failures = 0;
      current = result.data;
      onUpdate(current);
    }
    return current;
  }

  const FORMAT_NAMES = {
    auto: gettext("Recognise the layout"),
    images: gettext("Images only (no labels)"),
    class_folders: gettext("One folder per class"),
    voc: gettext("PASCAL VOC XML"),
    coco: gettext("COCO JSON"),
  };
  const STATUS_NAMES = { queued: gettext("Queued"), running: gettext("In progress"), succeeded: gettext("Done"), failed: gettext("Failed") };

  window.dlcLabeling = { api, errorText, bytes, swatch, sleep, pollJob, FORMAT_NAMES, STATUS_NAMES };

  // --- the project list: new project form ---------------------------------------------------------

  function listPage() {
    const form = $("label-create-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const box = $("create-errors");
      box.classList.add("d-none");
      const title = $("create-title").value.trim();
      if (!title) {
        box.textContent = gettext("Give the project a title.");
        box.classList.remove("d-none");
        $("create-title").focus();
        return;
      }
      const classes = $("create-classes").value.split(/[\n,，、;；]/).map((s) => s.trim()).filter(Boolean);
      $("create-submit").disabled = true;
      const result = await api.post("/api/labeling/projects/", { title, kind: $("create-kind").value, classes });
      if (result.ok) { window.location.href = result.data.url; return; }
      $("create-submit").disabled = false;
      box.textContent = errorText(result);
      box.classList.remove("d-none");
    });
  }

  // --- the project page ---------------------------------------------------------------------------

  function projectPage() {
    let config = JSON.parse($("label-config").textContent);
    const courses = JSON.parse($("courses-taught").textContent) || [];
    const base = `/api/labeling/projects/${config.id}/`;
    const detection = config.kind === "detection";

    function say(node, text, kind) {
      node.className = `small ${kind === "error" ? "text-danger" : kind === "ok" ? "text-success" : "text-body-secondary"} lbl-pre`;
      node.textContent = text || "";
    }

    // Review: counts per class, unlabeled, verified, splits.
    function renderReview(review) {
      const root = $("review");
      const stat = (label, value, testid) => el("div", { class: "col" }, [
        el("div", { class: "fs-4 fw-semibold", text: String(value), "data-testid": testid }),
        el("div", { class: "small text-body-secondary", text: label }),
      ]);
      const stats = el("div", { class: "row row-cols-3 row-cols-md-6 g-2 text-center mb-3" }, [
        stat(gettext("images"), review.images, "review-images"),
        stat(gettext("labeled"), review.labeled, "review-labeled"),
        stat(gettext("unlabeled"), review.unlabeled, "review-unlabeled"),
        stat(gettext("verified"), review.verified, "review-verified"),
        detection ? stat(gettext("boxes"), review.boxes, "review-boxes") : null,
        stat(gettext("on disk"), bytes(review.size_bytes), "review-size"),
      ]);
      const head = detection
        ? [gettext("Class"), gettext("Key"), gettext("Boxes")]
        : [gettext("Class"), gettext("Key"), gettext("Images"), gettext("Training"), gettext("Validation")];
      const rows = review.classes.map((c) => el("tr", { "data-testid": "review-class", "data-class-id": String(c.id) }, [
        el("td", {}, [swatch(c.colour), el("span", { class: "ms-2 lbl-class-name", text: c.name })]),
        el("td", {}, [c.hotkey ? el("span", { class: "lbl-hotkey", text: c.hotkey }) : null]),
        ...(detection ? [el("td", { class: "text-end", text: String(c.boxes), "data-testid": "review-class-boxes" })]
          : [el("td", { class: "text-end", text: String(c.images), "data-testid": "review-class-images" }),
            el("td", { class: "text-end", text: String(c.train) }), el("td", { class: "text-end", text: String(c.val) })]),
      ]));
      const table = el("table", { class: "table table-sm align-middle mb-0" }, [
        el("thead", {}, [el("tr", {}, head.map((h, i) => el("th", { class: i >= 2 ? "text-end" : "", text: h })))]),
        el("tbody", {}, rows.length ? rows : [el("tr", {}, [el("td", { colspan: String(head.length), class: "text-body-secondary", text: gettext("No classes yet.") })])]),
      ]);
      root.replaceChildren(stats, el("div", { class: "table-responsive" }, [table]));
      say($("split-summary"), interpolate(gettext("Training: %(train)s · validation: %(val)s · not assigned: %(none)s"), review.splits, true));
      if ($("split-seed") && document.activeElement !== $("split-seed")) $("split-seed").value = review.split_seed;
      if ($("split-fraction") && document.activeElement !== $("split-fraction")) $("split-fraction").value = review.validation_fraction;
    }

    function renderStorage(storage) {
      const limits = config.limits;
      $("storage").textContent = interpolate(gettext("your labeling storage: %(used)s of %(limit)s used"),
        { used: bytes(storage.used), limit: bytes(storage.limit) }, true);
      $("upload-limits").textContent = interpolate(gettext("PNG, JPEG, BMP or GIF; at most %(size)s per image. For many files, an archive import is quicker."),
        { size: bytes(limits.max_image_bytes) }, true);
    }

    async function refreshProject() {
      const result = await api.get(base);
      if (!result.ok) return;
      const classesBefore = JSON.stringify(config.classes);
      config = result.data;
      renderReview(config.review);
      renderStorage(config.storage);
      // Re-drawn only when they changed, so a class being edited keeps what was typed.
      if (JSON.stringify(config.classes) !== classesBefore) renderClasses();
    }

    // Classes: rename, recolour, re-key, delete (with "delete anyway" for a class in use).
    function hotkeySelect(value) {
      const select = el("select", { class: "form-select form-select-sm", "aria-label": gettext("Key"), "data-testid": "class-hotkey" },
        [el("option", { value: "", text: "—" }), ..."123456789".split("").map((k) => el("option", { value: k, text: k }))]);
      select.value = value || "";
      return select;
    }

    function renderClasses() {
      const body = $("class-rows");
      if (!config.classes.length) {
        body.replaceChildren(el("tr", {}, [el("td", { colspan: "4", class: "text-body-secondary", text: gettext("No classes yet.") })]));
        return;
      }
      body.replaceChildren(...config.classes.map((c) => {
        if (!config.can_manage) {
          return el("tr", { "data-testid": "class-row", "data-class-id": String(c.id) }, [
            el("td", {}, [el("span", { class: "lbl-class-name", text: c.name, "data-testid": "class-name" })]),
            el("td", {}, [swatch(c.colour)]),
            el("td", {}, [c.hotkey ? el("span", { class: "lbl-hotkey", text: c.hotkey }) : el("span", { text: "—" })]),
            el("td"),
          ]);
        }
        const name = el("input", { class: "form-control form-control-sm", maxlength: "100", "aria-label": gettext("Class name"), "data-testid": "class-name" });
        name.value = c.name;
        const colour = el("input", { type: "color", class: "form-control form-control-sm form-control-color", "aria-label": gettext("Colour"), "data-testid": "class-colour" });
        colour.value = c.colour;
        const hotkey = hotkeySelect(c.hotkey);
        const save = el("button", { type: "button", class: "btn btn-sm btn-outline-primary", text: gettext("Save"), "data-testid": "class-save" });
        const remove = el("button", { type: "button", class: "btn btn-sm btn-outline-danger ms-1", text: gettext("Delete"), "data-testid": "class-delete" });
        save.addEventListener("click", async () => {
          const result = await api.patch(`${base}classes/${c.id}/`, { name: name.value, colour: colour.value, hotkey: hotkey.value });
          if (!result.ok) { say($("class-alert"), errorText(result), "error"); return; }
          say($("class-alert"), interpolate(gettext("Saved “%s”."), [result.data.name]), "ok");
          await refreshProject();
        });
        remove.addEventListener("click", () => deleteClass(c, false));
        return el("tr", { "data-testid": "class-row", "data-class-id": String(c.id) }, [
          el("td", {}, [name]), el("td", {}, [colour]), el("td", { style: "width: 5.5rem" }, [hotkey]),
          el("td", { class: "text-end text-nowrap" }, [save, remove]),
        ]);
      }));
    }

    async function deleteClass(c, force) {
      const alert = $("class-alert");
      const result = await api.delete(`${base}classes/${c.id}/${force ? "?force=1" : ""}`);
      if (result.ok) {
        say(alert, interpolate(gettext("Deleted “%s”."), [c.name]), "ok");
        await refreshProject();
        return;
      }
      if (result.status === 409 && !force) {
        const anyway = el("button", { type: "button", class: "btn btn-sm btn-danger ms-2", text: gettext("Delete anyway"), "data-testid": "class-delete-force" });
        anyway.addEventListener("click", () => deleteClass(c, true));
        const keep = el("button", { type: "button", class: "btn btn-sm btn-link", text: gettext("Keep it") });
        keep.addEventListener("click", () => alert.replaceChildren());
        alert.className = "alert alert-warning small py-2";
        alert.replaceChildren(el("span", { class: "lbl-pre", text: errorText(result) }), anyway, keep);
        return;
      }
      say(alert, errorText(result), "error");
    }

    $("class-add-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = $("class-add-name");
      if (!input.value.trim()) { input.focus(); return; }
      const result = await api.post(`${base}classes/`, { name: input.value });
      if (!result.ok) { say($("class-alert"), errorText(result), "error"); return; }
      input.value = "";
      say($("class-alert"), interpolate(gettext("Added “%s”."), [result.data.name]), "ok");
      await refreshProject();
    });

    // Upload: many files, sent in batches; progress and the files that were refused, by name.
    const BATCH = Math.max(1, Math.min(20, config.limits.max_files_per_upload || 20));
    let uploading = false;

    function uploadError(name, detail) {
      $("upload-errors").appendChild(el("li", { "data-testid": "upload-error" }, [
        el("strong", { text: name }), el("span", { text: ": " }), el("span", { text: detail }),
      ]));
    }

    async function uploadFiles(fileList) {
      const files = Array.from(fileList || []);
      if (!files.length || uploading) return;
      uploading = true;
      $("upload-errors").replaceChildren();
      $("upload-thumbs").replaceChildren();
      $("upload-status").classList.remove("d-none");
      let done = 0;
      let added = 0;
      const total = files.length;
      const progress = () => {
        $("upload-progress-text").textContent = interpolate(gettext("%(done)s of %(total)s files sent"), { done, total }, true);
        $("upload-added").textContent = interpolate(gettext("%s added"), [added]);
        $("upload-bar").style.width = `${Math.round((100 * done) / total)}%`;
      };
      progress();
      const limit = config.limits.max_image_bytes;
      const acceptable = files.filter((f) => {
        if (f.size > limit) {
          uploadError(f.name, interpolate(gettext("%(size)s is more than the %(limit)s an image may have."), { size: bytes(f.size), limit: bytes(limit) }, true));
          done += 1;
          return false;
        }
        return true;
      });
      progress();
      for (let i = 0; i < acceptable.length; i += BATCH) {
        const batch = acceptable.slice(i, i + BATCH);
        const form = new FormData();
        batch.forEach((f) => form.append("files", f, f.name));
        const result = await api.post(`${base}images/`, form);
        const data = result.data || {};
        (data.created || []).forEach((image) => {
          $("upload-thumbs").appendChild(el("img", { src: image.thumb_url, alt: image.name, title: image.name, "data-testid": "uploaded-thumb", "data-image-id": String(image.id) }));
        });
        added += (data.created || []).length;
        const errors = Array.isArray(data.errors) ? data.errors : [];
        errors.forEach((e) => uploadError(e.name, e.detail));
        if (!result.ok && !errors.length) batch.forEach((f) => uploadError(f.name, errorText(result)));
        done += batch.length;
        progress();
      }
      $("upload-bar").classList.add(added ? "bg-success" : "bg-danger");
      uploading = false;
      $("upload-input").value = "";
      await refreshProject();
    }

    const zone = $("drop-zone");
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("dragover");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.remove("dragover");
    }));
    zone.addEventListener("drop", (event) => uploadFiles(event.dataTransfer && event.dataTransfer.files));
    $("upload-input").addEventListener("change", (event) => uploadFiles(event.target.files));

    // Jobs (exports and imports): a list that follows the unfinished ones.
    const following = new Set();

    function jobItem(job) {
      const failed = job.status === "failed";
      const done = FINAL.includes(job.status);
      const what = job.direction === "export"
        ? interpolate(gettext("Export · %s"), [FORMAT_NAMES[job.format] || job.format])
        : interpolate(gettext("Import · %s"), [job.source_filename || FORMAT_NAMES[job.format] || job.format]);
      return el("li", { class: "mb-3", "data-testid": "job", "data-job-id": String(job.id), "data-status": job.status, "data-direction": job.direction }, [
        el("div", { class: "d-flex justify-content-between gap-2" }, [
          el("span", { class: "fw-semibold lbl-class-name", text: what }),
          el("span", { class: `badge status-badge status-${job.status} align-self-start`, text: STATUS_NAMES[job.status] || job.status }),
        ]),
        done ? null : el("div", { class: "progress my-1", role: "progressbar", "aria-valuenow": String(Math.round(100 * job.progress)) },
          [el("div", { class: "progress-bar progress-bar-striped progress-bar-animated", style: `width: ${Math.max(5, Math.round(100 * job.progress))}%` })]),
        job.download_url ? el("a", { class: "btn btn-sm btn-success mt-1", href: job.download_url, download: "", "data-testid": "download-link", text: interpolate(gettext("Download (%s)"), [bytes(job.file_bytes)]) }) : null,
        job.message ? el("div", { class: `lbl-pre mt-1 ${failed ? "text-danger" : "text-body-secondary"}`, text: job.message }) : null,
      ]);
    }

    function showJob(job) {
      const list = $("job-list");
      const old = list.querySelector(`li[data-job-id="${job.id}"]`);
      const item = jobItem(job);
      if (old) old.replaceWith(item);
      else list.prepend(item);
      const empty = list.querySelector("[data-empty]");
      if (empty) empty.remove();
    }

    async function follow(job, onDone) {
      showJob(job);
      if (FINAL.includes(job.status) || following.has(job.id)) return job;
      following.add(job.id);
      const last = await pollJob(job, showJob, (message) => say($("export-message"), message, "error"));
      following.delete(job.id);
      if (onDone) onDone(last);
      return last;
    }

    async function loadJobs() {
      const result = await api.get(`${base}jobs/`);
      if (!result.ok) return;
      const list = $("job-list");
      list.replaceChildren();
      if (!result.data.length) list.appendChild(el("li", { class: "text-body-secondary", "data-empty": "1", text: gettext("None yet.") }));
      result.data.slice(0, 10).reverse().forEach(showJob);
      result.data.filter((j) => !FINAL.includes(j.status)).forEach((j) => follow(j, () => j.direction === "import" && refreshProject()));
    }

    config.export_formats.forEach((format) => {
      const button = el("button", { type: "button", class: "btn btn-outline-primary btn-sm", "data-testid": "export-button", "data-format": format,
        text: interpolate(gettext("Export: %s"), [FORMAT_NAMES[format] || format]) });
      button.addEventListener("click", async () => {
        say($("export-message"), "");
        button.disabled = true;
        const result = await api.post(`${base}exports/`, { format });
        button.disabled = false;
        if (!result.ok) { say($("export-message"), errorText(result), "error"); return; }
        follow(result.data, () => refreshProject());
      });
      $("export-buttons").appendChild(button);
    });

    // Import an archive.
    const formatSelect = $("import-format");
    config.import_formats.forEach((format) => formatSelect.appendChild(el("option", { value: format, text: FORMAT_NAMES[format] || format })));
    formatSelect.value = "auto";
    $("import-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = $("import-status");
      const file = $("import-file").files[0];
      if (!file) { say(status, gettext("Choose an archive to import."), "error"); return; }
      const form = new FormData();
      form.append("file", file, file.name);
      form.append("format", formatSelect.value);
      $("import-submit").disabled = true;
      say(status, gettext("Uploading…"));
      const result = await api.post(`${base}imports/`, form);
      $("import-submit").disabled = false;
      if (!result.ok) { say(status, errorText(result), "error"); return; }
      $("import-file").value = "";
      const render = (job) => {
        const item = jobItem(job);
        item.setAttribute("data-testid", "import-job");
        status.className = "mt-2 small";
        status.replaceChildren(el("ul", { class: "list-unstyled mb-0" }, [item]));
      };
      render(result.data);
      showJob(result.data);
      const last = await pollJob(result.data, (job) => { render(job); showJob(job); }, (message) => say(status, message, "error"));
      render(last);
      await refreshProject();
    });

    // Split.
    if ($("split-form")) {
      $("split-form").addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = {};
        const seed = $("split-seed").value.trim();
        const fraction = $("split-fraction").value.trim();
        if (seed !== "") body.seed = Number(seed);
        if (fraction !== "") body.validation_fraction = Number(fraction);
        const result = await api.post(`${base}split/`, body);
        if (!result.ok) { say($("split-message"), errorText(result), "error"); return; }
        config.review = result.data;
        renderReview(result.data);
        say($("split-message"), gettext("The split was assigned."), "ok");
      });
    }

    // Train on this.
    $("train-button").addEventListener("click", async () => {
      const box = $("train-message");
      const button = $("train-button");
      button.disabled = true;
      box.className = "alert alert-info small lbl-pre";
      box.textContent = gettext("Making a data set from the labeled images…");
      const result = await api.post(`${base}train/`);
      button.disabled = false;
      if (!result.ok) {
        box.className = "alert alert-danger small lbl-pre";
        box.textContent = errorText(result);
        return;
      }
      if (result.data.lab_url) { window.location.href = result.data.lab_url; return; }
      box.className = "alert alert-warning small lbl-pre";
      box.textContent = interpolate(gettext("The data set %(dataset)s (%(n)s images) is ready, but no lab that trains on it was found. Choose it in a lab's data-set list."),
        { dataset: result.data.dataset, n: result.data.num_items }, true);
    });

    // Share to a course.
    if ($("share-form")) {
      const select = $("share-course");
      select.appendChild(el("option", { value: "", text: gettext("Not shared") }));
      courses.forEach((c) => select.appendChild(el("option", { value: c.slug, text: c.title })));
      if (config.course && !courses.some((c) => c.slug === config.course)) select.appendChild(el("option", { value: config.course, text: config.course }));
      select.value = config.course || "";
      $("share-form").addEventListener("submit", async (event) => {
        event.preventDefault();
        const result = await api.post(`${base}share/`, { course: select.value });
        if (!result.ok) { say($("share-message"), errorText(result), "error"); return; }
        config.course = result.data.course;
        const chosen = courses.find((c) => c.slug === result.data.course);
        $("project-course").textContent = result.data.course
          ? interpolate(gettext("shared to %s"), [chosen ? chosen.title : result.data.course]) : gettext("not shared");
        say($("share-message"), result.data.course ? gettext("Shared.") : gettext("No longer shared."), "ok");
      });
    }

    // Delete the project (a second click confirms; no browser dialog).
    if ($("project-delete")) {
      $("project-delete").addEventListener("click", () => $("project-delete-confirm").classList.remove("d-none"));
      $("project-delete-no").addEventListener("click", () => $("project-delete-confirm").classList.add("d-none"));
      $("project-delete-yes").addEventListener("click", async () => {
        const result = await api.delete(base);
        if (result.ok) { window.location.href = "/labeling/"; return; }
        $("project-delete-message").textContent = errorText(result);
      });
    }

    $("review-refresh").addEventListener("click", refreshProject);
    renderReview(config.review);
    renderStorage(config.storage);
    renderClasses();
    loadJobs();
    // Someone may be labeling in another tab or in the course: keep the numbers fresh.
    window.addEventListener("focus", refreshProject);
  }

  if ($("label-create-form")) listPage();
  if ($("label-project")) projectPage();
})();
