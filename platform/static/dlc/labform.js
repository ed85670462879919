/* The "Train" form of a lab page: data set, hyper-parameters (and switches such as the MLP lab's
   /255 normalization), submit. Used on its own for labs with a fixed model, and by the model
   builder, which passes the spec to submit. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const el = window.dlcEl;

  window.dlcLabForm = function (config, hooks) {
    const getSpec = (hooks && hooks.getSpec) || (() => undefined);
    const getModelCode = (hooks && hooks.getModelCode) || (() => undefined);
    const onDatasetChange = (hooks && hooks.onDatasetChange) || (() => {});
    function dataset() { return config.datasets.find((d) => d.slug === $("dataset").value) || config.datasets[0]; }

    async function submit(event) {
      event.preventDefault();
      const box = $("submit-errors");
      box.classList.add("d-none");
      box.replaceChildren();
      const num = (id) => { const v = $(id).value.trim(); return v === "" ? null : Number(v); };
      const hyperparameters = { epochs: num("epochs"), batch_size: num("batch_size"), optimizer: $("optimizer").value };
      if ($("learning_rate")) hyperparameters.learning_rate = num("learning_rate");
      if ($("normalize")) hyperparameters.normalize = $("normalize").checked;
      if ($("strategy")) hyperparameters.strategy = $("strategy").value;
      if ($("trainable_layers")) hyperparameters.trainable_layers = num("trainable_layers");
      const body = { course: config.course, lab: config.lab, dataset: $("dataset").value, hyperparameters };
      if ($("search-method")) body.search = searchValues();
      const spec = getSpec();
      if (spec !== undefined) body.spec = spec;
      const modelCode = getModelCode();
      if (typeof modelCode === "string") body.model_code = modelCode; // Keras-code mode: the spec gives only the input shape
      $("submit-run").disabled = true;
      const result = await dlcApi.post("/api/runs/", body);
      if (result.ok) { window.location.href = result.data.url; return; }
      $("submit-run").disabled = false;
      const errors = (result.data && result.data.errors) || [];
      box.appendChild(el("div", { class: "fw-semibold", text: gettext("The run was not submitted:") }));
      const list = el("ul", { class: "mb-0" });
      if (Array.isArray(errors) && errors.length) errors.forEach((e) => list.appendChild(el("li", { text: e.message || JSON.stringify(e) })));
      else list.appendChild(el("li", { text: (result.data && result.data.detail) || gettext("Unknown error.") }));
      box.appendChild(list);
      box.classList.remove("d-none");
    }

    // "0.001, 0.01" → [0.001, 0.01]; anything unreadable is sent as text so the server explains it.
    function list(id) {
      const parts = $(id).value.split(/[,\s]+/).filter((p) => p !== "");
      const numbers = parts.map(Number);
      return numbers.some((n) => !Number.isFinite(n)) ? $(id).value : numbers;
    }
    function searchValues() {
      const search = { method: $("search-method").value, learning_rates: list("search-learning-rates"), hidden_layers: list("search-hidden-layers"), units: list("search-units") };
      if (search.method === "random") search.trials = Number($("search-trials").value);
      return search;
    }
    function showSearchCount() {
      const s = searchValues();
      const size = [s.learning_rates, s.hidden_layers, s.units].map((v) => (Array.isArray(v) ? v.length : 0)).reduce((a, b) => a * b, 1);
      $("search-trials").disabled = s.method !== "random";
      $("search-count").textContent = s.method === "grid"
        ? interpolate(gettext("%s trials: one run per combination."), [size])
        : interpolate(gettext("%s trials drawn at random."), [s.trials || 0]);
    }
    if ($("search-method") && config.search) {
      const d = config.search;
      $("search-method").value = d.method;
      $("search-learning-rates").value = d.learning_rates.join(", ");
      $("search-hidden-layers").value = d.hidden_layers.join(", ");
      $("search-units").value = d.units.join(", ");
      $("search-trials").value = d.trials || 6;
      ["search-method", "search-learning-rates", "search-hidden-layers", "search-units", "search-trials"].forEach((id) => $(id).addEventListener("input", showSearchCount));
      showSearchCount();
    }

    const select = $("dataset");
    config.datasets.forEach((d) => select.appendChild(el("option", { value: d.slug, text: d.title })));
    select.value = config.default_dataset;
    // The lab's default set may not exist here (e.g. not built yet): show the one that is used.
    if (select.selectedIndex < 0 && select.options.length) select.selectedIndex = 0;
    const describe = () => {
      const d = dataset();
      $("dataset-help").textContent = !d ? "" : d.num_classes
        ? interpolate(gettext("%s items, classes: %s"), [d.num_items, d.class_names.join(", ")])
        : interpolate(gettext("%s items"), [d.num_items]);
    };
    select.addEventListener("change", () => { describe(); onDatasetChange(dataset()); });
    describe();
    Object.entries(config.optimizers).forEach(([value, label]) => $("optimizer").appendChild(el("option", { value, text: label })));
    const hp = config.hyperparameters;
    $("epochs").value = hp.epochs; $("epochs").max = config.max_epochs;
    $("batch_size").value = hp.batch_size; $("optimizer").value = hp.optimizer;
    if ($("learning_rate")) $("learning_rate").value = hp.learning_rate;
    if ($("normalize")) $("normalize").checked = Boolean(hp.normalize);
    if ($("trainable_layers")) $("trainable_layers").value = hp.trainable_layers;
    if ($("strategy")) {
      // N only matters for "last N layers"; the field stays visible, greyed out otherwise.
      const syncN = () => { if ($("trainable_layers")) $("trainable_layers").disabled = $("strategy").value !== "last_n"; };
      $("strategy").value = hp.strategy;
      $("strategy").addEventListener("change", syncN);
      syncN();
    }
    $("submit-form").addEventListener("submit", submit);
    return { dataset };
  };

  // A lab without the model builder starts its form by itself.
  const fixed = document.getElementById("lab-config");
  if (fixed) window.dlcLabForm(JSON.parse(fixed.textContent));
})();
