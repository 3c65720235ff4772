import * as echarts from "/vendor/echarts/echarts.esm.min.mjs";
import { api, download } from "./api.js";
import { bjTime, esc } from "./format.js";

// 舆情日报: a printable day's brief. Every line is a statement followed by links to what it rests on (alerts,
// stored documents, or the search that reproduces a count); the server composes it, this page only lays it out.

let wordCloudLoaded;
/** echarts-wordcloud is a UMD build that registers itself on the global `echarts`: hand it the module we use. */
function loadWordCloud() {
  wordCloudLoaded ??= new Promise((resolve, reject) => {
    globalThis.echarts = echarts;
    const script = Object.assign(document.createElement("script"), { src: "/vendor/echarts-wordcloud/echarts-wordcloud.min.js" });
    script.onload = () => resolve();
    script.onerror = () => reject(new Error("echarts-wordcloud 加载失败"));
    document.head.append(script);
  });
  return wordCloudLoaded;
}

function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}

function lineHtml(line) {
  const refs = line.refs.map((r) => `<a class="brief-ref" data-kind="${esc(r.kind)}" href="${esc(r.href)}">${esc(r.label)}</a>`).join("");
  return `<li class="brief-line${line.tone ? ` tone-${esc(line.tone)}` : ""}"><span class="brief-text">${esc(line.text)}</span><span class="brief-refs">${refs}</span></li>`;
}

/** 日报 page: ?date=YYYY-MM-DD&department=<id>. */
export function renderBrief(view, me, params, { flash }) {
  const date = params.get("date") ?? today();
  const department = params.get("department") ?? "";
  view.innerHTML = `<div class="brief-toolbar no-print">
      <form id="brief-form" class="searchbar">
        <input type="date" name="date" value="${esc(date)}" aria-label="日期">
        ${me.scope === "all" ? `<select name="department" id="brief-dept" aria-label="范围"><option value="">全市</option></select>` : ""}
        <button class="primary" type="submit">查看</button>
        <button type="button" id="brief-print">打印</button>
        <button type="button" id="brief-pdf">下载 PDF</button>
      </form>
    </div>
    <article class="brief" id="brief"><p class="muted">日报生成中…</p></article>`;
  const form = view.querySelector("#brief-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = new URLSearchParams({ date: String(data.get("date") || today()) });
    if (data.get("department")) next.set("department", String(data.get("department")));
    location.hash = `#/brief?${next}`;
  });
  view.querySelector("#brief-print").addEventListener("click", () => window.print());
  const query = new URLSearchParams({ date });
  if (department) query.set("department", department);
  view.querySelector("#brief-pdf").addEventListener("click", () => download(`brief/pdf?${query}`, `舆情日报-${date}.pdf`).catch((error) => flash(`PDF 生成失败：${error.message}`)));
  if (me.scope === "all") {
    api("departments")
      .then((data) => {
        const select = view.querySelector("#brief-dept");
        select.insertAdjacentHTML("beforeend", data.departments.map((d) => `<option value="${esc(d.id)}"${d.id === department ? " selected" : ""}>${esc(d.name)}</option>`).join(""));
      })
      .catch(() => {});
  }

  let chart;
  const onResize = () => chart?.resize();
  window.addEventListener("resize", onResize);
  api(`brief?${query}`)
    .then(async ({ brief }) => {
      const article = view.querySelector("#brief");
      article.innerHTML = `<header class="brief-head"><h1>${esc(brief.title)}</h1>
          <p class="muted">统计时段 ${esc(bjTime(brief.period.from))} – ${esc(bjTime(brief.period.to))}（北京时间）· 生成于 ${esc(bjTime(brief.generatedAt))}${brief.partial ? " · 当日未结束，数据截至生成时" : ""}</p></header>
        <section class="brief-section" data-section="summary"><h2>概要</h2><ul>${brief.summary.map(lineHtml).join("")}</ul></section>
        ${brief.sections
          .map(
            (s) => `<section class="brief-section" data-section="${esc(s.id)}"><h2>${esc(s.title)}</h2>
              ${s.id === "hotwords" && brief.hotWords.length ? `<div id="brief-cloud" class="brief-cloud" role="img" aria-label="热词词云"></div>` : ""}
              ${s.lines.length ? `<ul>${s.lines.map(lineHtml).join("")}</ul>` : `<p class="muted brief-empty">${esc(s.empty)}</p>`}</section>`,
          )
          .join("")}
        <section class="brief-section brief-audit" data-section="audit"><h2>审计存证</h2>
          <p class="muted" id="brief-audit">${(brief.audit?.lines ?? ["安全审计链头暂时无法读取，本日报未能存证"]).map((l) => `<span>${esc(l)}</span>`).join("<br>")}</p></section>`;
      document.title = `瞭望 · ${brief.title}`;
      const holder = article.querySelector("#brief-cloud");
      if (!holder) return;
      await loadWordCloud();
      chart = echarts.init(holder, null, { renderer: "canvas" });
      const max = Math.max(...brief.hotWords.map((w) => w.count));
      chart.setOption({
        tooltip: { formatter: (p) => `${esc(p.name)}：${p.value} 篇（前一日 ${p.data.previous} 篇）` },
        series: [
          {
            type: "wordCloud",
            shape: "circle",
            sizeRange: [14, 54],
            rotationRange: [0, 0],
            gridSize: 8,
            // rising words warm, falling ones cool: the trend at a glance
            data: brief.hotWords.map((w) => ({
              name: w.word,
              value: w.count,
              previous: w.previous,
              textStyle: { fontWeight: w.count === max ? 700 : 400, color: w.count > w.previous ? "#ff7a45" : w.count < w.previous ? "#4aa8ff" : "#adb5bd" },
            })),
          },
        ],
      });
      chart.on("finished", () => (holder.dataset.ready = "true"));
    })
    .catch((error) => {
      view.querySelector("#brief").innerHTML = `<p class="error">日报加载失败：${esc(error.message)}</p>`;
      flash(`日报加载失败：${error.message}`);
    });
  return () => {
    window.removeEventListener("resize", onResize);
    chart?.dispose();
  };
}
