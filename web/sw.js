/*
 * sw.js — the service worker that makes campusmon installable and gives
 * it an offline shell: the page, styles, scripts and icons are cached at
 * install and served from the network first, the cache when offline.
 * API answers are never cached: figures are live or absent.
 */
"use strict";

importScripts("/scripts.js");	/* self.CM_SCRIPTS: the page's scripts, listed once */

const CACHE = "campusmon-shell-v2";
const SHELL = ["/", "/index.html", "/style.css", "/scripts.js", ...self.CM_SCRIPTS.map((s) => "/" + s),
  "/manifest.webmanifest", "/icon.svg", "/icon-192.png", "/icon-512.png"];

self.addEventListener("install", (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (ev) => {
  ev.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== "GET" || url.origin !== self.location.origin ||
      url.pathname.startsWith("/api/") || url.pathname === "/metrics")
    return;			/* straight to the network */
  ev.respondWith(fetch(ev.request).then((resp) => {
    if (resp.ok && SHELL.includes(url.pathname)) {
      const copy = resp.clone();
      caches.open(CACHE).then((c) => c.put(ev.request, copy));
    }
    return resp;
  }).catch(() => caches.match(ev.request).then((hit) => hit ||
    (ev.request.mode === "navigate" ? caches.match("/index.html") : Response.error()))));
});
