/*
 * host-checks.js — the "Checks" card of a server's page: every Nagios check
 * (nagios_state: state 0–3 and service output) and every plugin instance
 * of the agent (postgresql, mysql, redis, nginx, apache, tomcat, http, tcp, dns:
 * its up field and error text; x509_cert days left), one row each, worst
 * first. Output comes from the checked servers: it is only ever set as
 * text (el() uses textContent), never as markup.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, t } = CM;
  const { table, badge } = CM.ui;
  const NAGIOS = ["ok", "warning", "critical", "unknown"];
  /* measurement of a plugin instance's up field → the plugin's name */
  const PLUGINS = { postgresql: "postgresql", mysql: "mysql", redis: "redis", nginx: "nginx",
    apache: "apache", tomcat_jvm_memory: "tomcat", http_response: "http", net_response: "tcp", dns_query: "dns" };
  const RANK = { critical: 0, down: 0, unknown: 1, warning: 2, ok: 3, up: 3 };

  function hostChecks() {
    const box = el("div");
    const node = el("section", { class: "card wide", id: "host-checks-card" },
      el("h2", {}, t("checks")), box);

    function update(rows) {
      const byInst = {};
      const add = (kind, inst) => {
        const k = kind + "\u0000" + inst;
        return byInst[k] || (byInst[k] = { kind, inst, state: "unknown", output: "", detail: "", ts: 0 });
      };
      for (const s of rows) {
        /* the agent tags instance=; other senders may name a check with other tags */
        const tags = s.tags || {};
        const inst = tags.instance || Object.entries(tags).filter((kv) => kv[0] !== "host" && kv[0] !== "db")
          .map((kv) => kv[1]).join(" ");
        if (!inst) continue;
        if (s.measurement === "nagios_state") {
          const c = add("nagios", inst);
          if (s.field === "state") { c.state = NAGIOS[s.last] || "unknown"; c.ts = s.last_ts; }
          else if (s.field === "service_output") c.output = String(s.last || "");
          else if (s.field === "long_service_output") c.detail = String(s.last || "");
        } else if (PLUGINS[s.measurement] && !tags.db) {
          const c = add(PLUGINS[s.measurement], inst);
          if (s.field === "up") { c.state = s.last === 1 ? "up" : "down"; c.ts = s.last_ts; }
          else if (s.field === "error") c.error = String(s.last || "");
        } else if (s.measurement === "x509_cert" && s.field === "days_left") {
          const c = add("http", inst);
          c.cert = s.last;
        }
      }
      const checks = Object.values(byInst).sort((a, b) =>
        (RANK[a.state] - RANK[b.state]) || a.kind.localeCompare(b.kind) || a.inst.localeCompare(b.inst));
      for (const c of checks) {
        /* An error from an earlier failure stays the series' last value: show it only while down. */
        if (c.kind !== "nagios") c.output = c.state === "down" ? c.error || "" : "";
        if (typeof c.cert === "number") {
          const d = t("cert_days", { n: Math.floor(c.cert) });
          c.output = c.output ? c.output + " · " + d : d;
        }
      }
      clear(box);
      box.appendChild(table([
        { label: t("check"), get: (c) => el("span", { class: "break" }, c.inst) },
        { label: t("kind"), get: (c) => c.kind, wideOnly: true },
        { label: t("status"), get: (c) => badge(c.state, c.kind === "nagios" ? t("check_" + c.state) : null) },
        { label: t("output"), get: (c) => el("span", { class: "break check-output" }, c.output,
          c.detail ? el("details", {}, el("summary", {}, t("more")), el("pre", { class: "break" }, c.detail)) : null) },
        { label: t("last_seen"), get: (c) => CM.ago(c.ts), num: true, wideOnly: true },
      ], checks, { compact: true, empty: t("no_checks"), rowData: (c) => ({ check: c.kind + ":" + c.inst }) }));
    }
    return { node, update };
  }

  CM.ui.hostChecks = hostChecks;
})();
