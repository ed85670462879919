/* Render the formulas the server left as text in .math elements (KaTeX, served locally). */
(function () {
  "use strict";
  document.querySelectorAll(".lesson-body .math").forEach((node) => {
    try {
      katex.render(node.textContent, node, { displayMode: node.classList.contains("math-display"), throwOnError: false });
    } catch (err) { /* leave the TeX source visible */ }
  });
})();
