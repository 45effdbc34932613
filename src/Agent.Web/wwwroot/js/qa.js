// QA: reviewers score their assigned calls (transcript + audio in sync, screening pre-fill), agents read and
// acknowledge or dispute their evaluations, supervisors run samples, resolve disputes and read team reports.
"use strict";
(() => {
  const { el, api, applyI18n } = CC;
  const L = (zh, en) => (CC.lang === "zh" ? zh : en);
  const GRADES = { excellent: ["优秀", "Excellent"], good: ["良好", "Good"], fair: ["一般", "Fair"], fail: ["不合格", "Fail"] };
  const gradeText = (g) => (g ? L(...GRADES[g]) : "");
  const STATUS = { submitted: ["待确认", "Submitted"], acknowledged: ["已确认", "Acknowledged"], disputed: ["申诉中", "Disputed"],
    resolved: ["已处理", "Resolved"], draft: ["草稿", "Draft"] };
  const statusText = (s) => (s ? L(...(STATUS[s] || [s, s])) : L("未评", "Not evaluated"));
  const gradeOf = (total) => (total >= 90 ? "excellent" : total >= 80 ? "good" : total >= 65 ? "fair" : "fail");
  CC.header("title_qa");
  document.getElementById("conn").remove(); // no live connection on this page
  const main = document.getElementById("main");
  const sampleId = new URLSearchParams(location.search).get("sample");
  let me = null;
  let state = null;

  async function load() {
    me = await api("GET", "/api/auth/me");
    const has = (r) => me.roles.includes(r);
    if (sampleId) {
      state = { review: await api("GET", "/api/qa/samples/" + encodeURIComponent(sampleId)) };
    } else {
      state = {
        samples: has("qa") || has("supervisor") ? await api("GET", "/api/qa/samples") : null,
        mine: has("agent") ? await api("GET", "/api/qa/mine") : null,
        report: has("supervisor") ? await api("GET", "/api/qa/reports") : null,
      };
    }
    render();
    document.body.dataset.loaded = "true";
  }

  function render() {
    applyI18n();
    if (!state) return;
    main.replaceChildren(...(state.review ? reviewView(state.review) : listView()));
  }
  window.ccRerender = render;

  const table = (heads, rows) => (rows.length
    ? el("table", {}, el("tr", {}, heads.map((h) => el("th", {}, h))), rows)
    : el("p", {}, L("暂无数据", "No data")));

  function sampleRows(rows) {
    return rows.map((s) => el("tr", { "data-sample": s.id },
      el("td", {}, el("a", { href: "/qa?sample=" + s.id }, CC.fmtTime(s.callStartedAt))),
      el("td", {}, s.agentName), el("td", {}, s.lineCode || ""), el("td", {}, s.stratum),
      el("td", {}, statusText(s.status)), el("td", {}, s.totalScore ?? ""), el("td", { class: "grade-" + (s.grade || "") }, gradeText(s.grade))));
  }
  const sampleHeads = () => [L("通话时间", "Call"), L("坐席", "Agent"), L("热线", "Line"), L("抽样层", "Stratum"),
    L("状态", "Status"), L("得分", "Score"), L("等级", "Grade")];

  function listView() {
    const out = [];
    if (state.samples) {
      out.push(el("section", { id: "samples", class: "full" }, el("h2", {}, me.roles.includes("qa") ? L("分配给我的抽检通话", "Calls assigned to me") : L("本组抽检通话", "Team samples")),
        table(sampleHeads(), sampleRows(state.samples))));
    }
    if (me.roles.includes("supervisor")) out.push(runForm());
    if (state.mine) {
      out.push(el("section", { id: "mine", class: "full" }, el("h2", {}, L("我的质检结果", "My evaluations")),
        table(sampleHeads(), sampleRows(state.mine))));
    }
    if (state.report) out.push(reportView(state.report));
    return out;
  }

  function runForm() {
    const status = el("span", { id: "run-status" });
    const monday = new Date(); monday.setDate(monday.getDate() - ((monday.getDay() + 6) % 7) - 7);
    const form = el("form", { class: "inline", id: "run-form" },
      el("input", { name: "planId", type: "number", min: 1, value: 1, "aria-label": L("抽检方案", "Plan") }),
      el("input", { name: "periodStart", type: "date", value: monday.toISOString().slice(0, 10), required: true }),
      el("input", { name: "seed", type: "number", placeholder: L("随机种子(可空)", "Seed (optional)") }),
      el("button", { type: "submit" }, L("生成样本", "Draw sample")), status);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = new FormData(form);
      try {
        const r = await api("POST", "/api/qa/runs", { planId: Number(f.get("planId")), periodStart: f.get("periodStart"), seed: f.get("seed") ? Number(f.get("seed")) : null });
        status.className = "ok"; status.textContent = L(`已抽取 ${r.picks.length} 通，种子 ${r.seed}`, `${r.picks.length} calls, seed ${r.seed}`);
      } catch (err) { status.className = "err"; status.textContent = String(err.message); }
    });
    return el("section", { class: "full" }, el("h2", {}, L("按方案抽样", "Run a sampling plan")), form);
  }

  function reportView(report) {
    const weeks = [...new Set(report.rows.map((r) => r.week))].sort();
    const agents = [...new Set(report.rows.map((r) => r.agentName))];
    const W = 600, H = 220, x = (i) => 40 + (weeks.length > 1 ? (i * (W - 60)) / (weeks.length - 1) : (W - 60) / 2), y = (v) => 10 + (H - 40) * (1 - v / 100);
    const NS = "http://www.w3.org/2000/svg";
    const svg = (tag, attrs, text) => { const n = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); if (text) n.textContent = text; return n; };
    const chart = svg("svg", { class: "qa-chart", id: "qa-chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": L("平均得分趋势", "Average score by week") });
    const colours = ["#1f4e79", "#c62828", "#2e7d32", "#e65100", "#6a1b9a", "#00897b"];
    for (const band of [0, 65, 80, 90, 100]) {
      chart.append(svg("line", { class: "band", x1: 40, x2: W - 20, y1: y(band), y2: y(band) }), svg("text", { x: 4, y: y(band) + 4 }, String(band)));
    }
    weeks.forEach((w, i) => chart.append(svg("text", { x: x(i) - 20, y: H - 8 }, CC.fmtDate(w))));
    agents.forEach((a, k) => {
      const own = report.rows.filter((r) => r.agentName === a && r.averageScore !== null);
      const pts = own.map((r) => `${x(weeks.indexOf(r.week))},${y(r.averageScore)}`);
      chart.append(svg("polyline", { points: pts.join(" "), stroke: colours[k % colours.length], "data-agent": a }));
      // A dot per week, so a single week still shows.
      own.forEach((r) => chart.append(svg("circle", { cx: x(weeks.indexOf(r.week)), cy: y(r.averageScore), r: 4, fill: colours[k % colours.length] })));
      chart.append(svg("text", { x: W - 110, y: 20 + k * 14, fill: colours[k % colours.length] }, a));
    });
    const rows = report.rows.map((r) => el("tr", {}, el("td", {}, CC.fmtDate(r.week)), el("td", {}, r.agentName), el("td", {}, r.evaluations),
      el("td", {}, r.averageScore ?? ""), el("td", {}, `${r.excellent}/${r.good}/${r.fair}/${r.fail}`),
      el("td", {}, r.requiredChecks ? Math.round((100 * r.requiredPassed) / r.requiredChecks) + "%" : "")));
    return el("section", { id: "report", class: "full" }, el("h2", {}, L("质检报表（近12周）", "QA report (last 12 weeks)")),
      el("a", { id: "csv", href: "/api/qa/reports.csv", download: "" }, L("导出 CSV", "Export CSV")), chart,
      table([L("周", "Week"), L("坐席", "Agent"), L("评估数", "Evaluations"), L("平均分", "Average"), L("优/良/一般/不合格", "Grades"), L("规范用语达标", "Required phrases")], rows),
      el("h2", {}, L("常见禁语类别", "Most frequent taboo categories")),
      table([L("类别", "Category"), L("次数", "Hits")], report.topTabooCategories.map((c) => el("tr", {}, el("td", {}, c.category), el("td", {}, c.hits)))));
  }

  // The segment text with each hit's matched words wrapped in <mark> (text nodes only: nothing is parsed as HTML).
  function marked(text, hits) {
    const parts = [];
    let rest = text;
    for (const h of hits) {
      const at = rest.indexOf(h.matchedText);
      if (at < 0) continue;
      parts.push(rest.slice(0, at), el("mark", { class: "taboo", title: `${h.ruleCode} ${h.severity || ""}` }, h.matchedText));
      rest = rest.slice(at + h.matchedText.length);
    }
    parts.push(rest);
    return parts;
  }

  function reviewView(r) {
    const s = r.sample;
    const audio = r.recordings.length
      ? el("audio", { id: "audio", controls: true, preload: "auto", src: `/api/calls/${s.callId}/recordings/${r.recordings[0].id}` })
      : el("p", {}, L("无录音", "No recording"));
    const lines = r.transcript.map((seg) => {
      const hits = r.hits.filter((h) => h.segmentId === seg.id);
      return el("p", { class: seg.speaker + (hits.length ? " hit" : ""), "data-seg": seg.id, "data-start": seg.startMs, "data-end": seg.endMs,
        onclick: () => { if (audio.tagName === "AUDIO") { audio.currentTime = seg.startMs / 1000; audio.play().catch(() => {}); } } },
      el("span", { class: "spk" }, seg.speaker === "agent" ? L("坐席", "Agent") : L("客户", "Customer")), ...marked(seg.text, hits));
    });
    const transcript = el("div", { class: "qa-transcript", id: "transcript" }, lines);
    if (audio.tagName === "AUDIO") {
      audio.addEventListener("timeupdate", () => {
        const ms = audio.currentTime * 1000;
        let current = null;
        for (const p of lines) if (Number(p.dataset.start) <= ms) current = p;
        for (const p of lines) p.classList.toggle("current", p === current);
      });
    }
    const hitList = r.hits.map((h) => el("div", { class: "hint" }, `${h.ruleCode} ${h.severity || ""} ${h.category || ""}：`, h.matchedText));
    const CHECKS = { greeting: ["开场问候", "Greeting"], need: ["确认需求", "Need restated"], closing: ["结束语", "Closing"] };
    const req = r.required.map((q) => el("span", { class: "badge " + (q.passed ? "" : "warn"), "data-check": q.checkCode },
      `${CHECKS[q.checkCode] ? L(...CHECKS[q.checkCode]) : q.checkCode} ${q.passed ? "✓" : "✗"}`));
    return [
      el("section", { class: "full" }, el("h2", {}, L("抽检通话", "Sampled call")),
        el("p", {}, `${s.agentName} · ${s.lineCode || ""} · ${CC.fmtTime(s.callStartedAt)} · ${s.stratum}`), audio),
      el("section", {}, el("h2", {}, L("转写（点击一句跳转播放）", "Transcript (click a line to play from there)")), transcript),
      el("section", {}, el("h2", {}, L("筛查结果", "Screening")), hitList.length ? hitList : el("p", {}, L("未发现禁语", "No taboo phrase")), el("p", {}, req),
        r.evaluation ? evaluationView(r) : formView(r)),
    ];
  }

  function formView(r) {
    if (!me.roles.includes("qa")) return el("p", {}, L("尚未评分", "Not evaluated yet"));
    const total = el("span", { class: "qa-total", id: "total" });
    const inputs = r.items.map((i) => {
      const score = el("input", { type: "number", name: "score", min: 0, max: i.weight, step: 0.5, required: true, value: i.prefilled ?? "", "data-item": i.id });
      const reason = el("input", { class: "reason", name: "reason", placeholder: L("修改预填分数须填写理由", "Reason for overriding the pre-fill") });
      return { i, score, reason, row: el("tr", { "data-code": i.code }, el("td", {}, i.titleZh, i.fatal ? el("span", { class: "badge warn" }, L("否决项", "fatal")) : null,
        el("div", { class: "guidance" }, i.guidance || "")), el("td", {}, `/${i.weight}`),
        el("td", {}, score, i.prefilled !== null ? el("div", {}, L("预填 ", "Pre-fill "), String(i.prefilled)) : null), el("td", {}, reason)) };
    });
    const update = () => {
      let sum = 0;
      for (const x of inputs) { const v = Number(x.score.value || 0); if (x.i.fatal && x.score.value !== "" && v === 0) { sum = 0; break; } sum += v; }
      total.textContent = `${sum.toFixed(1)} ${gradeText(gradeOf(sum))}`;
      total.className = "qa-total grade-" + gradeOf(sum);
    };
    inputs.forEach((x) => x.score.addEventListener("input", update));
    update();
    const comments = el("textarea", { name: "comments", placeholder: L("评语", "Comments") });
    const status = el("p", { id: "submit-status" });
    const form = el("form", { class: "qa-form", id: "qa-form" }, el("table", {}, inputs.map((x) => x.row)), total, comments,
      el("button", { type: "submit", id: "submit" }, L("提交评分", "Submit")), status);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const res = await api("POST", `/api/qa/samples/${r.sample.id}/evaluation`, {
          items: inputs.map((x) => ({ itemId: x.i.id, score: Number(x.score.value), overrideReason: x.reason.value || null })), comments: comments.value || null });
        status.className = "ok"; status.id = "submitted";
        status.textContent = `${L("已提交", "Submitted")}：${res.totalScore} ${gradeText(res.grade)}`;
        form.querySelector("button").disabled = true;
      } catch (err) { status.className = "err"; status.textContent = L("提交失败（改动预填分须写理由）：", "Not saved (overrides need a reason): ") + err.message; }
    });
    return form;
  }

  function evaluationView(r) {
    const ev = r.evaluation;
    const rows = r.items.map((i) => el("tr", {}, el("td", {}, i.titleZh), el("td", {}, `${i.score ?? ""}/${i.weight}`),
      el("td", {}, i.overrideReason ? `${L("改自预填", "overrode")} ${i.prefilled}：${i.overrideReason}` : "")));
    const answer = el("div", { class: "qa-answer", id: "answer" });
    const text = el("textarea", { id: "answer-text" });
    const act = (url, body) => async () => {
      try { await api("POST", url, body ? { text: text.value } : {}); await load(); } catch (err) { answer.append(el("p", { class: "err" }, err.message)); }
    };
    if (me.roles.includes("agent") && r.sample.agentId === me.id && ev.status === "submitted") {
      text.placeholder = L("如有异议请写明理由", "Why you disagree");
      answer.append(el("button", { id: "acknowledge", onclick: act(`/api/qa/evaluations/${ev.id}/acknowledge`) }, L("确认", "Acknowledge")),
        text, el("button", { id: "dispute", onclick: act(`/api/qa/evaluations/${ev.id}/dispute`, true) }, L("申诉", "Dispute")));
    } else if (me.roles.includes("supervisor") && ev.status === "disputed") {
      text.placeholder = L("处理意见", "Resolution");
      answer.append(text, el("button", { id: "resolve", onclick: act(`/api/qa/evaluations/${ev.id}/resolve`, true) }, L("处理申诉", "Resolve")));
    }
    return el("div", { id: "evaluation", "data-status": ev.status },
      el("p", { class: "qa-total grade-" + ev.grade }, `${ev.totalScore} ${gradeText(ev.grade)}`),
      el("p", { id: "eval-status" }, statusText(ev.status)), el("table", {}, rows),
      ev.comments ? el("p", {}, L("评语：", "Comments: "), ev.comments) : null,
      ev.disputeText ? el("p", {}, L("申诉：", "Dispute: "), ev.disputeText) : null,
      ev.resolutionText ? el("p", {}, L("处理：", "Resolution: "), ev.resolutionText) : null, answer);
  }

  load().catch((err) => {
    main.replaceChildren(el("section", { class: "full", id: "forbidden" }, el("p", { class: "err" }, L("无法打开：", "Cannot open: ") + err.message)));
  });
})();
