/*
 * channels-card.js — the notification channels card of settings: each
 * channel with its last delivery, failures, pending messages and newest
 * dead letters (GET /api/v1/channels), and a "send test" button
 * (POST /api/v1/channels/{name}/test). Channels themselves are configured
 * in the collector's YAML (notify.channels); one removed from it (SIGHUP)
 * stays listed, marked removed, while the outbox holds its dead letters.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, api, t } = CM;

  CM.channelsCard = function channelsCard() {
    const list = el("div", { id: "channels-list" });
    const msg = el("p", { class: "small", id: "channels-message", role: "status" });
    const node = el("section", { class: "card wide", id: "channels-card" }, el("h2", {}, t("channels")),
      el("p", { class: "muted small" }, t("channels_hint")), msg, list);

    function say(text, bad) {
      msg.className = "small" + (bad ? " error-text" : "");
      msg.textContent = text;
    }

    async function test(ch, button) {
      button.disabled = true;
      try {
        await api("POST", "/api/v1/channels/" + encodeURIComponent(ch.name) + "/test", {});
        say(t("channel_test_queued", { name: ch.name }));
        setTimeout(refresh, 1500);
      } catch (e) { say(e.message, true); }
      button.disabled = false;
    }

    async function retry(ch, button) {
      button.disabled = true;
      try {
        await api("POST", "/api/v1/channels/" + encodeURIComponent(ch.name) + "/retry", {});
        say(t("channel_retry_queued", { name: ch.name }));
        setTimeout(refresh, 1500);
      } catch (e) { say(e.message, true); }
      button.disabled = false;
    }

    function deadList(ch) {
      if (!ch.dead_letters || !ch.dead_letters.length) return null;
      // a removed channel's letters can go again only once it is configured again
      const again = ch.removed ? null : el("button", { type: "button", class: "btn secondary", dataset: { retry: ch.name } }, t("send_again"));
      if (again) again.addEventListener("click", () => retry(ch, again));
      return el("details", { class: "small" }, el("summary", {}, t("dead_letters_n", { n: ch.dead_letters.length })),
        el("ul", {}, ch.dead_letters.map((d) => el("li", { class: "break" },
          (d.alert_id ? "#" + d.alert_id + " " : "") + d.event + " · " + CM.ago(d.updated) + " · " + d.error))), again);
    }

    async function refresh() {
      CM.ui.fill(list, async () => {
        const chans = await api("GET", "/api/v1/channels");
        return CM.ui.table([
          { label: t("name"), get: (c) => el("span", { class: "break" }, c.name) },
          { label: t("kind"), get: (c) => (c.removed ? el("span", { class: "muted" }, t("channel_removed")) : t("channel_" + c.type, null, c.type)) },
          { label: t("last_delivery"), get: (c) => (c.last_delivery ? CM.ago(c.last_delivery) : t("never")), num: true },
          { label: t("sent"), get: (c) => String(c.sent), num: true, wideOnly: true },
          { label: t("failures"), get: (c) => el("span", { title: c.last_error || "" }, String(c.failures)), num: true },
          { label: t("dead_letters"), get: (c) => el("div", {}, String(c.dead), deadList(c)), num: true },
          { label: t("actions"), get: (c) => {
            if (c.removed) return null;
            const b = el("button", { type: "button", class: "btn secondary", dataset: { channel: c.name } }, t("send_test"));
            b.addEventListener("click", () => test(c, b));
            return b;
          } },
        ], chans, { empty: t("no_channels"), rowData: (c) => ({ channel: c.name }) });
      });
    }
    refresh();
    return { node, refresh };
  };
})();
