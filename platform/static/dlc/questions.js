/* Questions under a lesson: send the answer, show the verdict and the worked explanation.
   The explanation HTML is sanitized on the server when the content is loaded. */
(function () {
  "use strict";
  function showResult(form, result) {
    const box = form.querySelector(".result");
    box.replaceChildren();
    if (!result) return;
    const verdict = document.createElement("div");
    if (result.pending_review) {
      verdict.className = "alert alert-info mb-2";
      verdict.textContent = gettext("Saved. An instructor will read and grade your answer.");
    } else {
      verdict.className = `alert ${result.correct ? "alert-success" : "alert-warning"} mb-2`;
      verdict.textContent = result.correct ? gettext("Correct!") : interpolate(gettext("Not quite. The answer is: %s"), [result.correct_answer]);
    }
    verdict.dataset.correct = String(result.correct);
    box.appendChild(verdict);
    if (result.explanation_html) {
      const explanation = document.createElement("div");
      explanation.className = "explanation border-start border-3 ps-3 lesson-rich";
      explanation.innerHTML = result.explanation_html; // sanitized server-side (nh3)
      box.appendChild(explanation);
      if (window.dlcRenderMath) window.dlcRenderMath(explanation);
    }
  }

  function responseOf(form) {
    const type = form.dataset.type;
    if (type === "single") {
      const checked = form.querySelector("input[type=radio]:checked");
      return { choice: checked ? checked.value : null };
    }
    if (type === "multiple") return { choices: [...form.querySelectorAll("input[type=checkbox]:checked")].map((i) => i.value) };
    if (type === "text") return { text: form.querySelector("textarea").value };
    return { value: form.querySelector("input[name=value]").value };
  }

  document.querySelectorAll("form.question").forEach((form) => {
    const last = document.getElementById(`question-${form.dataset.questionId}-last`);
    if (last) showResult(form, JSON.parse(last.textContent));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      const result = await dlcApi.post(`/api/questions/${form.dataset.questionId}/attempts/`, { response: responseOf(form) });
      button.disabled = false;
      if (result.ok) {
        showResult(form, result.data);
        const counter = form.querySelector(".attempts");
        if (counter && counter.dataset.max) {
          counter.dataset.used = String(Number(counter.dataset.used) + 1);
          counter.textContent = interpolate(gettext("Attempts: %s / %s"), [counter.dataset.used, counter.dataset.max]);
        }
      } else {
        const box = form.querySelector(".result");
        box.replaceChildren();
        const error = document.createElement("div");
        error.className = "alert alert-danger mb-0";
        error.textContent = result.data.detail || gettext("The answer could not be saved.");
        box.appendChild(error);
      }
    });
  });
})();
