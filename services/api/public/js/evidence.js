import { api, download } from "./api.js";
import { bjShort, bjTime, esc } from "./format.js";

const STATES = { present: "原帖在线", deleted: "已删除", unreachable: "暂时无法访问", not_captured: "未能抓取" };

/** 证据固定 card of an incident: each kept post with capture time, SHA-256, deletion state; export of the package. */
export function loadEvidence(el, incidentId, flash) {
  if (!el) return;
  api(`incidents/${encodeURIComponent(incidentId)}/evidence`)
    .then(({ posts }) => {
      const rows = posts
        .map(
          (p) => `<tr data-evidence-doc="${esc(p.docId)}" data-evidence-state="${esc(p.state)}"><td><a href="#/doc/${encodeURIComponent(p.docId)}">${esc(p.title ?? p.docId)}</a><br><span class="muted">${esc(p.source ?? "")}</span></td>
            <td>${p.capturedAt ? esc(bjShort(p.capturedAt)) : "—"}<br><code title="SHA-256">${esc((p.sha256 ?? "").slice(0, 12))}</code></td>
            <td class="${p.state === "deleted" ? "error" : ""}">${esc(STATES[p.state] ?? p.state)}${p.deletedAt ? `<br><span class="muted">${esc(bjShort(p.deletedAt))} · ${esc(p.deletedReason ?? "")}</span>` : ""}</td></tr>`,
        )
        .join("");
      el.innerHTML = `<h2>证据固定</h2>${posts.length ? `<table><thead><tr><th>帖子</th><th>抓取时间 / 哈希</th><th>状态</th></tr></thead><tbody>${rows}</tbody></table>` : `<p class="muted">尚无固定的证据（事件帖子入组后自动抓取原文）</p>`}
        <p><button type="button" id="evidence-export">导出证据包（zip）</button></p>`;
      el.querySelector("#evidence-export").addEventListener("click", () => download(`incidents/${encodeURIComponent(incidentId)}/evidence.zip`, `evidence-${incidentId}.zip`).catch((error) => flash(`导出失败：${error.message}`)));
    })
    .catch((error) => (el.innerHTML = `<h2>证据固定</h2><p class="muted">证据暂不可用：${esc(error.message)}</p>`));
}

/** The evidence block of the document page: capture, hash, and 已删除 when the post is gone at its source. */
export function evidenceBlock(evidence, fromEvidence) {
  if (!evidence) return `<p class="muted">本帖未纳入事件，未做证据固定。</p>`;
  const deleted = evidence.state === "deleted" ? `<p class="evidence-deleted" data-deleted-at="${esc(evidence.deletedAt)}"><strong>已删除</strong>：${esc(bjTime(evidence.deletedAt))} 复查发现（${esc(evidence.deletedReason ?? "")}），以下内容来自证据固定。</p>` : "";
  return `${deleted}<div class="card evidence" data-evidence-state="${esc(evidence.state)}"><h2>证据固定</h2><dl class="kv">
    <dt>原始链接</dt><dd>${esc(evidence.url ?? "—")}</dd>
    <dt>抓取时间</dt><dd>${evidence.capturedAt ? esc(bjTime(evidence.capturedAt)) : `未能抓取：${esc(evidence.captureError ?? "")}`}</dd>
    <dt>SHA-256</dt><dd><code>${esc(evidence.sha256 ?? "—")}</code></dd>
    <dt>大小 / 类型</dt><dd>${evidence.size} 字节 · ${esc(evidence.contentType ?? "—")}</dd>
    <dt>最近复查</dt><dd>${evidence.lastCheckedAt ? esc(bjTime(evidence.lastCheckedAt)) : "—"}</dd></dl>
    ${evidence.sha256 ? `<p><button type="button" id="evidence-original">下载原始文件</button></p>` : ""}${fromEvidence ? `<p class="muted">该帖已不在检索库中，正文取自证据。</p>` : ""}</div>`;
}

/** Wire the download button of {@link evidenceBlock}. */
export function wireEvidenceBlock(view, evidence, flash) {
  view.querySelector("#evidence-original")?.addEventListener("click", () => download(`evidence/${encodeURIComponent(evidence.docId)}/original`, `${evidence.docId}.bin`).catch((error) => flash(`下载失败：${error.message}`)));
}
