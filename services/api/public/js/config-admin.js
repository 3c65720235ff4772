import { api } from "./api.js";
import { bjTime, esc } from "./format.js";

// 系统配置 (system administrators change, audit administrators read): feed sources, watch rules, departments /
// contacts / routing and escalation policies (field forms; the file's shape is kept, fields the forms do not show
// included). Every save is validated by the API with the config file's schema,
// stored as a new version and applied by the services within seconds, without a restart.

const TABS = [
  ["sources", "信源"],
  ["watch-rules", "监测规则"],
  ["departments", "部门、联系人与分派"],
  ["escalation", "升级策略"],
];
const LEVELS = { I: "I级 特别重大", II: "II级 重大", III: "III级 较大", IV: "IV级 一般" };

const list = (text) =>
  String(text ?? "")
    .split(/[,，、\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function header(kind, config) {
  const tabs = TABS.map(([k, name]) => `<a href="#/admin/${k}" class="${k === kind ? "active" : ""}">${name}</a>`).join(" ");
  const origin = config.origin === "file" ? `来自配置文件 <code>${esc(config.file)}</code>（第 0 版，尚未在此修改）` : `第 ${config.version} 版 · ${esc(config.updatedBy)} 于 ${esc(bjTime(config.updatedAt))}：${esc(config.summary)}`;
  return `<h1>系统配置 · ${esc(config.name)}</h1><nav class="tabs">${tabs}</nav><p id="config-version" class="muted">${origin}</p>`;
}

function historyCard(config) {
  if (config.history.length === 0) return "";
  const rows = config.history.map((h) => `<tr><td>第 ${h.version} 版</td><td>${esc(bjTime(h.updatedAt))}</td><td>${esc(h.updatedBy)}</td><td>${esc(h.summary)}</td></tr>`).join("");
  return `<div class="card"><h2>修改记录</h2><table id="history-table"><thead><tr><th>版本</th><th>时间</th><th>修改人</th><th>内容</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** 系统配置: one tab per kind; `kind` comes from #/admin/<kind>. */
export function renderConfigAdmin(view, me, kind, { flash }) {
  const known = TABS.some(([k]) => k === kind) ? kind : "sources";
  const canEdit = me.can.configManage;
  let alive = true;
  const load = () =>
    api(`admin/config/${known}`)
      .then((config) => {
        if (!alive) return;
        if (known === "watch-rules") renderRules(view, config, canEdit, { flash, reload: load });
        else if (known === "sources") renderSources(view, config, canEdit, { flash, reload: load });
        else if (known === "departments") renderDepartments(view, config, canEdit, { flash, reload: load });
        else
          return api("departments")
            .then((d) => d.departments.map((x) => x.id))
            .catch(() => [])
            .then((ids) => alive && renderEscalation(view, config, canEdit, { flash, reload: load }, ids));
      })
      .catch((error) => flash(`配置加载失败：${error.message}`));
  view.innerHTML = `<h1>系统配置</h1><p class="muted">加载中…</p>`;
  void load();
  return () => {
    alive = false;
  };
}

async function saved(promise, { flash, reload }, message) {
  try {
    const result = await promise;
    flash(message ?? `已保存为第 ${result.version} 版，各服务将在数秒内生效：${result.summary}`, true);
    await reload();
    return true;
  } catch (error) {
    flash(error.message);
    return false;
  }
}

function renderRules(view, config, canEdit, ctx) {
  const rules = config.data.rules ?? [];
  const rows = rules
    .map(
      (r) => `<tr data-id="${esc(r.id)}"><td><code>${esc(r.id)}</code></td><td>${esc(r.name)}</td><td>${esc((r.must ?? []).join("、"))}</td><td>${esc((r.any ?? []).join("、"))}${r.minAny > 1 ? `（至少 ${r.minAny} 个）` : ""}</td><td>${esc((r.exclude ?? []).join("、"))}</td><td>${esc(LEVELS[r.level] ?? "")}</td>
        <td>${canEdit ? `<button class="ghost edit">编辑</button> <button class="ghost delete">删除</button>` : ""}</td></tr>`,
    )
    .join("");
  view.innerHTML = `${header("watch-rules", config)}
    <div class="card"><table id="rules-table"><thead><tr><th>编号</th><th>名称</th><th>必含词</th><th>任含词</th><th>排除词</th><th>提示级别</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>
    ${
      canEdit
        ? `<form id="rule-form" class="card form-grid"><h2>新增或修改规则</h2>
      <label>编号 <input name="id" required placeholder="如 mine-accident（英文字母、数字、-）"></label>
      <label>名称 <input name="name" required placeholder="如 煤矿事故"></label>
      <label>必含词（全部出现） <input name="must" placeholder="用逗号或空格分隔"></label>
      <label>任含词 <input name="any" placeholder="用逗号或空格分隔"></label>
      <label>至少命中任含词 <input name="minAny" type="number" min="1" value="1"></label>
      <label>排除词 <input name="exclude" placeholder="出现任一则不命中"></label>
      <label>只看标题 <input name="titleOnly" type="checkbox"></label>
      <label>提示级别 <select name="level"><option value="">无</option>${Object.entries(LEVELS).map(([v, n]) => `<option value="${v}">${n}</option>`).join("")}</select></label>
      <div class="actions"><button type="submit" class="primary">保存规则</button></div>
      <p class="hint">保存后监测服务在数秒内按新规则检查后续每条信息，无需重启。同编号的规则会被替换。</p></form>`
        : ""
    }
    <div class="card" id="proposals"><h2>检索转来的规则建议</h2><p class="muted">加载中…</p></div>
    ${historyCard(config)}`;
  const form = view.querySelector("#rule-form");
  let proposals = [];
  api("admin/rule-proposals")
    .then((data) => {
      proposals = data.proposals;
      view.querySelector("#proposals").innerHTML = `<h2>检索转来的规则建议</h2>${
        proposals.length === 0
          ? `<p class="muted">暂无。分析员可在「检索」页把已保存的检索“转为监测规则”。</p>`
          : `<table id="proposals-table"><thead><tr><th>检索</th><th>必含词</th><th>信源 / 地区</th><th>提出人</th><th>时间</th><th>说明</th><th></th></tr></thead><tbody>${proposals
              .map((p) => `<tr data-id="${esc(p.id)}"><td>${esc(p.savedSearch.name)}</td><td>${esc((p.rule.must ?? []).join("、"))}</td><td>${esc([...(p.rule.sources ?? []), ...(p.rule.regions ?? [])].join("、"))}</td><td>${esc(p.proposedBy)}</td><td>${esc(bjTime(p.proposedAt))}</td><td class="muted">${esc(p.notes.join("；"))}</td><td>${canEdit ? `<button class="ghost adopt">采纳</button> <button class="ghost reject">驳回</button>` : ""}</td></tr>`)
              .join("")}</tbody></table>`
      }`;
    })
    .catch((error) => ctx.flash(`规则建议加载失败：${error.message}`));
  if (!canEdit) return;
  view.querySelector("#proposals").addEventListener("click", async (event) => {
    const row = event.target.closest("tr[data-id]");
    const proposal = row && proposals.find((p) => p.id === row.dataset.id);
    if (!proposal) return;
    if (event.target.classList.contains("adopt")) await saved(api("admin/watch-rules", { method: "POST", body: { rule: proposal.rule, expectedVersion: config.version, proposal: proposal.id } }), ctx);
    else if (event.target.classList.contains("reject")) await saved(api(`admin/rule-proposals/${encodeURIComponent(proposal.id)}`, { method: "DELETE" }), ctx, `已驳回规则建议「${proposal.savedSearch.name}」`);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = new FormData(form);
    const rule = { id: String(f.get("id")).trim(), name: String(f.get("name")).trim(), must: list(f.get("must")), any: list(f.get("any")), exclude: list(f.get("exclude")) };
    const minAny = Number(f.get("minAny") || 1);
    if (minAny > 1) rule.minAny = minAny;
    if (f.get("titleOnly")) rule.fields = ["title"];
    if (f.get("level")) rule.level = String(f.get("level"));
    await saved(api("admin/watch-rules", { method: "POST", body: { rule, expectedVersion: config.version } }), ctx);
  });
  view.querySelector("#rules-table").addEventListener("click", async (event) => {
    const row = event.target.closest("tr[data-id]");
    if (!row) return;
    const rule = rules.find((r) => r.id === row.dataset.id);
    if (event.target.classList.contains("delete")) {
      if (!window.confirm(`删除监测规则「${rule.name}」？`)) return;
      await saved(api(`admin/watch-rules/${encodeURIComponent(rule.id)}`, { method: "DELETE" }), ctx);
    } else if (event.target.classList.contains("edit")) {
      for (const [name, value] of Object.entries({ id: rule.id, name: rule.name, must: (rule.must ?? []).join("，"), any: (rule.any ?? []).join("，"), minAny: rule.minAny ?? 1, exclude: (rule.exclude ?? []).join("，"), level: rule.level ?? "" })) form.elements[name].value = value;
      form.elements.titleOnly.checked = Array.isArray(rule.fields) && rule.fields.length === 1 && rule.fields[0] === "title";
      form.scrollIntoView();
    }
  });
}

function renderSources(view, config, canEdit, ctx) {
  const sources = config.data.sources ?? [];
  const rows = sources
    .map((s) => {
      const on = s.enabled !== false;
      return `<tr data-name="${esc(s.name)}"><td><code>${esc(s.name)}</code></td><td>${esc(s.title ?? "")}</td><td>${esc(s.kind)}</td><td class="url">${esc(s.url)}</td><td><code>${esc(s.schedule)}</code></td><td>${esc(s.region ?? "")}</td>
        <td class="state ${on ? "" : "muted"}">${on ? "抓取中" : "已暂停"}</td><td>${canEdit ? `<button class="ghost toggle">${on ? "暂停" : "恢复"}</button>` : ""}</td></tr>`;
    })
    .join("");
  view.innerHTML = `${header("sources", config)}
    <div class="card"><table id="sources-table"><thead><tr><th>名称</th><th>标题</th><th>类型</th><th>地址</th><th>抓取周期</th><th>地区</th><th>状态</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>
    ${
      canEdit
        ? `<form id="source-form" class="card form-grid"><h2>新增信源</h2>
      <label>名称 <input name="name" required placeholder="如 xinghe-gov（小写字母、数字、-）"></label>
      <label>标题 <input name="title" placeholder="如 星河市人民政府 · 政务要闻"></label>
      <label>类型 <select name="kind"><option value="rss">RSS</option><option value="atom">Atom</option><option value="json">JSON</option></select></label>
      <label>地址 <input name="url" required placeholder="https://…"></label>
      <label>抓取周期（cron） <input name="schedule" required value="*/5 * * * *"></label>
      <label>地区 <input name="region" placeholder="如 湖南省长沙市"></label>
      <label>字符集 <input name="charset" placeholder="留空自动识别，如 gb18030"></label>
      <label>本地媒体 <input name="local" type="checkbox"></label>
      <div class="actions"><button type="button" id="test-fetch">试抓取</button> <button type="submit" class="primary">保存信源</button></div>
      <p id="test-result" class="muted"></p>
      <p class="hint">试抓取经过与采集服务相同的防 SSRF 检查：只能访问公网地址，内网信源须在 INGEST_ALLOW_INTERNAL 中放行。保存后采集服务在数秒内开始抓取；暂停后不再抓取。</p></form>`
        : ""
    }
    ${historyCard(config)}`;
  if (!canEdit) return;
  const form = view.querySelector("#source-form");
  const value = () => {
    const f = new FormData(form);
    const source = { name: String(f.get("name")).trim(), kind: String(f.get("kind")), url: String(f.get("url")).trim(), schedule: String(f.get("schedule")).trim() };
    for (const key of ["title", "region", "charset"]) if (String(f.get(key) ?? "").trim()) source[key] = String(f.get(key)).trim();
    if (f.get("local")) source.local = true;
    return source;
  };
  view.querySelector("#test-fetch").addEventListener("click", async () => {
    const out = view.querySelector("#test-result");
    const { url, kind, charset } = value();
    out.textContent = "抓取中…";
    try {
      const r = await api("admin/sources/test", { method: "POST", body: { url, kind, ...(charset ? { charset } : {}) } });
      out.innerHTML = `${esc(r.message)}${r.charset ? `（编码 ${esc(r.charset)}）` : ""}${r.titles.length ? `<br>${r.titles.map((t) => `· ${esc(t)}`).join("<br>")}` : ""}`;
      out.className = r.ok ? "ok" : "error";
    } catch (error) {
      out.textContent = error.message;
      out.className = "error";
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await saved(api("admin/sources", { method: "POST", body: { source: value() } }), ctx);
  });
  view.querySelector("#sources-table").addEventListener("click", async (event) => {
    if (!event.target.classList.contains("toggle")) return;
    const name = event.target.closest("tr[data-name]").dataset.name;
    const source = sources.find((s) => s.name === name);
    await saved(api(`admin/sources/${encodeURIComponent(name)}/state`, { method: "POST", body: { enabled: source.enabled === false } }), ctx);
  });
}

const ROLES = { duty: "值班员", deputy: "带班", head: "负责人", leader: "分管领导" };
const AUDIENCES = { group: "群组（通知目标）", ...ROLES };
const SPECIAL_DEPARTMENTS = { responsible: "责任部门", co: "协同通知部门（I/II级）", parent: "责任部门的上级" };
const LEVEL_KEYS = ["I", "II", "III", "IV", "ungraded"];
const LEVEL_SHORT = { I: "I级", II: "II级", III: "III级", IV: "IV级", ungraded: "未定级" };

const options = (entries, selected) => entries.map(([v, n]) => `<option value="${esc(v)}"${v === selected ? " selected" : ""}>${esc(n)}</option>`).join("");
const joined = (items) => esc((items ?? []).join("，"));
const readOnly = (canEdit) => (canEdit ? "" : " disabled");

/** Put an optional text field on an object, or take it off when left empty. */
function setOptional(target, key, value) {
  const text = String(value ?? "").trim();
  if (text) target[key] = text;
  else delete target[key];
}

/** A refused save: the API's Chinese message, one field per line, inside the form (and on the banner). */
function showErrors(box, message) {
  const [head, rest] = message.includes("：") ? [message.slice(0, message.indexOf("：")), message.slice(message.indexOf("：") + 1)] : [message, ""];
  box.innerHTML = rest ? `<p>${esc(head)}：</p><ul>${rest.split("；").map((line) => `<li>${esc(line)}</li>`).join("")}</ul>` : `<p>${esc(head)}</p>`;
  box.hidden = false;
}

async function saveWhole(kind, config, data, form, ctx) {
  const box = form.querySelector("#form-errors");
  box.hidden = true;
  try {
    const result = await api(`admin/config/${kind}`, { method: "PUT", body: { data, expectedVersion: config.version, summary: form.elements.summary.value.trim() } });
    ctx.flash(`已保存为第 ${result.version} 版，各服务将在数秒内生效：${result.summary}`, true);
    await ctx.reload();
  } catch (error) {
    showErrors(box, error.message);
    ctx.flash(error.message);
  }
}

function wholeFooter(config, canEdit, placeholder) {
  return `${canEdit ? `<div class="card form-actions"><label>修改说明 <input name="summary" maxlength="200" placeholder="${esc(placeholder)}"></label> <button type="submit" class="primary">保存</button>
      <p class="hint">保存时按配置文件的同一校验规则检查，出错会逐项指出字段；保存后各服务在数秒内生效，无需重启。</p></div>` : ""}
    <div id="form-errors" class="error" role="alert" hidden></div>`;
}

function jsonCard(config) {
  return `<details class="card"><summary>完整配置（与配置文件结构相同，只读）</summary><pre class="config-json">${esc(JSON.stringify(config.data, null, 2))}</pre></details>`;
}

/** 部门、联系人与分派: a field form per department (parent, routing keywords, contacts), and the routing defaults. */
function renderDepartments(view, config, canEdit, ctx) {
  const state = structuredClone(config.data ?? {});
  state.departments ??= [];
  state.routing ??= { default: "", coNotifyMajor: [] };
  const ro = readOnly(canEdit);

  const personRow = (p, j) => `<tr data-j="${j}">
      <td><input name="pid" value="${esc(p.id ?? "")}" placeholder="如 p-hrss-duty" aria-label="人员编号"${ro}></td>
      <td><input name="pname" value="${esc(p.name ?? "")}" aria-label="姓名"${ro}></td>
      <td><select name="prole" aria-label="角色"${ro}>${options(Object.entries(ROLES), p.role ?? "duty")}</select></td>
      <td><input name="email" type="text" value="${esc(p.email ?? "")}" placeholder="可不填" aria-label="邮箱"${ro}></td>
      <td><input name="mobile" value="${esc(p.mobile ?? "")}" placeholder="可不填" aria-label="手机号"${ro}></td>
      <td>${canEdit ? `<button type="button" class="ghost remove-person">删除</button>` : ""}</td></tr>`;
  const deptCard = (d, i, ids) => `<fieldset class="card dept" data-i="${i}" data-id="${esc(d.id ?? "")}"><legend>${esc(d.name || d.id || `新部门 ${i + 1}`)}</legend>
      <div class="form-grid">
        <label>编号 <input name="id" value="${esc(d.id ?? "")}" required placeholder="如 petition（英文字母、数字、. _ -）"${ro}></label>
        <label>名称 <input name="name" value="${esc(d.name ?? "")}" placeholder="如 市信访局"${ro}></label>
        <label>上级部门 <select name="parent"${ro}><option value="">无</option>${options(ids.filter((x) => x !== d.id).map((x) => [x, x]), d.parent ?? "")}</select></label>
        <label>分派关键词 <input name="keywords" value="${joined(d.keywords)}" placeholder="用逗号分隔，如 信访，上访"${ro}></label>
        <label>主题 <input name="topics" value="${joined(d.topics)}" placeholder="用逗号分隔"${ro}></label>
        <label>管辖地区 <input name="jurisdiction" value="${joined(d.jurisdiction)}" placeholder="留空为全辖区"${ro}></label>
        <label>通知目标（notify.yaml） <input name="targets" value="${joined(d.targets)}" placeholder="用逗号分隔"${ro}></label>
      </div>
      <table class="people"><thead><tr><th>人员编号</th><th>姓名</th><th>角色</th><th>邮箱</th><th>手机号</th><th></th></tr></thead><tbody>${(d.people ?? []).map(personRow).join("")}</tbody></table>
      ${canEdit ? `<div class="actions"><button type="button" class="ghost add-person">添加联系人</button> <button type="button" class="ghost remove-dept">删除部门</button></div>` : ""}
    </fieldset>`;

  /** Read every field back into `state`: kept fields the form does not show stay as they were. */
  const sync = () => {
    const form = view.querySelector("#departments-form");
    if (!form) return;
    for (const card of form.querySelectorAll("fieldset.dept")) {
      const d = state.departments[Number(card.dataset.i)];
      const val = (name) => card.querySelector(`[name="${name}"]`).value;
      d.id = val("id").trim();
      d.name = val("name").trim();
      setOptional(d, "parent", val("parent"));
      for (const key of ["keywords", "topics", "jurisdiction", "targets"]) d[key] = list(val(key));
      const people = d.people ?? [];
      for (const row of card.querySelectorAll("table.people tbody tr")) {
        const p = people[Number(row.dataset.j)];
        const cell = (name) => row.querySelector(`[name="${name}"]`).value;
        p.id = cell("pid").trim();
        p.name = cell("pname").trim();
        p.role = cell("prole");
        setOptional(p, "email", cell("email"));
        setOptional(p, "mobile", cell("mobile"));
      }
      d.people = people;
    }
    state.routing.default = form.querySelector('[name="routing-default"]').value;
    state.routing.coNotifyMajor = [...form.querySelectorAll('[name="co-notify"]:checked')].map((c) => c.value);
  };

  const coNotify = (ids) =>
    `I/II 级协同通知部门：${ids.map((x) => `<label class="inline"><input type="checkbox" name="co-notify" value="${esc(x)}"${(state.routing.coNotifyMajor ?? []).includes(x) ? " checked" : ""}${ro}> ${esc(state.departments.find((d) => d.id === x)?.name || x)}</label>`).join("")}`;

  /** A department's id was typed or changed: refresh the parent and routing choices in place (focus stays where it is). */
  const refreshChoices = () => {
    sync();
    const form = view.querySelector("#departments-form");
    const ids = state.departments.map((d) => d.id).filter(Boolean);
    for (const card of form.querySelectorAll("fieldset.dept")) {
      const d = state.departments[Number(card.dataset.i)];
      card.dataset.id = d.id;
      card.querySelector('[name="parent"]').innerHTML = `<option value="">无</option>${options(ids.filter((x) => x !== d.id).map((x) => [x, x]), d.parent ?? "")}`;
    }
    form.querySelector('[name="routing-default"]').innerHTML = options(ids.map((x) => [x, x]), state.routing.default);
    form.querySelector("#co-notify").innerHTML = coNotify(ids);
  };

  const draw = () => {
    const ids = state.departments.map((d) => d.id).filter(Boolean);
    view.innerHTML = `${header("departments", config)}
      <form id="departments-form" novalidate>
        <div id="dept-list">${state.departments.map((d, i) => deptCard(d, i, ids)).join("")}</div>
        ${canEdit ? `<p><button type="button" id="add-dept">添加部门</button></p>` : ""}
        <fieldset class="card routing"><legend>分派</legend>
          <label>默认部门（无部门匹配时） <select name="routing-default"${ro}>${options(ids.map((x) => [x, x]), state.routing.default)}</select></label>
          <p id="co-notify">${coNotify(ids)}</p>
        </fieldset>
        ${wholeFooter(config, canEdit, "如 新增市信访局及其值班员")}
      </form>${jsonCard(config)}${historyCard(config)}`;
    if (!canEdit) return;
    const form = view.querySelector("#departments-form");
    form.addEventListener("click", (event) => {
      const card = event.target.closest("fieldset.dept");
      const target = event.target;
      if (target.id === "add-dept") {
        sync();
        state.departments.push({ id: "", name: "", jurisdiction: [], topics: [], keywords: [], targets: [], people: [] });
      } else if (card && target.classList.contains("remove-dept")) {
        sync();
        state.departments.splice(Number(card.dataset.i), 1);
      } else if (card && target.classList.contains("add-person")) {
        sync();
        const d = state.departments[Number(card.dataset.i)];
        d.people = [...(d.people ?? []), { id: "", name: "", role: "duty" }];
      } else if (card && target.classList.contains("remove-person")) {
        sync();
        state.departments[Number(card.dataset.i)].people.splice(Number(target.closest("tr").dataset.j), 1);
      } else return;
      draw();
    });
    // A new or renamed department shows up in the parent and routing choices.
    form.addEventListener("change", (event) => {
      if (event.target.name === "id") refreshChoices();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      sync();
      await saveWhole("departments", config, state, form, ctx);
    });
  };
  draw();
}

/** 升级策略: statutory clocks, and per policy its levels and ordered steps (trigger, delay, who by role). */
function renderEscalation(view, config, canEdit, ctx, departmentIds) {
  const state = structuredClone(config.data ?? {});
  state.policies ??= [];
  const ro = readOnly(canEdit);
  const whereOptions = [...Object.entries(SPECIAL_DEPARTMENTS), ...departmentIds.map((id) => [id, id])];

  const recipientRow = (n, k) => `<span class="recipient" data-k="${k}"><select name="rdept" aria-label="部门"${ro}>${options(whereOptions.some(([v]) => v === n.department) ? whereOptions : [...whereOptions, [n.department, n.department]], n.department)}</select>
      <select name="raudience" aria-label="对象"${ro}>${options(Object.entries(AUDIENCES), n.audience ?? "group")}</select>${canEdit ? ` <button type="button" class="ghost remove-recipient" aria-label="删除通知对象">×</button>` : ""}</span>`;
  const stepRow = (s, j) => `<tr data-j="${j}">
      <td><input name="sid" value="${esc(s.id ?? "")}" placeholder="如 head-unacknowledged" aria-label="步骤编号"${ro}></td>
      <td><select name="trigger" aria-label="触发"${ro}>${options([["after", "超时未确认"], ["beforeDeadline", "截止前"]], s.beforeDeadline !== undefined ? "beforeDeadline" : "after")}</select></td>
      <td><input name="delay" value="${esc(String(s.beforeDeadline ?? s.after ?? ""))}" placeholder="如 10m、2h" size="6" aria-label="时长"${ro}></td>
      <td class="recipients">${(s.notify ?? []).map(recipientRow).join("<br>")}${canEdit ? ` <button type="button" class="ghost add-recipient">添加通知对象</button>` : ""}</td>
      <td>${canEdit ? `<button type="button" class="ghost remove-step">删除</button>` : ""}</td></tr>`;
  const policyCard = (p, i) => `<fieldset class="card policy" data-i="${i}" data-id="${esc(p.id ?? "")}"><legend>策略 ${esc(p.id || String(i + 1))}</legend>
      <div class="form-grid">
        <label>编号 <input name="id" value="${esc(p.id ?? "")}" placeholder="如 major"${ro}></label>
        <p>适用级别：${LEVEL_KEYS.map((l) => `<label class="inline"><input type="checkbox" name="levels" value="${l}"${(p.levels ?? []).includes(l) ? " checked" : ""}${ro}> ${LEVEL_SHORT[l]}</label>`).join("")}</p>
        <label>整轮重复次数 <input name="repeat-times" type="number" min="0" max="20" value="${esc(String(p.repeat?.times ?? ""))}" placeholder="不重复"${ro}></label>
        <label>重复间隔 <input name="repeat-every" value="${esc(String(p.repeat?.every ?? ""))}" placeholder="如 30m"${ro}></label>
      </div>
      <table class="steps"><thead><tr><th>步骤编号</th><th>触发</th><th>时长</th><th>通知对象（部门 · 角色）</th><th></th></tr></thead><tbody>${(p.steps ?? []).map(stepRow).join("")}</tbody></table>
      ${canEdit ? `<div class="actions"><button type="button" class="ghost add-step">添加步骤</button> <button type="button" class="ghost remove-policy">删除策略</button></div>` : ""}
    </fieldset>`;

  const sync = () => {
    const form = view.querySelector("#escalation-form");
    if (!form) return;
    state.clocks ??= {};
    for (const key of ["authoritativeInfo", "pressConference", "response"]) setOptional(state.clocks, key, form.querySelector(`[name="clock-${key}"]`).value);
    for (const card of form.querySelectorAll("fieldset.policy")) {
      const p = state.policies[Number(card.dataset.i)];
      p.id = card.querySelector('[name="id"]').value.trim();
      p.levels = [...card.querySelectorAll('[name="levels"]:checked')].map((c) => c.value);
      const times = card.querySelector('[name="repeat-times"]').value.trim();
      const every = card.querySelector('[name="repeat-every"]').value.trim();
      if (times === "" && every === "") delete p.repeat;
      else p.repeat = { times: times === "" ? 0 : Number(times), every };
      const steps = p.steps ?? [];
      for (const row of card.querySelectorAll("table.steps tbody tr")) {
        const s = steps[Number(row.dataset.j)];
        s.id = row.querySelector('[name="sid"]').value.trim();
        delete s.after;
        delete s.beforeDeadline;
        s[row.querySelector('[name="trigger"]').value] = row.querySelector('[name="delay"]').value.trim();
        s.notify = [...row.querySelectorAll(".recipient")].map((r) => ({ department: r.querySelector('[name="rdept"]').value, audience: r.querySelector('[name="raudience"]').value }));
      }
      p.steps = steps;
    }
  };

  const draw = () => {
    const clocks = state.clocks ?? {};
    view.innerHTML = `${header("escalation", config)}
      <form id="escalation-form" novalidate>
        <fieldset class="card"><legend>法定时限</legend><div class="form-grid">
          <label>权威信息发布 <input name="clock-authoritativeInfo" value="${esc(String(clocks.authoritativeInfo ?? ""))}" placeholder="默认 5h"${ro}></label>
          <label>新闻发布会 <input name="clock-pressConference" value="${esc(String(clocks.pressConference ?? ""))}" placeholder="默认 24h"${ro}></label>
          <label>舆情回应 <input name="clock-response" value="${esc(String(clocks.response ?? ""))}" placeholder="默认 48h"${ro}></label>
        </div></fieldset>
        <div id="policy-list">${state.policies.map(policyCard).join("")}</div>
        ${canEdit ? `<p><button type="button" id="add-policy">添加升级策略</button></p>` : ""}
        <p class="hint">每一步在预警超过“时长”仍未确认（或距截止还剩“时长”）时通知所列对象；“角色”按值班表当时的在岗人员确定。提醒点、免打扰时段、重新预警和每日汇总沿用配置文件中的设置（见下方完整配置）。</p>
        ${wholeFooter(config, canEdit, "如 重大预警 45 分钟未确认时通知上级分管领导")}
      </form>${jsonCard(config)}${historyCard(config)}`;
    if (!canEdit) return;
    const form = view.querySelector("#escalation-form");
    form.addEventListener("click", (event) => {
      const target = event.target;
      const card = target.closest("fieldset.policy");
      const policy = card && state.policies[Number(card.dataset.i)];
      const row = target.closest("tr[data-j]");
      if (target.id === "add-policy") {
        sync();
        state.policies.push({ id: "", levels: [], steps: [{ id: "", after: "", notify: [{ department: "responsible", audience: "head" }] }] });
      } else if (policy && target.classList.contains("remove-policy")) {
        sync();
        state.policies.splice(Number(card.dataset.i), 1);
      } else if (policy && target.classList.contains("add-step")) {
        sync();
        policy.steps = [...(policy.steps ?? []), { id: "", after: "", notify: [{ department: "responsible", audience: "head" }] }];
      } else if (policy && row && target.classList.contains("remove-step")) {
        sync();
        policy.steps.splice(Number(row.dataset.j), 1);
      } else if (policy && row && target.classList.contains("add-recipient")) {
        sync();
        policy.steps[Number(row.dataset.j)].notify.push({ department: "responsible", audience: "group" });
      } else if (policy && row && target.classList.contains("remove-recipient")) {
        sync();
        policy.steps[Number(row.dataset.j)].notify.splice(Number(target.closest(".recipient").dataset.k), 1);
      } else return;
      draw();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      sync();
      await saveWhole("escalation", config, state, form, ctx);
    });
  };
  draw();
}
