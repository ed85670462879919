/* Runs side by side: one chart per metric with a curve per run, the configuration with the
   differing rows highlighted, and the final metrics. Data from GET /api/runs/compare/. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = window.dlcEl;
  const page = $("compare-page");
  if (!page) return;
  const COLOURS = ["#0d6efd", "#fd7e14", "#198754", "#d63384"];
  const LOWER_IS_BETTER = /loss|error|mae|mse|rmse/i;

  document.querySelectorAll("[data-run-swatch]").forEach((node) => { node.style.background = COLOURS[Number(node.dataset.runSwatch) % COLOURS.length]; });

  function fmt(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, "");
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  // loss, val_loss, accuracy, val_accuracy, …: a metric and its validation twin side by side.
  function metricOrder(a, b) {
    const base = (name) => name.replace(/^val_/, "");
    const rank = (name) => (base(name) === "loss" ? 0 : 1);
    return rank(a) - rank(b) || base(a).localeCompare(base(b)) || a.localeCompare(b);
  }

  function runLabel(run) { return interpolate(gettext("Run %s"), [run.id]) + ` · ${run.owner}`; }

  function drawCharts(data) {
    const box = $("compare-charts");
    const metrics = new Set();
    Object.values(data.curves).forEach((points) => points.forEach((p) => Object.keys(p).forEach((k) => { if (k !== "epoch" && typeof p[k] === "number") metrics.add(k); })));
    if (!metrics.size) {
      box.replaceChildren(el("div", { class: "col-12 small text-body-secondary", text: gettext("These runs have no epoch metrics yet.") }));
      return;
    }
    box.replaceChildren();
    [...metrics].sort(metricOrder).forEach((metric) => {
      const canvas = el("canvas", { "aria-label": metric, role: "img" });
      box.appendChild(el("div", { class: "col-lg-6", "data-metric": metric }, [
        el("div", { class: "card shadow-sm h-100" }, [el("div", { class: "card-body" }, [
          el("h3", { class: "h6 font-monospace", text: metric }),
          el("div", { class: "chart-box" }, [canvas]),
        ])]),
      ]));
      const epochs = new Set();
      data.runs.forEach((run) => (data.curves[run.id] || []).forEach((p) => epochs.add(p.epoch)));
      const labels = [...epochs].sort((a, b) => a - b);
      new Chart(canvas, {
        type: "line",
        data: {
          labels,
          datasets: data.runs.map((run, i) => {
            const byEpoch = new Map((data.curves[run.id] || []).map((p) => [p.epoch, p[metric]]));
            const colour = COLOURS[i % COLOURS.length];
            return { label: runLabel(run), data: labels.map((e) => (typeof byEpoch.get(e) === "number" ? byEpoch.get(e) : null)), borderColor: colour, backgroundColor: colour, tension: 0.2, spanGaps: true };
          }),
        },
        options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { title: { display: true, text: "epoch" } } } },
      });
    });
  }

  function header(table, first, runs) {
    table.tHead.replaceChildren(el("tr", {}, [el("th", { scope: "col", text: first }),
      ...runs.map((run, i) => el("th", { scope: "col" }, [el("span", { class: "run-swatch", style: `background: ${COLOURS[i % COLOURS.length]}` }), el("span", { text: interpolate(gettext("Run %s"), [run.id]) })]))]));
  }

  function drawConfig(data) {
    const table = document.querySelector("[data-testid=compare-config]");
    header(table, gettext("Setting"), data.runs);
    const body = table.tBodies[0];
    body.replaceChildren(...data.config.map((row) => el("tr", { class: row.differs ? "differs" : "", "data-key": row.key, "data-differs": String(row.differs) }, [
      el("th", { scope: "row", class: "font-monospace", text: row.key }),
      ...row.values.map((v) => el("td", { class: "font-monospace text-break", text: fmt(v) })),
    ])));
    const toggle = $("only-differences");
    const apply = () => body.querySelectorAll("tr").forEach((tr) => { tr.hidden = toggle.checked && tr.dataset.differs !== "true"; });
    toggle.addEventListener("change", apply);
    apply();
  }

  function drawFinal(data) {
    const table = document.querySelector("[data-testid=compare-final]");
    header(table, gettext("Metric"), data.runs);
    const keys = new Set();
    data.runs.forEach((run) => Object.keys(run.final_metrics || {}).forEach((k) => keys.add(k)));
    const body = table.tBodies[0];
    if (!keys.size) {
      body.replaceChildren(el("tr", {}, [el("td", { colspan: String(data.runs.length + 1), class: "text-body-secondary", text: gettext("No final metrics.") })]));
      return;
    }
    body.replaceChildren(...[...keys].sort(metricOrder).map((key) => {
      const values = data.runs.map((run) => (run.final_metrics || {})[key]);
      const numbers = values.filter((v) => typeof v === "number");
      const best = numbers.length > 1 ? (LOWER_IS_BETTER.test(key) ? Math.min(...numbers) : Math.max(...numbers)) : null;
      return el("tr", {}, [el("th", { scope: "row", text: key }),
        ...values.map((v) => el("td", { class: v === best ? "fw-bold text-success" : "", text: fmt(v) }))]);
    }));
  }

  async function load() {
    const result = await dlcApi.get(`/api/runs/compare/?ids=${encodeURIComponent(page.dataset.ids)}`);
    if (!result.ok) {
      $("compare-message").textContent = result.data.detail || gettext("The runs could not be loaded.");
      $("compare-charts").replaceChildren();
      return;
    }
    drawCharts(result.data);
    drawConfig(result.data);
    drawFinal(result.data);
  }
  load();
})();
