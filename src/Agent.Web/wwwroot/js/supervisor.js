// Supervisor wallboard: queues, agent states, live calls and the taboo/escalation alert feed.
// Pushes only say "something changed"; the page re-reads /api/wallboard (at most every 500 ms).
"use strict";
(() => {
  const { el, t, api, fmtTime, applyI18n, setConnected } = CC;
  CC.header("title_supervisor", [el("a", { class: "nav", id: "nav-callbacks", href: "/callbacks", "data-i18n": "nav_callbacks" }, t("nav_callbacks"))]);
  const main = document.getElementById("main");
  main.className = "wide";
  let board = null, pending = null;
  const liveAlerts = new Map();

  const pct = (v) => v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%";
  const section = (key, id, ...content) => el("section", { id }, el("h2", {}, t(key)), ...content);
  const table = (heads, rows) => rows.length ? el("table", {}, el("tr", {}, heads.map((h) => el("th", {}, t(h)))), rows) : el("p", {}, t("no_data"));

  function render() {
    applyI18n();
    if (!board) return;
    const num = (v) => v === null || v === undefined ? "—" : v;
    const queues = section("queues", "queues", table(["line", "waiting", "longest_wait", "offered", "answered", "abandoned",
      "callbacks_chosen", "closed_calls", "avg_wait", "max_wait", "service_level", "answer_rate"],
      board.queues.map((q) => el("tr", { "data-line": q.code },
        el("td", {}, CC.lang === "zh" ? q.nameZh : q.nameEn),
        el("td", { class: "kpi" + (q.waiting > 0 ? " bad" : "") }, q.waiting),
        el("td", { class: "kpi" }, q.longestWaitSeconds),
        el("td", { class: "kpi", "data-kpi": "offered" }, q.offered),
        el("td", { class: "kpi", "data-kpi": "answered" }, q.answered),
        el("td", { class: "kpi", "data-kpi": "abandoned" }, q.abandoned),
        el("td", { class: "kpi", "data-kpi": "callbacks" }, q.callbacksChosen),
        el("td", { class: "kpi", "data-kpi": "closed" }, q.closedCalls),
        el("td", { class: "kpi", "data-kpi": "avg-wait" }, num(q.averageWaitSeconds)),
        el("td", { class: "kpi", "data-kpi": "max-wait" }, num(q.maxWaitSeconds)),
        el("td", { class: "kpi" }, pct(q.serviceLevel)),
        el("td", {}, el("span", { class: "kpi " + (q.answerRate === null ? "" : q.answerRate >= q.answerRateGoal ? "good" : "bad") }, pct(q.answerRate)),
          " ", el("small", {}, t("goal"), " ", pct(q.answerRateGoal)))))));
    const agents = section("agents", "agents", table(["agent", "employee_no", "state", "since", "caller"],
      board.agents.map((a) => el("tr", { "data-agent": a.username },
        el("td", {}, a.displayName), el("td", {}, a.employeeNo || ""),
        el("td", {}, el("span", { class: "badge st-" + a.state }, t("st_" + a.state))),
        el("td", {}, fmtTime(a.stateChangedAt)), el("td", {}, a.caller || "")))));
    const live = section("live_calls", "live-calls", table(["caller", "line", "agent", "state", "since"],
      board.liveCalls.map((c) => el("tr", { "data-call-id": c.callId },
        el("td", {}, c.caller || t("withheld")), el("td", {}, c.lineCode || ""), el("td", {}, c.agentName || ""),
        el("td", {}, t("call_" + c.state) ), el("td", {}, fmtTime(c.since))))));
    const alerts = [...liveAlerts.values(), ...board.alerts.filter((a) => !liveAlerts.has(a.id))].sort((a, b) => b.id - a.id).slice(0, 30);
    const feed = section("alerts", "alerts", alerts.length ? alerts.map((h) => el("div", { class: "hint" },
      fmtTime(h.at), " ", h.ruleCode, " ", h.severity || "", " ", t("spk_" + h.speaker), "：「", h.matchedText, "」 ",
      el("a", { href: "/call?id=" + encodeURIComponent(h.callId), target: "_blank", rel: "noopener" }, t("open_transcript")))) : el("p", {}, t("no_data")));
    main.replaceChildren(queues, agents, live, feed);
  }

  async function load() {
    board = await api("GET", "/api/wallboard");
    render();
    document.body.dataset.loaded = "true";
  }
  function soon() {
    if (pending) return;
    pending = setTimeout(async () => { pending = null; await load(); }, 500);
  }

  // Call search lives outside the wallboard grid, so a wallboard refresh does not wipe the results.
  const results = el("div", { id: "search-results" });
  const search = el("form", { class: "inline", id: "search-form" },
    el("input", { name: "caller", placeholder: t("caller"), pattern: "[0-9+ -]{3,24}" }),
    el("input", { name: "agent", placeholder: t("agent") + " (username)", maxlength: 64 }),
    el("input", { name: "from", type: "date", "aria-label": t("day") }), el("input", { name: "to", type: "date", "aria-label": t("day") }),
    el("input", { name: "text", placeholder: t("transcript"), maxlength: 50 }),
    el("button", { type: "submit" }, t("search")));
  search.addEventListener("submit", async (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of ["caller", "agent", "from", "to", "text"]) if (search[k].value) q.set(k, search[k].value);
    const rows = await api("GET", "/api/calls?" + q.toString());
    results.replaceChildren(rows.length ? el("table", {},
      el("tr", {}, ["since", "caller", "line", "agent", "state", "hints"].map((h) => el("th", {}, t(h)))),
      rows.map((r) => el("tr", { "data-call-id": r.callId },
        el("td", {}, el("a", { href: "/call?id=" + encodeURIComponent(r.callId), target: "_blank", rel: "noopener" }, fmtTime(r.startedAt))),
        el("td", {}, r.callerNumber || t("withheld")), el("td", {}, r.lineCode || ""), el("td", {}, r.agentName || ""),
        el("td", {}, r.wrapUpCode || r.disposition || ""), el("td", {}, r.tabooHits + " / " + r.recordings)))) : el("p", {}, t("no_data")));
  });
  document.body.append(el("div", { class: "search-wrap" }, el("section", { id: "search" }, el("h2", {}, t("call_search")), search, results)));

  const connection = CC.hub();
  connection.on("WallboardChanged", soon);
  connection.on("Alert", (h) => { liveAlerts.set(h.id, h); render(); });
  connection.onreconnecting(() => setConnected(false));
  connection.onreconnected(async () => { await connection.invoke("Ready"); setConnected(true); await load(); });
  connection.onclose(() => setConnected(false));
  window.ccRerender = render;

  (async () => {
    const me = await api("GET", "/api/auth/me");
    document.getElementById("who").textContent = me.displayName;
    await load();
    await connection.start();
    await connection.invoke("Ready");
    setConnected(true);
    // Queue times move even without events.
    setInterval(soon, 10000);
  })();
})();
