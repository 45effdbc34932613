// One call's transcript (customer and agent columns) with taboo hints, live while the call lasts.
// Opened from the supervisor's alert feed; the server decides who may see which call (403 otherwise).
"use strict";
(() => {
  const { el, t, api, fmtTime, applyI18n, setConnected } = CC;
  CC.header("title_call");
  const main = document.getElementById("main");
  main.className = "wide";
  const callId = new URLSearchParams(location.search).get("id") || "";
  const lines = new Map(), hints = new Map();
  let head = null;

  function render() {
    applyI18n();
    if (!head) return;
    const sorted = [...lines.values()].sort((a, b) => a.startMs - b.startMs || a.id - b.id);
    const col = (speaker) => el("div", { class: "col", id: "tr-" + speaker }, el("h3", {}, t("spk_" + speaker)),
      sorted.filter((l) => l.speaker === speaker).map((l) => el("p", { class: l.suspect ? "suspect" : "" }, l.text)));
    main.replaceChildren(
      el("section", { class: "full", id: "call-head" }, el("div", { class: "call-banner" },
        el("span", { class: "call-state " + (head.state || "") }, head.state ? t("call_" + head.state) : ""),
        el("span", {}, t("caller"), "：", head.callerNumber || t("withheld")),
        el("span", {}, t("line"), "：", head.lineCode || ""), el("span", {}, t("since"), "：", fmtTime(head.startedAt)))),
      el("section", { class: "full", id: "recordings" }, el("h2", {}, t("recordings")),
        head.recordings.length ? head.recordings.map((r) => el("div", {}, (r.legRole || "") + " ",
          el("audio", { controls: true, preload: "none", src: "/api/calls/" + encodeURIComponent(callId) + "/recordings/" + r.id })))
          : el("p", {}, t("none"))),
      el("section", { class: "full" }, el("h2", {}, t("transcript")), el("div", { class: "transcript" }, col("customer"), col("agent")),
        el("div", { id: "hints" }, [...hints.values()].map((h) => el("div", { class: "hint" },
          h.ruleCode, " ", h.severity || "", "：「", h.matchedText, "」", h.replacement ? " → " + t("replacement") + "：" + h.replacement : "")))));
  }

  const connection = CC.hub();
  connection.on("Transcript", (l) => { if (l.callId === callId) { lines.set(l.id, l); render(); } });
  connection.on("TabooHint", (h) => { if (h.callId === callId) { hints.set(h.id, h); render(); } });
  connection.onreconnecting(() => setConnected(false));
  connection.onreconnected(async () => { setConnected(true); await load(); await connection.invoke("WatchCall", callId); });
  window.ccRerender = render;

  async function load() {
    const r = await fetch("/api/calls/" + encodeURIComponent(callId), { credentials: "same-origin" });
    if (r.status === 401) { location.href = "/login"; return false; }
    if (!r.ok) { main.replaceChildren(el("section", { class: "full" }, el("p", { class: "empty", id: "forbidden" }, t("forbidden")))); return false; }
    head = await r.json();
    for (const l of head.transcript) lines.set(l.id, l);
    for (const h of head.hints) hints.set(h.id, h);
    render();
    return true;
  }

  (async () => {
    const me = await api("GET", "/api/auth/me");
    document.getElementById("who").textContent = me.displayName;
    if (!(await load())) return;
    await connection.start();
    setConnected(true);
    await connection.invoke("WatchCall", callId);
  })();
})();
