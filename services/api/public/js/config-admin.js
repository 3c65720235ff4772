import { api } from "./api.js";
import { bjTime, esc } from "./format.js";

// 系统配置 (system administrators change, audit administrators read): feed sources, watch rules, departments /
// contacts / routing and escalation policies. Every save is validated by the API with the config file's schema,
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
        else renderWhole(view, config, canEdit, { flash, reload: load });
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

/** Departments / escalation: a readable summary and the whole configuration as JSON (the file's shape) to edit. */
function renderWhole(view, config, canEdit, ctx) {
  const summary =
    config.kind === "departments"
      ? `<table id="departments-table"><thead><tr><th>编号</th><th>名称</th><th>上级</th><th>主题</th><th>关键词</th><th>管辖地区</th><th>联系人</th><th>通知目标</th></tr></thead><tbody>${(config.data.departments ?? [])
          .map((d) => `<tr data-id="${esc(d.id)}"><td><code>${esc(d.id)}</code></td><td>${esc(d.name)}</td><td>${esc(d.parent ?? "")}</td><td>${esc((d.topics ?? []).join("、"))}</td><td>${esc((d.keywords ?? []).join("、"))}</td><td>${esc((d.jurisdiction ?? []).join("、") || "全辖区")}</td><td>${esc((d.people ?? []).map((p) => p.name).join("、"))}</td><td>${esc((d.targets ?? []).join("、"))}</td></tr>`)
          .join("")}</tbody></table><p class="muted">默认部门：${esc(config.data.routing?.default ?? "")}；I/II 级协同通知：${esc((config.data.routing?.coNotifyMajor ?? []).join("、"))}</p>`
      : `<table id="policies-table"><thead><tr><th>策略</th><th>级别</th><th>步骤</th></tr></thead><tbody>${(config.data.policies ?? [])
          .map((p) => `<tr><td><code>${esc(p.id)}</code></td><td>${esc((p.levels ?? []).join("、"))}</td><td>${esc((p.steps ?? []).map((s) => `${s.after ? `${s.after} 未确认` : `截止前 ${s.beforeDeadline}`} → ${(s.notify ?? []).map((n) => `${n.department}/${n.audience ?? "group"}`).join("、")}`).join("；"))}</td></tr>`)
          .join("")}</tbody></table>`;
  view.innerHTML = `${header(config.kind, config)}<div class="card">${summary}</div>
    <form id="whole-form" class="card"><h2>${canEdit ? "编辑" : "查看"}完整配置</h2>
      <p class="hint">与配置文件结构相同（JSON）。保存时按配置文件的同一校验规则检查，错误会指出具体字段。</p>
      <textarea name="data" rows="24" spellcheck="false" ${canEdit ? "" : "readonly"}>${esc(JSON.stringify(config.data, null, 2))}</textarea>
      ${canEdit ? `<label>修改说明 <input name="summary" maxlength="200" placeholder="如 新增市信访局联系人"></label><div class="actions"><button type="submit" class="primary">保存</button></div>` : ""}
    </form>${historyCard(config)}`;
  if (!canEdit) return;
  const form = view.querySelector("#whole-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let data;
    try {
      data = JSON.parse(form.elements.data.value);
    } catch (error) {
      ctx.flash(`不是有效的 JSON：${error.message}`);
      return;
    }
    await saved(api(`admin/config/${config.kind}`, { method: "PUT", body: { data, expectedVersion: config.version, summary: form.elements.summary.value.trim() } }), ctx);
  });
}
