import * as echarts from "/vendor/echarts/echarts.esm.min.mjs";
import { api, download } from "./api.js";
import { esc } from "./format.js";

const DIMENSIONS = { topics: "话题", keywords: "关键词", sentiment: "情感", regions: "地区", sources: "来源" };
const SENTIMENT = { positive: "正面", neutral: "中性", negative: "负面" };

function bucketLabel(iso, interval) {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  const md = `${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
  return interval === "hour" ? `${md} ${String(d.getUTCHours()).padStart(2, "0")}时` : md;
}

/** 趋势: volume over time and the top values of a dimension per bucket (ECharts). */
export function renderTrends(view, _me, params, { flash }) {
  const span = params.get("span") ?? "7d";
  const dim = params.get("dim") ?? "topics";
  const q = params.get("q") ?? "";
  view.innerHTML = `<h1>趋势</h1>
    <form class="searchbar" id="trend-form">
      <input type="search" name="q" value="${esc(q)}" placeholder="可选：只看匹配关键词的文章">
      <select name="span" aria-label="时间范围">${[["24h", "近24小时"], ["72h", "近3天（按小时）"], ["7d", "近7天"], ["30d", "近30天"]].map(([v, t]) => `<option value="${v}"${v === span ? " selected" : ""}>${t}</option>`).join("")}</select>
      <select name="dim" aria-label="维度">${Object.entries(DIMENSIONS).map(([v, t]) => `<option value="${v}"${v === dim ? " selected" : ""}>${t}</option>`).join("")}</select>
      <button class="primary" type="submit">查看</button>
      <button class="ghost" type="button" id="trend-export">导出 CSV</button>
    </form>
    <div class="card"><h2 id="trend-title">声量</h2><div id="trend-chart"></div></div>
    <div class="card"><h2>${esc(DIMENSIONS[dim] ?? dim)} 排行</h2><div id="trend-topics"></div></div>`;
  view.querySelector("#trend-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    location.hash = `#/trends?${new URLSearchParams({ q: String(data.get("q") ?? "").trim(), span: String(data.get("span")), dim: String(data.get("dim")) })}`;
  });

  const charts = [];
  const query = new URLSearchParams({ top: "8", dimensions: dim });
  if (span.endsWith("h")) query.set("hours", span.slice(0, -1));
  else query.set("days", span.slice(0, -1));
  if (q) query.set("q", q);
  view.querySelector("#trend-export").addEventListener("click", () => {
    const all = new URLSearchParams(query);
    all.set("dimensions", "topics,keywords,sentiment,regions,sources");
    download(`trends/export?${all}`, "trends.csv").catch((error) => flash(`导出失败：${error.message}`));
  });
  const onResize = () => charts.forEach((c) => c.resize());
  window.addEventListener("resize", onResize);

  api(`trends?${query}`)
    .then((data) => {
      const labels = data.buckets.map((b) => bucketLabel(b, data.interval));
      const series = (data.series[dim] ?? []).map((s) => ({ ...s, name: dim === "sentiment" ? (SENTIMENT[s.key] ?? s.key) : s.key }));
      view.querySelector("#trend-title").textContent = `声量（共 ${data.total} 篇）`;
      const base = { backgroundColor: "transparent", textStyle: { fontFamily: "system-ui, 'PingFang SC', 'Noto Sans CJK SC', sans-serif" }, tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 40, bottom: 40 } };
      const volume = echarts.init(view.querySelector("#trend-chart"), "dark");
      volume.setOption({
        ...base,
        legend: { top: 0, data: ["全部", ...series.map((s) => s.name)] },
        xAxis: { type: "category", data: labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "全部", type: "line", data: data.volume, showSymbol: false, areaStyle: { opacity: 0.15 }, lineStyle: { width: 3 } },
          ...series.map((s) => ({ name: s.name, type: "line", data: s.counts, showSymbol: false })),
        ],
      });
      const ranking = echarts.init(view.querySelector("#trend-topics"), "dark");
      ranking.setOption({
        ...base,
        tooltip: { trigger: "item" },
        grid: { left: 120, right: 30, top: 10, bottom: 30 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: series.map((s) => s.name).reverse() },
        series: [{ type: "bar", data: series.map((s) => s.total).reverse(), label: { show: true, position: "right" } }],
      });
      charts.push(volume, ranking);
      view.querySelector("#trend-chart").dataset.ready = "true";
    })
    .catch((error) => flash(`趋势加载失败：${error.message}`));

  return () => {
    window.removeEventListener("resize", onResize);
    charts.forEach((c) => c.dispose());
  };
}
