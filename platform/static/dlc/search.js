/* A hyper-parameter search's page: the trials table, refreshed every few seconds until all
   trials have ended; the best trial (highest validation accuracy) is highlighted. */
(function () {
  "use strict";
  const state = JSON.parse(document.getElementById("run-state").textContent);
  const $ = (id) => document.getElementById(id);
  const el = window.dlcEl;
  const FINAL = ["succeeded", "failed", "cancelled", "timed_out"];
  const STATUS_TEXT = {
    queued: gettext("Queued"), running: gettext("Running"), succeeded: gettext("Succeeded"),
    failed: gettext("Failed"), cancelled: gettext("Cancelled"), timed_out: gettext("Timed out"),
  };
  const fmt = (v, d) => (typeof v === "number" ? v.toFixed(d) : "—");

  function paint(run) {
    const badge = $("status");
    badge.className = `badge fs-6 status-badge status-${run.status}`;
    badge.dataset.status = run.status;
    badge.textContent = STATUS_TEXT[run.status] || run.status;
    if (run.status_reason) { $("status-reason").textContent = run.status_reason; $("status-reason").classList.remove("d-none"); }
    if ($("cancel")) $("cancel").disabled = FINAL.includes(run.status);
    const rows = $("trial-rows");
    rows.replaceChildren();
    run.trials.forEach((t) => {
      const tr = el("tr", { class: t.best ? "table-success fw-semibold" : "", "data-best": t.best ? "true" : "false" }, [
        el("td", {}, [el("a", { href: t.url, text: String(t.trial) })]),
        el("td", { text: String(t.learning_rate) }), el("td", { text: String(t.hidden_layers) }), el("td", { text: String(t.units) }),
        el("td", { class: "text-end", text: t.total_params.toLocaleString() }), el("td", { text: String(t.epochs_done) }),
        el("td", { text: fmt(t.best_val_accuracy, 4) + (t.best ? "  ★ " + gettext("best") : "") }),
        el("td", {}, [el("span", { class: `badge status-badge status-${t.status}`, text: STATUS_TEXT[t.status] || t.status })]),
      ]);
      rows.appendChild(tr);
    });
  }

  async function refresh() {
    const result = await dlcApi.get(`/api/runs/${state.id}/`);
    if (result.ok) {
      paint(result.data);
      if (FINAL.includes(result.data.status)) return;
    }
    setTimeout(refresh, 3000);
  }

  const cancel = $("cancel");
  if (cancel) cancel.addEventListener("click", async () => {
    if (!window.confirm(gettext("Cancel every trial of this search that has not finished?"))) return;
    cancel.disabled = true;
    const result = await dlcApi.post(`/api/runs/${state.id}/cancel/`);
    if (!result.ok) { cancel.disabled = false; window.alert(result.data.detail || gettext("The search could not be cancelled.")); }
    refresh();
  });
  refresh();
})();
