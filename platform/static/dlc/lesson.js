/* Render the formulas the server left as text in .math elements (KaTeX, served locally). */
(function () {
  "use strict";
  window.dlcRenderMath = function (root) {
    (root || document).querySelectorAll(".lesson-rich .math, .math").forEach((node) => {
      if (node.dataset.rendered) return;
      try {
        katex.render(node.textContent, node, { displayMode: node.classList.contains("math-display"), throwOnError: false });
        node.dataset.rendered = "1";
      } catch (err) { /* leave the TeX source visible */ }
    });
  };
  window.dlcRenderMath(document);
})();
