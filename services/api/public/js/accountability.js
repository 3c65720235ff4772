import { api } from "./api.js";
import { esc } from "./format.js";

function minutes(ms) {
  if (ms === null || ms === undefined) return "—";
  const m = Math.round(ms / 60_000);
  return m < 60 ? `${m}分钟` : `${Math.floor(m / 60)}小时${m % 60 ? `${m % 60}分` : ""}`;
}

/** 问责: response effectiveness per department over a period. */
export function renderAccountability(view, _me, params, { flash }) {
  const days = Number(params.get("days") ?? "30");
  view.innerHTML = `<h1>问责统计</h1>
    <div class="searchbar"><select id="acc-days" aria-label="统计周期">${[7, 30, 90].map((d) => `<option value="${d}"${d === days ? " selected" : ""}>近${d}天</option>`).join("")}</select></div>
    <div class="card"><table id="acc-table"><thead><tr><th>部门</th><th>预警</th><th>已确认</th><th>确认用时（中位 / P90）</th><th>超时确认</th><th>待确认</th><th>时限按时</th><th>逾期完成</th><th title="声称按时完成、但在时限后才登记的节点（按登记时间计为逾期）">补记</th><th>错过</th><th>当前超时</th><th>排除</th><th>重新预警</th></tr></thead><tbody><tr><td colspan="13" class="muted">加载中…</td></tr></tbody></table></div>`;
  view.querySelector("#acc-days").addEventListener("change", (e) => (location.hash = `#/accountability?days=${e.target.value}`));
  const from = new Date(Date.now() - days * 86_400_000).toISOString();
  api(`accountability?from=${encodeURIComponent(from)}`)
    .then((data) => {
      const rows = data.departments
        .sort((a, b) => b.deadlines.overdueNow - a.deadlines.overdueNow || b.alerts - a.alerts)
        .map(
          (d) => `<tr data-department="${esc(d.department)}"><td>${esc(d.departmentName)}</td><td>${d.alerts}</td><td>${d.acknowledged}</td><td>${d.timeToAcknowledgeMs ? `${minutes(d.timeToAcknowledgeMs.median)} / ${minutes(d.timeToAcknowledgeMs.p90)}` : "—"}</td>
            <td class="${d.lateAcknowledgements ? "error" : ""}">${d.lateAcknowledgements}</td><td class="${d.unacknowledgedNow ? "error" : ""}">${d.unacknowledgedNow}</td><td>${d.deadlines.met}</td><td>${d.deadlines.metLate}</td><td class="${d.deadlines.backdated ? "error" : ""}">${d.deadlines.backdated ?? 0}</td>
            <td class="${d.deadlines.missed ? "error" : ""}">${d.deadlines.missed}</td><td class="${d.deadlines.overdueNow ? "error" : ""}">${d.deadlines.overdueNow}</td><td>${d.dismissed}</td><td>${d.reraised}</td></tr>`,
        )
        .join("");
      view.querySelector("#acc-table tbody").innerHTML = rows || `<tr><td colspan="13" class="muted">该周期内没有预警</td></tr>`;
    })
    .catch((error) => flash(`问责统计加载失败：${error.message}`));
  return () => {};
}
