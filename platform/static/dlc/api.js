/* Small fetch wrapper for the platform's JSON API (session auth + CSRF). */
(function () {
  "use strict";
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  async function request(method, url, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") options.headers["X-CSRFToken"] = csrfToken(); // DELETE has no body but needs it too
    if (body instanceof FormData) {
      options.body = body; // the browser sets the multipart boundary
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      return { ok: false, status: 0, data: { detail: gettext("The server could not be reached. Check your connection and try again.") } };
    }
    let data = {};
    if (response.status !== 204) {
      try { data = await response.json(); } catch (err) { data = { detail: response.statusText }; }
    }
    return { ok: response.ok, status: response.status, data };
  }
  window.dlcApi = {
    get: (url) => request("GET", url),
    post: (url, body) => request("POST", url, body === undefined ? {} : body),
    patch: (url, body) => request("PATCH", url, body === undefined ? {} : body),
    delete: (url) => request("DELETE", url),
  };
  // Build a DOM node; text always goes in with textContent (never parsed as HTML).
  window.dlcEl = function (tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  };
  window.dlcText = function (el, text) { el.textContent = text == null ? "" : String(text); return el; };
})();
