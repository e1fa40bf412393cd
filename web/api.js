/*
 * api.js — the JSON API client and safe DOM building (formatting: format.js).
 *
 * Safety contract: every value that came from a device, an agent or a user
 * reaches the page through el() children or text(), which become text nodes
 * (textContent). Nothing here, or in the files that use it, parses strings as
 * markup.
 * Links are built only from "#/..." routes with encoded parts.
 */
"use strict";

(function () {
const CM = window.CM || (window.CM = {});

/* ---- DOM ---- */

/* el("div", {class: "x", onclick: fn}, "text", child, [more]) */
CM.el = function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      node.addEventListener(k.slice(2), v);
    } else if (k === "href") {
      node.setAttribute("href", String(v).startsWith("#/") ? v : "#/");
    } else if (k === "dataset") {
      for (const [dk, dv] of Object.entries(v)) node.dataset[dk] = dv;
    } else if (v === true) {
      node.setAttribute(k, "");
    } else {
      node.setAttribute(k, String(v));
    }
  }
  CM.append(node, children);
  return node;
};

CM.append = function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
};

CM.clear = function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
};

CM.route = function route(...parts) {
  return "#/" + parts.map((p) => encodeURIComponent(String(p))).join("/");
};

/* ---- API ---- */

CM.session = { user: null, role: null, csrf: null, kind: null, permissions: [] };

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}
CM.ApiError = ApiError;

/* Resolves to the decoded body (or null for 204); rejects with ApiError. */
CM.api = async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  if (method !== "GET" && method !== "HEAD" && CM.session.csrf)
    opts.headers["X-CSRF-Token"] = CM.session.csrf;
  let r;
  try {
    r = await fetch(path, opts);
  } catch (e) {
    CM.onOffline && CM.onOffline(true);
    throw new ApiError(0, CM.t("offline"));
  }
  CM.onOffline && CM.onOffline(false);
  let data = null;
  if (r.status !== 204) {
    const type = r.headers.get("Content-Type") || "";
    if (type.startsWith("application/json")) {
      try { data = await r.json(); } catch (e) { data = null; }
    }
  }
  if (r.ok) return data;
  const msg = data && typeof data.error === "string" ? data.error : "HTTP " + r.status;
  if (r.status === 401 && path !== "/api/v1/login" && CM.onUnauthorized)
    CM.onUnauthorized();
  throw new ApiError(r.status, msg);
};

/* Like api(), but a 404 (route not built yet) resolves to undefined. */
CM.apiOptional = async function apiOptional(path) {
  try {
    return await CM.api("GET", path);
  } catch (e) {
    if (e.status === 404 || e.status === 405) return undefined;
    throw e;
  }
};
})();
