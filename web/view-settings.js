/*
 * view-settings.js — settings for admins: users, tokens, the device inventory
 * (edit, remove, add) and discovery: range sweeps here, seeded discovery and
 * the seen hosts from view-discovery.js.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, clear, route, api, t } = CM;
  const main = document.getElementById("main");
  const { badge, table, pager, twoLines, confirmInline, errorText, fill, addDeviceCard, deviceForm } = CM.ui;

  /* ---- settings: users and tokens ---- */
  /* The roles people may have come from the collector's one table
   * (GET /api/v1/roles), asked once per page load. */
  let rolesLoading = null;
  function roles() {
    if (!rolesLoading)
      rolesLoading = api("GET", "/api/v1/roles").then((list) => list.map((r) => r.role))
        .catch(() => { rolesLoading = null; return []; });
    return rolesLoading;
  }

  /* A select showing value at once; the other roles fill in when known. */
  function roleSelect(value) {
    const chosen = value || "viewer";
    const option = (r) => el("option", { value: r }, t("role_" + r, null, r));
    const s = el("select", { "aria-label": t("role") }, option(chosen));
    s.value = chosen;
    roles().then((list) => {
      if (!list.length) return;
      const keep = s.value;
      clear(s);
      for (const r of list) s.appendChild(option(r));
      s.value = keep;
    });
    return s;
  }

  /* The sections of settings, one on screen at a time: [tab, card id, label key].
   * (The language card stays under each; the header has the same switch.) */
  const TABS = [["devices", "devices-card", "devices"], ["discovery", "discovery-card", "tab_discovery"],
    ["users", "users-card", "users"], ["tokens", "tokens-card", "tab_tokens"],
    ["channels", "channels-card", "tab_channels"]];

  /* tab: the section to show first ("#/settings/discovery"), else the devices. */
  function viewSettings(tab) {
    main.appendChild(el("h1", {}, t("settings")));
    const users = el("div"), tokens = el("div");
    const userMsg = el("p", { class: "small" }), tokMsg = el("div", { class: "small", id: "token-message" });
    const nu = { name: el("input", { type: "text", id: "new-user-name", autocomplete: "off", autocapitalize: "none" }),
      password: el("input", { type: "password", id: "new-user-password", autocomplete: "new-password" }), role: roleSelect("viewer") };
    const userForm = el("form", { class: "inline" }, el("label", { class: "field" }, t("user_name"), nu.name),
      el("label", { class: "field" }, t("password"), nu.password), el("label", { class: "field" }, t("role"), nu.role),
      el("button", { type: "submit", class: "btn" }, t("add_user")));
    const nt = { name: el("input", { type: "text", id: "new-token-name", autocomplete: "off" }),
      kind: el("select", { id: "new-token-kind" }, el("option", { value: "api" }, t("token_api")), el("option", { value: "agent" }, t("token_agent"))),
      role: roleSelect("viewer"), host: el("input", { type: "text", autocomplete: "off", placeholder: t("any_host") }) };
    const hostField = el("label", { class: "field", hidden: true }, t("host_binding"), nt.host);
    const roleField = el("label", { class: "field" }, t("role"), nt.role);
    nt.kind.addEventListener("change", () => { hostField.hidden = nt.kind.value !== "agent"; roleField.hidden = nt.kind.value === "agent"; });
    const tokForm = el("form", { class: "inline", id: "token-form" }, el("label", { class: "field" }, t("name"), nt.name),
      el("label", { class: "field" }, t("kind"), nt.kind), roleField, hostField,
      el("button", { type: "submit", class: "btn", id: "create-token" }, t("create_token")));
    const devs = settingsDevices();
    const disc = discoveryCard(() => { devs.refresh(); seen.refresh(); });
    const seen = CM.ui.seenSection(() => devs.refresh());
    disc.node.appendChild(CM.ui.seededSection(() => devs.refresh()));
    disc.node.appendChild(seen.node);
    const tabs = el("nav", { class: "tabs", id: "settings-tabs", role: "tablist", "aria-label": t("settings") },
      TABS.map(([name, , label]) => el("button", { type: "button", role: "tab", dataset: { tab: name },
        onclick: () => show(name, true) }, t(label))));
    const grid = el("div", { class: "grid" },
      el("section", { class: "card wide", id: "users-card" }, el("h2", {}, t("users")), users, userForm, userMsg),
      el("section", { class: "card wide", id: "tokens-card" }, el("h2", {}, t("tokens")), tokMsg, tokens, tokForm),
      devs.node, disc.node, CM.channelsCard().node,
      el("section", { class: "card wide", id: "language-card" }, el("h2", {}, t("language")),
        el("button", { type: "button", class: "btn secondary", onclick: () => CM.app.toggleLang() }, t("other_language"))));
    main.appendChild(tabs);
    main.appendChild(grid);
    /* one section at a time; the URL names it, so a link or a reload opens it */
    function show(name, remember) {
      if (!TABS.some(([n]) => n === name)) name = TABS[0][0];
      for (const [n, id] of TABS) grid.querySelector("#" + id).hidden = n !== name;
      for (const b of tabs.children) {
        b.classList.toggle("on", b.dataset.tab === name);
        b.setAttribute("aria-selected", String(b.dataset.tab === name));
      }
      if (remember) history.replaceState(null, "", route("settings", name));
    }
    show(tab);

    function say(node, text, bad) {
      node.className = "small" + (bad ? " error-text" : "");
      node.textContent = text;
    }

    userForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const u = await api("POST", "/api/v1/users", { name: nu.name.value.trim(), password: nu.password.value, role: nu.role.value });
        nu.password.value = "";
        nu.name.value = "";
        say(userMsg, t("user_added", { name: u.name }));
        refresh();
      } catch (e) { say(userMsg, e.message, true); }
    });
    tokForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = { name: nt.name.value.trim(), kind: nt.kind.value };
      if (nt.kind.value === "api") body.role = nt.role.value;
      else if (nt.host.value.trim()) body.host = nt.host.value.trim();
      try {
        const r = await api("POST", "/api/v1/tokens", body);
        nt.name.value = "";
        clear(tokMsg);
        tokMsg.className = "small";
        CM.append(tokMsg, [el("p", {}, t("token_shown_once", { name: r.name })), el("div", { class: "secret", id: "new-token-secret" }, r.token)]);
        refresh();
      } catch (e) { say(tokMsg, e.message, true); }
    });

    async function patchUser(u, body) {
      try { await api("PATCH", "/api/v1/users/" + encodeURIComponent(u.id), body); say(userMsg, t("saved")); } catch (e) { say(userMsg, e.message, true); }
      refresh();
    }

    async function refresh() {
      fill(users, async () => {
        const list = await api("GET", "/api/v1/users");
        return table([
          { label: t("user_name"), get: (u) => el("span", { class: "break" }, u.name) },
          { label: t("role"), get: (u) => { const s = roleSelect(u.role); s.addEventListener("change", () => patchUser(u, { role: s.value })); return s; } },
          { label: t("status"), get: (u) => badge(u.disabled ? "down" : "up", u.disabled ? t("disabled") : t("enabled")) },
          { label: t("last_login"), get: (u) => CM.ago(u.last_login), num: true },
          { label: t("actions"), get: (u) => {
            const pw = el("input", { type: "password", autocomplete: "new-password", placeholder: t("new_password"), "aria-label": t("new_password") });
            const box = el("form", { class: "inline", hidden: true }, pw, el("button", { type: "submit", class: "btn" }, t("save")));
            box.addEventListener("submit", (ev) => { ev.preventDefault(); patchUser(u, { password: pw.value }); });
            return el("div", { class: "row" },
              el("button", { type: "button", class: "btn secondary", onclick: () => { box.hidden = !box.hidden; if (!box.hidden) pw.focus(); } }, t("set_password")),
              el("button", { type: "button", class: "btn secondary", onclick: () => patchUser(u, { disabled: !u.disabled }) }, u.disabled ? t("enable") : t("disable")),
              u.name !== CM.session.user ? el("button", { type: "button", class: "btn danger", onclick: async () => {
                if (!window.confirm(t("confirm_delete_user", { name: u.name }))) return;
                try { await api("DELETE", "/api/v1/users/" + encodeURIComponent(u.id)); } catch (e) { say(userMsg, e.message, true); }
                refresh();
              } }, t("delete")) : null,
              box);
          } },
        ], list);
      });
      fill(tokens, async () => {
        const list = await api("GET", "/api/v1/tokens");
        return table([
          { label: t("name"), get: (x) => el("span", { class: "break token-name" }, x.name) },
          { label: t("kind"), get: (x) => (x.kind === "agent" ? t("token_agent") : t("token_api")) },
          { label: t("role"), get: (x) => (x.kind === "agent" ? (x.host ? t("agent_for", { host: x.host }) : t("role_agent")) : t("role_" + x.role, null, x.role)) },
          { label: t("created"), get: (x) => CM.datetime(x.created), num: true },
          { label: t("status"), get: (x) => (x.revoked ? badge("down", t("revoked")) : badge("up", t("active"))) },
          { label: t("actions"), get: (x) => (x.revoked ? "" : el("button", { type: "button", class: "btn danger revoke", dataset: { token: String(x.id) }, onclick: async () => {
            if (!window.confirm(t("confirm_revoke", { name: x.name }))) return;
            try { await api("DELETE", "/api/v1/tokens/" + encodeURIComponent(x.id)); say(tokMsg, t("token_revoked", { name: x.name })); } catch (e) { say(tokMsg, e.message, true); }
            refresh();
          } }, t("revoke"))) },
        ], list.sort((a, b) => b.id - a.id), { empty: t("no_tokens") });
      });
    }
    const refreshUsersTokens = refresh;
    return { refresh: () => { refreshUsersTokens(); devs.refresh(); }, noAuto: true, stop: disc.stop };
  }

  /* Settings → devices: the inventory with edit and remove, and the add form. */
  function settingsDevices() {
    const PAGE = 50;
    const list = el("div"), msg = el("p", { class: "small", role: "status" });
    const editor = el("div", { class: "editor", hidden: true });
    const q = el("input", { type: "search", id: "settings-device-search", placeholder: t("search_devices"), "aria-label": t("search_devices") });
    const node = el("section", { class: "card wide", id: "devices-card" }, el("h2", {}, t("devices")),
      msg, editor, el("label", { class: "field" }, t("search"), q), list,
      addDeviceCard((d) => { say(t("device_added", { name: d.name })); refresh(); }));
    let devices = [], page = 1;
    q.addEventListener("input", () => { page = 1; show(); });
    function say(text, bad) {
      msg.className = "small" + (bad ? " error-text" : "");
      msg.textContent = text;
    }
    function edit(d) {
      clear(editor);
      editor.hidden = false;
      editor.appendChild(el("h3", { class: "break" }, t("edit_device", { name: d.name })));
      editor.appendChild(deviceForm(d, {
        onSaved: (x) => { editor.hidden = true; clear(editor); say(t("device_saved", { name: x.name })); refresh(); },
        onCancel: () => { editor.hidden = true; clear(editor); },
      }));
      editor.scrollIntoView({ block: "nearest" });
      editor.querySelector("input").focus();
    }
    const loc = (d) => [d.site, d.building, d.room, d.rack].filter(Boolean).join(" / ");
    function show() {
      const needle = q.value.trim().toLowerCase();
      const rows = devices.filter((d) => !needle ||
        [d.name, d.address, d.kind, loc(d)].some((x) => x && String(x).toLowerCase().includes(needle)));
      const pages = Math.max(1, Math.ceil(rows.length / PAGE));
      page = Math.min(page, pages);
      clear(list);
      list.appendChild(el("p", { class: "muted small" }, t("n_of_m", { n: rows.length, m: devices.length })));
      list.appendChild(table([
        { label: t("device"), get: (d) => twoLines(el("a", { href: route("device", d.id) }, d.name),
          [d.address, t("kind_" + d.kind, null, d.kind), d.monitored ? null : t("monitored_no")].filter(Boolean).join(" · ")) },
        { label: t("location"), get: (d) => el("span", { class: "break" }, loc(d)), wideOnly: true },
        { label: t("actions"), get: (d) => {
          const cell = el("div", { class: "row actions" });
          cell.appendChild(el("button", { type: "button", class: "btn secondary edit", onclick: () => edit(d) }, t("edit")));
          cell.appendChild(el("button", { type: "button", class: "btn danger remove", onclick: () =>
            confirmInline(cell, t("confirm_remove_device", { name: d.name }), t("remove"), async () => {
              await api("DELETE", "/api/v1/devices/" + encodeURIComponent(d.id));
              say(t("device_removed", { name: d.name }));
              refresh();
            }) }, t("remove")));
          return cell;
        } },
      ], rows.slice((page - 1) * PAGE, page * PAGE), { empty: devices.length ? t("no_match") : t("no_devices"), compact: true,
        rowData: (d) => ({ device: d.name }) }));
      if (pages > 1) list.appendChild(pager(page, pages, (p) => { page = p; show(); list.scrollIntoView({ block: "start" }); }));
    }
    async function refresh() {
      try {
        devices = ((await api("GET", "/api/v1/devices")) || []).sort((a, b) => String(a.name).localeCompare(String(b.name)));
        show();
      } catch (e) {
        if (e.status !== 401) { clear(list); list.appendChild(errorText(e)); }
      }
    }
    return { node, refresh };
  }

  /* Settings → discover: sweep address ranges, then follow the job until it is done. */
  function discoveryCard(onFound) {
    const ranges = el("input", { type: "text", id: "discover-ranges", required: true, autocomplete: "off",
      placeholder: "10.1.0.0/24, 10.2.0.0/24" });
    const communities = el("input", { type: "text", id: "discover-communities", autocomplete: "off",
      placeholder: t("communities_default") });
    const port = el("input", { type: "number", id: "discover-port", min: 1, max: 65535, step: 1, inputmode: "numeric", placeholder: "161" });
    const start = el("button", { type: "submit", class: "btn", id: "discover-start" }, t("discover_start"));
    const job = el("div", { id: "discovery-job" });
    const form = el("form", { class: "inline", novalidate: true },
      el("label", { class: "field" }, t("ranges"), ranges), el("label", { class: "field" }, t("communities"), communities),
      el("label", { class: "field narrow" }, t("port"), port), start);
    const node = el("section", { class: "card wide", id: "discovery-card" }, el("h2", {}, t("discover")),
      el("p", { class: "muted small" }, t("discover_hint")), form, job);
    let timer = null;
    const stop = () => { if (timer) clearTimeout(timer); timer = null; };

    function show(j) {
      clear(job);
      const running = j.state !== "done";
      CM.append(job, [
        el("p", {}, badge(running ? "running" : "done", running ? t("discovery_running") : t("discovery_done")), " ",
          t("discovery_progress", { probed: j.probed, total: j.total })),
        el("progress", { max: String(Math.max(1, j.total)), value: String(j.probed) }),
        el("p", { class: "muted small" }, t("discovery_counts", { snmp: j.snmp, seen: j.seen, inflight: j.in_flight })),
        table([
          { label: t("address"), get: (f) => f.address },
          { label: t("name"), get: (f) => (f.added ? el("a", { href: route("device", f.name), class: "break" }, f.name) : el("span", { class: "break" }, f.name || "")) },
          { label: t("kind"), get: (f) => t("kind_" + f.kind, null, f.kind || "") },
          { label: t("found_via"), get: (f) => f.via },
          { label: t("added"), get: (f) => (f.added ? t("yes") : f.via === "snmp" ? t("already_known") : t("to_seen_list")) },
        ], j.found || [], { empty: running ? t("nothing_yet") : t("nothing_found"), compact: true, rowData: (f) => ({ address: f.address }) }),
      ]);
    }

    async function follow(id) {
      try {
        const j = await api("GET", "/api/v1/discovery/" + encodeURIComponent(id));
        show(j);
        if (j.state === "done") { timer = null; onFound(j); return; }
      } catch (e) {
        if (e.status === 401) return;
        clear(job);
        job.appendChild(errorText(e));
        return;
      }
      if (document.body.contains(job)) timer = setTimeout(() => follow(id), 1000);
    }

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      stop();
      const body = { ranges: ranges.value.split(/[\s,]+/).filter(Boolean) };
      const comms = communities.value.split(",").map((c) => c.trim()).filter(Boolean);
      if (comms.length) body.communities = comms;
      if (port.value.trim()) body.port = Number(port.value);
      start.disabled = true;
      try {
        const j = await api("POST", "/api/v1/discovery", body);
        show(j);
        timer = setTimeout(() => follow(j.id), 500);
      } catch (e) {
        clear(job);
        job.appendChild(errorText(e));
      } finally {
        start.disabled = false;
      }
    });
    return { node, stop };
  }

  CM.views.settings = viewSettings;
})();
