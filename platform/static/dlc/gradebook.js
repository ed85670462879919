/* Gradebook page: sort by any column (click its header), filter learners by name and item
   columns by category, export the gradebook as CSV (a background job, polled until done). */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = window.dlcEl;
  const table = $("gradebook");
  if (!table) return;
  const body = table.tBodies[0];
  const headers = [...table.tHead.rows[0].cells];
  const rows = [...body.rows].filter((row) => row.dataset.learner);
  const collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true, sensitivity: "base" });

  // --- sorting -----------------------------------------------------------------------------------
  let sortedBy = null;
  let descending = false;

  function cellKey(row, index, type) {
    const cell = row.cells[index];
    const raw = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
    if (type === "text") return raw;
    const value = parseFloat(raw);
    return Number.isNaN(value) ? null : value;
  }

  function sortBy(index) {
    const type = headers[index].dataset.type || "num";
    // A number column sorts highest first at the first click; names sort A → Z.
    descending = sortedBy === index ? !descending : type !== "text";
    sortedBy = index;
    const keyed = rows.map((row) => ({ row, key: cellKey(row, index, type) }));
    keyed.sort((a, b) => {
      if (a.key === null || b.key === null) return (a.key === null) - (b.key === null); // blanks last
      const order = type === "text" ? collator.compare(a.key, b.key) : a.key - b.key;
      return descending ? -order : order;
    });
    const fragment = document.createDocumentFragment();
    keyed.forEach(({ row }) => fragment.appendChild(row));
    body.appendChild(fragment);
    headers.forEach((th, i) => th.setAttribute("aria-sort", i === index ? (descending ? "descending" : "ascending") : "none"));
  }

  headers.forEach((th, index) => th.addEventListener("click", (event) => {
    if (event.target.closest("a")) return; // the item link opens the item's page
    sortBy(index);
  }));

  // --- filters -------------------------------------------------------------------------------------
  const search = $("learner-filter");
  const category = $("category-filter");
  const names = rows.map((row) => (row.cells[0].dataset.v || row.cells[0].textContent).toLowerCase());

  function filterRows() {
    const query = search.value.trim().toLowerCase();
    let shown = 0;
    rows.forEach((row, i) => {
      const visible = !query || names[i].includes(query);
      row.hidden = !visible;
      shown += visible;
    });
    $("visible-count").textContent = query ? interpolate(gettext("%s of %s learners"), [shown, rows.length]) : "";
  }

  function filterColumns() {
    const key = category.value;
    const hidden = [];
    headers.forEach((th, i) => {
      const hide = Boolean(key) && th.classList.contains("item-col") && th.dataset.category !== key;
      th.hidden = hide;
      if (hide) hidden.push(i);
    });
    const hiddenSet = new Set(hidden);
    rows.forEach((row) => {
      for (let i = 1; i < row.cells.length; i += 1) row.cells[i].hidden = hiddenSet.has(i);
    });
  }

  search.addEventListener("input", filterRows);
  category.addEventListener("change", filterColumns);
  $("gradebook-filters").addEventListener("submit", (event) => event.preventDefault());

  // --- CSV export ---------------------------------------------------------------------------------
  const exportButton = $("export-csv");
  const status = $("export-status");
  const STATUS_TEXT = { queued: gettext("Queued …"), running: gettext("Writing the CSV file …"), succeeded: gettext("Ready."), failed: gettext("The export failed.") };

  function showExport(job) {
    const parts = [el("span", { text: STATUS_TEXT[job.status] || job.status })];
    if (job.status === "running") parts.push(el("span", { class: "ms-1", text: `${Math.round(100 * job.progress)} %` }));
    if (job.message) parts.push(el("span", { class: "ms-2 text-body-secondary", text: job.message }));
    if (job.download_url) {
      parts.push(el("a", { class: "ms-2 btn btn-sm btn-success", href: job.download_url, "data-testid": "export-download", text: gettext("Download CSV") }));
    }
    status.className = `small mb-2 ${job.status === "failed" ? "text-danger" : ""}`;
    status.replaceChildren(...parts);
  }

  async function poll(url, delay) {
    const result = await dlcApi.get(url);
    if (!result.ok) {
      status.className = "small mb-2 text-danger";
      status.textContent = result.data.detail || gettext("The export's status could not be read.");
      exportButton.disabled = false;
      return;
    }
    showExport(result.data);
    if (result.data.status === "succeeded" || result.data.status === "failed") { exportButton.disabled = false; return; }
    setTimeout(() => poll(url, Math.min(delay * 1.5, 5000)), delay);
  }

  exportButton.addEventListener("click", async () => {
    exportButton.disabled = true;
    status.className = "small mb-2";
    status.textContent = gettext("Starting the export …");
    const result = await dlcApi.post(`/api/courses/${encodeURIComponent(exportButton.dataset.course)}/gradebook/exports/`);
    if (!result.ok) {
      status.className = "small mb-2 text-danger";
      status.textContent = result.data.detail || gettext("The export could not be started.");
      exportButton.disabled = false;
      return;
    }
    showExport(result.data);
    setTimeout(() => poll(result.data.url, 700), 700);
  });
})();
