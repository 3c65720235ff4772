import { api } from "./api.js";
import { bjShort, esc } from "./format.js";

// 外地/境外关注: incidents with a risk signal that happened outside the deployment's jurisdiction. For analysts:
// no clock, no routing, no notification; the duty board never shows them.

function incidentHtml(i) {
  const figures = (i.figures ?? []).map((f) => f.text).slice(0, 3).join("，");
  const places = (i.regions ?? []).map((r) => r.name).slice(0, 3).join("、");
  return `<article class="alert lv-none" data-incident-id="${esc(i.id)}">
    <div><span class="badge">${esc(i.scope ?? "")}</span></div>
    <div>
      <span class="title">${esc(i.title)}</span>
      <div class="meta">首发 ${esc(bjShort(i.onsetAt))} · ${esc(i.firstSource?.source ?? "")} · ${i.sources.count} 个来源 / ${i.volume} 条${places ? ` · ${esc(places)}` : ""}${figures ? ` · 据报${esc(figures)}` : ""}</div>
      <div class="meta">${esc(i.boardReason ?? i.scopeReason ?? "")}</div>
    </div>
    <div class="clocks"><span class="muted">不计时</span></div>
  </article>`;
}

/** The 外地/境外关注 page. */
export function renderElsewhere(page) {
  page.innerHTML = `<h1>外地/境外关注</h1><p class="muted">辖区外的事件（外地、境外），仅供研判参考：不计时、不派单、不通知。</p><div class="list" id="elsewhere-list">加载中…</div>`;
  const list = page.querySelector("#elsewhere-list");
  let stopped = false;
  api(`incidents?scope=${encodeURIComponent("外地,境外")}&status=open&size=100`)
    .then((body) => {
      if (stopped) return;
      list.innerHTML = body.incidents.length === 0 ? `<p class="muted">暂无辖区外事件</p>` : body.incidents.map(incidentHtml).join("");
    })
    .catch((error) => {
      if (!stopped) list.textContent = `加载失败：${error.message}`;
    });
  return () => {
    stopped = true;
  };
}
