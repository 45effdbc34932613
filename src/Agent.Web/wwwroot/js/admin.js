// Administration: service lines and numbers, agents and skills, business hours and holidays (this file); blocking
// rules, callback policies and screening rules (admin-rules.js). Every change is validated and audited server-side.
"use strict";
(() => {
  const { el, t, api, fmtDate, applyI18n } = CC;
  const { tt, send, table, field, onSubmit } = CCA;
  CC.header("title_admin");
  document.getElementById("conn").remove(); // no live connection on this page
  const main = document.getElementById("main");
  main.className = "wide";
  let data = null;

  async function load() {
    const [lines, agents, rules, hours, policies, policyKeys, screening] = await Promise.all([
      api("GET", "/api/admin/lines"), api("GET", "/api/admin/agents"), api("GET", "/api/admin/blocking-rules"),
      api("GET", "/api/admin/hours"), api("GET", "/api/admin/callback-policies"), api("GET", "/api/admin/callback-policies/keys"),
      api("GET", "/api/admin/screening-rules")]);
    data = { lines, agents, rules, hours, policies, policyKeys, screening };
    render();
    document.body.dataset.loaded = "true";
  }

  function render() {
    applyI18n();
    if (!data) return;
    main.replaceChildren(linesSection(), agentsSection(), hoursSection(), holidaysSection(), ...CCA.ruleSections(data, load));
  }

  const lineName = (l) => (CC.lang === "zh" ? l.nameZh : l.nameEn);
  const lineOptions = (selected) => data.lines.map((l) => el("option", { value: l.id, selected: l.id === selected }, l.code + " " + lineName(l)));

  function linesSection() {
    const status = el("span", { class: "status" });
    const form = el("form", { class: "inline", id: "line-form" },
      el("strong", { id: "line-form-title" }, tt("new_line")),
      field("code", { name: "code", required: true, pattern: "[a-z][a-z0-9_]{1,31}", size: 10 }),
      field("name_zh", { name: "nameZh", required: true, size: 10 }), field("name_en", { name: "nameEn", required: true, size: 10 }),
      field("welcome_prompt", { name: "welcomePrompt", placeholder: "welcome_xxx.wav", size: 18 }),
      field("ring_timeout", { name: "ringTimeoutSeconds", type: "number", min: 5, max: 120, value: 20 }),
      field("max_wait", { name: "maxWaitSeconds", type: "number", min: 10, max: 3600, value: 180 }),
      field("answer_within", { name: "answerWithinSeconds", type: "number", min: 1, max: 120, value: 15 }),
      el("label", {}, el("input", { name: "active", type: "checkbox", checked: true }), " ", tt("active")),
      el("button", { type: "submit" }, t("save")),
      el("button", { type: "button", onclick: () => fill(null) }, tt("new_line")), status);
    let editing = null;
    function fill(line) {
      editing = line;
      form.querySelector("#line-form-title").textContent = line ? tt("edit") + " " + line.code : tt("new_line");
      form.code.value = line ? line.code : ""; form.code.disabled = !!line;
      form.nameZh.value = line ? line.nameZh : ""; form.nameEn.value = line ? line.nameEn : "";
      form.welcomePrompt.value = line?.welcomePrompt || "";
      form.ringTimeoutSeconds.value = line ? line.ringTimeoutSeconds : 20; form.maxWaitSeconds.value = line ? line.maxWaitSeconds : 180;
      form.answerWithinSeconds.value = line ? line.answerWithinSeconds : 15; form.active.checked = line ? line.active : true;
      status.textContent = "";
    }
    onSubmit(form, status, async () => {
      const body = { nameZh: form.nameZh.value, nameEn: form.nameEn.value, welcomePrompt: form.welcomePrompt.value || null,
        ringTimeoutSeconds: Number(form.ringTimeoutSeconds.value), maxWaitSeconds: Number(form.maxWaitSeconds.value),
        answerWithinSeconds: Number(form.answerWithinSeconds.value), active: form.active.checked };
      if (editing) await send("PUT", "/api/admin/lines/" + editing.id, body);
      else await send("POST", "/api/admin/lines", { code: form.code.value, ...body });
    }, load);

    const numStatus = el("span", { class: "status" });
    const numForm = el("form", { class: "inline", id: "number-form" },
      el("input", { name: "number", required: true, pattern: "[0-9]{3,20}", placeholder: t("number"), inputmode: "numeric" }),
      el("select", { name: "line", "aria-label": t("line") }, lineOptions()),
      el("input", { name: "description", placeholder: tt("description") }), el("button", { type: "submit" }, tt("add_number")), numStatus);
    onSubmit(numForm, numStatus, () => send("POST", "/api/admin/numbers",
      { number: numForm.number.value, serviceLineId: Number(numForm.line.value), description: numForm.description.value || null }), load);

    const numberRow = (n, line) => el("div", { class: "number", "data-number": n }, n, " ",
      el("select", { "aria-label": tt("reassign"), onchange: async (e) => {
        try { await send("PUT", "/api/admin/numbers/" + n, { serviceLineId: Number(e.target.value), description: null }); await load(); }
        catch (err) { CCA.fail(numStatus, err); }
      } }, lineOptions(line.id)),
      el("button", { type: "button", class: "remove", onclick: async () => {
        try { await send("DELETE", "/api/admin/numbers/" + n); await load(); } catch (err) { CCA.fail(numStatus, err); }
      } }, tt("remove")));
    return el("section", { id: "lines", class: "full" }, el("h2", {}, t("lines")),
      table(["line", "numbers", "ring_timeout", "max_wait", "welcome_prompt", "active", "actions"], data.lines.map((l) =>
        el("tr", { "data-line": l.code }, el("td", {}, l.code, " ", lineName(l)), el("td", {}, l.numbers.map((n) => numberRow(n, l))),
          el("td", { class: "ring" }, l.ringTimeoutSeconds), el("td", {}, l.maxWaitSeconds), el("td", {}, l.welcomePrompt || ""),
          el("td", {}, l.active ? tt("active") : tt("inactive")),
          el("td", {}, el("button", { type: "button", class: "edit", onclick: () => fill(l) }, tt("edit")))))),
      form, numForm);
  }

  function agentsSection() {
    const status = el("span", { class: "status" });
    const roles = ["agent", "supervisor", "qa", "admin"];
    const form = el("form", { class: "inline", id: "agent-form" }, el("strong", {}, tt("new_agent")),
      field("username", { name: "username", required: true, pattern: "[A-Za-z0-9._-]{1,64}", size: 10, autocomplete: "off" }),
      field("display_name", { name: "displayName", required: true, size: 8 }), field("employee_no", { name: "employeeNo", size: 6 }),
      roles.map((r) => el("label", {}, el("input", { type: "checkbox", name: "role", value: r, checked: r === "agent" }), " ", r)),
      field("web_password", { name: "password", type: "password", required: true, minlength: 8, autocomplete: "new-password" }),
      field("sip_password", { name: "sipPassword", type: "password", minlength: 8, autocomplete: "new-password" }),
      el("button", { type: "submit" }, t("create")), status);
    onSubmit(form, status, () => send("POST", "/api/admin/agents", {
      username: form.username.value, displayName: form.displayName.value, employeeNo: form.employeeNo.value || null,
      roles: [...form.querySelectorAll("input[name=role]:checked")].map((b) => b.value),
      password: form.password.value, sipPassword: form.sipPassword.value || null }), load);
    return el("section", { id: "agents", class: "full" }, el("h2", {}, t("agents")),
      table(["agent", "employee_no", "roles", "skills", "state", "sip_phone", "actions"], data.agents.map((a) =>
        el("tr", { "data-agent": a.username, class: a.active ? "" : "inactive" },
          el("td", {}, a.displayName, " (", a.username, ")", a.locked ? el("span", { class: "badge warn" }, t("locked")) : null,
            a.active ? null : el("span", { class: "badge" }, tt("inactive"))),
          el("td", {}, a.employeeNo || ""), el("td", {}, a.roles.join(", ")), el("td", {}, skillBoxes(a)), el("td", {}, t("st_" + a.state)),
          el("td", {}, a.sipPhone ? "✓" : ""),
          el("td", {}, el("button", { type: "button", class: "toggle-active", onclick: async () => {
            try { await send("POST", "/api/admin/agents/" + a.id + "/active", { active: !a.active }); await load(); } catch (err) { CCA.fail(status, err); }
          } }, tt(a.active ? "deactivate" : "activate")))))), form);
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

  let hoursLine = "";
  function hoursSection() {
    const weekdays = CC.lang === "zh" ? ["周日", "周一", "周二", "周三", "周四", "周五", "周六"] : ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const lineId = hoursLine === "" ? null : Number(hoursLine);
    const rows = data.hours.hours.filter((h) => (h.serviceLineId ?? null) === lineId);
    const status = el("span", { class: "status" });
    const pick = el("select", { name: "line", onchange: (e) => { hoursLine = e.target.value; render(); } },
      el("option", { value: "", selected: hoursLine === "" }, tt("default_hours")),
      data.lines.map((l) => el("option", { value: l.id, selected: String(l.id) === hoursLine }, l.code + " " + lineName(l))));
    const form = el("form", { id: "hours-form" }, pick, el("table", {}, el("tr", {}, ["day", "open", "opens", "closes"].map((h) => el("th", {}, tt(h)))),
      weekdays.map((w, d) => {
        const row = rows.find((h) => h.weekday === d);
        return el("tr", { "data-weekday": d }, el("td", {}, w),
          el("td", {}, el("input", { type: "checkbox", name: "open", checked: !!row, "aria-label": w })),
          el("td", {}, el("input", { type: "time", name: "opens", value: (row?.opens || "08:00").slice(0, 5) })),
          el("td", {}, el("input", { type: "time", name: "closes", value: (row?.closes || "20:00").slice(0, 5) })));
      })), el("button", { type: "submit" }, tt("save_hours")), status);
    const clock = (v) => (v.length === 5 ? v + ":00" : v);
    onSubmit(form, status, () => send("PUT", "/api/admin/hours", { serviceLineId: lineId,
      days: [...form.querySelectorAll("tr[data-weekday]")].filter((r) => r.querySelector("[name=open]").checked).map((r) => ({
        weekday: Number(r.dataset.weekday), opens: clock(r.querySelector("[name=opens]").value), closes: clock(r.querySelector("[name=closes]").value) })) }),
    load);
    return el("section", { id: "hours" }, el("h2", {}, t("hours")), form,
      el("p", { class: "hint", id: "hours-note" }, tt(lineId === null ? "hours_note_default" : "hours_note_line")));
  }

  function holidaysSection() {
    const status = el("span", { class: "status" });
    const form = el("form", { class: "inline", id: "day-form" },
      el("input", { name: "day", type: "date", required: true, "aria-label": t("day") }),
      el("select", { name: "kind" }, el("option", { value: "holiday" }, tt("holiday")), el("option", { value: "workday" }, tt("workday"))),
      el("input", { name: "name", required: true, placeholder: t("name") }), el("button", { type: "submit" }, t("add")), status);
    onSubmit(form, status, () => send("POST", "/api/admin/calendar", { day: form.day.value, kind: form.kind.value, name: form.name.value }), load);
    return el("section", { id: "holidays" }, el("h2", {}, t("holidays")), form, table(["day", "kind", "name", "actions"],
      data.hours.calendar.map((d) => el("tr", { "data-day": fmtDate(d.day) }, el("td", {}, fmtDate(d.day)), el("td", {}, tt(d.kind)), el("td", {}, d.name),
        el("td", {}, el("button", { type: "button", class: "remove", onclick: async () => {
          try { await send("DELETE", "/api/admin/calendar/" + fmtDate(d.day)); await load(); } catch (err) { CCA.fail(status, err); }
        } }, tt("remove")))))));
  }

  window.ccRerender = render;
  (async () => {
    const me = await api("GET", "/api/auth/me");
    document.getElementById("who").textContent = me.displayName;
    await load();
  })();
})();
