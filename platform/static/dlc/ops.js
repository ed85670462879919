// Queue page (admins): cancel and requeue buttons call the API, then the page reloads.
(function () {
  "use strict";
  const message = document.getElementById("ops-message");
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const run = button.dataset.run;
    const url = button.dataset.action === "cancel" ? `/api/runs/${run}/cancel/` : `/api/ops/runs/${run}/requeue/`;
    button.disabled = true;
    const result = await dlcApi.post(url);
    if (result.ok) { window.location.reload(); return; }
    button.disabled = false;
    message.className = "alert alert-danger mt-3";
    message.textContent = (result.data && result.data.detail) || gettext("The request failed.");
  });
})();
