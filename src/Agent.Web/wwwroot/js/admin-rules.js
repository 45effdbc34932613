// Admin page sections for rules: blocking rules with their decisions log, callback policies, screening rules with
// a box that tests a sentence against the rules in force (POST /api/screening/check).
"use strict";
CCA.ruleSections = (data, reload) => {
  const { el, t, api, fmtTime } = CC;
  const { tt, send, table, field, onSubmit } = CCA;

  function blocking() {
    const status = el("span", { class: "status" });
    const form = el("form", { class: "inline", id: "rule-form" },
      el("select", { name: "kind" }, ["exact", "prefix", "flagged"].map((k) => el("option", { value: k }, k))),
      el("input", { name: "number", required: true, placeholder: t("number"), pattern: "\\+?[0-9]{3,20}" }),
      el("select", { name: "action" }, ["reject", "announce", "flag"].map((k) => el("option", { value: k }, k))),
      el("input", { name: "reason", required: true, minlength: 2, placeholder: t("reason") }),
      el("input", { name: "days", type: "number", min: 1, max: 365, value: 30, "aria-label": t("expires_days") }),
      el("button", { type: "submit" }, t("add")), status);
    onSubmit(form, status, () => send("POST", "/api/admin/blocking-rules", { kind: form.kind.value, number: form.number.value,
      action: form.action.value, reason: form.reason.value, expiresInDays: Number(form.days.value) }), reload);
    const decisions = el("div", { id: "decisions" });
    return el("section", { id: "rules", class: "full" }, el("h2", {}, t("blocking_rules")), form,
      table(["kind", "number", "action", "reason", "expires", "decisions", "enabled"], data.rules.map((r) => el("tr", {},
        el("td", {}, r.kind), el("td", {}, r.number || ""), el("td", {}, r.action + (r.action === "reject" ? " " + r.rejectCode : "")),
        el("td", {}, r.reason, el("br"), el("small", {}, r.createdBy, " ", fmtTime(r.createdAt))), el("td", {}, fmtTime(r.expiresAt)),
        el("td", {}, el("button", { onclick: async () => showDecisions(r, decisions) }, String(r.decisions))),
        el("td", {}, el("button", { onclick: async () => { await api("POST", "/api/admin/blocking-rules/" + r.id + "/enabled", { enabled: !r.enabled }); await reload(); } },
          t(r.enabled ? "disable" : "enable")))))), decisions);
  }

  async function showDecisions(rule, box) {
    const rows = await api("GET", "/api/admin/blocking-rules/" + rule.id + "/decisions");
    box.replaceChildren(el("h3", {}, t("decisions"), " #", rule.id), table(["day", "caller", "dialed", "action"],
      rows.map((d) => el("tr", {}, el("td", {}, fmtTime(d.decidedAt)), el("td", {}, d.callerNumber || ""), el("td", {}, d.dialedNumber || ""),
        el("td", {}, d.action, d.exempted ? " (" + (d.exemptionReason || "exempted") + ")" : "")))));
  }

  function policies() {
    const status = el("span", { class: "status" });
    const form = el("form", { class: "inline", id: "policy-form", hidden: true }, el("strong", { class: "code" }),
      field("name", { name: "nameZh", required: true, size: 10 }),
      el("label", {}, tt("mode"), " ", el("select", { name: "mode" }, ["agent_first", "automated"].map((m) => el("option", { value: m }, m)))),
      field("priority", { name: "priority", type: "number", min: 1, max: 9 }), field("max_attempts", { name: "maxAttempts", type: "number", min: 1, max: 50 }),
      el("label", {}, tt("settings"), " ", el("textarea", { name: "settings", rows: 3, cols: 50 })),
      el("button", { type: "submit" }, t("save")), status,
      el("small", { class: "keys" }, tt("known_keys"), "：", data.policyKeys.map((k) => k.name + " (" + k.type + ")").join(", ")));
    let code = null;
    onSubmit(form, status, async () => {
      let settings;
      try { settings = JSON.parse(form.settings.value || "{}"); } catch { throw Object.assign(new Error("json"), { problem: { errors: { settings: ["JSON"] } } }); }
      await send("PUT", "/api/admin/callback-policies/" + encodeURIComponent(code), { nameZh: form.nameZh.value, mode: form.mode.value,
        priority: Number(form.priority.value), maxAttempts: Number(form.maxAttempts.value), settings });
    }, reload);
    const edit = (p) => {
      code = p.code; form.hidden = false; form.querySelector(".code").textContent = p.code;
      form.nameZh.value = p.nameZh; form.mode.value = p.mode; form.priority.value = p.priority; form.maxAttempts.value = p.maxAttempts;
      form.settings.value = p.settings; status.textContent = "";
    };
    return el("section", { id: "policies", class: "full" }, el("h2", {}, t("callback_policies")),
      table(["kind", "name", "mode", "priority", "max_attempts", "settings", "actions"], data.policies.map((p) => el("tr", { "data-policy": p.code },
        el("td", {}, p.code), el("td", {}, p.nameZh), el("td", {}, p.mode), el("td", {}, p.priority), el("td", {}, p.maxAttempts),
        el("td", {}, el("small", {}, p.settings, " ", p.source || "")),
        el("td", {}, el("button", { type: "button", class: "edit", onclick: () => edit(p) }, tt("edit")))))), form);
  }

  function screening() {
    const status = el("span", { class: "status" });
    const select = (name, values) => el("label", {}, tt(name === "matchMode" ? "match_mode" : name), " ",
      el("select", { name }, values.map((v) => el("option", { value: v }, v))));
    const form = el("form", { class: "inline", id: "screening-form" }, el("strong", { class: "title" }, tt("new_rule")),
      field("code", { name: "code", required: true, pattern: "[A-Za-z0-9_-]{2,20}", size: 6 }),
      select("kind", ["taboo", "required", "customer_cue", "promise"]), select("speaker", ["agent", "customer", "any"]),
      field("phrase", { name: "phrase", required: true, minlength: 2, size: 14 }), field("pattern", { name: "pattern", size: 18 }),
      select("matchMode", ["exact", "gap", "pinyin", "regex"]), select("severity", ["", "H", "M", "L", "S1", "S2", "S3"]),
      field("category", { name: "category", size: 8 }), field("replacement", { name: "replacement", size: 18 }),
      el("label", {}, tt("exceptions"), " ", el("textarea", { name: "exceptions", rows: 2, cols: 20 })),
      field("source", { name: "source", size: 10 }),
      el("label", {}, el("input", { name: "enabled", type: "checkbox", checked: true }), " ", t("enabled")),
      el("button", { type: "submit" }, t("save")), el("button", { type: "button", onclick: () => fill(null) }, tt("new_rule")), status);
    let editing = null;
    function fill(r) {
      editing = r;
      form.querySelector(".title").textContent = r ? tt("edit") + " " + r.code : tt("new_rule");
      form.code.value = r ? r.code : ""; form.code.disabled = !!r;
      for (const k of ["kind", "speaker", "phrase", "matchMode", "category", "replacement", "source"]) form[k].value = r ? r[k] || "" : form[k].options?.[0]?.value ?? "";
      form.pattern.value = r?.pattern || ""; form.severity.value = r?.severity || "";
      form.exceptions.value = r ? r.exceptions.split(" | ").filter(Boolean).join("\n") : ""; form.enabled.checked = r ? r.enabled : true;
      status.textContent = "";
    }
    onSubmit(form, status, async () => {
      const body = { kind: form.kind.value, speaker: form.speaker.value, phrase: form.phrase.value, pattern: form.pattern.value || null,
        matchMode: form.matchMode.value, category: form.category.value || null, severity: form.severity.value || null,
        replacement: form.replacement.value || null, exceptions: form.exceptions.value.split("\n").map((s) => s.trim()).filter(Boolean),
        source: form.source.value || null, enabled: form.enabled.checked };
      if (editing) await send("PUT", "/api/admin/screening-rules/" + editing.id, body);
      else await send("POST", "/api/admin/screening-rules", { code: form.code.value, ...body });
    }, reload);

    const result = el("div", { id: "screening-result" });
    const tester = el("form", { class: "inline", id: "screening-test" }, el("strong", {}, tt("test_rule")),
      el("input", { name: "text", required: true, size: 40, placeholder: tt("test_sentence") }),
      select("speaker", ["agent", "customer"]), el("button", { type: "submit" }, tt("run_test")), result);
    tester.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const r = await send("POST", "/api/screening/check", { text: tester.text.value, speaker: tester.speaker.value });
        result.replaceChildren(r.hits.length ? el("ul", {}, r.hits.map((h) => el("li", { class: "hit", "data-code": h.code },
          h.code, " ", h.kind, " ", h.severity || "", "：", el("mark", { class: "taboo" }, h.matchedText), h.replacement ? " → " + h.replacement : "")))
          : el("p", { class: "ok" }, tt("no_hits")));
      } catch (err) { CCA.fail(result, err); }
    });
    return el("section", { id: "screening", class: "full" }, el("h2", {}, tt("screening_rules")), tester, form,
      el("div", { class: "scroll" }, table(["code", "kind", "speaker", "phrase", "match_mode", "severity", "version", "enabled", "actions"],
        data.screening.map((r) => el("tr", { "data-rule": r.code }, el("td", {}, r.code), el("td", {}, r.kind), el("td", {}, r.speaker),
          el("td", {}, r.phrase, r.pattern && r.pattern !== r.phrase ? el("small", {}, " ", r.pattern) : null), el("td", {}, r.matchMode),
          el("td", {}, r.severity || ""), el("td", {}, r.version, r.updatedBy ? el("small", {}, " ", r.updatedBy) : null),
          el("td", {}, el("button", { type: "button", class: "toggle", onclick: async () => {
            try { await send("POST", "/api/admin/screening-rules/" + r.id + "/enabled", { enabled: !r.enabled }); await reload(); } catch (err) { CCA.fail(status, err); }
          } }, t(r.enabled ? "disable" : "enable"))),
          el("td", {}, el("button", { type: "button", class: "edit", onclick: () => fill(r) }, tt("edit"))))))));
  }

  return [blocking(), policies(), screening()];
};
