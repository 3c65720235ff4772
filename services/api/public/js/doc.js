import { api } from "./api.js";
import { evidenceBlock, wireEvidenceBlock } from "./evidence.js";
import { bjTime, esc } from "./format.js";

const SENTIMENT = { positive: "正面", neutral: "中性", negative: "负面" };

/** 原文: one stored document, as a brief or an incident links to it. */
export function renderDocument(view, _me, id, { flash }) {
  view.innerHTML = `<p class="muted">加载中…</p>`;
  api(`documents/${encodeURIComponent(id)}`)
    .then(({ document: d, evidence, fromEvidence }) => {
      view.innerHTML = `<article class="card doc" data-doc-id="${esc(d.id)}">
        <h1>${esc(d.title ?? d.text.slice(0, 40))}</h1>
        <p class="muted">${esc(d.source)} · ${esc(bjTime(d.publishedAt))}${d.author ? ` · ${esc(d.author)}` : ""}${d.region ? ` · ${esc(d.region)}` : ""}${d.sentiment ? ` · 情感：${esc(SENTIMENT[d.sentiment.label] ?? d.sentiment.label)}（${d.sentiment.score.toFixed(2)}）` : ""}</p>
        ${d.url ? `<p>原始链接：<a href="${esc(d.url)}" rel="noopener noreferrer" target="_blank">${esc(d.url)}</a></p>` : ""}
        <div class="doc-text">${esc(d.text)}</div>
        <p class="muted">关键词：${esc(d.keywords.join("、") || "—")} · 话题：${esc(d.topics.join("、") || "—")} · 编号 <code>${esc(d.id)}</code></p>
      </article>${evidenceBlock(evidence, fromEvidence)}`;
      wireEvidenceBlock(view, evidence, flash);
    })
    .catch((error) => {
      view.innerHTML = `<p class="error">${esc(error.message)}</p>`;
      flash(`原文加载失败：${error.message}`);
    });
  return () => {};
}
