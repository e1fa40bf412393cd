/*
 * device-form.js — the form that adds or edits a device (identity, location,
 * polling, SNMP credentials), and the "Add a device" card around it.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, api, t } = CM;

  /* ---- devices ---- */
  const KINDS = ["switch", "router", "firewall", "wlc", "ap", "server", "storage", "ups", "pdu",
    "sensor", "camera", "printer", "other"];

  function addDeviceCard(done) {
    const msg = el("p", { class: "small" });
    const det = el("details", { class: "card", id: "add-device" }, el("summary", {}, t("add_device")));
    det.appendChild(deviceForm(null, { onSaved: (d) => {
      msg.className = "small";
      msg.textContent = t("device_added", { name: d.name });
      done(d);
    } }));
    det.appendChild(msg);
    return det;
  }

  const SNMP_VERSIONS = ["2c", "1", "3"];
  const AUTH_PROTOS = ["MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"];
  const PRIV_PROTOS = ["DES", "AES", "AES-192", "AES-256", "AES-192C", "AES-256C"];

  /*
   * The form that adds a device (dev null) or edits one: identity,
   * location, polling and SNMP credentials. Secrets are write-only: the form
   * shows whether one is set and sends a new one only when typed. An edit
   * sends only what changed. opts: onSaved(device), onCancel().
   */
  function deviceForm(dev, opts) {
    opts = opts || {};
    const creating = !dev;
    const snmp = (dev && dev.snmp) || {};
    const cur = (k) => (dev && dev[k] !== null && dev[k] !== undefined ? String(dev[k]) : "");
    const text = (k, attrs) => el("input", Object.assign({ type: "text", name: k, autocomplete: "off", value: cur(k) }, attrs || {}));
    const number = (k, min, max, attrs) => el("input", Object.assign({ type: "number", name: k, min, max, step: 1,
      inputmode: "numeric", value: cur(k) }, attrs || {}));
    const select = (name, options, value) => {
      const s = el("select", { name }, options.map(([v, label]) => el("option", { value: v }, label)));
      s.value = value;
      return s;
    };
    const secret = (name, isSet) => el("input", { type: "password", name, autocomplete: "new-password",
      placeholder: creating ? "" : isSet ? t("secret_keep") : t("secret_not_set") });
    const setWord = (isSet) => (creating ? null : el("span", { class: "badge secret-state " + (isSet ? "s-ok" : "s-unknown"), dataset: { set: isSet ? "1" : "0" } },
      isSet ? t("secret_set") : t("secret_unset")));

    const f = {
      name: text("name", { placeholder: creating ? t("name_from_device") : "", required: !creating }),
      address: text("address", { required: true, placeholder: "10.1.2.3 / sw1.example.edu.cn" }),
      port: number("port", 1, 65535, { placeholder: "161" }),
      kind: select("kind", (creating ? [["", t("kind_auto")]] : []).concat(KINDS.map((k) => [k, t("kind_" + k, null, k)])), creating ? "" : cur("kind")),
      site: text("site"), building: text("building"), room: text("room"), rack: text("rack"),
      asset_tag: text("asset_tag"),
      interval: number("interval", 5, 86400, { placeholder: t("interval_default") }),
      monitored: el("input", { type: "checkbox", name: "monitored", checked: creating || !!(dev && dev.monitored) }),
      version: select("version", SNMP_VERSIONS.map((v) => [v, "SNMPv" + v]), snmp.version || "2c"),
      community: secret("community", snmp.community_set),
      user: el("input", { type: "text", name: "user", autocomplete: "off", value: snmp.user || "" }),
      auth_proto: select("auth_proto", [["", t("none_word")]].concat(AUTH_PROTOS.map((p) => [p, p])), snmp.auth_proto || ""),
      auth_pass: secret("auth_pass", snmp.auth_pass_set),
      priv_proto: select("priv_proto", [["", t("none_word")]].concat(PRIV_PROTOS.map((p) => [p, p])), snmp.priv_proto || ""),
      priv_pass: secret("priv_pass", snmp.priv_pass_set),
    };
    const field = (label, input, extra) => el("label", { class: "field" }, el("span", {}, label, extra ? [" ", extra] : null), input);
    const v12 = el("div", { class: "fields" }, field(t("community"), f.community, setWord(snmp.community_set)));
    const v3 = el("div", { class: "fields" },
      field(t("snmp_user"), f.user), field(t("auth_proto"), f.auth_proto),
      field(t("auth_pass"), f.auth_pass, setWord(snmp.auth_pass_set)),
      field(t("priv_proto"), f.priv_proto), field(t("priv_pass"), f.priv_pass, setWord(snmp.priv_pass_set)));
    const showVersion = () => { v3.hidden = f.version.value !== "3"; v12.hidden = f.version.value === "3"; };
    f.version.addEventListener("change", showVersion);
    showVersion();
    const msg = el("p", { class: "small form-message", role: "status" });
    const save = el("button", { type: "submit", class: "btn" }, creating ? t("add_device") : t("save"));
    const form = el("form", { class: "device-form", novalidate: true },
      el("div", { class: "fields" },
        field(creating ? t("name_optional") : t("name"), f.name), field(t("address"), f.address),
        field(t("port"), f.port), field(t("kind"), f.kind)),
      el("div", { class: "fields" },
        field(t("site"), f.site), field(t("building"), f.building), field(t("room"), f.room),
        field(t("rack"), f.rack), field(t("asset_tag"), f.asset_tag)),
      el("div", { class: "fields" },
        field(t("interval_s"), f.interval),
        el("label", { class: "check" }, f.monitored, t("monitored")),
        field(t("snmp_version"), f.version)),
      v12, v3,
      el("div", { class: "row" }, save,
        opts.onCancel ? el("button", { type: "button", class: "btn secondary", onclick: opts.onCancel }, t("cancel")) : null),
      msg);

    function body() {
      const b = {};
      for (const k of ["name", "address", "site", "building", "room", "rack", "asset_tag"]) {
        const val = f[k].value.trim();
        if (creating ? val : val !== cur(k)) b[k] = val === "" && !["name", "address"].includes(k) ? null : val;
      }
      if (creating ? f.kind.value : f.kind.value !== cur("kind")) b.kind = f.kind.value;
      for (const k of ["port", "interval"]) {
        const val = f[k].value.trim();
        if (val === "" ? false : creating || Number(val) !== Number(cur(k))) b[k] = Number(val);
      }
      if (creating ? !f.monitored.checked : f.monitored.checked !== !!dev.monitored) b.monitored = f.monitored.checked;
      const sn = {};
      if (creating || f.version.value !== (snmp.version || "2c")) sn.version = f.version.value;
      if (f.version.value === "3") {
        const user = f.user.value.trim();
        if (user !== (snmp.user || "")) sn.user = user || null;
        for (const k of ["auth_proto", "priv_proto"])
          if (f[k].value !== (snmp[k] || "")) sn[k] = f[k].value || null;
        for (const k of ["auth_pass", "priv_pass"]) if (f[k].value) sn[k] = f[k].value;
      } else if (f.community.value) {
        sn.community = f.community.value;
      }
      if (Object.keys(sn).length) b.snmp = sn;
      return b;
    }

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const b = body();
      if (!creating && Object.keys(b).length === 0) {
        msg.className = "small form-message muted";
        msg.textContent = t("no_changes");
        return;
      }
      save.disabled = true;
      try {
        const d = creating ? await api("POST", "/api/v1/devices", b)
          : await api("PATCH", "/api/v1/devices/" + encodeURIComponent(dev.id), b);
        for (const k of ["community", "auth_pass", "priv_pass"]) f[k].value = "";
        msg.className = "small form-message";
        msg.textContent = creating ? "" : t("saved");
        if (creating) form.reset();
        if (opts.onSaved) opts.onSaved(d);
      } catch (e) {
        msg.className = "small form-message error-text";
        msg.textContent = e.message;
      } finally {
        save.disabled = false;
      }
    });
    return form;
  }

  Object.assign(CM.ui, { KINDS, addDeviceCard, deviceForm });
})();
