import { api, download } from "./api.js";
import { bjTime, esc, highlight } from "./format.js";

/** 检索: full-text search with the production segmenter, highlights marked. */
export function renderSearch(view, _me, params, { flash }) {
  const q = params.get("q") ?? "";
  view.innerHTML = `<h1>检索</h1>
    <form class="searchbar" id="search-form"><input type="search" name="q" value="${esc(q)}" placeholder="输入中文关键词，如：工资拖欠 化工厂 爆炸" autofocus maxlength="200">
    <input name="since" type="date" aria-label="起始日期"><button class="primary" type="submit">检索</button></form>
    <div id="results"></div>`;
  const results = view.querySelector("#results");
  view.querySelector("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const next = new URLSearchParams({ q: String(data.get("q") ?? "").trim() });
    if (data.get("since")) next.set("since", String(data.get("since")));
    location.hash = `#/search?${next}`;
  });
  // Links from the daily brief carry a topic and an exact period (ISO instants) instead of, or besides, words.
  const exact = ["topic", "until"].filter((k) => params.get(k));
  if (!q && exact.length === 0 && !params.get("since")) {
    results.innerHTML = `<div class="empty">输入关键词检索全部来源的文章</div>`;
    return () => {};
  }
  const query = new URLSearchParams({ q, size: "50" });
  const since = params.get("since");
  if (since) query.set("since", since.includes("T") ? since : new Date(`${since}T00:00:00+08:00`).toISOString());
  for (const k of exact) query.set(k, params.get(k));
  if (params.get("topic") || params.get("until")) {
    view.querySelector("#search-form").insertAdjacentHTML("afterend", `<p class="muted search-scope">${params.get("topic") ? `话题：${esc(params.get("topic"))} · ` : ""}时段：${esc(bjTime(query.get("since")))} – ${esc(bjTime(params.get("until")))}</p>`);
  }
  results.innerHTML = `<div class="empty">检索中…</div>`;
  api(`search?${query}`)
    .then((data) => {
      results.innerHTML = `<p class="muted">共 ${data.total} 条结果 · 分词：${esc(data.terms.join(" / "))} ${data.total ? `<button id="export" class="ghost">导出 CSV</button>` : ""}</p>${
        data.hits
          .map(
            (h) => `<article class="hit"><h3>${h.url ? `<a href="${esc(h.url)}" target="_blank" rel="noopener noreferrer">${h.highlights.title ? highlight(h.highlights.title) : esc(h.title ?? "（无标题）")}</a>` : h.highlights.title ? highlight(h.highlights.title) : esc(h.title ?? "（无标题）")}</h3>
            <div class="muted">${esc(bjTime(h.publishedAt))} · ${esc(h.source)}</div>
            ${h.highlights.text.map((f) => `<p>…${highlight(f)}…</p>`).join("")}
            ${h.keywords.length ? `<div class="chips">${h.keywords.slice(0, 8).map((k) => `<span class="chip">${esc(k)}</span>`).join("")}</div>` : ""}</article>`,
          )
          .join("") || `<div class="empty">没有匹配的文章</div>`
      }`;
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
