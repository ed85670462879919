/* Data sets page: upload an import and follow its progress; publish a set to a course. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = window.dlcEl;
  const FINAL = ["succeeded", "failed"];
  const STATUS_TEXT = { queued: gettext("Queued"), running: gettext("Importing"), succeeded: gettext("Imported"), failed: gettext("Refused") };

  function jobItem(job) {
    const bar = el("div", { class: "progress my-1", role: "progressbar", "aria-label": job.title, "aria-valuenow": String(Math.round(100 * job.progress)) },
      [el("div", { class: `progress-bar ${job.status === "failed" ? "bg-danger" : job.status === "succeeded" ? "bg-success" : "progress-bar-striped progress-bar-animated"}`, style: `width: ${Math.round(100 * (job.status === "failed" ? 1 : job.progress))}%` })]);
    return el("li", { class: "mb-3", "data-job": String(job.id), "data-status": job.status }, [
      el("div", { class: "d-flex justify-content-between" }, [el("strong", { text: job.title || job.source_filename }), el("span", { text: STATUS_TEXT[job.status] || job.status })]),
      bar,
      job.message ? el("div", { class: job.status === "failed" ? "text-danger" : "text-body-secondary", text: job.message }) : null,
    ]);
  }

  async function refreshJobs() {
    const result = await dlcApi.get("/api/datasets/imports/");
    if (!result.ok) return;
    const list = $("import-jobs");
    list.replaceChildren(...result.data.slice(0, 10).map(jobItem));
    if (!result.data.length) list.appendChild(el("li", { class: "text-body-secondary", text: gettext("No imports yet.") }));
    const pending = result.data.some((j) => !FINAL.includes(j.status));
    const justFinished = result.data.some((j) => j.status === "succeeded" && !document.querySelector(`tr[data-slug="${CSS.escape(j.dataset || "")}"]`));
    if (justFinished) { window.location.reload(); return; }
    if (pending) setTimeout(refreshJobs, 1500);
  }

  $("import-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("import-errors");
    box.classList.add("d-none");
    const file = $("import-file").files[0];
    if (!file) { box.textContent = gettext("Choose a file to import."); box.classList.remove("d-none"); return; }
    const form = new FormData();
    form.append("kind", $("import-kind").value);
    form.append("title", $("import-title").value);
    form.append("file", file);
    $("import-submit").disabled = true;
    const result = await dlcApi.post("/api/datasets/imports/", form);
    $("import-submit").disabled = false;
    if (!result.ok) {
      const errors = result.data.errors ? Object.values(result.data.errors).flat().join(" ") : "";
      box.textContent = [result.data.detail, errors].filter(Boolean).join(" ");
      box.classList.remove("d-none");
      return;
    }
    $("import-form").reset();
    refreshJobs();
  });

  document.querySelectorAll(".publish-form").forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const course = form.querySelector("select").value;
    const result = await dlcApi.post(`/api/datasets/${encodeURIComponent(form.dataset.slug)}/publish/`, { course });
    const message = $("publish-message");
    message.className = `small mt-2 ${result.ok ? "text-success" : "text-danger"}`;
    message.textContent = result.ok ? interpolate(gettext("Published %s to the course."), [form.dataset.slug]) : result.data.detail;
    if (result.ok) setTimeout(() => window.location.reload(), 800);
  }));

  refreshJobs();
})();
