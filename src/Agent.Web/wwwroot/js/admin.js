// Administration: service lines and numbers, agents and skills, blocking rules with their decisions log,
// business hours and holidays. Every change is audited server-side.
"use strict";
(() => {
  const { el, t, api, fmtTime, fmtDate, applyI18n } = CC;
  CC.header("title_admin");
  document.getElementById("conn").remove(); // no live connection on this page
  const main = document.getElementById("main");
  main.className = "wide";
  let data = null;
  const table = (heads, rows) => rows.length ? el("table", {}, el("tr", {}, heads.map((h) => el("th", {}, t(h)))), rows) : el("p", {}, t("no_data"));

  async function load() {
    const [lines, agents, rules, hours, policies] = await Promise.all([
      api("GET", "/api/admin/lines"), api("GET", "/api/admin/agents"),
      api("GET", "/api/admin/blocking-rules"), api("GET", "/api/admin/hours"), api("GET", "/api/admin/callback-policies")]);
    data = { lines, agents, rules, hours, policies };
    render();
  }

  function render() {
    applyI18n();
    if (!data) return;
    const weekdays = CC.lang === "zh" ? ["周日", "周一", "周二", "周三", "周四", "周五", "周六"] : ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const lines = el("section", { id: "lines" }, el("h2", {}, t("lines")), table(["line", "numbers"],
      data.lines.map((l) => el("tr", {}, el("td", {}, l.code, " ", CC.lang === "zh" ? l.nameZh : l.nameEn), el("td", {}, l.numbers.join("，"))))));
    const agents = el("section", { id: "agents" }, el("h2", {}, t("agents")), table(["agent", "employee_no", "roles", "skills", "state"],
      data.agents.map((a) => el("tr", {}, el("td", {}, a.displayName, " (", a.username, ")", a.locked ? el("span", { class: "badge warn" }, t("locked")) : null),
        el("td", {}, a.employeeNo || ""), el("td", {}, a.roles.join(", ")), el("td", {}, skillBoxes(a)), el("td", {}, t("st_" + a.state))))));
    const status = el("span", {});
    const ruleForm = el("form", { class: "inline", id: "rule-form" },
      el("select", { name: "kind" }, ["exact", "prefix", "flagged"].map((k) => el("option", { value: k }, k))),
      el("input", { name: "number", required: true, placeholder: t("number"), pattern: "\\+?[0-9]{3,20}" }),
      el("select", { name: "action" }, ["reject", "announce", "flag"].map((k) => el("option", { value: k }, k))),
      el("input", { name: "reason", required: true, minlength: 2, placeholder: t("reason") }),
      el("input", { name: "days", type: "number", min: 1, max: 365, value: 30, "aria-label": t("expires_days") }),
      el("button", { type: "submit" }, t("add")), status);
    ruleForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await api("POST", "/api/admin/blocking-rules", { kind: ruleForm.kind.value, number: ruleForm.number.value,
          action: ruleForm.action.value, reason: ruleForm.reason.value, expiresInDays: Number(ruleForm.days.value) });
        await load();
      } catch { status.className = "err"; status.textContent = t("error"); }
    });
    const decisions = el("div", { id: "decisions" });
    const rules = el("section", { id: "rules", class: "full" }, el("h2", {}, t("blocking_rules")), ruleForm,
      table(["kind", "number", "action", "reason", "expires", "decisions", "enabled"], data.rules.map((r) => el("tr", {},
        el("td", {}, r.kind), el("td", {}, r.number || ""), el("td", {}, r.action + (r.action === "reject" ? " " + r.rejectCode : "")),
        el("td", {}, r.reason, el("br"), el("small", {}, r.createdBy, " ", fmtTime(r.createdAt))), el("td", {}, fmtTime(r.expiresAt)),
        el("td", {}, el("button", { onclick: async () => showDecisions(r, decisions) }, String(r.decisions))),
        el("td", {}, el("button", { onclick: async () => { await api("POST", "/api/admin/blocking-rules/" + r.id + "/enabled", { enabled: !r.enabled }); await load(); } },
          t(r.enabled ? "disable" : "enable")))))), decisions);
    const dayForm = el("form", { class: "inline", id: "day-form" },
      el("input", { name: "day", type: "date", required: true }),
      el("select", { name: "kind" }, el("option", { value: "holiday" }, "holiday"), el("option", { value: "workday" }, "workday")),
      el("input", { name: "name", required: true, placeholder: t("name") }), el("button", { type: "submit" }, t("add")));
    dayForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      await api("POST", "/api/admin/calendar", { day: dayForm.day.value, kind: dayForm.kind.value, name: dayForm.name.value });
      await load();
    });
    const hours = el("section", { id: "hours" }, el("h2", {}, t("hours")), table(["line", "day", "since"],
      data.hours.hours.map((h) => el("tr", {}, el("td", {}, h.serviceLineId ?? "*"), el("td", {}, weekdays[h.weekday]), el("td", {}, h.opens, "–", h.closes)))));
    const holidays = el("section", { id: "holidays" }, el("h2", {}, t("holidays")), dayForm, table(["day", "kind", "name"],
      data.hours.calendar.map((d) => el("tr", {}, el("td", {}, fmtDate(d.day)), el("td", {}, d.kind), el("td", {}, d.name)))));
    const policies = el("section", { id: "policies", class: "full" }, el("h2", {}, t("callback_policies")), table(["kind", "name", "action", "priority", "max_attempts", "reason"],
      data.policies.map((p) => el("tr", {}, el("td", {}, p.code), el("td", {}, p.nameZh), el("td", {}, p.mode), el("td", {}, p.priority),
        el("td", {}, p.maxAttempts), el("td", {}, el("small", {}, p.settings, " ", p.source || ""))))));
    main.replaceChildren(lines, agents, rules, hours, holidays, policies);
  }

  // One checkbox per service line; a change saves the agent's whole skill set (audited server-side).
  function skillBoxes(agent) {
    return data.lines.map((l) => {
      const box = el("input", { type: "checkbox", "data-line": l.id, checked: agent.skills.includes(l.code) });
      box.addEventListener("change", async (e) => {
        const row = e.target.closest("td");
        const ids = [...row.querySelectorAll("input:checked")].map((b) => Number(b.dataset.line));
        await api("PUT", "/api/admin/agents/" + agent.id + "/skills", { serviceLineIds: ids });
      });
      return el("label", {}, box, " ", l.code, " ");
    });
  }

  async function showDecisions(rule, box) {
    const rows = await api("GET", "/api/admin/blocking-rules/" + rule.id + "/decisions");
    box.replaceChildren(el("h3", {}, t("decisions"), " #", rule.id), table(["day", "caller", "dialed", "action"],
      rows.map((d) => el("tr", {}, el("td", {}, fmtTime(d.decidedAt)), el("td", {}, d.callerNumber || ""), el("td", {}, d.dialedNumber || ""),
        el("td", {}, d.action, d.exempted ? " (" + (d.exemptionReason || "exempted") + ")" : "")))));
  }

  window.ccRerender = render;
  (async () => {
    const me = await api("GET", "/api/auth/me");
    document.getElementById("who").textContent = me.displayName;
    await load();
  })();
})();
