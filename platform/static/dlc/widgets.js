/* Lesson widgets. The tensor-shape explorer asks the server (the same arithmetic the tests
   check against NumPy) and shows the result shape or the reason the operation is not allowed. */
(function () {
  "use strict";
  const OPS = [
    ["reshape", gettext("reshape to"), "(4, -1)"],
    ["transpose", gettext("transpose (axis order)"), "(2, 1, 0)"],
    ["broadcast_add", gettext("add a tensor of shape (broadcasting)"), "(1, 4)"],
    ["matmul", gettext("matmul with a tensor of shape"), "(4, 5)"],
    ["flatten", gettext("Flatten (keep the sample axis)"), ""],
    ["batch", gettext("make a batch of"), "32"],
  ];
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function describe(d) {
    return interpolate(gettext("shape %s · ndim %s · %s elements · %s bytes as float32"),
      ["(" + d.shape.join(", ") + (d.shape.length === 1 ? "," : "") + ")", d.ndim, d.elements.toLocaleString(), d.float32_bytes.toLocaleString()]);
  }
  function tensorShape(mount) {
    const card = el("div", { class: "card border-info my-3", "data-testid": "tensor-shape-explorer" });
    const body = el("div", { class: "card-body" });
    body.appendChild(el("h3", { class: "h6" }, gettext("Tensor-shape explorer")));
    const row = el("div", { class: "d-flex flex-wrap gap-2 align-items-center" });
    const shape = el("input", { class: "form-control form-control-sm font-monospace w-auto", value: "(2, 3, 4)", "aria-label": gettext("Input shape"), "data-testid": "ts-shape", size: "16" });
    const op = el("select", { class: "form-select form-select-sm w-auto", "aria-label": gettext("Operation"), "data-testid": "ts-op" });
    OPS.forEach(([value, label]) => op.appendChild(el("option", { value }, label)));
    const arg = el("input", { class: "form-control form-control-sm font-monospace w-auto", value: OPS[0][2], "aria-label": gettext("Argument"), "data-testid": "ts-arg", size: "12" });
    const go = el("button", { class: "btn btn-sm btn-info", type: "button", "data-testid": "ts-go" }, gettext("Compute"));
    [shape, op, arg, go].forEach((n) => row.appendChild(n));
    const out = el("div", { class: "mt-2 font-monospace small", role: "status", "aria-live": "polite", "data-testid": "ts-result" });
    body.appendChild(row);
    body.appendChild(out);
    card.appendChild(body);
    mount.replaceChildren(card);
    op.addEventListener("change", () => { const o = OPS.find((x) => x[0] === op.value); arg.value = o[2]; arg.disabled = op.value === "flatten"; });
    async function compute() {
      const result = await dlcApi.post("/api/widgets/tensor-shape/", { shape: shape.value, operation: op.value, argument: arg.disabled ? null : arg.value });
      out.replaceChildren();
      if (result.ok) {
        out.appendChild(el("div", { class: "text-body-secondary" }, gettext("input") + ": " + describe(result.data.input)));
        out.appendChild(el("div", { class: "fw-semibold text-success", "data-testid": "ts-output" }, "→ " + describe(result.data.result)));
      } else {
        out.appendChild(el("div", { class: "text-danger", "data-testid": "ts-error" }, "✖ " + (result.data.detail || gettext("Not allowed."))));
      }
    }
    go.addEventListener("click", compute);
    [shape, arg].forEach((input) => input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); compute(); } }));
    compute();
  }
  const PRESETS = {
    mean: [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]],
    gaussian: [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    laplacian: [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    sobel_x: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    sobel_y: [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    sharpen: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    identity: [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
  };
  const PRESET_NAMES = { mean: gettext("mean"), gaussian: gettext("Gaussian"), laplacian: gettext("Laplacian (edges)"),
    sobel_x: gettext("Sobel, vertical edges"), sobel_y: gettext("Sobel, horizontal edges"), sharpen: gettext("sharpen"), identity: gettext("identity") };

  function select(options, attrs) {
    const node = el("select", Object.assign({ class: "form-select form-select-sm w-auto" }, attrs));
    options.forEach(([value, label]) => node.appendChild(el("option", { value }, label)));
    return node;
  }

  function kernelWidget(mount) {
    const card = el("div", { class: "card border-info my-3", "data-testid": "kernel-explorer" });
    const body = el("div", { class: "card-body" });
    body.appendChild(el("h3", { class: "h6" }, gettext("Convolution and pooling on an image")));
    const controls = el("div", { class: "d-flex flex-wrap gap-2 align-items-center mb-2" });
    const source = select([["china", gettext("sample photo: temple")], ["flower", gettext("sample photo: flower")], ["upload", gettext("my own image …")]], { "aria-label": gettext("Image"), "data-testid": "k-source" });
    const file = el("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/bmp,image/webp", class: "form-control form-control-sm w-auto d-none", "data-testid": "k-file", "aria-label": gettext("Image file") });
    const operation = select([["conv", gettext("3×3 convolution")], ["max", gettext("max pooling")], ["avg", gettext("average pooling")]], { "aria-label": gettext("Operation"), "data-testid": "k-op" });
    const preset = select(Object.keys(PRESETS).map((k) => [k, PRESET_NAMES[k]]), { "aria-label": gettext("Kernel"), "data-testid": "k-preset" });
    const windowSize = select([["2", "2×2"], ["3", "3×3"]], { "aria-label": gettext("Window"), "data-testid": "k-window" });
    const stride = select([["1", gettext("stride 1")], ["2", gettext("stride 2")], ["3", gettext("stride 3")]], { "aria-label": gettext("Stride"), "data-testid": "k-stride" });
    const padding = select([["same", "padding same"], ["valid", "padding valid"]], { "aria-label": gettext("Padding"), "data-testid": "k-padding" });
    const apply = el("button", { class: "btn btn-sm btn-info", type: "button", "data-testid": "k-apply" }, gettext("Apply"));
    [source, file, operation, preset, windowSize, stride, padding, apply].forEach((n) => controls.appendChild(n));
    const grid = el("div", { class: "d-inline-grid gap-1 mb-2 kernel-grid", "data-testid": "k-grid" });
    const cells = [];
    for (let i = 0; i < 9; i += 1) {
      const cell = el("input", { class: "form-control form-control-sm font-monospace text-end", size: "5", "aria-label": interpolate(gettext("kernel row %s column %s"), [Math.floor(i / 3) + 1, (i % 3) + 1]) });
      cells.push(cell); grid.appendChild(cell);
    }
    const out = el("div", { class: "row g-3 align-items-start", role: "status", "aria-live": "polite" });
    [controls, grid, out].forEach((n) => body.appendChild(n));
    card.appendChild(body);
    mount.replaceChildren(card);

    function fillKernel() { PRESETS[preset.value].flat().forEach((v, i) => { cells[i].value = String(Math.round(v * 10000) / 10000); }); }
    function sync() {
      const conv = operation.value === "conv";
      preset.classList.toggle("d-none", !conv); grid.classList.toggle("d-none", !conv); windowSize.classList.toggle("d-none", conv);
      file.classList.toggle("d-none", source.value !== "upload");
    }
    async function run() {
      const fields = { operation: operation.value, padding: padding.value, stride: Number(stride.value), window: Number(windowSize.value) };
      if (operation.value === "conv") {
        fields.kernel = [0, 1, 2].map((r) => [0, 1, 2].map((c) => Number(cells[r * 3 + c].value.trim() === "" ? NaN : cells[r * 3 + c].value)));
        if (fields.kernel.flat().some((v) => !Number.isFinite(v))) { show({ detail: gettext("Every kernel cell needs a number.") }); return; }
      }
      let result;
      if (source.value === "upload") {
        if (!file.files.length) { show({ detail: gettext("Choose an image file first.") }); return; }
        const form = new FormData();
        Object.entries(fields).forEach(([k, v]) => form.append(k, typeof v === "object" ? JSON.stringify(v) : String(v)));
        form.append("upload", file.files[0]);
        const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        const response = await fetch("/api/widgets/kernel/", { method: "POST", body: form, credentials: "same-origin", headers: { "X-CSRFToken": match ? decodeURIComponent(match[1]) : "" } });
        let data; try { data = await response.json(); } catch (err) { data = { detail: response.statusText }; }
        result = { ok: response.ok, data };
      } else {
        result = await dlcApi.post("/api/widgets/kernel/", Object.assign({ sample: source.value }, fields));
      }
      show(result.ok ? null : result.data, result.ok ? result.data : null);
    }
    function figure(title, png, size) {
      const col = el("div", { class: "col-sm-6" });
      col.appendChild(el("div", { class: "small text-body-secondary" }, `${title}: ${size[0]} × ${size[1]}`));
      const img = el("img", { src: png, alt: title, class: "img-fluid border pixelated" });
      col.appendChild(img);
      return col;
    }
    function show(error, data) {
      out.replaceChildren();
      if (error) { out.appendChild(el("div", { class: "text-danger col-12", "data-testid": "k-error" }, "✖ " + (error.detail || gettext("Not allowed.")))); return; }
      out.appendChild(figure(gettext("input"), data.input.png, data.input.size));
      out.appendChild(figure(gettext("output"), data.output.png, data.output.size));
      out.appendChild(el("div", { class: "col-12 font-monospace small", "data-testid": "k-formula" }, data.formula));
    }
    preset.addEventListener("change", fillKernel);
    [source, operation].forEach((n) => n.addEventListener("change", sync));
    // Pooling windows usually do not overlap: the stride follows the window unless changed.
    operation.addEventListener("change", () => { stride.value = operation.value === "conv" ? "1" : windowSize.value; });
    windowSize.addEventListener("change", () => { stride.value = windowSize.value; });
    apply.addEventListener("click", run);
    fillKernel(); sync(); run();
  }

  async function layerExplainer(mount) {
    const card = el("div", { class: "card border-info my-3", "data-testid": "layer-explainer" });
    const body = el("div", { class: "card-body" });
    body.appendChild(el("h3", { class: "h6" }, gettext("Layer explainer: output shape and parameters")));
    const row = el("div", { class: "d-flex flex-wrap gap-2 align-items-center" });
    const inputShape = el("input", { class: "form-control form-control-sm font-monospace w-auto", value: "(180, 180, 3)", size: "14", "aria-label": gettext("Input shape"), "data-testid": "le-input" });
    const type = el("select", { class: "form-select form-select-sm w-auto", "aria-label": gettext("Layer"), "data-testid": "le-type" });
    const args = el("div", { class: "d-flex flex-wrap gap-2 align-items-center" });
    const go = el("button", { class: "btn btn-sm btn-info", type: "button", "data-testid": "le-go" }, gettext("Compute"));
    [inputShape, type, args, go].forEach((n) => row.appendChild(n));
    const out = el("div", { class: "mt-2 font-monospace small", role: "status", "aria-live": "polite", "data-testid": "le-result" });
    body.appendChild(row); body.appendChild(out); card.appendChild(body); mount.replaceChildren(card);
    const catalogResult = await dlcApi.get("/api/modelspec/catalog/");
    if (!catalogResult.ok) { out.textContent = catalogResult.data.detail || ""; return; }
    const catalog = Object.fromEntries(catalogResult.data.map((entry) => [entry.type, entry]));
    Object.keys(catalog).forEach((name) => type.appendChild(el("option", { value: name }, name)));
    const starters = { Conv2D: { filters: "16", kernel_size: "3", padding: "same", activation: "relu" }, Dense: { units: "128" } };
    function renderArgs() {
      args.replaceChildren();
      catalog[type.value].args.forEach((arg) => {
        const input = el("input", { class: "form-control form-control-sm font-monospace", size: "7", "data-arg": arg.name, "aria-label": arg.name,
          placeholder: arg.default === null || arg.default === undefined ? (arg.required ? "?" : "") : String(arg.default),
          value: (starters[type.value] || {})[arg.name] || "" });
        const label = el("label", { class: "small text-body-secondary d-inline-flex align-items-center gap-1" }, arg.name);
        label.appendChild(input);
        args.appendChild(label);
      });
    }
    function parse(text) {
      const t = text.trim();
      if (t === "") return undefined;
      if (/^[\[(]?\s*-?\d+(\s*,\s*-?\d+)*\s*,?\s*[\])]?$/.test(t) && /[,\[(]/.test(t)) return t.replace(/[()\[\]\s]/g, "").split(",").filter((p) => p !== "").map(Number);
      if (t === "true" || t === "false") return t === "true";
      const n = Number(t);
      return Number.isFinite(n) ? n : t;
    }
    async function compute() {
      const layerArgs = {};
      args.querySelectorAll("input").forEach((input) => { const v = parse(input.value); if (v !== undefined) layerArgs[input.dataset.arg] = v; });
      const shape = parse(inputShape.value);
      const spec = { input_shape: Array.isArray(shape) ? shape : [shape], layers: [{ type: type.value, args: layerArgs }] };
      const result = await dlcApi.post("/api/modelspec/check/", { spec });
      out.replaceChildren();
      if (!result.ok) { out.appendChild(el("div", { class: "text-danger" }, result.data.detail || gettext("Not allowed."))); return; }
      const report = result.data;
      if (!report.valid) { report.errors.forEach((e) => out.appendChild(el("div", { class: "text-danger", "data-testid": "le-error" }, "✖ " + e.message))); return; }
      const layer = report.layers[0];
      out.appendChild(el("div", { class: "fw-semibold text-success", "data-testid": "le-output" },
        interpolate(gettext("output shape %s · %s parameters"), ["(" + layer.output_shape.map((d) => (d === null ? "None" : d)).join(", ") + ")", layer.params.toLocaleString()])));
      out.appendChild(el("div", {}, gettext("shape") + ": " + layer.shape_formula));
      out.appendChild(el("div", {}, gettext("params") + ": " + layer.param_formula));
    }
    type.value = "Conv2D";
    renderArgs();
    type.addEventListener("change", renderArgs);
    go.addEventListener("click", compute);
    compute();
  }

  const WIDGETS = { "tensor-shape": tensorShape, kernel: kernelWidget, "layer-explainer": layerExplainer };
  document.querySelectorAll(".dlc-widget").forEach((mount) => { const make = WIDGETS[mount.dataset.widget]; if (make) make(mount); });
})();
