/* Code exercise page: CodeMirror editor (served locally), Run / Submit, polling for the
   sandbox's results, per-test results and history. Text from the server always goes in with
   textContent (dlcEl), never as HTML. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("code-config").textContent);
  const el = window.dlcEl;
  const draftKey = `dlc-code-draft:${config.user}:${config.key}`;
  const $ = (id) => document.getElementById(id);

  const textarea = $("code-editor");
  const editor = window.CodeMirror.fromTextArea(textarea, {
    mode: "python", lineNumbers: true, indentUnit: 4, tabSize: 4, indentWithTabs: false,
    matchBrackets: true, viewportMargin: Infinity,
    extraKeys: {
      Tab: (cm) => (cm.somethingSelected() ? cm.indentSelection("add") : cm.replaceSelection("    ", "end")),
      "Ctrl-Enter": () => send("run"),
      "Shift-Ctrl-Enter": () => send("submit"),
    },
  });
  window.dlcCodeEditor = editor; // tests and the console can reach it
  const draft = localStorage.getItem(draftKey);
  editor.setValue(draft || config.starter);
  if (!draft && config.history.length) {
    // No unsent draft: continue from the last code sent.
    dlcApi.get(config.submission_url.replace(/0\/$/, `${config.history[0].id}/`)).then((response) => {
      if (response.ok && !localStorage.getItem(draftKey)) editor.setValue(response.data.code);
    });
  }
  editor.on("change", () => {
    try { localStorage.setItem(draftKey, editor.getValue()); } catch (err) { /* storage full or off */ }
  });

  $("code-reset").addEventListener("click", () => {
    if (window.confirm(gettext("Replace your code with the starting code?"))) editor.setValue(config.starter);
  });
  $("code-run").addEventListener("click", () => send("run"));
  $("code-submit").addEventListener("click", () => send("submit"));

  function busy(on) {
    $("code-run").disabled = on;
    $("code-submit").disabled = on;
  }

  function showStatus(text, cls) {
    const status = $("code-status");
    status.textContent = text;
    status.className = "small " + (cls || "");
  }

  function showMessage(text) {
    const box = $("code-message");
    box.textContent = text || "";
    box.classList.toggle("d-none", !text);
  }

  async function send(kind) {
    busy(true);
    showMessage("");
    showStatus(gettext("Sending…"));
    const response = await dlcApi.post(config.submit_url, { code: editor.getValue(), kind });
    if (!response.ok) {
      busy(false);
      showStatus("");
      showMessage(response.data.detail || gettext("The code was not accepted."));
      return;
    }
    if (kind === "submit") {
      try { localStorage.removeItem(draftKey); } catch (err) { /* ignore */ }
    }
    await follow(response.data.id);
  }

  async function follow(id) {
    const url = config.submission_url.replace(/0\/$/, `${id}/`);
    const deadline = Date.now() + 180000;
    let delay = 300;
    while (Date.now() < deadline) {
      const response = await dlcApi.get(url);
      if (response.ok) {
        const data = response.data;
        if (data.status === "queued") showStatus(gettext("Waiting for a worker…"));
        else if (data.status === "running") showStatus(gettext("Running in the sandbox…"));
        else {
          render(data);
          busy(false);
          refreshHistory();
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 1.5, 2000);
    }
    busy(false);
    showStatus(gettext("No result yet: reload the page later."), "text-warning-emphasis");
  }

  function render(data) {
    if (data.status === "error") {
      showStatus(data.status_display, "text-danger");
      showMessage(data.message);
      $("code-results").replaceChildren();
      $("code-score").textContent = "";
      return;
    }
    const allPassed = data.total > 0 && data.passed === data.total;
    showStatus(interpolate(gettext("%(passed)s of %(total)s tests passed"), { passed: data.passed, total: data.total }, true),
      allPassed ? "text-success" : "text-danger");
    showMessage(data.message);
    $("code-score").textContent = data.kind === "submit" && data.score !== null
      ? interpolate(gettext("Score: %(score)s / %(points)s"), { score: +data.score.toFixed(2), points: data.points }, true)
      : gettext("Examples only: press Submit to be scored on every test.");
    const list = $("code-results");
    list.replaceChildren(...data.results.map((result) => {
      const item = el("li", { class: "mb-2", "data-testid": "code-result", "data-passed": String(result.passed) }, [
        el("span", { class: result.passed ? "text-success fw-semibold" : "text-danger fw-semibold",
          text: result.passed ? "✓ " : "✗ " }),
        el("span", { text: result.name }),
      ]);
      if (!result.hidden && !result.passed && result.message) {
        item.append(el("div", { class: "small code-result-msg text-body-secondary", "data-testid": "code-result-message", text: result.message }));
      }
      if (!result.hidden && !result.passed && result.traceback) {
        item.append(el("pre", { class: "small code-panel p-2 mt-1 mb-0", text: result.traceback }));
      }
      return item;
    }));
    const output = data.output || "";
    $("code-output").textContent = output;
    $("code-output-box").classList.toggle("d-none", !output);
  }

  async function refreshHistory() {
    const response = await dlcApi.get(config.submit_url);
    if (response.ok) drawHistory(response.data.results);
  }

  function drawHistory(rows) {
    const body = $("code-history");
    if (!rows.length) {
      body.replaceChildren(el("tr", {}, [el("td", { colspan: "5", class: "text-body-secondary", text: gettext("Nothing run yet.") })]));
      return;
    }
    body.replaceChildren(...rows.map((row) => {
      const restore = el("button", { type: "button", class: "btn btn-link btn-sm p-0", text: gettext("Load this code") });
      restore.addEventListener("click", async () => {
        const response = await dlcApi.get(config.submission_url.replace(/0\/$/, `${row.id}/`));
        if (response.ok) {
          editor.setValue(response.data.code);
          render(response.data);
        }
      });
      return el("tr", { "data-testid": "code-history-row" }, [
        el("td", { text: new Date(row.created_at).toLocaleString() }),
        el("td", { text: row.kind === "submit" ? gettext("Submit") : gettext("Run examples") }),
        el("td", { text: row.status === "done" ? `${row.passed} / ${row.total}` : row.status_display }),
        el("td", { text: row.score === null ? "—" : `${+row.score.toFixed(2)} / ${row.points}` }),
        el("td", {}, [restore]),
      ]);
    }));
  }

  drawHistory(config.history);
  const pending = config.history.find((row) => row.status === "queued" || row.status === "running");
  if (pending) {
    busy(true);
    follow(pending.id);
  }
})();
