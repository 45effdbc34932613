// Helpers and labels shared by the admin page's scripts: requests that surface the server's field errors,
// and the admin-only labels (Simplified Chinese by default, English on the language switch).
"use strict";

const CCA = (() => {
  const { el, t } = CC;
  const dict = {
    zh: {
      new_line: "新建热线", edit: "编辑", remove: "删除", code: "代码", name_zh: "中文名称", name_en: "英文名称",
      welcome_prompt: "欢迎语音文件", ring_timeout: "振铃超时(秒)", max_wait: "最长排队(秒)", answer_within: "接通目标(秒)",
      active: "启用", inactive: "已停用", add_number: "添加号码", description: "说明", reassign: "改派到", line_form: "热线设置",
      new_agent: "新建坐席账号", display_name: "显示名", web_password: "登录密码", sip_password: "话机(SIP)密码",
      deactivate: "停用账号", activate: "启用账号", sip_phone: "话机", save_hours: "保存营业时间", open: "营业",
      opens: "开始", closes: "结束", default_hours: "默认(回电拨打时段)", holiday: "节假日", workday: "调休上班",
      hours_note_default: "回电只在这些时段内拨出；来电不受影响。",
      hours_note_line: "设了自己营业时间的热线，在时段外和节假日接听后播放下班提示并挂断，来电转为回电请求；不勾选任何一天即全天接听。",
      settings: "参数(JSON)", known_keys: "可用参数", mode: "方式", screening_rules: "质检禁语/规则",
      phrase: "词句", pattern: "匹配式", match_mode: "匹配方式", speaker: "说话人", category: "类别", exceptions: "例外(每行一个)",
      source: "出处", version: "版本", new_rule: "新建规则", test_rule: "测试规则", test_sentence: "输入一句话，测试当前生效的规则",
      run_test: "测试", no_hits: "未命中任何规则", hit: "命中", saved: "已保存", cancel: "取消",
    },
    en: {
      new_line: "New line", edit: "Edit", remove: "Remove", code: "Code", name_zh: "Chinese name", name_en: "English name",
      welcome_prompt: "Welcome prompt file", ring_timeout: "Ring timeout (s)", max_wait: "Max wait (s)", answer_within: "Answer goal (s)",
      active: "Active", inactive: "Inactive", add_number: "Add number", description: "Description", reassign: "Move to", line_form: "Line settings",
      new_agent: "New agent account", display_name: "Display name", web_password: "Login password", sip_password: "Phone (SIP) password",
      deactivate: "Deactivate", activate: "Activate", sip_phone: "Phone", save_hours: "Save hours", open: "Open",
      opens: "Opens", closes: "Closes", default_hours: "Default (callback calling hours)", holiday: "Holiday", workday: "Make-up workday",
      hours_note_default: "Callbacks are dialled only within these hours; inbound calls are not affected.",
      hours_note_line: "A line with hours of its own is closed outside them and on holidays: callers hear the closed prompt and get a callback request. With no day ticked the line is always open.",
      settings: "Settings (JSON)", known_keys: "Known keys", mode: "Mode", screening_rules: "Screening rules",
      phrase: "Phrase", pattern: "Pattern", match_mode: "Match mode", speaker: "Speaker", category: "Category", exceptions: "Exceptions (one a line)",
      source: "Source", version: "Version", new_rule: "New rule", test_rule: "Test rules", test_sentence: "Type a sentence to test the rules in force",
      run_test: "Test", no_hits: "No rule fired", hit: "Hit", saved: "Saved", cancel: "Cancel",
    },
  };
  const tt = (key) => dict[CC.lang === "en" ? "en" : "zh"][key] ?? t(key);

  let token = null;
  // Like CC.api, but a refusal keeps the problem details so the form can say which field is wrong.
  async function send(method, url, body) {
    token = token || await CC.antiforgery();
    const r = await fetch(url, {
      method, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-XSRF-TOKEN": token },
    });
    if (r.status === 401) { location.href = "/login"; throw new Error("401"); }
    const data = r.status === 204 || r.status === 201 && !(r.headers.get("content-type") || "").includes("json") ? null : await r.json().catch(() => null);
    if (!r.ok) throw Object.assign(new Error(method + " " + url + " → " + r.status), { problem: data, status: r.status });
    return data;
  }

  function fail(status, e) {
    status.className = "status err";
    const p = e.problem || {};
    const details = p.errors ? Object.entries(p.errors).map(([k, v]) => k + ": " + v.join("; ")).join("；") : (p.detail || "");
    status.textContent = t("error") + (details ? "：" + details : " (" + (e.status || "?") + ")");
  }

  function ok(status) { status.className = "status ok"; status.textContent = tt("saved"); }

  const table = (heads, rows) => rows.length
    ? el("table", {}, el("tr", {}, heads.map((h) => el("th", {}, tt(h)))), rows)
    : el("p", {}, t("no_data"));

  // A labelled input; attrs go to the input (name, type, value ...).
  const field = (label, attrs) => el("label", {}, tt(label), " ", el("input", attrs));

  // Runs fn on submit, shows the outcome in the form's status span, then calls after() (usually a reload).
  function onSubmit(form, status, fn, after) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try { await fn(); ok(status); if (after) await after(); } catch (err) { fail(status, err); }
    });
  }

  return { tt, send, fail, ok, table, field, onSubmit };
})();
