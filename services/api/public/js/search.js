import { api, download, serverNow } from "./api.js";
import { bjTime, esc, highlight } from "./format.js";

const SENTIMENT = { positive: "正面", neutral: "中性", negative: "负面" };
const RANGES = { "": "全部时间", "24h": "近24小时", "7d": "近7天", "30d": "近30天", custom: "指定日期" };
// Scope in the jurisdiction, as enrich reads each post (本地,涉本地: what the duty board is about).
const SCOPES = { "": "全部", "本地,涉本地": "本地+涉本地", 本地: "本地", 涉本地: "涉本地", 外地: "外地", 境外: "境外", 未知: "未知" };
const FIELDS = ["q", "range", "since", "until", "source", "topic", "region", "sentiment", "scope"];

/** The page's filters from the address (#/search?q=&range=&since=&until=&source=&topic=&region=&sentiment=&scope=). */
function filtersOf(params) {
  const f = {};
  for (const k of FIELDS) if (params.get(k)) f[k] = params.get(k);
  return f;
}

/** The API query of the filters: a rolling range counts back from the server's now; dates are Beijing days. */
function apiQuery(f) {
  const query = new URLSearchParams({ q: f.q ?? "", size: "50" });
  for (const k of ["source", "topic", "region", "sentiment", "scope"]) if (f[k]) query.set(k, f[k]);
  const span = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 }[f.range];
  if (span) query.set("since", new Date(serverNow() - span).toISOString());
  else {
    // links from the daily brief carry exact instants (ISO); the form gives dates
    if (f.since) query.set("since", f.since.includes("T") ? f.since : new Date(`${f.since}T00:00:00+08:00`).toISOString());
    if (f.until) query.set("until", f.until.includes("T") ? f.until : new Date(`${f.until}T23:59:59.999+08:00`).toISOString());
  }
  return query;
}

function optionList(values, selected) {
  return Object.entries(values)
    .map(([v, t]) => `<option value="${esc(v)}"${v === (selected ?? "") ? " selected" : ""}>${esc(t)}</option>`)
    .join("");
}

function hitHtml(h) {
  const title = h.highlights.title ? highlight(h.highlights.title) : esc(h.title ?? "（无标题）");
  const tags = [h.scope ? `<span class="chip scope" data-scope="${esc(h.scope)}">${esc(h.scope)}</span>` : "", h.sentiment ? `<span class="chip sentiment-${esc(h.sentiment)}">${esc(SENTIMENT[h.sentiment] ?? h.sentiment)}</span>` : "", ...(h.topics ?? []).slice(0, 3).map((t) => `<span class="chip">${esc(t)}</span>`)].join("");
  return `<article class="hit" data-doc-id="${esc(h.id)}"><h3>${h.url ? `<a href="${esc(h.url)}" target="_blank" rel="noopener noreferrer">${title}</a>` : title}</h3>
    <div class="muted">${esc(bjTime(h.publishedAt))} · ${esc(h.source)} ${tags}</div>
    ${h.highlights.text.map((f) => `<p class="snippet">…${highlight(f)}…</p>`).join("")}
    ${h.keywords.length ? `<div class="chips">${h.keywords.slice(0, 8).map((k) => `<span class="chip">${esc(k)}</span>`).join("")}</div>` : ""}</article>`;
}

/** 检索: full-text search with the production segmenter, filters, highlighted snippets, saved searches and CSV export. */
export function renderSearch(view, _me, params, { flash }) {
  const f = filtersOf(params);
  const custom = f.range === "custom" || (!f.range && (f.since || f.until));
  const dateValue = (v) => (v && !v.includes("T") ? esc(v) : "");
  view.innerHTML = `<h1>检索</h1>
    <form id="search-form" class="search-form">
      <div class="searchbar"><input type="search" name="q" value="${esc(f.q ?? "")}" placeholder="输入中文关键词，如：工资拖欠 化工厂 爆炸" autofocus maxlength="200"><button class="primary" type="submit">检索</button></div>
      <div class="search-filters">
        <label>时间<select name="range">${optionList(RANGES, custom ? "custom" : f.range)}</select></label>
        <label class="dates"${custom ? "" : " hidden"}>从<input name="since" type="date" value="${dateValue(f.since)}"> 到<input name="until" type="date" value="${dateValue(f.until)}"></label>
        <label>来源<input name="source" list="dl-sources" value="${esc(f.source ?? "")}" maxlength="200" placeholder="全部"></label>
        <label>话题<input name="topic" list="dl-topics" value="${esc(f.topic ?? "")}" maxlength="100" placeholder="全部"></label>
        <label>地区<input name="region" list="dl-regions" value="${esc(f.region ?? "")}" maxlength="100" placeholder="全部"></label>
        <label>情感<select name="sentiment">${optionList({ "": "全部", ...SENTIMENT }, f.sentiment)}</select></label>
        <label>属地<select name="scope">${optionList(SCOPES, f.scope)}</select></label>
      </div>
      <datalist id="dl-sources"></datalist><datalist id="dl-topics"></datalist><datalist id="dl-regions"></datalist>
    </form>
    <div class="card saved"><b>已保存的检索</b> <span id="saved-list"></span>
      <form id="save-form" class="save-form"><input name="name" maxlength="100" placeholder="名称，如：欠薪-负面-近7天" required><button type="submit">保存当前检索</button></form></div>
    <div id="results"></div>`;
  const form = view.querySelector("#search-form");
  const results = view.querySelector("#results");

  function formFilters() {
    const data = new FormData(form);
    const next = {};
    for (const k of FIELDS) {
      const v = String(data.get(k) ?? "").trim();
      if (v) next[k] = v;
    }
    if (next.range !== "custom") {
      delete next.since;
      delete next.until;
    }
    return next;
  }
  const go = (filters) => (location.hash = `#/search?${new URLSearchParams(filters)}`);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(formFilters());
  });
  form.querySelector("select[name=range]").addEventListener("change", (e) => (form.querySelector(".dates").hidden = e.target.value !== "custom"));

  // Suggestions from the last 30 days' trends: the sources, topics and regions that actually occur.
  api("trends?days=30&top=30&dimensions=sources,topics,regions")
    .then((t) => {
      for (const [dim, id] of [["sources", "dl-sources"], ["topics", "dl-topics"], ["regions", "dl-regions"]]) {
        view.querySelector(`#${id}`).innerHTML = (t.series[dim] ?? []).map((s) => `<option value="${esc(s.key)}"></option>`).join("");
      }
    })
    .catch(() => {});

  async function loadSaved() {
    try {
      const { searches } = await api("saved-searches");
      view.querySelector("#saved-list").innerHTML =
        searches.map((s) => `<span class="chip saved-item"><a href="#/search?${esc(new URLSearchParams(Object.entries(s.filters).filter(([, v]) => v)).toString())}" data-saved="${esc(s.name)}">${esc(s.name)}</a> <button type="button" class="ghost propose" data-propose="${esc(s.id)}" title="建议系统管理员将此检索设为监测规则，此后每条匹配的信息都会进入预警">转为监测规则</button> <button type="button" class="ghost" data-delete="${esc(s.id)}" aria-label="删除 ${esc(s.name)}">×</button></span>`).join("") || `<span class="muted">无</span>`;
    } catch (error) {
      flash(`已保存的检索加载失败：${error.message}`);
    }
  }
  view.querySelector("#saved-list").addEventListener("click", async (event) => {
    const propose = event.target.closest("button[data-propose]");
    if (propose) {
      try {
        const p = await api(`saved-searches/${encodeURIComponent(propose.dataset.propose)}/rule-proposal`, { method: "POST" });
        flash(`已提交监测规则建议「${p.rule.name}」，由系统管理员采纳后生效${p.notes.length ? `（${p.notes.join("；")}）` : ""}`, true);
      } catch (error) {
        flash(`转为监测规则失败：${error.message}`);
      }
      return;
    }
    const button = event.target.closest("button[data-delete]");
    if (!button) return;
    try {
      await api(`saved-searches/${encodeURIComponent(button.dataset.delete)}`, { method: "DELETE" });
      await loadSaved();
    } catch (error) {
      flash(`删除失败：${error.message}`);
    }
  });
  view.querySelector("#save-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = String(new FormData(event.target).get("name") ?? "").trim();
    try {
      await api("saved-searches", { method: "POST", body: { name, filters: formFilters() } });
      flash(`已保存检索「${name}」`, true);
      event.target.reset();
      await loadSaved();
    } catch (error) {
      flash(`保存失败：${error.message}`);
    }
  });
  void loadSaved();

  if (!f.q && !f.source && !f.topic && !f.region && !f.sentiment && !f.scope && !f.since && !f.range) {
    results.innerHTML = `<div class="empty">输入关键词或选择筛选条件，检索全部来源的文章</div>`;
    return () => {};
  }
  const query = apiQuery(f);
  if (params.get("until")?.includes("T")) {
    form.insertAdjacentHTML("afterend", `<p class="muted search-scope">${f.topic ? `话题：${esc(f.topic)} · ` : ""}时段：${esc(bjTime(query.get("since")))} – ${esc(bjTime(query.get("until")))}</p>`);
  }
  results.innerHTML = `<div class="empty">检索中…</div>`;
  api(`search?${query}`)
    .then((data) => {
      results.innerHTML = `<p class="muted" id="result-count" data-total="${data.total}">共 ${data.total} 条结果${data.terms.length ? ` · 分词：${esc(data.terms.join(" / "))}` : ""} ${data.total ? `<button id="export" class="ghost">导出 CSV</button>` : ""}</p>${data.unscoped ? `<p class="error" id="unscoped-note" data-unscoped="${data.unscoped}">另有 ${data.unscoped} 条符合其他条件的文章没有属地标注（属地字段启用前入库），按属地筛选时不会出现；管理员可运行 pnpm liaowang search backfill-scope 补全。</p>` : ""}${data.hits.map(hitHtml).join("") || `<div class="empty">没有匹配的文章</div>`}`;
      results.querySelector("#export")?.addEventListener("click", () => {
        const exportQuery = new URLSearchParams(query);
        exportQuery.delete("size");
        download(`search/export?${exportQuery}`, "search.csv").catch((error) => flash(`导出失败：${error.message}`));
      });
    })
    .catch((error) => {
      results.innerHTML = "";
      flash(`检索失败：${error.message}`);
    });
  return () => {};
}
