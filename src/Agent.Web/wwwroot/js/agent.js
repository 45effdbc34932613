// Agent desktop: state buttons, screen-pop on ring, live transcript and taboo hints, call actions.
// On (re)connect the page re-reads /api/desk/current, so a pop missed while disconnected is shown again.
"use strict";
(() => {
  const { el, t, api, fmtTime, fmtDate, applyI18n, setConnected } = CC;
  let me = null, pop = null, wrapCodes = [];
  const transcript = new Map(); // segment id -> line, per current call
  const hints = new Map();

  const states = ["available", "break", "wrap_up", "offline"];
  function stateButtons() {
    return states.map((s) => el("button", { class: "state", "data-state": s, "data-i18n": "st_" + s,
      onclick: () => setState(s) }));
  }
  CC.header("title_agent", stateButtons());

  async function setState(s) {
    await api("POST", "/api/desk/state", { state: s });
    showState(s);
  }
  function showState(s) {
    document.querySelectorAll("button.state").forEach((b) => b.classList.toggle("active", b.dataset.state === s));
  }

  const main = document.getElementById("main");

  function section(titleKey, ...content) {
    return el("section", {}, el("h2", { "data-i18n": titleKey }, t(titleKey)), ...content);
  }
  const orNone = (rows, render) => rows && rows.length ? render(rows) : el("p", { class: "empty-row" }, t("none"));

  function render() {
    applyI18n();
    if (!pop) {
      main.replaceChildren(el("section", { class: "full" }, el("p", { class: "empty", id: "waiting" }, t("waiting_call"))));
      return;
    }
    const c = pop.call, cust = pop.customer;
    const banner = el("section", { class: "full", id: "pop", "data-call-id": c.callId },
      el("div", { class: "call-banner" },
        el("span", { class: "call-state " + c.state, id: "call-state" }, t("call_" + c.state)),
        el("span", {}, t("line"), "：", (CC.lang === "zh" ? pop.lineNameZh : pop.lineNameEn) || c.lineCode, " (", c.dialedNumber, ")"),
        el("span", {}, t("caller"), "："), el("span", { class: "caller", id: "caller" }, c.callerNumber || t("withheld")),
        cust ? el("span", { id: "customer-name", class: "caller" }, cust.customer.name + (cust.customer.honorific ? " " + cust.customer.surname + cust.customer.honorific : "")) : null,
        cust && cust.customer.vipTier !== "none" ? el("span", { class: "badge vip", id: "vip" }, t("vip_" + cust.customer.vipTier)) : null,
        cust && cust.customer.elderly ? el("span", { class: "badge" }, t("elderly")) : null,
        cust && cust.stopCalling ? el("span", { class: "badge warn" }, t("stop_calling")) : null,
        pop.nuisance.flagged ? el("span", { class: "badge nuisance", id: "nuisance" }, t("nuisance"), "：", pop.nuisance.reasons.join("；")) : null,
        pop.nuisance.callsLastHour > 3 ? el("span", { class: "badge warn" }, t("calls_last_hour"), " ", pop.nuisance.callsLastHour) : null,
        pop.agentEmployeeNo ? el("span", {}, t("employee_no"), " ", pop.agentEmployeeNo) : null),
      cust && cust.notes ? el("p", {}, cust.notes) : null,
      pop.callback ? callbackBanner(pop.callback) : null);

    const left = [], right = [];
    if (cust) {
      left.push(section("products", orNone(cust.purchases, (ps) => el("table", { id: "products" },
        el("tr", {}, el("th", {}, t("product")), el("th", {}, t("sale_date")), el("th", {}, t("warranty")), el("th", {}, t("accessories"))),
        ps.map((p) => el("tr", { "data-purchase-id": p.id },
          el("td", {}, (p.brand || "") + " " + p.model, el("br"), el("small", {}, p.categoryNameZh, " ", p.imeiOrSerial || "")),
          el("td", {}, fmtDate(p.saleDate)),
          el("td", {}, el("span", { class: "badge warranty ph-" + p.warranty.phase }, t("ph_" + p.warranty.phase)),
            el("br"), el("small", {}, t("until"), " ", fmtDate(phaseUntil(p.warranty))),
            p.warranty.activationMismatch ? el("div", { class: "err" }, t("activation_mismatch")) : null),
          el("td", {}, p.accessories.map((a) => el("div", {}, a.nameZh, " ", t("until"), " ", fmtDate(a.until), " ",
            el("span", { class: a.covered ? "ok" : "err" }, t(a.covered ? "acc_covered" : "acc_expired")))))))))));
      left.push(section("repairs", orNone(cust.openRepairs, (rs) => el("table", { id: "repairs" },
        rs.map((r) => el("tr", { class: r.readyForPickup ? "ready" : "" },
          el("td", {}, r.orderNo), el("td", {}, r.faultDescription),
          el("td", {}, r.readyForPickup ? el("span", { class: "badge vip" }, t("ready_pickup")) : r.status),
          el("td", {}, r.promisedAt ? fmtTime(r.promisedAt) : "")))))));
      left.push(section("complaints", orNone(cust.openComplaints, (cs) => el("table", { id: "complaints" },
        cs.map((x) => el("tr", {}, el("td", {}, x.complaintNo, " ", x.severity), el("td", {}, x.summary),
          el("td", {}, t("first_due"), " ", fmtTime(x.firstResponseDueAt), el("br"), t("resolution_due"), " ", fmtTime(x.resolutionDueAt))))))));
      right.push(section("callbacks", orNone(cust.pendingCallbacks, (cb) => el("table", {},
        cb.map((x) => el("tr", { "data-kind": x.kind }, el("td", {}, CC.label("cbk_", x.kind)), el("td", {}, fmtTime(x.dueAt)),
          el("td", {}, CC.label("cbst_", x.state))))))));
    } else {
      left.push(quickCreate());
    }
    right.push(section("earlier_calls", orNone(pop.earlierCalls, (cs) => el("table", { id: "earlier" },
      cs.map((x) => el("tr", {}, el("td", {}, fmtTime(x.startedAt)), el("td", {}, x.lineCode || ""),
        el("td", {}, x.wrapUpCode || x.disposition || ""), el("td", {}, x.excerpt || "")))))));
    left.push(transcriptSection());
    right.push(actions());
    main.replaceChildren(banner, el("div", {}, left), el("div", {}, right));
  }

  // An agent-first callback: the agent must know before answering that they are calling the customer, and why.
  function callbackBanner(cb) {
    const known = (key, fallback) => (t(key) === key ? fallback : t(key)); // t() echoes an unknown key
    const kind = CC.lang === "zh" ? cb.kindNameZh : known("cbk_" + cb.kind, cb.kind);
    return el("div", { class: "callback-banner", id: "callback-context", "data-callback-id": cb.callbackId },
      el("span", { class: "badge warn", id: "callback-kind" }, t("outbound_callback"), "：", kind),
      el("span", { id: "callback-attempt" }, t("cb_attempt"), " ", cb.attemptNo, "/", cb.maxAttempts),
      el("span", { id: "callback-due" }, t("cb_due"), " ", fmtTime(cb.dueAt)),
      el("span", {}, t("cb_source"), " ", known("cbs_" + cb.sourceType, cb.sourceType), " ", cb.sourceId),
      cb.reason ? el("p", { id: "callback-reason" }, t("cb_reason"), "：", cb.reason) : null,
      cb.lastNote ? el("p", { id: "callback-last-note" }, t("cb_last_note"), "：", cb.lastNote) : null);
  }

  function phaseUntil(w) {
    return w.phase === "return" ? w.returnUntil : w.phase === "exchange" ? w.exchangeUntil : w.repairUntil;
  }

  function transcriptSection() {
    const lines = [...transcript.values()].sort((a, b) => a.startMs - b.startMs || a.id - b.id);
    const col = (speaker) => el("div", { class: "col", id: "tr-" + speaker }, el("h3", {}, t("spk_" + speaker)),
      lines.filter((l) => l.speaker === speaker).map((l) => el("p", { class: l.suspect ? "suspect" : "" }, l.text)));
    const s = section("transcript", el("div", { class: "transcript" }, col("customer"), col("agent")),
      el("div", { id: "hints" }, [...hints.values()].map((h) => el("div", { class: "hint" },
        h.ruleCode, " ", h.severity || "", "：「", h.matchedText, "」", h.replacement ? " → " + t("replacement") + "：" + h.replacement : ""))));
    s.id = "transcript-section";
    return s;
  }

  // Only the transcript is redrawn for a new line, so half-typed forms are left alone.
  function refreshTranscript() {
    const old = document.getElementById("transcript-section");
    if (old) old.replaceWith(transcriptSection());
  }

  function form(id, fields, onsubmit) {
    const status = el("span", { class: "status" });
    const f = el("form", { class: "inline", id }, ...fields, el("button", { type: "submit" }, t("save")), status);
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      try { await onsubmit(f); status.className = "status ok"; status.textContent = t("done"); }
      catch { status.className = "status err"; status.textContent = t("error"); }
    });
    return f;
  }
  const input = (name, key, attrs) => el("input", { name, placeholder: t(key), "aria-label": t(key), ...attrs });

  function quickCreate() {
    const path = () => "/api/desk/calls/" + pop.call.callId;
    return section("unknown_caller", form("quick-create", [
      input("name", "name", { required: true, maxlength: 50 }), input("surname", "surname", { maxlength: 10 }),
      el("select", { name: "honorific" }, el("option", { value: "" }, "—"), el("option", { value: "先生" }, "先生"), el("option", { value: "女士" }, "女士")),
    ], async (f) => {
      pop = await api("POST", path() + "/customer", { name: f.name.value, surname: f.surname.value || null, honorific: f.honorific.value || null });
      render();
    }));
  }

  function actions() {
    const path = (p) => "/api/desk/calls/" + pop.call.callId + p;
    const purchases = pop.customer ? pop.customer.purchases : [];
    const soon = new Date(Date.now() + 2 * 3600 * 1000);
    const local = new Date(soon.getTime() - soon.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    return section("actions",
      el("h3", {}, t("new_repair")),
      form("repair-form", [
        el("select", { name: "purchase" }, el("option", { value: "" }, "—"), purchases.map((p) => el("option", { value: p.id }, (p.brand || "") + " " + p.model))),
        input("fault", "fault", { required: true, minlength: 2, maxlength: 500 }),
      ], (f) => api("POST", path("/repairs"), { purchaseId: f.purchase.value ? Number(f.purchase.value) : null, faultDescription: f.fault.value })),
      el("h3", {}, t("new_complaint")),
      form("complaint-form", [
        input("summary", "summary", { required: true, minlength: 2, maxlength: 500 }),
        el("select", { name: "severity" }, ["S3", "S2", "S1"].map((s) => el("option", { value: s }, s))),
      ], (f) => api("POST", path("/complaints"), { summary: f.summary.value, severity: f.severity.value })),
      el("h3", {}, t("schedule_callback")),
      form("callback-form", [
        el("input", { name: "due", type: "datetime-local", value: local, required: true, "aria-label": t("due_at") }),
        input("note", "note", { maxlength: 200 }),
      ], (f) => api("POST", path("/callbacks"), { dueAt: new Date(f.due.value).toISOString(), note: f.note.value || null })),
      el("h3", {}, t("wrap_up")),
      form("wrapup-form", [
        el("select", { name: "code" }, wrapCodes.map((w) => el("option", { value: w.code }, CC.lang === "zh" ? w.nameZh : w.nameEn))),
      ], async (f) => {
        await api("POST", path("/wrap-up"), { code: f.code.value });
        // The call is closed on the desk: back to waiting (the next ring pops a new one).
        pop = null; transcript.clear(); hints.clear(); render();
      }),
      el("h3", {}, t("flag_caller")),
      form("flag-form", [
        input("reason", "reason", { required: true, minlength: 2, maxlength: 200 }),
        el("input", { name: "days", type: "number", min: 1, max: 365, value: 30, "aria-label": t("expires_days") }),
      ], (f) => api("POST", path("/flag"), { reason: f.reason.value, expiresInDays: Number(f.days.value) })));
  }

  function showPop(p) {
    if (!pop || pop.call.callId !== p.call.callId) { transcript.clear(); hints.clear(); }
    pop = p;
    for (const l of p.transcript) transcript.set(l.id, l);
    for (const h of p.hints) hints.set(h.id, h);
    render();
    connection.invoke("WatchCall", p.call.callId).catch(() => {});
  }

  async function recover() {
    const current = await api("GET", "/api/desk/current");
    if (current) showPop(current);
    else { pop = null; render(); }
  }

  const connection = CC.hub();
  connection.on("ScreenPop", showPop);
  connection.on("CallState", (u) => {
    if (!pop || pop.call.callId !== u.callId) return;
    if (u.state === "missed") { pop = null; render(); return; }
    pop.call.state = u.state; pop.call.answeredAt = u.answeredAt; pop.call.endedAt = u.endedAt;
    const badge = document.getElementById("call-state");
    if (badge) { badge.className = "call-state " + u.state; badge.textContent = t("call_" + u.state); }
  });
  connection.on("AgentState", (u) => showState(u.state));
  connection.on("Transcript", (l) => { if (pop && l.callId === pop.call.callId) { transcript.set(l.id, l); refreshTranscript(); } });
  connection.on("TabooHint", (h) => { if (pop && h.callId === pop.call.callId) { hints.set(h.id, h); refreshTranscript(); } });
  connection.onreconnecting(() => setConnected(false));
  connection.onreconnected(async () => { await connection.invoke("Ready"); setConnected(true); await recover(); });
  connection.onclose(() => setConnected(false));
  window.ccRerender = render;

  (async () => {
    me = await api("GET", "/api/auth/me");
    document.getElementById("who").textContent = me.displayName + (me.employeeNo ? "（" + t("employee_no") + " " + me.employeeNo + "）" : "");
    wrapCodes = await api("GET", "/api/desk/wrap-up-codes");
    showState((await api("GET", "/api/desk/state")).state);
    render();
    await connection.start();
    await connection.invoke("Ready");
    setConnected(true);
    document.body.dataset.hub = "connected";
    await recover();
  })();
})();
