/* Grading pages: grade forms (override + reason + Markdown feedback, sent with the version they
   were based on; a 409 shows who changed the grade and its current values), the item page
   (settings, release, grading any learner in a dialog), the grading queue, the policy and
   enrolment page, and the learner's "join a course" form. Every user-typed text goes into the
   page with textContent; only the server-sanitized feedback_html is ever inserted as HTML. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = window.dlcEl;

  const patch = (url, body) => window.dlcApi.patch(url, body);

  /* A DRF answer's message: {"detail": …} or {"field": ["…"], …}. */
  function errorText(data, fallback) {
    if (!data) return fallback;
    if (typeof data.detail === "string") return data.detail;
    const parts = Object.entries(data).map(([field, value]) => {
      const text = Array.isArray(value) ? value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(" ") : typeof value === "string" ? value : JSON.stringify(value);
      return field === "non_field_errors" ? text : `${field}: ${text}`;
    });
    return parts.join(" ") || fallback;
  }

  function points(value) {
    return typeof value === "number" ? String(Math.round(value * 100) / 100) : "";
  }

  function say(node, text, kind) {
    if (!node) return;
    node.textContent = text || "";
    node.classList.remove("text-success", "text-danger", "text-body-secondary");
    if (kind) node.classList.add(`text-${kind}`);
  }

  // --- a grade's summary (run panel, item table row, dialog) ---------------------------------------
  function renderGrade(container, grade) {
    if (!container || !grade) return;
    const empty = container.dataset.empty || "";
    container.querySelectorAll("[data-field]").forEach((node) => {
      const value = grade[node.dataset.field];
      if (value === undefined) return;
      if (typeof value === "number" && node.dataset.field !== "late_days") node.textContent = points(value);
      else if (node.dataset.field === "late_days") node.textContent = value ? String(value) : empty === "" ? "" : "0";
      else node.textContent = value === null || value === "" ? (node.dataset.field === "override_reason" ? "" : empty) : String(value);
    });
  }

  function currentText(grade) {
    const parts = [interpolate(gettext("Final: %s of %s"), [grade.final_score === null ? "—" : points(grade.final_score), points(grade.points)])];
    if (grade.auto_score !== null && grade.auto_score !== undefined) parts.push(interpolate(gettext("automatic: %s"), [points(grade.auto_score)]));
    if (grade.override_score !== null && grade.override_score !== undefined) parts.push(interpolate(gettext("override: %s (%s)"), [points(grade.override_score), grade.override_reason || ""]));
    if (grade.late_days) parts.push(interpolate(ngettext("%s day late", "%s days late", grade.late_days), [grade.late_days]));
    if (grade.updated_by) parts.push(interpolate(gettext("last changed by %s"), [grade.updated_by]));
    return parts.join(" · ");
  }

  // --- grade forms ---------------------------------------------------------------------------------
  async function gradeEnsure(form) {
    if (form.dataset.gradeId) return { ok: true };
    const result = await dlcApi.get(`/api/grading/items/${form.dataset.item}/learners/${form.dataset.learner}/`);
    if (result.ok) { form.dataset.gradeId = String(result.data.id); form.dataset.version = String(result.data.version); }
    return result;
  }

  function gradeFormFill(form, grade) {
    form.dataset.gradeId = String(grade.id);
    form.dataset.version = String(grade.version);
    form.dataset.points = String(grade.points);
    form.elements.score.value = "";
    form.elements.reason.value = form.elements.reason.defaultValue;
    form.elements.score.max = String(grade.points);
    form.elements.clear.checked = false;
    form.querySelector(".override-clear").classList.toggle("d-none", grade.override_score === null || grade.override_score === undefined);
    form.elements.feedback.value = grade.feedback_markdown || "";
    form.querySelector(".grade-error").classList.add("d-none");
    say(form.querySelector(".grade-saved"), "");
  }

  function gradeFormBind(form) {
    const errorBox = form.querySelector(".grade-error");
    const saved = form.querySelector(".grade-saved");
    const button = form.querySelector("[type=submit]");
    const showError = (text, extra) => {
      errorBox.replaceChildren(el("div", { text }), extra ? el("div", { class: "mt-1 fw-semibold", "data-testid": "grade-current", text: extra }) : null);
      errorBox.classList.remove("d-none");
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errorBox.classList.add("d-none");
      say(saved, "");
      const raw = form.elements.score.value.trim();
      const reason = form.elements.reason.value.trim();
      const body = { feedback: form.elements.feedback.value };
      if (form.elements.clear.checked) {
        body.score = null;
      } else if (raw !== "") {
        const score = Number(raw.replace(",", "."));
        const max = Number(form.dataset.points);
        if (!Number.isFinite(score) || score < 0 || score > max) {
          showError(interpolate(gettext("The score must be a number between 0 and %s."), [points(max)]));
          return;
        }
        body.score = score;
      }
      if ("score" in body) {
        if (!reason) { showError(gettext("Say why the score is changed (the reason is kept in the grade's history).")); form.elements.reason.focus(); return; }
        body.reason = reason;
      } else if (reason) {
        body.reason = reason;
      }
      button.disabled = true;
      const ensured = await gradeEnsure(form);
      if (!ensured.ok) { button.disabled = false; showError(errorText(ensured.data, gettext("The grade could not be loaded."))); return; }
      body.version = Number(form.dataset.version);
      const result = await patch(`/api/grading/grades/${form.dataset.gradeId}/`, body);
      button.disabled = false;
      if (result.status === 409 && result.data.current) {
        // Someone saved in between: show their values and base the next save on them.
        const current = result.data.current;
        form.dataset.version = String(current.version);
        let now = interpolate(gettext("Now: %s"), [currentText(current)]);
        if ((current.feedback_markdown || "") !== body.feedback) {
          const theirs = current.feedback_markdown || "";
          now += " · " + interpolate(gettext("their feedback: “%s”"), [theirs.length > 160 ? `${theirs.slice(0, 160)}…` : theirs]);
        }
        showError(result.data.detail, now);
        form.dispatchEvent(new CustomEvent("dlc:grade", { bubbles: true, detail: { grade: current, conflict: true } }));
        return;
      }
      if (!result.ok) { showError(errorText(result.data, gettext("The grade could not be saved."))); return; }
      const grade = result.data;
      form.dataset.version = String(grade.version);
      form.elements.score.value = "";
      form.elements.reason.value = form.elements.reason.defaultValue; // a reason belongs to one change
      form.elements.clear.checked = false;
      form.querySelector(".override-clear").classList.toggle("d-none", grade.override_score === null);
      say(saved, interpolate(gettext("Saved: %s"), [currentText(grade)]), "success");
      form.dispatchEvent(new CustomEvent("dlc:grade", { bubbles: true, detail: { grade, conflict: false } }));
    });
  }
  document.querySelectorAll(".grade-form").forEach(gradeFormBind);

  // --- a grade's history (the audit trail), loaded when its box is opened ----------------------------
  const FIELD_TEXT = { override_score: gettext("override"), final_score: gettext("final score"), auto_score: gettext("automatic score"),
                       feedback: gettext("feedback"), late_days: gettext("late days"), run: gettext("counted run"),
                       released: gettext("released"), chosen_run: gettext("chosen run") };
  function clip(text) { return text.length > 80 ? `${text.slice(0, 80)}…` : text; }
  async function historyLoad(box, gradeId) {
    const list = box.querySelector(".grade-history");
    if (!gradeId) { list.replaceChildren(el("li", { class: "text-body-secondary", text: gettext("No changes yet.") })); return; }
    const result = await dlcApi.get(`/api/grading/grades/${gradeId}/history/`);
    if (!result.ok) { list.replaceChildren(el("li", { class: "text-danger", text: errorText(result.data, gettext("The history could not be loaded.")) })); return; }
    if (!result.data.length) { list.replaceChildren(el("li", { class: "text-body-secondary", text: gettext("No changes yet.") })); return; }
    list.replaceChildren(...result.data.slice(0, 100).map((change) => el("li", { class: "mb-1" }, [
      el("span", { class: "text-body-secondary", text: `${new Date(change.at).toLocaleString()} · ${change.by || gettext("the platform")} · ` }),
      el("span", { class: "fw-semibold", text: FIELD_TEXT[change.field] || change.field }),
      el("span", { class: "font-monospace", text: `: ${clip(change.old || "—")} → ${clip(change.new || "—")}` }),
      change.reason ? el("div", { class: "text-body-secondary ps-3", text: change.reason }) : null,
    ])));
  }
  function historyBind(box, form) {
    box.addEventListener("toggle", () => { if (box.open) historyLoad(box, form.dataset.gradeId); });
    form.addEventListener("dlc:grade", () => { if (box.open) historyLoad(box, form.dataset.gradeId); });
  }

  // --- the run page's panel -----------------------------------------------------------------------------
  const panel = $("grade-panel");
  if (panel) {
    const view = panel.querySelector(".grade-view");
    panel.addEventListener("dlc:grade", (event) => renderGrade(view, event.detail.grade));
    historyBind(panel.querySelector(".grade-history-box"), panel.querySelector(".grade-form"));
  }

  // --- the item page ----------------------------------------------------------------------------------------
  const itemPage = $("item-page");
  if (itemPage) {
    const itemId = itemPage.dataset.item;
    const item = JSON.parse($("item-data").textContent);
    const release = $("release-toggle");
    release.addEventListener("click", async () => {
      const wanted = release.dataset.released !== "true";
      release.disabled = true;
      const result = await dlcApi.post(`/api/grading/items/${itemId}/release/`, { released: wanted });
      release.disabled = false;
      if (!result.ok) { say($("release-message"), errorText(result.data, gettext("The change could not be saved.")), "danger"); return; }
      const released = result.data.released;
      release.dataset.released = String(released);
      release.textContent = released ? gettext("Hide from learners") : gettext("Release to learners");
      release.className = `btn btn-sm ${released ? "btn-outline-secondary" : "btn-success"}`;
      const badge = $("release-state");
      badge.dataset.released = String(released);
      badge.textContent = released ? gettext("released") : gettext("not released");
      badge.className = `badge ${released ? "text-bg-success" : "text-bg-secondary"}`;
      say($("release-message"), released ? gettext("Learners now see their grades and feedback of this item.") : gettext("Learners no longer see this item's grades."), "success");
    });

    $("item-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const message = $("item-message");
      const body = { points: Number($("item-points").value), category: $("item-category").value, deadline: $("item-deadline").value || null };
      if (item.kind === "lab") {
        const metric = $("rubric-metric").value.trim();
        if (metric) {
          body.rubric = { metric, direction: $("rubric-direction").value, full_at: Number($("rubric-full").value),
                          zero_at: Number($("rubric-zero").value), floor: Number($("rubric-floor").value || 0) };
        }
        body.counts = $("item-counts").value;
      }
      const result = await patch(`/api/grading/items/${itemId}/`, body);
      if (!result.ok) { say(message, errorText(result.data, gettext("The item could not be saved.")), "danger"); return; }
      const regrade = result.data.regrade;
      say(message, regrade ? interpolate(gettext("Saved. The grades are being recomputed (%s); reload the page in a moment to see them."), [regrade.reason])
        : gettext("Saved."), "success");
    });

    // Grading one learner: a dialog with the same form, loaded fresh (its version) on opening.
    const modalNode = $("grade-modal");
    const modalForm = modalNode.querySelector(".grade-form");
    let openRow = null;
    document.querySelectorAll(".grade-open").forEach((button) => button.addEventListener("click", async () => {
      openRow = button.closest("tr");
      const url = openRow.dataset.gradeId ? `/api/grading/grades/${openRow.dataset.gradeId}/` : `/api/grading/items/${itemId}/learners/${button.dataset.learner}/`;
      button.disabled = true;
      const result = await dlcApi.get(url);
      button.disabled = false;
      if (!result.ok) { window.alert(errorText(result.data, gettext("The grade could not be loaded."))); return; }
      openRow.dataset.gradeId = String(result.data.id);
      modalForm.dataset.learner = button.dataset.learner;
      gradeFormFill(modalForm, result.data);
      $("grade-modal-title").textContent = interpolate(gettext("Grade: %s"), [button.dataset.name]);
      $("grade-modal-current").textContent = currentText(result.data);
      window.bootstrap.Modal.getOrCreateInstance(modalNode).show();
    }));
    const historyBox = modalNode.querySelector(".grade-history-box");
    historyBind(historyBox, modalForm);
    modalNode.addEventListener("show.bs.modal", () => { historyBox.open = false; });
    modalForm.addEventListener("dlc:grade", (event) => {
      $("grade-modal-current").textContent = currentText(event.detail.grade);
      if (openRow) renderGrade(openRow, event.detail.grade);
    });
  }

  // --- the grading queue ----------------------------------------------------------------------------------
  const queue = $("grading-queue");
  if (queue) {
    queue.addEventListener("dlc:grade", (event) => {
      const entry = event.target.closest(".queue-entry");
      if (!entry || event.detail.conflict) return;
      const graded = event.detail.grade.override_score !== null;
      if (graded && !entry.classList.contains("graded")) {
        entry.classList.add("graded", "border-success");
        entry.querySelector(".card-header").appendChild(el("span", { class: "badge text-bg-success", "data-testid": "queue-graded", text: gettext("graded") }));
        const count = $("queue-count");
        const left = Math.max(0, Number(count.dataset.n) - queue.querySelectorAll(".queue-entry.graded").length);
        count.textContent = interpolate(ngettext("%s answer waiting", "%s answers waiting", left), [left]);
      }
    });
  }

  // --- policy, release, course code, enrolment --------------------------------------------------------------
  const settings = $("settings-page");
  if (settings) {
    const course = encodeURIComponent(settings.dataset.course);
    const cutoffs = $("cutoffs");
    const cutoffRow = (letter, share) => el("div", { class: "input-group input-group-sm mb-1 cutoff-row" }, [
      el("input", { class: "form-control cutoff-letter", maxlength: "3", value: letter, "aria-label": gettext("Letter") }),
      el("span", { class: "input-group-text", text: "≥" }),
      el("input", { class: "form-control cutoff-share", type: "number", step: "any", min: "0", max: "1", value: share, "aria-label": gettext("Lowest share") }),
      el("button", { class: "btn btn-outline-secondary cutoff-remove", type: "button", "aria-label": gettext("Remove this letter"), text: "×" }),
    ]);
    cutoffs.addEventListener("click", (event) => { const button = event.target.closest(".cutoff-remove"); if (button) button.closest(".cutoff-row").remove(); });
    $("cutoff-add").addEventListener("click", () => { const row = cutoffRow("", ""); cutoffs.appendChild(row); row.querySelector("input").focus(); });

    $("policy-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const message = $("policy-message");
      const number = (value) => (value.trim() === "" ? null : Number(value));
      const cutoffMap = {};
      cutoffs.querySelectorAll(".cutoff-row").forEach((row) => {
        const letter = row.querySelector(".cutoff-letter").value.trim();
        const share = row.querySelector(".cutoff-share").value.trim();
        if (letter && share !== "") cutoffMap[letter] = Number(share);
      });
      const body = {
        categories: [...document.querySelectorAll(".category-row")].map((row) => ({
          key: row.dataset.key, weight: Number(row.querySelector(".category-weight").value), drop_lowest: Number(row.querySelector(".category-drop").value || 0) })),
        late_penalty_per_day: Number($("late-penalty").value || 0),
        late_max_days: number($("late-max").value),
        grace_minutes: Number($("grace-minutes").value || 0),
        cutoffs: cutoffMap,
      };
      const result = await patch(`/api/courses/${course}/grading/policy/`, body);
      if (!result.ok) { say(message, errorText(result.data, gettext("The policy could not be saved.")), "danger"); return; }
      say(message, gettext("Saved. The gradebook's totals follow the new policy (a change to the late rules recomputes every grade in the background)."), "success");
    });

    async function releaseAll(released) {
      const result = await dlcApi.post(`/api/courses/${course}/grading/release-all/`, { released });
      const message = $("release-message");
      if (!result.ok) { say(message, errorText(result.data, gettext("The change could not be saved.")), "danger"); return; }
      $("release-summary").textContent = interpolate(gettext("%s of %s items are released to learners."), [result.data.released, result.data.items]);
      say(message, released ? gettext("Every item is released.") : gettext("Every item is hidden from learners."), "success");
    }
    $("release-all").addEventListener("click", () => {
      if (window.confirm(gettext("Release the grades and feedback of every item to the learners?"))) releaseAll(true);
    });
    $("hide-all").addEventListener("click", () => releaseAll(false));

    $("join-code-rotate").addEventListener("click", async () => {
      if (!window.confirm(gettext("Make a new course code? The current one stops working."))) return;
      const result = await dlcApi.post(`/api/courses/${course}/join-code/`);
      if (result.ok) $("join-code").textContent = result.data.code;
      else window.alert(errorText(result.data, gettext("The change could not be saved.")));
    });

    function showEnrolled(result) {
      const box = $("enrol-result");
      if (!result.ok) { box.replaceChildren(el("div", { class: "text-danger", text: errorText(result.data, gettext("Nobody could be added.")) })); return; }
      const { added, already, errors } = result.data;
      const parts = [
        el("div", { class: "text-success", "data-testid": "enrol-added", text: interpolate(ngettext("Added %s person", "Added %s people", added.length), [added.length]) + (added.length ? `: ${added.join(", ")}` : "") }),
      ];
      if (already.length) parts.push(el("div", { class: "text-body-secondary", text: interpolate(gettext("Already in the course: %s"), [already.join(", ")]) }));
      if (errors.length) {
        parts.push(el("div", { class: "text-danger mt-1", text: interpolate(ngettext("%s line not added:", "%s lines not added:", errors.length), [errors.length]) }));
        parts.push(el("ul", { class: "text-danger mb-0", "data-testid": "enrol-errors" }, errors.slice(0, 50).map((e) => el("li", { text: interpolate(gettext("line %s: “%s” — %s"), [e.line, e.value, e.detail]) }))));
      }
      box.replaceChildren(...parts);
    }
    $("enrol-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const users = $("enrol-users").value.split(/[\s,;，；]+/).map((s) => s.trim()).filter(Boolean);
      if (!users.length) { showEnrolled({ ok: false, data: { detail: gettext("Type at least one user name or e-mail address.") } }); return; }
      const result = await dlcApi.post(`/api/courses/${course}/enrolments/`, { users });
      showEnrolled(result);
      if (result.ok && !result.data.errors.length) $("enrol-users").value = "";
    });
    $("classlist-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = $("classlist-file").files[0];
      if (!file) { showEnrolled({ ok: false, data: { detail: gettext("Choose a class list file.") } }); return; }
      const form = new FormData();
      form.append("file", file);
      showEnrolled(await dlcApi.post(`/api/courses/${course}/enrolments/`, form));
    });
  }

  // --- "My grades": join a course with its code -----------------------------------------------------------
  const join = $("join-form");
  if (join) {
    join.addEventListener("submit", async (event) => {
      event.preventDefault();
      const message = $("join-message");
      const code = $("join-code-input").value.trim();
      if (!code) { say(message, gettext("Type the course code."), "danger"); return; }
      const result = await dlcApi.post("/api/courses/join/", { code });
      if (!result.ok) { say(message, errorText(result.data, gettext("The course could not be joined.")), "danger"); return; }
      message.replaceChildren(el("span", { class: "text-success", text: gettext("You are in the course now.") + " " }),
        el("a", { href: result.data.url, text: gettext("Open the course") }));
      setTimeout(() => window.location.reload(), 1500);
    });
  }
})();
