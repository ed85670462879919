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
  const WIDGETS = { "tensor-shape": tensorShape };
  document.querySelectorAll(".dlc-widget").forEach((mount) => { const make = WIDGETS[mount.dataset.widget]; if (make) make(mount); });
})();
