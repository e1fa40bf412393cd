/*
 * view-login.js — the login form. On success it hands the session to
 * CM.app.loggedIn(), which starts the shell and goes where the person was going.
 */
"use strict";

(function () {
  const CM = window.CM;
  const { el, api, t } = CM;
  const main = document.getElementById("main");

  /* ---- login ---- */
  function viewLogin() {
    document.getElementById("top").hidden = true;
    const user = el("input", { type: "text", name: "user", id: "login-user", autocomplete: "username",
      autocapitalize: "none", spellcheck: "false", required: true });
    const pass = el("input", { type: "password", name: "password", id: "login-password",
      autocomplete: "current-password", required: true });
    const msg = el("p", { class: "error-text", role: "alert" });
    const submit = el("button", { type: "submit", class: "btn", id: "login-submit" }, t("login"));
    const form = el("form", { class: "card", novalidate: true },
      el("div", { class: "brandline" }, el("img", { src: "/icon.svg", alt: "" }), el("h1", {}, "campusmon")),
      el("label", { class: "field" }, t("user_name"), user),
      el("label", { class: "field" }, t("password"), pass),
      msg, submit,
      el("button", { type: "button", class: "btn secondary", onclick: () => CM.app.toggleLang() }, t("other_language")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      msg.textContent = "";
      submit.disabled = true;
      try {
        const r = await api("POST", "/api/v1/login", { user: user.value, password: pass.value });
        pass.value = "";
        CM.app.loggedIn(r);
      } catch (e) {
        msg.textContent = e.status === 401 ? t("login_failed") : e.message;
      } finally {
        submit.disabled = false;
      }
    });
    main.appendChild(el("div", { class: "login" }, form));
    user.focus();
    return {};
  }

  CM.views.login = viewLogin;
})();
