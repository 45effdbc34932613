// Supervisor callbacks page (issue 8): counts per type, open deadline alerts, due / overdue / in-progress /
// unknown-outcome attempts, each request's attempt history, and manual reschedule, cancel and resolve.
// The page polls every 15 s: callbacks move on minutes, not seconds.
"use strict";
(() => {
  const { el, api, fmtTime, applyI18n } = CC;
  const words = {
    zh: {
      summary: "各类型回访", alerts_open: "未处理的时限告警", due: "即将到期（2 小时内）", overdue: "已逾期", in_progress: "拨打中",
      unknown: "结果未知（需人工确认）", id: "编号", kind: "类型", state: "状态", destination: "号码", due_at: "应回访时间",
      next_at: "本次时间", attempt: "次数", claimed_by: "节点", actions: "操作", history: "拨打记录", reschedule: "改期",
      cancel: "取消", resolve: "确认结果", reason: "原因", at: "新时间", outcome: "结果", notes: "备注", count: "数量",
      message: "内容", created: "产生时间", no_data: "暂无数据", saved: "已保存", failed: "操作失败", close: "关闭",
      o_answered: "已接通", o_busy: "占线", o_no_answer: "无人接听", o_rejected: "拒接", o_failed: "失败",
    },
    en: {
      summary: "Requests per type", alerts_open: "Open deadline alerts", due: "Due (next 2 hours)", overdue: "Overdue", in_progress: "Dialing",
      unknown: "Outcome unknown (needs a person)", id: "ID", kind: "Type", state: "State", destination: "Number", due_at: "Due at",
      next_at: "Attempt time", attempt: "Attempt", claimed_by: "Node", actions: "Actions", history: "Attempts", reschedule: "Reschedule",
      cancel: "Cancel", resolve: "Record outcome", reason: "Reason", at: "New time", outcome: "Outcome", notes: "Notes", count: "Count",
      message: "Message", created: "Created", no_data: "No data", saved: "Saved", failed: "Failed", close: "Close",
      o_answered: "Answered", o_busy: "Busy", o_no_answer: "No answer", o_rejected: "Rejected", o_failed: "Failed",
    },
  };
  const w = (k) => words[CC.lang][k] ?? k;
  CC.header("title_callbacks", [el("a", { class: "nav", id: "nav-supervisor", href: "/supervisor", "data-i18n": "title_supervisor" }, CC.t("title_supervisor"))]);
  const main = document.getElementById("main");
  main.className = "wide";
  const panel = el("section", { id: "detail" });
  const status = el("p", { id: "status", role: "status" });
  let data = null, openId = null;

  const table = (heads, rows) => rows.length
    ? el("table", {}, el("tr", {}, heads.map((h) => el("th", {}, w(h)))), rows) : el("p", {}, w("no_data"));
  const section = (key, id, content) => el("section", { id }, el("h2", {}, w(key)), content);
  const show = (ok) => { status.textContent = w(ok ? "saved" : "failed"); status.className = ok ? "good" : "bad"; };

  function list(key, id, rows, withResolve) {
    return section(key, id, table(["id", "kind", "state", "destination", "due_at", "next_at", "attempt", "claimed_by", "actions"],
      rows.map((r) => el("tr", { "data-callback": r.callbackId },
        el("td", {}, r.callbackId), el("td", {}, CC.label("cbk_", r.kind)),
        el("td", {}, r.attemptState ? CC.label("cba_", r.attemptState) : CC.label("cbst_", r.state)), el("td", {}, r.destination),
        el("td", {}, fmtTime(r.dueAt)), el("td", {}, fmtTime(r.nextAttemptAt)), el("td", {}, r.attemptNo), el("td", {}, r.claimedBy || ""),
        el("td", {},
          el("button", { class: "link", "data-act": "history", onclick: () => openHistory(r.callbackId) }, w("history")),
          withResolve ? el("button", { class: "link", "data-act": "resolve", onclick: () => resolveForm(r) }, w("resolve")) : null)))));
  }

  function render() {
    applyI18n();
    if (!data) return;
    const summary = section("summary", "summary", table(["kind", "state", "count"],
      data.summary.map((s) => el("tr", { "data-kind": s.kind, "data-state": s.state }, el("td", {}, CC.label("cbk_", s.kind)), el("td", {}, CC.label("cbst_", s.state)), el("td", { class: "kpi" }, s.count)))));
    const alerts = section("alerts_open", "deadline-alerts", table(["created", "kind", "due_at", "message"],
      data.alerts.map((a) => el("tr", {}, el("td", {}, fmtTime(a.createdAt)), el("td", {}, CC.label("cbal_", a.kind)), el("td", {}, fmtTime(a.dueAt)), el("td", {}, a.message)))));
    main.replaceChildren(status, summary, alerts, list("overdue", "overdue", data.overdue), list("due", "due", data.due),
      list("in_progress", "in-progress", data.inProgress), list("unknown", "unknown", data.unknown, true), panel);
  }

  async function load() {
    const [summary, alerts, due, overdue, inProgress, unknown] = await Promise.all(
      ["summary", "alerts", "due?hours=2", "overdue", "in-progress", "unknown"].map((p) => api("GET", "/api/callbacks/" + p)));
    data = { summary, alerts, due, overdue, inProgress, unknown };
    render();
    if (openId !== null) await openHistory(openId);
    document.body.dataset.loaded = "true";
  }

  async function post(url, body) {
    try { await api("POST", url, body); show(true); await load(); } catch { show(false); }
  }

  async function openHistory(id) {
    openId = id;
    const rows = await api("GET", "/api/callbacks/" + id + "/attempts");
    const at = el("input", { type: "datetime-local", name: "at", required: true, "aria-label": w("at") });
    const reason = el("input", { name: "reason", required: true, minlength: 2, maxlength: 200, placeholder: w("reason") });
    const form = el("form", { class: "inline", id: "manage-form" }, at, reason,
      el("button", { type: "submit", name: "reschedule" }, w("reschedule")),
      el("button", { type: "button", name: "cancel", onclick: () => reason.reportValidity() && post("/api/callbacks/" + id + "/cancel", { reason: reason.value }) }, w("cancel")),
      el("button", { type: "button", class: "link", onclick: () => { openId = null; panel.replaceChildren(); } }, w("close")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      post("/api/callbacks/" + id + "/reschedule", { at: new Date(at.value).toISOString(), reason: reason.value });
    });
    panel.replaceChildren(el("h2", {}, w("history"), " #", id), form,
      table(["attempt", "state", "next_at", "claimed_by", "outcome", "notes"], rows.map((a) => el("tr", { "data-attempt": a.attemptId },
        el("td", {}, a.attemptNo), el("td", {}, CC.label("cba_", a.state)), el("td", {}, fmtTime(a.notBefore)), el("td", {}, a.claimedBy || ""),
        el("td", {}, (a.outcome || "") + (a.resolvedBy ? " (" + a.resolvedBy + ")" : "")), el("td", {}, a.notes || "")))));
  }

  function resolveForm(r) {
    const outcome = el("select", { name: "outcome" }, ["answered", "busy", "no_answer", "rejected", "failed"].map((o) => el("option", { value: o }, w("o_" + o))));
    const reason = el("input", { name: "reason", required: true, minlength: 2, maxlength: 200, placeholder: w("reason") });
    const form = el("form", { class: "inline", id: "resolve-form" }, outcome, reason, el("button", { type: "submit" }, w("resolve")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      post("/api/callbacks/attempts/" + r.attemptId + "/resolve", { outcome: outcome.value, reason: reason.value });
    });
    openId = null;
    panel.replaceChildren(el("h2", {}, w("resolve"), " #", r.callbackId), form);
  }

  window.ccRerender = () => { render(); if (openId !== null) openHistory(openId); };
  (async () => {
    const me = await api("GET", "/api/auth/me");
    document.getElementById("who").textContent = me.displayName;
    await load();
    setInterval(() => { if (openId === null && !panel.hasChildNodes()) load(); }, 15000);
  })();
})();
