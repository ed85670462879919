// Run page, for the learner: "use this run for my grade" (labs that grade the chosen run).
(function () {
  "use strict";
  const button = document.getElementById("choose-run");
  if (!button) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    const result = await dlcApi.post(`/api/grading/items/${button.dataset.item}/choose-run/`, { run: Number(button.dataset.run) });
    const box = button.parentElement;
    const note = document.createElement("span");
    note.className = result.ok ? "text-success" : "text-danger";
    note.textContent = result.ok ? gettext("Chosen: this run is the one graded for this lab.") : (result.data.detail || gettext("The request failed."));
    box.appendChild(note);
    if (!result.ok) button.disabled = false;
    else button.remove();
  });
})();
