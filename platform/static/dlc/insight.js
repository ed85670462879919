/* Run insight: what a finished run learned (confusion matrix, validation samples, weight
   templates and histograms, w and b, predictions vs truth), downloads, and questions to the
   model (predict an uploaded image, feature maps of a layer). Values are set with textContent. */
(function () {
  "use strict";
  const state = JSON.parse(document.getElementById("run-state").textContent);
  const runId = state.id;
  const $ = (id) => document.getElementById(id);
  const el = window.dlcEl;
  const pct = (v) => (typeof v === "number" ? (100 * v).toFixed(1) + "%" : "—");
  let insight = null;
  let histogramChart = null;
  let selectedSample = null;

  function section(title, testid) {
    const body = el("div", { class: "card-body" }, [el("h2", { class: "h6", text: title })]);
    const card = el("div", { class: "col-12" }, [el("div", { class: "card shadow-sm", "data-testid": testid }, [body])]);
    $("insight").appendChild(card);
    return body;
  }

  function downloads(list) {
    if (!list.length) return;
    const body = section(gettext("Downloads"), "downloads");
    const row = el("div", { class: "d-flex flex-wrap gap-2" });
    const size = (bytes) => (typeof bytes !== "number" ? "" : bytes < 1024 ? ` (${bytes} B)` : bytes < 1048576 ? ` (${(bytes / 1024).toFixed(0)} KiB)` : ` (${(bytes / 1048576).toFixed(1)} MiB)`);
    list.forEach((d) => row.appendChild(el("a", { class: "btn btn-sm btn-outline-secondary", href: d.url, text: d.name + size(d.bytes) })));
    body.appendChild(row);
  }

  function confusion(data) {
    const names = data.class_names;
    const body = section(interpolate(gettext("Confusion matrix (validation set, %s items; accuracy %s)"), [data.val_items, pct(data.val_accuracy)]), "confusion-matrix");
    body.appendChild(el("p", { class: "small text-body-secondary", text: gettext("Rows: true class. Columns: predicted class. The last column is the share of each class recognised (per-class accuracy).") }));
    const table = el("table", { class: "table table-sm table-bordered text-center font-monospace small w-auto" });
    const head = el("tr", {}, [el("th", { text: "" })]);
    names.forEach((n) => head.appendChild(el("th", { text: n })));
    head.appendChild(el("th", { text: gettext("accuracy") }));
    table.appendChild(el("thead", {}, [head]));
    const tbody = el("tbody");
    const peak = Math.max(1, ...data.confusion_matrix.flat());
    data.confusion_matrix.forEach((row, i) => {
      const tr = el("tr", {}, [el("th", { text: names[i] })]);
      row.forEach((count, j) => {
        const td = el("td", { text: String(count) });
        const alpha = count / peak;
        td.style.background = i === j ? `rgba(25,135,84,${0.15 + 0.6 * alpha})` : count ? `rgba(220,53,69,${0.1 + 0.6 * alpha})` : "";
        tr.appendChild(td);
      });
      tr.appendChild(el("td", { text: pct(data.per_class_accuracy[i]) }));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    body.appendChild(el("div", { class: "table-responsive" }, [table]));
  }

  function samples(data) {
    const body = section(gettext("Validation images: true → predicted"), "val-samples");
    body.appendChild(el("p", { class: "small text-body-secondary", text: gettext("Click an image to use it for the feature maps below.") }));
    const grid = el("div", { class: "d-flex flex-wrap gap-2" });
    data.samples.forEach((s, index) => {
      const ok = s.true === s.pred;
      const figure = el("figure", { class: `sample-tile mb-0 text-center border rounded p-1 ${ok ? "border-success" : "border-danger border-2"}`, tabindex: "0", role: "button" }, [
        el("img", { src: s.url, alt: `${data.class_names[s.true]} → ${data.class_names[s.pred]}`, width: "72", height: "72", class: "pixelated" }),
        el("figcaption", { class: "small", text: `${data.class_names[s.true]} → ${data.class_names[s.pred]} ${pct(s.prob)}` }),
      ]);
      const choose = () => {
        selectedSample = index;
        grid.querySelectorAll(".sample-tile").forEach((t) => t.classList.remove("bg-primary-subtle"));
        figure.classList.add("bg-primary-subtle");
        if ($("fm-source")) $("fm-source").textContent = interpolate(gettext("Image: validation sample %s"), [index + 1]);
      };
      figure.addEventListener("click", choose);
      figure.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); choose(); } });
      grid.appendChild(figure);
    });
    body.appendChild(grid);
  }

  function templates(data) {
    const body = section(gettext("Learned weights of each class (red: votes for the class, blue: against)"), "weight-templates");
    const grid = el("div", { class: "d-flex flex-wrap gap-3" });
    data.templates.forEach((t) => grid.appendChild(el("figure", { class: "mb-0 text-center" }, [
      el("img", { src: t.url, alt: data.class_names[t.unit] || String(t.unit), width: "96", height: "96", class: "pixelated border" }),
      el("figcaption", { class: "small", text: data.class_names[t.unit] || String(t.unit) }),
    ])));
    body.appendChild(grid);
  }

  function histograms(weights) {
    const body = section(gettext("Weight histograms per epoch"), "weight-histograms");
    const controls = el("div", { class: "d-flex flex-wrap gap-3 align-items-center mb-2" });
    const layerSelect = el("select", { class: "form-select form-select-sm w-auto", "aria-label": gettext("Layer") });
    weights[0].layers.forEach((layer, i) => layerSelect.appendChild(el("option", { value: String(i), text: `${layer.layer}. ${layer.name}` })));
    const slider = el("input", { type: "range", class: "form-range w-auto flex-grow-1", min: "0", max: String(weights.length - 1), value: String(weights.length - 1), "aria-label": gettext("Epoch") });
    const label = el("span", { class: "small font-monospace" });
    controls.append(layerSelect, slider, label);
    body.appendChild(controls);
    const canvas = el("canvas");
    body.appendChild(el("div", { class: "chart-box" }, [canvas]));
    function draw() {
      const entry = weights[Number(slider.value)];
      const layer = entry.layers[Number(layerSelect.value)];
      label.textContent = interpolate(gettext("epoch %s · mean %s · std %s"), [entry.epoch, layer.mean.toFixed(4), layer.std.toFixed(4)]);
      const centres = layer.counts.map((_, i) => ((layer.edges[i] + layer.edges[i + 1]) / 2).toFixed(3));
      if (histogramChart) histogramChart.destroy();
      histogramChart = new Chart(canvas, {
        type: "bar",
        data: { labels: centres, datasets: [{ label: layer.name, data: layer.counts, backgroundColor: "#0d6efd" }] },
        options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: gettext("weight value") } } } },
      });
    }
    slider.addEventListener("input", draw);
    layerSelect.addEventListener("change", draw);
    draw();
  }

  function scatter(title, points, xLabel, yLabel, line, testid) {
    const body = section(title, testid);
    const canvas = el("canvas");
    body.appendChild(el("div", { class: "chart-box" }, [canvas]));
    const datasets = [{ type: "scatter", label: gettext("validation items"), data: points.map(([x, y]) => ({ x, y })), backgroundColor: "rgba(13,110,253,0.5)" }];
    if (line) datasets.push({ type: "line", label: line.label, data: line.points, borderColor: "#dc3545", pointRadius: 0 });
    new Chart(canvas, { data: { datasets }, options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { type: "linear", title: { display: true, text: xLabel } }, y: { title: { display: true, text: yLabel } } } } });
    return body;
  }

  function linear(data) {
    const xs = data.points.map((p) => p[0]);
    const lo = Math.min(...xs), hi = Math.max(...xs);
    const body = scatter(gettext("The fitted line on the validation data"), data.points, "x", "y",
      { label: `y = ${data.w.toFixed(4)}·x + ${data.b.toFixed(4)}`, points: [{ x: lo, y: data.w * lo + data.b }, { x: hi, y: data.w * hi + data.b }] }, "linear-fit");
    body.appendChild(el("p", { class: "font-monospace mb-0", "data-testid": "learned-wb", text: `w = ${data.w.toFixed(4)}   b = ${data.b.toFixed(4)}` }));
  }

  function regression(data) {
    const values = data.points.flat();
    const lo = Math.min(...values), hi = Math.max(...values);
    const body = scatter(gettext("Predicted vs true (validation set)"), data.points, gettext("true"), gettext("predicted"),
      { label: gettext("perfect prediction"), points: [{ x: lo, y: lo }, { x: hi, y: hi }] }, "regression-fit");
    body.appendChild(el("p", { class: "small mb-0", text: interpolate(gettext("Validation MAE %s · epochs run %s%s"), [data.val_mae, data.epochs_run, data.stopped_early ? gettext(" (stopped early)") : ""]) }));
  }

  function shuffling(data) {
    const s = data.shuffle;
    const body = section(interpolate(gettext("Batches and shuffling: %s batches per epoch"), [s.steps_per_epoch]), "shuffle");
    const name = (label) => data.class_names[label] ?? String(label);
    s.epochs.forEach((e) => body.appendChild(el("div", { class: "small font-monospace" }, [
      el("span", { class: "me-2", text: interpolate(gettext("epoch %s, first batch:"), [e.epoch]) }),
      el("span", { text: (e.first_batches[0] || []).map(name).join(" ") }),
    ])));
    if (typeof s.order_changed === "boolean") {
      body.appendChild(el("p", { class: "small mt-2 mb-0", "data-testid": "shuffle-verdict", text: [
        s.order_changed ? gettext("The order of the batches changed between epoch 1 and epoch 2.") : gettext("The batches came in the same order in epoch 1 and epoch 2."),
        s.contents_changed ? gettext("The batches were regrouped: their contents changed.") : gettext("Each batch held the same images in both epochs (the pipeline caches whole batches, then shuffles their order)."),
      ].join(" ") }));
    }
  }

  function detection(data) {
    // Chapter 10's single-object detector: the validation images with both boxes drawn in (by the
    // trainer, so the page only shows files), mean IoU, the hit rate and each class's scores.
    const names = data.class_names;
    const num = (v, digits) => (typeof v === "number" ? v.toFixed(digits) : "—");
    const body = section(interpolate(gettext("Predicted boxes on the validation set (%s images)"), [data.val_items]), "detection");
    body.appendChild(el("p", { class: "mb-2", "data-testid": "detection-summary", text: interpolate(
      gettext("Mean IoU %s · class accuracy %s · hits (IoU ≥ %s and the right class) %s"),
      [num(data.mean_iou, 3), pct(data.val_accuracy), data.hit_iou, pct(data.hit_rate)]) }));
    body.appendChild(el("p", { class: "small text-body-secondary", text: gettext("Green: the true box. Red: the model's box. Under each image: true class → predicted class, and the IoU of the two boxes.") }));
    const table = el("table", { class: "table table-sm table-bordered text-center small w-auto" });
    table.appendChild(el("thead", {}, [el("tr", {}, [el("th", { text: gettext("class") }), el("th", { text: gettext("accuracy") }), el("th", { text: gettext("mean IoU") })])]));
    const tbody = el("tbody");
    names.forEach((n, i) => tbody.appendChild(el("tr", {}, [el("th", { text: n }), el("td", { text: pct(data.per_class_accuracy[i]) }), el("td", { text: num(data.per_class_iou[i], 3) })])));
    table.appendChild(tbody);
    body.appendChild(el("div", { class: "table-responsive" }, [table]));
    const grid = el("div", { class: "d-flex flex-wrap gap-2" });
    (data.boxes || []).forEach((b) => {
      const caption = `${names[b.true]} → ${names[b.pred]} · IoU ${num(b.iou, 2)}`;
      grid.appendChild(el("figure", { class: `mb-0 text-center border rounded p-1 ${b.hit ? "border-success" : "border-danger border-2"}`, "data-testid": "detection-box" }, [
        el("img", { src: `/runs/${runId}/insight/${b.file}`, alt: caption, width: "192", class: "pixelated" }),
        el("figcaption", { class: "small", text: caption }),
      ]));
    });
    body.appendChild(grid);
    const skipped = Object.values(data.skipped || {}).reduce((a, b) => a + b, 0);
    if (skipped) body.appendChild(el("p", { class: "small text-body-secondary mt-2 mb-0", text: interpolate(gettext("%s images were left out: this lab uses images with exactly one object of a known class."), [skipped]) }));
  }

  async function poll(jobId, show) {
    for (let i = 0; i < 240; i += 1) {
      const result = await dlcApi.get(`/api/inferences/${jobId}/`);
      if (!result.ok) { show({ status: "failed", error: result.data.detail }); return; }
      if (result.data.status === "succeeded" || result.data.status === "failed") { show(result.data); return; }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    show({ status: "failed", error: gettext("No answer yet; try again later.") });
  }

  async function ask(form, out, button) {
    out.replaceChildren(el("div", { class: "small text-body-secondary", text: gettext("Asking the model … (a worker loads it; this takes a few seconds)") }));
    button.disabled = true;
    const result = await dlcApi.post(`/api/runs/${runId}/inferences/`, form);
    if (!result.ok) {
      button.disabled = false;
      const errors = (result.data.errors || []).map((e) => e.message || JSON.stringify(e));
      out.replaceChildren(el("div", { class: "alert alert-danger small mb-0", role: "alert", text: errors.join(" ") || result.data.detail }));
      return null;
    }
    return new Promise((resolve) => poll(result.data.id, (job) => { button.disabled = false; resolve(job); }));
  }

  function failure(out, job) {
    out.replaceChildren(el("div", { class: "alert alert-danger small mb-0", role: "alert", text: job.error || gettext("The model could not answer.") }));
  }

  function predictor() {
    const body = section(gettext("Try the model on your own image"), "predict");
    const input = el("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/bmp,image/webp", class: "form-control form-control-sm w-auto", "aria-label": gettext("Image to classify"), "data-testid": "predict-file" });
    const button = el("button", { type: "button", class: "btn btn-sm btn-primary", text: gettext("Predict"), "data-testid": "predict-button" });
    const out = el("div", { class: "mt-3", "data-testid": "predict-result" });
    body.append(el("div", { class: "d-flex flex-wrap gap-2 align-items-center" }, [input, button]), out);
    button.addEventListener("click", async () => {
      if (!input.files.length) { out.replaceChildren(el("div", { class: "text-danger small", text: gettext("Choose an image first.") })); return; }
      const form = new FormData();
      form.append("kind", "predict");
      form.append("image", input.files[0]);
      const job = await ask(form, out, button);
      if (!job) return;
      if (job.status !== "succeeded") { failure(out, job); return; }
      const r = job.result;
      const rows = r.classes.map((c, i) => el("div", { class: "d-flex align-items-center gap-2 small" }, [
        el("span", { class: "text-end", style: "width: 8rem", text: c.name }),
        el("div", { class: "progress flex-grow-1", role: "progressbar", "aria-label": c.name, "aria-valuenow": String(Math.round(100 * c.probability)) }, [
          el("div", { class: `progress-bar ${i === r.predicted ? "bg-success" : "bg-secondary"}`, style: `width: ${(100 * c.probability).toFixed(1)}%` })]),
        el("span", { class: "font-monospace", style: "width: 4rem", text: pct(c.probability) }),
      ]));
      out.replaceChildren(el("div", { class: "d-flex gap-3 align-items-start" }, [
        el("img", { src: job.input_url, alt: gettext("your image"), width: "96", class: "border rounded" }),
        el("div", { class: "flex-grow-1" }, [el("div", { class: "fw-semibold mb-1", "data-testid": "predicted-class", text: interpolate(gettext("Prediction: %s"), [r.predicted_name]) }), ...rows]),
      ]));
    });
  }

  function featureMaps(data) {
    const spatial = (data.layers || []).filter((l) => l.output_shape.length === 3);
    if (!spatial.length || !data.samples.length) return;
    const body = section(gettext("Feature maps: what a layer sees"), "feature-maps");
    const select = el("select", { class: "form-select form-select-sm w-auto", "aria-label": gettext("Layer"), "data-testid": "fm-layer" });
    spatial.forEach((l) => select.appendChild(el("option", { value: String(l.index), text: `${l.index}. ${l.class} → (${l.output_shape.join(", ")})` })));
    const preferred = spatial.find((l) => /Conv/.test(l.class));
    if (preferred) select.value = String(preferred.index);
    const button = el("button", { type: "button", class: "btn btn-sm btn-primary", text: gettext("Show feature maps"), "data-testid": "fm-button" });
    const source = el("span", { id: "fm-source", class: "small text-body-secondary", text: interpolate(gettext("Image: validation sample %s"), [1]) });
    const out = el("div", { class: "mt-3", "data-testid": "fm-result" });
    body.append(el("div", { class: "d-flex flex-wrap gap-2 align-items-center" }, [select, button, source]), out);
    button.addEventListener("click", async () => {
      const job = await ask({ kind: "feature_maps", layer: Number(select.value), sample: selectedSample ?? 0 }, out, button);
      if (!job) return;
      if (job.status !== "succeeded") { failure(out, job); return; }
      const r = job.result;
      const grid = el("div", { class: "d-flex flex-wrap gap-2" });
      r.channels.forEach((c) => grid.appendChild(el("figure", { class: "mb-0 text-center" }, [
        el("img", { src: c.url, alt: `channel ${c.channel}`, width: "80", height: "80", class: "pixelated border" }),
        el("figcaption", { class: "small font-monospace", text: `#${c.channel}` }),
      ])));
      out.replaceChildren(
        el("p", { class: "small", text: interpolate(gettext("Layer %s (%s), output %s; showing %s of %s channels."), [r.layer, r.layer_name, `(${r.shape.join(", ")})`, r.channels.length, r.channels_total]) }),
        grid);
    });
  }

  async function targetRefresh() {
    const result = await dlcApi.get(`/api/runs/${runId}/`);
    const target = result.ok && result.data.target;
    if (!target || !$("target-best")) return;
    $("target-best").textContent = typeof target.best === "number" ? target.best.toFixed(4) : "—";
    const badge = $("target-reached");
    badge.className = `badge ${target.reached ? "text-bg-success" : target.reached === false ? "text-bg-secondary" : "d-none"}`;
    badge.textContent = target.reached ? gettext("reached") : target.reached === false ? gettext("not reached") : "";
  }

  async function load() {
    targetRefresh();
    const result = await dlcApi.get(`/api/runs/${runId}/insight/`);
    if (!result.ok) return;
    insight = result.data;
    $("insight").replaceChildren();
    if (insight.linear) linear(insight.linear);
    if (insight.regression) regression(insight.regression);
    if (insight.detection) detection(insight.detection);
    if (insight.confusion_matrix) confusion(insight);
    if (insight.samples && insight.samples.length) samples(insight);
    if (insight.templates && insight.templates.length) templates(insight);
    if (insight.weights && insight.weights.length && insight.weights[0].layers.length) histograms(insight.weights);
    if (insight.shuffle && insight.shuffle.epochs && insight.shuffle.epochs.length) shuffling(insight);
    if (insight.confusion_matrix && state.status === "succeeded") { predictor(); featureMaps(insight); }
    downloads(insight.downloads || []);
  }

  document.addEventListener("dlc:run-finished", (event) => { state.status = event.detail.status; load(); });
  if (["succeeded", "failed", "cancelled", "timed_out"].includes(state.status)) load();
})();
