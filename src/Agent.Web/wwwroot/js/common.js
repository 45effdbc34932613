// Shared by every page: language (Simplified Chinese by default, English on request), safe DOM building,
// and fetch with the antiforgery header. Data is always set as text, never as HTML.
"use strict";

const CC = (() => {
  const dict = {
    zh: {
      title_login: "呼叫中心登录", username: "用户名", password: "密码", login: "登录", logout: "退出",
      login_failed: "用户名或密码错误，或账号已被暂时锁定。", lang: "English",
      title_agent: "坐席工作台", title_call: "通话详情", title_supervisor: "班长监控墙", title_admin: "系统管理", title_qa: "通话质检", nav_qa: "质检", title_callbacks: "回访管理", nav_callbacks: "回访",
      st_available: "空闲", st_break: "小休", st_wrap_up: "话后处理", st_offline: "离线", st_ringing: "振铃中", st_on_call: "通话中",
      conn_on: "已连接", conn_off: "连接中断，正在重连…", waiting_call: "等待来电…",
      call_ringing: "振铃中", call_connected: "通话中", call_ended: "已挂断", call_missed: "未接",
      line: "热线", dialed: "被叫号码", caller: "来电号码", withheld: "隐藏号码", employee_no: "工号",
      vip_none: "", vip_silver: "银卡会员", vip_gold: "金卡会员", vip_key_account: "大客户", elderly: "老年客户",
      stop_calling: "客户要求勿再来电", nuisance: "骚扰嫌疑", calls_last_hour: "近1小时来电",
      customer: "客户", products: "购买产品", sale_date: "购买日期", warranty: "三包状态",
      ph_return: "7天内：可退货", ph_exchange: "15天内：可换货", ph_repair: "保修期内：免费维修", ph_expired: "已过保修期",
      until: "至", accessories: "配件", acc_covered: "在保", acc_expired: "过保", activation_mismatch: "激活日期与购买日期不符",
      repairs: "未结维修单", ready_pickup: "待取机", complaints: "未结投诉", first_due: "首次回复期限", resolution_due: "处理期限",
      callbacks: "待回电", earlier_calls: "历史来电", none: "无",
      outbound_callback: "外呼回电", cb_attempt: "尝试次数", cb_due: "约定回电时间", cb_source: "来源", cb_reason: "回电原因", cb_last_note: "上次备注",
      cbs_repair_order: "维修单", cbs_complaint: "投诉", cbs_call: "来电", cbs_promise: "通话承诺", cbs_manual: "人工预约", cbs_queue: "排队回拨",
      cbk_pickup_reminder: "取机提醒", cbk_repair_followup: "维修回访", cbk_remote_fix_check: "远程指导回访", cbk_promise: "承诺回电",
      cbk_complaint_first_response: "投诉首次回复", cbk_complaint_result: "投诉处理结果", cbk_complaint_followup: "投诉回访",
      cbk_abandoned: "放弃来电回拨", cbk_queue_callback: "排队回拨", cbk_manual: "人工预约回电",
      cbst_open: "待回访", cbst_in_progress: "回访中", cbst_completed: "已完成", cbst_cancelled: "已取消", cbst_exhausted: "次数用尽", cbst_stopped: "已停止",
      cba_scheduled: "已排程", cba_dialing: "拨打中", cba_done: "已拨打", cba_skipped: "已跳过", cba_unknown: "结果未知", cba_cancelled: "已取消",
      cbal_sla_warning: "时限预警", cbal_sla_breach: "已超时限", cbal_callback_exhausted: "回访次数用尽", cbal_attempt_unknown: "拨打结果未知",
      cbal_promise_due: "承诺回电即将到期", cbal_sms_fallback: "改发短信",
      unknown_caller: "未知来电，请快速建档", name: "姓名", surname: "姓", honorific: "称谓", create: "创建",
      transcript: "实时转写", spk_customer: "客户", spk_agent: "坐席", hints: "禁语提示", replacement: "建议用语",
      actions: "操作", new_repair: "创建维修单", fault: "故障现象", product: "产品", new_complaint: "登记投诉", summary: "投诉内容",
      severity: "级别", schedule_callback: "预约回电", due_at: "回电时间", note: "备注", wrap_up: "话后小结", save: "提交",
      flag_caller: "标记恶意来电", reason: "原因", expires_days: "有效天数", done: "已保存", error: "操作失败",
      queues: "队列", waiting: "排队", longest_wait: "最长等待(秒)", service_level: "服务水平(15秒接通)",
      offered: "进入队列", answered: "已接通", abandoned: "放弃", callbacks_chosen: "选择回电", closed_calls: "非工作时间来电", avg_wait: "平均等待(秒)", max_wait: "今日最长等待(秒)",
      answer_rate: "接通率", goal: "目标", agents: "坐席状态", live_calls: "实时通话", alerts: "禁语/升级告警",
      open_transcript: "查看转写", lines: "服务热线与号码", numbers: "号码", skills: "技能", roles: "角色",
      blocking_rules: "拦截规则", decisions: "拦截记录", kind: "类型", number: "号码", action: "动作", enabled: "启用",
      disable: "停用", enable: "启用", expires: "到期", hours: "营业时间", holidays: "节假日与调休", add: "添加",
      day: "日期", callback_policies: "回电策略", max_attempts: "最多尝试", priority: "优先级", search: "查询", call_search: "通话查询（转写与录音）", recordings: "录音", forbidden: "无权查看此通话", locked: "已锁定", since: "开始时间", agent: "坐席", state: "状态", no_data: "暂无数据",
    },
    en: {
      title_login: "Call centre login", username: "Username", password: "Password", login: "Log in", logout: "Log out",
      login_failed: "Wrong username or password, or the account is locked for a while.", lang: "中文",
      title_agent: "Agent desktop", title_call: "Call", title_supervisor: "Supervisor wallboard", title_admin: "Administration", title_qa: "Call quality review", nav_qa: "QA", title_callbacks: "Callbacks", nav_callbacks: "Callbacks",
      st_available: "Available", st_break: "Break", st_wrap_up: "Wrap-up", st_offline: "Offline", st_ringing: "Ringing", st_on_call: "On call",
      conn_on: "Connected", conn_off: "Disconnected, reconnecting…", waiting_call: "Waiting for a call…",
      call_ringing: "Ringing", call_connected: "Connected", call_ended: "Ended", call_missed: "Missed",
      line: "Line", dialed: "Dialled number", caller: "Caller", withheld: "Withheld", employee_no: "Employee no.",
      vip_none: "", vip_silver: "Silver VIP", vip_gold: "Gold VIP", vip_key_account: "Key account", elderly: "Elderly",
      stop_calling: "Asked not to be called", nuisance: "Suspected nuisance", calls_last_hour: "Calls in the last hour",
      customer: "Customer", products: "Products", sale_date: "Sale date", warranty: "三包 status",
      ph_return: "Within 7 days: return", ph_exchange: "Within 15 days: exchange", ph_repair: "In warranty: free repair", ph_expired: "Out of warranty",
      until: "until", accessories: "Accessories", acc_covered: "covered", acc_expired: "expired", activation_mismatch: "Activation date differs from sale date",
      repairs: "Open repair orders", ready_pickup: "Ready for pickup", complaints: "Open complaints", first_due: "First reply due", resolution_due: "Resolution due",
      callbacks: "Pending callbacks", earlier_calls: "Earlier calls", none: "None",
      outbound_callback: "Outbound callback", cb_attempt: "Attempt", cb_due: "Due", cb_source: "Source", cb_reason: "Reason", cb_last_note: "Last note",
      cbs_repair_order: "Repair order", cbs_complaint: "Complaint", cbs_call: "Call", cbs_promise: "Promise in a call", cbs_manual: "Scheduled by an agent", cbs_queue: "Queue callback",
      cbk_pickup_reminder: "Pickup reminder", cbk_repair_followup: "Repair follow-up", cbk_remote_fix_check: "Remote-fix check",
      cbk_promise: "Promised call back", cbk_complaint_first_response: "Complaint: first response", cbk_complaint_result: "Complaint: result",
      cbk_complaint_followup: "Complaint follow-up", cbk_abandoned: "Abandoned call", cbk_queue_callback: "Queue callback", cbk_manual: "Scheduled callback",
      cbst_open: "Open", cbst_in_progress: "In progress", cbst_completed: "Completed", cbst_cancelled: "Cancelled", cbst_exhausted: "Attempts used up", cbst_stopped: "Stopped",
      cba_scheduled: "Scheduled", cba_dialing: "Dialing", cba_done: "Dialed", cba_skipped: "Skipped", cba_unknown: "Outcome unknown", cba_cancelled: "Cancelled",
      cbal_sla_warning: "Deadline warning", cbal_sla_breach: "Deadline missed", cbal_callback_exhausted: "Attempts used up", cbal_attempt_unknown: "Attempt outcome unknown",
      cbal_promise_due: "Promised call back due", cbal_sms_fallback: "Send an SMS instead",
      unknown_caller: "Unknown caller: quick-create a customer", name: "Name", surname: "Surname", honorific: "Title", create: "Create",
      transcript: "Live transcript", spk_customer: "Customer", spk_agent: "Agent", hints: "Taboo hints", replacement: "Say instead",
      actions: "Actions", new_repair: "New repair order", fault: "Fault", product: "Product", new_complaint: "New complaint", summary: "Summary",
      severity: "Severity", schedule_callback: "Schedule callback", due_at: "Due at", note: "Note", wrap_up: "Wrap-up code", save: "Submit",
      flag_caller: "Flag caller as malicious", reason: "Reason", expires_days: "Days valid", done: "Saved", error: "Failed",
      queues: "Queues", waiting: "Waiting", longest_wait: "Longest wait (s)", service_level: "Service level (15 s)",
      offered: "Offered", answered: "Answered", abandoned: "Abandoned", callbacks_chosen: "Callbacks chosen", closed_calls: "Calls while closed", avg_wait: "Average wait (s)", max_wait: "Longest wait today (s)",
      answer_rate: "Answer rate", goal: "goal", agents: "Agents", live_calls: "Live calls", alerts: "Taboo / escalation alerts",
      open_transcript: "Transcript", lines: "Service lines and numbers", numbers: "Numbers", skills: "Skills", roles: "Roles",
      blocking_rules: "Blocking rules", decisions: "Decisions", kind: "Kind", number: "Number", action: "Action", enabled: "Enabled",
      disable: "Disable", enable: "Enable", expires: "Expires", hours: "Business hours", holidays: "Holidays and make-up workdays", add: "Add",
      day: "Day", callback_policies: "Callback policies", max_attempts: "Max attempts", priority: "Priority", search: "Search", call_search: "Call search (transcripts and recordings)", recordings: "Recordings", forbidden: "You may not open this call", locked: "Locked", since: "Since", agent: "Agent", state: "State", no_data: "No data",
    },
  };
  let lang = localStorage.getItem("cc.lang") === "en" ? "en" : "zh";
  const t = (key) => dict[lang][key] ?? key;
  // A code's display name (prefix + code in the dictionary), or the code itself when it has none.
  const label = (prefix, code) => (code === null || code === undefined ? "" : dict[lang][prefix + code] ?? code);

  function applyI18n(root = document) {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    root.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    root.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
    const title = document.body.dataset.title;
    if (title) document.title = t(title);
  }

  function toggleLang(rerender) {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("cc.lang", lang);
    applyI18n();
    if (rerender) rerender();
  }

  // el("div", {class: "x"}, "text", child): children that are strings become text nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  let token = null;
  async function antiforgery() {
    const r = await fetch("/api/auth/antiforgery", { credentials: "same-origin" });
    token = (await r.json()).token;
    return token;
  }

  async function api(method, url, body) {
    if (method !== "GET" && !token) await antiforgery();
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-XSRF-TOKEN"] = token;
    const r = await fetch(url, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
    if (r.status === 401) { location.href = "/login"; throw new Error("401"); }
    if (!r.ok) throw new Error(method + " " + url + " → " + r.status);
    return r.status === 204 ? null : r.json();
  }

  const fmtTime = (iso) => iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false }) : "";
  const fmtDate = (iso) => iso ? String(iso).slice(0, 10) : "";

  async function logout() {
    try { await api("POST", "/api/auth/logout"); } finally { location.href = "/login"; }
  }

  function header(titleKey, extra) {
    const bar = document.getElementById("topbar");
    bar.replaceChildren(
      el("h1", { "data-i18n": titleKey }),
      el("span", { id: "who", class: "who" }),
      ...(extra || []),
      el("span", { id: "conn", class: "conn off", "data-i18n": "conn_off" }),
      el("button", { class: "link", id: "lang", onclick: () => toggleLang(window.ccRerender), "data-i18n": "lang" }),
      el("button", { class: "link", id: "logout", onclick: logout, "data-i18n": "logout" }));
    // The QA link for the roles that have something there (reviews, own evaluations, team reports).
    fetch("/api/auth/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((me) => {
        if (!me || !me.roles.some((r) => r === "qa" || r === "agent" || r === "supervisor") || location.pathname === "/qa") return;
        bar.querySelector(".who").after(el("a", { class: "nav", id: "nav-qa", href: "/qa", "data-i18n": "nav_qa" }, t("nav_qa")));
      })
      .catch(() => { /* the link is a convenience; the page works without it */ });
  }

  function setConnected(on) {
    const c = document.getElementById("conn");
    if (!c) return;
    c.className = "conn " + (on ? "on" : "off");
    c.dataset.i18n = on ? "conn_on" : "conn_off";
    c.textContent = t(c.dataset.i18n);
  }

  // Reconnects forever (0, 2, 5, then every 10 s); the page re-reads its state in onreconnected.
  function hub() {
    return new signalR.HubConnectionBuilder()
      .withUrl("/hubs/agent")
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => [0, 2000, 5000][ctx.previousRetryCount] ?? 10000 })
      .configureLogging(signalR.LogLevel.Warning)
      .build();
  }

  return { t, label, el, api, antiforgery, applyI18n, toggleLang, fmtTime, fmtDate, header, setConnected, hub, get lang() { return lang; } };
})();
