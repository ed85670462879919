/* Run page: history first, then live messages over /ws/runs/<id>/; reconnects with backoff. */
(function () {
  "use strict";
  const state = JSON.parse(document.getElementById("run-state").textContent);
  const runId = state.id;
  const $ = (id) => document.getElementById(id);
  const FINAL = ["succeeded", "failed", "cancelled", "timed_out"];
  const STATUS_TEXT = {
    queued: gettext("Queued"), running: gettext("Running"), succeeded: gettext("Succeeded"),
    failed: gettext("Failed"), cancelled: gettext("Cancelled"), timed_out: gettext("Timed out"),
  };
  const epochs = new Map();
  let status = state.status;
  let totalEpochs = state.hyperparameters.epochs || null;
  let socket = null;
  let retryDelay = 1000;
  let logLines = [];

  // Which metrics each chart plots comes from the lab's program (classifier: loss / accuracy;
  // linear regression: loss / w and b; wide & deep: loss / mae).
  const COLOURS = ["#0d6efd", "#fd7e14", "#198754", "#d63384"];
  function chart(canvasId, keys, offset) {
    return new Chart($(canvasId), {
      type: "line",
      data: { labels: [], datasets: keys.map((key, i) => ({ label: key, data: [], borderColor: COLOURS[offset + i], backgroundColor: COLOURS[offset + i], tension: 0.2, spanGaps: true })) },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { title: { display: true, text: "epoch" } } } },
    });
  }
  const chartKeys = state.charts && state.charts.length === 2 ? state.charts : [["loss", "val_loss"], ["accuracy", "val_accuracy"]];
  $("second-chart-title").textContent = chartKeys[1].join(" / ");
  const charts = [chart("loss-chart", chartKeys[0], 0), chart("accuracy-chart", chartKeys[1], 2)];
  const columns = [...chartKeys[0], ...chartKeys[1]];
  const head = $("epoch-head");
  head.replaceChildren();
  ["epoch", ...columns, "s"].forEach((name) => { const th = document.createElement("th"); th.textContent = name; head.appendChild(th); });

  function fmt(value, digits) { return typeof value === "number" ? value.toFixed(digits || 4) : "—"; }

  function setStatus(newStatus, reason) {
    status = newStatus;
    const badge = $("status");
    badge.className = `badge fs-6 status-badge status-${newStatus}`;
    badge.dataset.status = newStatus;
    badge.textContent = STATUS_TEXT[newStatus] || newStatus;
    const reasonBox = $("status-reason");
    if (reason) { reasonBox.textContent = reason; reasonBox.classList.remove("d-none"); }
    const cancel = $("cancel");
    if (cancel) cancel.disabled = FINAL.includes(newStatus);
    const bar = $("progress-bar");
    bar.classList.toggle("progress-bar-animated", newStatus === "running");
    if (newStatus === "succeeded") { bar.style.width = "100%"; bar.classList.add("bg-success"); }
    if (newStatus === "queued") $("epoch-label").textContent = gettext("Queued: waiting for a free worker …");
  }

  // A queued run's place in the fair-share queue and when it should start (server's estimate).
  function showQueuePlace(queue) {
    if (!queue || status !== "queued") return;
    const when = new Date(queue.estimated_start);
    $("epoch-label").textContent = interpolate(gettext("Queued: number %s in line, expected to start around %s"),
      [queue.position, when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })]);
  }

  function setProgress(epoch, batch, steps) {
    if (epoch) $("epoch-label").textContent = interpolate(gettext("Epoch %s of %s"), [epoch, totalEpochs || "?"]);
    if (steps) {
      const pct = Math.min(100, Math.round((100 * batch) / steps));
      $("progress-bar").style.width = pct + "%";
      $("progress-bar").parentElement.setAttribute("aria-valuenow", pct);
      $("batch-label").textContent = `${batch}/${steps}`;
    }
  }

  function addEpoch(message) {
    epochs.set(message.epoch, message);
    const sorted = [...epochs.values()].sort((a, b) => a.epoch - b.epoch);
    for (const c of charts) {
      c.data.labels = sorted.map((e) => e.epoch);
      c.data.datasets.forEach((ds) => { ds.data = sorted.map((e) => (e.metrics[ds.label] ?? null)); });
      c.update();
    }
    const rows = $("epoch-rows");
    rows.replaceChildren();
    sorted.forEach((e) => {
      const tr = document.createElement("tr");
      [e.epoch, ...columns.map((key) => fmt(e.metrics[key])), fmt(e.duration_s, 1)].forEach((v) => {
        const td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
  }

  function appendLog(lines) {
    logLines = logLines.concat(lines).slice(-300);
    const box = $("log");
    const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
    box.textContent = logLines.join("\n");
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  function showFinal(metrics) {
    const entries = Object.entries(metrics || {});
    $("final-metrics").textContent = entries.length ? entries.map(([k, v]) => `${k}: ${fmt(v)}`).join("   ") : "—";
  }

  function handle(message) {
    switch (message.type) {
      case "history": {
        const run = message.run;
        epochs.clear();
        totalEpochs = run.hyperparameters.epochs;
        logLines = [];
        appendLog(message.log_tail || []);
        message.epochs.forEach(addEpoch);
        if (run.model_summary) $("summary").textContent = run.model_summary;
        showFinal(run.final_metrics);
        setStatus(run.status, run.status_reason);
        showQueuePlace(run.queue);
        const p = run.progress || {};
        const lastEpoch = message.epochs.length ? message.epochs[message.epochs.length - 1].epoch : 0;
        if (run.status === "running") setProgress(p.epoch || lastEpoch + 1, p.batch || 0, p.steps);
        else if (lastEpoch) setProgress(lastEpoch, 1, 1);
        break;
      }
      case "status": setStatus(message.status, message.reason); break;
      case "train_begin": if (message.epochs) totalEpochs = message.epochs; break;
      case "epoch_begin": setProgress(message.epoch, 0, message.steps); break;
      case "batch": setProgress(null, message.batch, message.steps); $("batch-label").textContent += message.metrics && typeof message.metrics.loss === "number" ? `  loss ${fmt(message.metrics.loss)}` : ""; break;
      case "epoch": addEpoch(message); break;
      case "log": appendLog(message.lines || []); break;
      case "summary": $("summary").textContent = message.text; break;
      case "done":
        setStatus(message.status, message.reason); showFinal(message.final_metrics);
        if (message.model_summary) $("summary").textContent = message.model_summary;
        document.dispatchEvent(new CustomEvent("dlc:run-finished", { detail: { status: message.status } }));
        break;
      case "error": console.warn("server:", message.message); break;
      default: break;
    }
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}/ws/runs/${runId}/`);
    $("connection").textContent = gettext("connecting …");
    socket.onopen = () => { retryDelay = 1000; $("connection").textContent = gettext("live"); };
    socket.onmessage = (event) => { try { handle(JSON.parse(event.data)); } catch (err) { console.error(err); } };
    socket.onclose = () => {
      $("connection").textContent = FINAL.includes(status) ? "" : gettext("reconnecting …");
      if (!FINAL.includes(status)) { setTimeout(connect, retryDelay); retryDelay = Math.min(retryDelay * 2, 15000); }
    };
  }

  const cancel = $("cancel");
  if (cancel) cancel.addEventListener("click", async () => {
    if (!window.confirm(gettext("Cancel this run? The training process will be stopped."))) return;
    cancel.disabled = true;
    const result = await dlcApi.post(`/api/runs/${runId}/cancel/`);
    if (result.ok) setStatus(result.data.status, result.data.status_reason);
    else { cancel.disabled = false; window.alert(result.data.detail || gettext("The run could not be cancelled.")); }
  });

  setStatus(status, state.status_reason);
  showQueuePlace(state.queue);
  connect();
})();
