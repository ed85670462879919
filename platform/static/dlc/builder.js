/* Model builder: edit a layer list, see shapes/params/formulas from the server's calculator,
   the equivalent Keras code, and submit a run. Every value shown is set with textContent. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("builder-config").textContent);
  const catalog = Object.fromEntries(config.catalog.map((entry) => [entry.type, entry]));
  const lang = (document.documentElement.lang || "zh-hans").toLowerCase();
  const storageKey = `dlc-builder-${config.course}-${config.lab}`;
  let spec = loadSpec();
  let report = null;
  let checkTimer = null;
  let checkSeq = 0;

  const $ = (id) => document.getElementById(id);
  const el = window.dlcEl;

  function clone(value) { return JSON.parse(JSON.stringify(value)); }
  function loadSpec() {
    try {
      const saved = JSON.parse(localStorage.getItem(storageKey) || "null");
      if (saved && Array.isArray(saved.layers) && Array.isArray(saved.input_shape)) return saved;
    } catch (err) { /* a corrupt draft is ignored */ }
    return clone(config.spec);
  }
  function saveSpec() { try { localStorage.setItem(storageKey, JSON.stringify(spec)); } catch (err) { /* private mode */ } }
  let form = null;
  function dataset() { return form ? form.dataset() : config.datasets[0]; }

  // --- argument editors --------------------------------------------------------------------
  function formatValue(value) {
    if (value === null || value === undefined) return "";
    if (Array.isArray(value)) return value.join(",");
    return String(value);
  }
  function parseValue(arg, raw) {
    const text = raw.trim();
    if (text === "") return undefined; // means: use the default
    if (arg.kind === "int" || arg.kind === "float") {
      const n = Number(text);
      return Number.isFinite(n) ? n : text; // the server names a non-number
    }
    if (arg.kind === "int_or_pair" || arg.kind === "int_list") {
      const parts = text.replace(/[()\[\]\s]/g, "").split(",").filter((p) => p !== "");
      const nums = parts.map(Number);
      if (nums.some((n) => !Number.isFinite(n))) return text;
      if (arg.kind === "int_or_pair" && nums.length === 1) return nums[0];
      return nums;
    }
    return text;
  }
  function argEditor(layer, index, arg) {
    const id = `arg-${index}-${arg.name}`;
    const current = layer.args[arg.name];
    const label = el("label", { class: "form-label small mb-0 me-1 text-body-secondary", for: id, text: arg.name, title: lang.startsWith("en") ? arg.doc_en : arg.doc_zh });
    let input;
    const onChange = (value) => {
      if (value === undefined || value === "") delete layer.args[arg.name];
      else layer.args[arg.name] = value;
      changed();
    };
    if (arg.kind === "choice" || arg.kind === "activation") {
      input = el("select", { class: "form-select form-select-sm arg-input", id });
      const choices = arg.choices || [];
      if (!arg.required || arg.kind === "activation") input.appendChild(el("option", { value: "", text: arg.kind === "activation" ? "linear" : `(${formatValue(arg.default)})` }));
      choices.filter((c) => c !== null && !(arg.kind === "activation" && c === "linear")).forEach((c) => input.appendChild(el("option", { value: c, text: c })));
      input.value = current === undefined || current === null ? "" : current;
      input.addEventListener("change", () => onChange(input.value || undefined));
    } else if (arg.kind === "bool") {
      input = el("input", { type: "checkbox", class: "form-check-input arg-input", id });
      input.checked = current === undefined ? Boolean(arg.default) : Boolean(current);
      input.addEventListener("change", () => onChange(input.checked));
    } else {
      input = el("input", { class: "form-control form-control-sm arg-input font-monospace", id, size: arg.kind === "float" ? 8 : 6,
        placeholder: arg.default === null || arg.default === undefined ? (arg.required ? "?" : "") : formatValue(arg.default) });
      input.value = formatValue(current);
      input.addEventListener("change", () => onChange(parseValue(arg, input.value)));
    }
    input.dataset.arg = arg.name;
    return el("span", { class: "arg d-inline-flex align-items-center me-2 mb-1" }, [label, input]);
  }

  // --- rendering -------------------------------------------------------------------------------
  function render() {
    $("input-shape").value = Array.isArray(spec.input_shape) ? spec.input_shape.join(",") : String(spec.input_shape);
    const body = $("layers");
    body.replaceChildren();
    spec.layers.forEach((layer, index) => {
      const entry = catalog[layer.type];
      const row = el("tr", { "data-index": index, "data-testid": "layer-row" });
      row.appendChild(el("td", { class: "text-body-secondary", text: String(index + 1) }));
      const typeCell = el("td", {}, [el("code", { text: layer.type, title: entry ? (lang.startsWith("en") ? entry.doc_en : entry.doc_zh) : "" })]);
      row.appendChild(typeCell);
      const argsCell = el("td", { class: "args-cell" });
      (entry ? entry.args : []).forEach((arg) => argsCell.appendChild(argEditor(layer, index, arg)));
      row.appendChild(argsCell);
      row.appendChild(el("td", { class: "font-monospace small shape-cell", "data-testid": "layer-shape" }));
      row.appendChild(el("td", { class: "text-end font-monospace small params-cell", "data-testid": "layer-params" }));
      const actions = el("td", { class: "text-nowrap text-end" }, [
        el("button", { type: "button", class: "btn btn-sm btn-link px-1", title: gettext("Move up"), "aria-label": gettext("Move up"), text: "↑", onclick: () => move(index, -1) }),
        el("button", { type: "button", class: "btn btn-sm btn-link px-1", title: gettext("Move down"), "aria-label": gettext("Move down"), text: "↓", onclick: () => move(index, 1) }),
        el("button", { type: "button", class: "btn btn-sm btn-link text-danger px-1", title: gettext("Remove"), "aria-label": gettext("Remove layer"), text: "✕", "data-testid": "remove-layer", onclick: () => remove(index) }),
      ]);
      row.appendChild(actions);
      body.appendChild(row);
      body.appendChild(el("tr", { class: "formula-row", "data-index": index }, [el("td"), el("td", { colspan: "5", class: "small text-body-secondary formula-cell" })]));
    });
    paintReport();
  }

  function paintReport() {
    const rows = document.querySelectorAll("#layers tr[data-testid=layer-row]");
    const formulas = document.querySelectorAll("#layers tr.formula-row");
    const byIndex = {};
    if (report) report.layers.forEach((l) => { byIndex[l.index] = l; });
    const errorsByIndex = {};
    if (report) report.errors.forEach((e) => { if (e.index !== null) (errorsByIndex[e.index] = errorsByIndex[e.index] || []).push(e); });
    rows.forEach((row, i) => {
      const info = byIndex[i];
      row.querySelector(".shape-cell").textContent = info ? "(" + info.output_shape.map((d) => (d === null ? "None" : d)).join(", ") + ")" : "—";
      row.querySelector(".params-cell").textContent = info ? info.params.toLocaleString() : "—";
      row.classList.toggle("table-danger", Boolean(errorsByIndex[i]));
      const parts = [];
      if (info && info.shape_formula) parts.push(gettext("shape") + ": " + info.shape_formula);
      if (info && info.param_formula) parts.push(gettext("params") + ": " + info.param_formula);
      if (errorsByIndex[i]) parts.push("⚠ " + errorsByIndex[i].map((e) => e.message).join(" "));
      formulas[i].querySelector(".formula-cell").textContent = parts.join("   ·   ");
    });
    const errorsBox = $("spec-errors");
    const warningsBox = $("spec-warnings");
    errorsBox.replaceChildren();
    warningsBox.replaceChildren();
    if (!report) return;
    report.errors.forEach((e) => errorsBox.appendChild(el("div", { text: "✖ " + e.message })));
    report.warnings.forEach((w) => warningsBox.appendChild(el("div", { text: "⚠ " + w.message })));
    $("totals").textContent = report.valid
      ? interpolate(gettext("Total params: %s (trainable %s, non-trainable %s)"), [report.total_params.toLocaleString(), report.trainable_params.toLocaleString(), report.non_trainable_params.toLocaleString()])
      : gettext("Fix the errors to see the totals.");
    $("keras-code").textContent = report.keras_code || "";
    $("submit-run").disabled = !report.valid;
  }

  // --- edits ------------------------------------------------------------------------------------
  function changed() { saveSpec(); scheduleCheck(); }
  function move(index, delta) {
    const target = index + delta;
    if (target < 0 || target >= spec.layers.length) return;
    const [layer] = spec.layers.splice(index, 1);
    spec.layers.splice(target, 0, layer);
    render(); changed();
  }
  function remove(index) { spec.layers.splice(index, 1); render(); changed(); }
  // Sensible first values for a new layer's required arguments; the learner edits from there.
  const STARTER_ARGS = { filters: 32, units: 64, kernel_size: 3, rate: 0.2, factor: 0.1, height_factor: 0.1,
    width_factor: 0.1, scale: 1 / 255, target_shape: [-1], activation: "relu" };
  function starterValue(arg) {
    if (arg.name in STARTER_ARGS) return STARTER_ARGS[arg.name];
    if (arg.default !== null && arg.default !== undefined) return arg.default;
    return arg.min ?? 1;
  }
  function add(type) {
    const args = {};
    catalog[type].args.filter((a) => a.required).forEach((a) => { args[a.name] = starterValue(a); });
    // New layers go before the output layer, where they usually belong.
    const at = spec.layers.length && spec.layers[spec.layers.length - 1].type === "Dense" ? spec.layers.length - 1 : spec.layers.length;
    spec.layers.splice(at, 0, { type, args });
    render(); changed();
  }
  function syncOutputUnits() {
    const last = spec.layers[spec.layers.length - 1];
    const ds = dataset();
    if (last && last.type === "Dense" && ds) last.args.units = ds.num_classes;
  }

  function scheduleCheck() { clearTimeout(checkTimer); checkTimer = setTimeout(check, 200); }
  async function check() {
    const seq = ++checkSeq;
    const ds = dataset();
    const result = await dlcApi.post("/api/modelspec/check/", { spec, num_classes: ds ? ds.num_classes : null, from_logits: Boolean(config.compile.from_logits) });
    if (seq !== checkSeq) return; // a newer edit is already being checked
    if (result.ok) report = result.data;
    else report = { valid: false, layers: [], warnings: [], errors: [{ index: null, message: result.data.detail || gettext("The model could not be checked.") }], keras_code: "" };
    paintReport();
  }

  // --- Keras-code mode: build_model(input_shape, num_classes) in an editor instead of the table --
  function codeModeSetUp() {
    const area = $("model-code");
    if (!area || !config.code_template || !window.CodeMirror) return { get: () => undefined };
    const draftKey = `dlc-model-code:${config.course}:${config.lab}`;
    const editor = window.CodeMirror.fromTextArea(area, {
      mode: "python", lineNumbers: true, indentUnit: 4, tabSize: 4, matchBrackets: true,
      extraKeys: { Tab: (cm) => (cm.somethingSelected() ? cm.indentSelection("add") : cm.replaceSelection("    ", "end")) },
    });
    window.dlcModelCodeEditor = editor; // tests and the console can reach it
    editor.setValue(localStorage.getItem(draftKey) || config.code_template);
    editor.on("change", () => { try { localStorage.setItem(draftKey, editor.getValue()); } catch (err) { /* storage off */ } });
    $("code-reset").addEventListener("click", () => editor.setValue(config.code_template));
    const builderCards = [$("builder"), $("keras-code").closest(".card")];
    const apply = () => {
      const codeMode = $("mode-code").checked;
      $("code-card").classList.toggle("d-none", !codeMode);
      builderCards.forEach((card) => card.classList.toggle("d-none", codeMode));
      if (codeMode) editor.refresh(); // CodeMirror measures itself only when visible
    };
    $("mode-builder").addEventListener("change", apply);
    $("mode-code").addEventListener("change", apply);
    apply();
    return { get: () => ($("mode-code").checked ? editor.getValue() : undefined) };
  }

  // --- set-up -----------------------------------------------------------------------------------
  function init() {
    const code = codeModeSetUp();
    form = window.dlcLabForm(config, { getSpec: () => spec, getModelCode: code.get, onDatasetChange: () => { syncOutputUnits(); render(); changed(); } });
    const addType = $("add-type");
    config.catalog.forEach((entry) => addType.appendChild(el("option", { value: entry.type, text: entry.type })));
    addType.value = "Conv2D";
    $("add-layer").addEventListener("click", () => add(addType.value));
    $("input-shape").addEventListener("change", (e) => {
      const parts = e.target.value.replace(/[()\[\]\s]/g, "").split(",").filter((p) => p !== "").map(Number);
      spec.input_shape = parts.some((n) => !Number.isFinite(n)) ? e.target.value : parts;
      changed();
    });
    $("reset-spec").addEventListener("click", () => { spec = clone(config.spec); syncOutputUnits(); render(); changed(); });
    syncOutputUnits();
    render();
    check();
  }
  init();
})();
