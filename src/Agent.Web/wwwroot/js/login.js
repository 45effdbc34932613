"use strict";
(() => {
  const { t, antiforgery, applyI18n, toggleLang } = CC;
  applyI18n();
  document.getElementById("lang").addEventListener("click", () => toggleLang());
  const form = document.getElementById("login-form");
  const msg = document.getElementById("message");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    msg.textContent = "";
    try {
      const r = await fetch("/api/auth/login", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-XSRF-TOKEN": await antiforgery() },
        body: JSON.stringify({ username: form.username.value, password: form.password.value }),
      });
      if (!r.ok) { msg.textContent = t("login_failed"); return; }
      location.href = "/";
    } catch {
      msg.textContent = t("error");
    }
  });
})();
