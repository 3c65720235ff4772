import { loadEvidence } from "./evidence.js";
import { api } from "./api.js";
import { countdownHtml, tick } from "./clocks.js";
import { actorText, bjShort, bjTime, clockName, doneText, esc, EVENT_LABELS, levelBadge, stateBadge } from "./format.js";

const CHANNELS = { webhook: "Webhook", wecom: "企业微信", dingtalk: "钉钉", email: "邮件", sms: "短信" };
const DELIVERY_STATES = { pending: "待发送", sending: "发送中", sent: "已送达", failed: "失败待重试", dead: "发送失败" };

/** What an outbox entry was for, from its idempotency key (…:new, …:reminder:…, …:escalation:…). */
function itemText(key) {
  if (key.includes(":esc:")) return "升级通知";
  if (key.includes(":reminder")) return "时限提醒";
  if (key.includes(":regrade")) return "定级变更";
  if (key.includes(":digest")) return "汇总";
  return "新预警";
}

const MILESTONES = { info_published: "权威信息已发布", press_conference: "新闻发布会已召开" };

function toLocalInput(date) {
  // datetime-local in Beijing time
  const bj = new Date(date.getTime() + 8 * 3_600_000);
  return bj.toISOString().slice(0, 16);
}

function fromLocalInput(value) {
  return value ? new Date(`${value}:00+08:00`).toISOString() : undefined;
}

function clocksCard(alert) {
  const rows = alert.deadlines
    .map(
      (d) => `<tr><td>${esc(clockName(d))}</td><td>${esc(bjTime(d.dueAt))}</td><td>${d.remainingMs === null ? esc(doneText(d)) : countdownHtml(d.dueAt)}</td></tr>`,
    )
    .join("");
  const history = alert.deadlineHistory
    .map((h) => `<li><span class="when">${esc(bjTime(h.at))}</span> ${esc({ opened: "初次计算", regraded: "定级变更重算", onset_corrected: "首发时间更正重算" }[h.reason] ?? h.reason)}（${esc(h.level ?? "未定级")}，起算 ${esc(bjTime(h.onsetAt))}）${h.note ? ` · ${esc(h.note)}` : ""}</li>`)
    .join("");
  return `<div class="card"><h2>法定时限</h2>
    <table><thead><tr><th>时限</th><th>截止（北京时间）</th><th>状态</th></tr></thead><tbody>${rows || `<tr><td colspan="3" class="muted">无</td></tr>`}</tbody></table>
    ${history ? `<h2>时限计算记录</h2><ul class="timeline">${history}</ul>` : ""}
    ${alert.milestones.length ? `<h2>已记录节点</h2><ul class="timeline">${alert.milestones.map((m) => `<li><span class="when">${esc(bjTime(m.at))}</span> ${esc(MILESTONES[m.kind] ?? m.kind)}${m.link ? ` · <a href="${esc(m.link)}" target="_blank" rel="noopener noreferrer">链接</a>` : ""}${m.note ? ` · ${esc(m.note)}` : ""} <span class="muted">（${esc(actorText(m.actor))}）</span></li>`).join("")}</ul>` : ""}
  </div>`;
}

function actionsCard(alert, me) {
  const canAct = me.can.transition && (me.scope === "all" || alert.department === me.department);
  if (!canAct) return "";
  const s = alert.state;
  const live = ["new", "acknowledged", "handling"].includes(s);
  const now = toLocalInput(new Date());
  const buttons = [
    s === "new" ? `<button class="primary" data-simple="acknowledge">确认收到（研判）</button>` : "",
    s === "new" || s === "acknowledged" ? `<button data-simple="start_handling">开始处置</button>` : "",
    s === "responded" ? `<button data-simple="close">关闭</button>` : "",
    s === "dismissed" ? `<button data-simple="reraise">重新预警</button>` : "",
  ].join("");
  return `<div class="card" id="actions"><h2>处置操作</h2>
    <div class="actions">${buttons || `<span class="muted">当前状态无快捷操作</span>`}</div>
    ${live ? `<form class="inline" data-form="respond"><b>已回应（发布权威信息）</b>
      <label>发布链接<input name="link" type="url" placeholder="https://"></label>
      <label>发布时间（北京时间）<input name="publishedAt" type="datetime-local" value="${now}"></label>
      <label>说明<input name="note" maxlength="2000"></label>
      <div><button class="primary" type="submit">标记已回应</button></div></form>` : ""}
    ${s !== "dismissed" ? `<form class="inline" data-form="record_milestone"><b>记录节点</b>
      <label>类型<select name="kind"><option value="press_conference">新闻发布会已召开</option><option value="info_published">权威信息已发布</option></select></label>
      <label>时间（北京时间）<input name="at" type="datetime-local" value="${now}" required></label>
      <label>链接<input name="link" type="url" placeholder="https://"></label>
      <div><button type="submit">记录</button></div></form>` : ""}
    ${live ? `<form class="inline" data-form="dismiss"><b>排除（误报）</b>
      <label>原因（必填）<input name="reason" required maxlength="2000"></label>
      <div><button class="danger" type="submit">排除</button></div></form>` : ""}
    <form class="inline" data-form="correct_onset"><b>更正首发时间</b>
      <label>首发时间（北京时间）<input name="onsetAt" type="datetime-local" required></label>
      <label>原因（必填）<input name="reason" required maxlength="2000"></label>
      <div><button type="submit">更正并重算时限</button></div></form>
  </div>`;
}

function incidentCards(incident, alert) {
  const first = incident?.firstSource ?? alert.firstPost;
  const firstHtml = first
    ? `<dl class="kv"><dt>来源</dt><dd>${esc(first.source)}</dd><dt>时间</dt><dd>${esc(bjTime(first.publishedAt))}</dd>${first.title ? `<dt>标题</dt><dd>${esc(first.title)}</dd>` : ""}${first.snippet ? `<dt>摘要</dt><dd>${esc(first.snippet)}</dd>` : ""}${first.url ? `<dt>链接</dt><dd><a href="${esc(first.url)}" target="_blank" rel="noopener noreferrer">${esc(first.url)}</a></dd>` : ""}</dl>`
    : `<p class="muted">无</p>`;
  const grades = (incident?.gradeHistory ?? alert.gradeHistory).map((g) => `<li><span class="when">${esc(bjTime(g.at))}</span> ${esc(g.from ?? "未定级")} → ${esc(g.to ?? "未定级")} · ${esc(g.reason)}</li>`).join("");
  const sources = incident ? incident.sources.names : [];
  const timeline = (incident?.timeline ?? []).map((t) => `<li><span class="when">${esc(bjTime(t.at))}</span> ${esc(t.text)}${t.source ? ` <span class="muted">· ${esc(t.source)}</span>` : ""}</li>`).join("");
  const posts = (incident?.representativeDocs ?? []).map((p) => `<li><span class="when">${esc(bjTime(p.publishedAt))} · ${esc(p.source)}</span><br>${p.url ? `<a href="${esc(p.url)}" target="_blank" rel="noopener noreferrer">${esc(p.title ?? p.snippet)}</a>` : esc(p.title ?? "")}<br><span class="muted">${esc(p.snippet)}</span></li>`).join("");
  const figures = (incident?.figures ?? []).map((f) => `<span class="chip">${esc(f.text)}（${f.sourceCount} 个来源）</span>`).join("");
  return `<div class="card"><h2>首发</h2>${firstHtml}</div>
    ${alert.raiseReason || alert.scopeReason ? `<div class="card"><h2>属地与预警原因</h2><p>${esc(alert.scope ?? "")} ${esc(alert.raiseReason ?? alert.scopeReason ?? "")}</p>${alert.refuted ? `<p class="refuted">已辟谣：${esc(alert.refuted.source)}${alert.refuted.title ? `「${esc(alert.refuted.title)}」` : ""} ${esc(bjTime(alert.refuted.at))}</p>` : ""}</div>` : ""}
    <div class="card"><h2>定级依据</h2><p>${levelBadge(alert.level)} ${esc(incident?.gradeReason ?? alert.levelReason)}</p>${figures ? `<div class="chips">${figures}</div>` : ""}
      ${grades ? `<h2>定级变更</h2><ul class="timeline">${grades}</ul>` : ""}</div>
    ${timeline ? `<div class="card"><h2>事件时间线</h2><ul class="timeline">${timeline}</ul></div>` : ""}
    ${posts ? `<div class="card"><h2>代表性报道</h2><ul class="timeline">${posts}</ul></div>` : ""}
    <div class="card"><h2>来源（${incident ? incident.sources.count : alert.sourceCount}）</h2><div class="chips">${sources.map((s) => `<span class="chip">${esc(s)}</span>`).join("") || `<span class="muted">详见事件数据</span>`}</div></div>`;
}

function auditCard(audit) {
  const rows = audit
    .map((e) => `<tr><td class="when">${esc(bjTime(e.at))}</td><td>${esc(EVENT_LABELS[e.type] ?? e.type)}${e.from && e.to ? ` <span class="muted">${esc(e.from)} → ${esc(e.to)}</span>` : ""}</td><td>${esc(actorText(e.actor))}</td><td>${esc(e.note ?? "")}</td></tr>`)
    .join("");
  return `<div class="card"><h2>审计记录</h2><table><thead><tr><th>时间</th><th>事件</th><th>操作人</th><th>说明</th></tr></thead><tbody>${rows || `<tr><td colspan="4" class="muted">暂无</td></tr>`}</tbody></table></div>`;
}

/** 事件详情: the alert with its clocks, the incident (timeline, 首发, sources, grade), audit trail and transitions. */
export function renderDetail(view, me, alertId, { flash }) {
  let ticker;
  let stopped = false;

  async function load() {
    const data = await api(`alerts/${encodeURIComponent(alertId)}`);
    if (stopped) return;
    const { alert, incident, audit } = data;
    view.innerHTML = `<p><a href="#/board">← 返回值班台</a></p>
      <div class="detail-head">${levelBadge(alert.level)}<h1 style="margin:0">${esc(alert.title)}</h1>${stateBadge(alert.state)}</div>
      <p class="muted">责任部门 ${esc(alert.departmentName)}${alert.coDepartments.length ? ` · 协同 ${esc(alert.coDepartments.join("、"))}` : ""} · ${esc(alert.routeReason)} · 预警 ${esc(bjTime(alert.raisedAt))}${alert.dismissReason ? ` · 排除原因：${esc(alert.dismissReason)}` : ""}</p>
      <div class="grid2"><div>${clocksCard(alert)}${incidentCards(incident, alert)}${auditCard(audit)}</div><div>${actionsCard(alert, me)}
        <div class="card"><h2>概况</h2><dl class="kv"><dt>事件编号</dt><dd>${esc(alert.incidentId)}</dd><dt>首发（起算）</dt><dd>${esc(bjTime(alert.onsetAt))}</dd><dt>声量</dt><dd>${alert.volume} 条 / ${alert.sourceCount} 个来源</dd><dt>话题</dt><dd>${esc(alert.topics.join("、") || "—")}</dd><dt>地区</dt><dd>${esc(alert.regions.map((r) => r.name).join("、") || "—")}</dd><dt>关键词</dt><dd>${esc(alert.keywords.slice(0, 12).join("、") || "—")}</dd></dl></div>
        <div class="card"><h2>通知送达</h2><div id="deliveries" class="muted">加载中…</div></div>
        <div class="card" id="evidence"><h2>证据固定</h2><p class="muted">加载中…</p></div>
      </div></div>`;
    tick(view);
    loadEvidence(view.querySelector("#evidence"), alert.incidentId, flash);
    api(`alerts/${encodeURIComponent(alertId)}/deliveries`)
      .then((d) => {
        const el = view.querySelector("#deliveries");
        if (!el) return;
        el.classList.remove("muted");
        el.innerHTML = d.deliveries.length
          ? `<table><thead><tr><th>通知</th><th>渠道 / 目标</th><th>状态</th></tr></thead><tbody>${d.deliveries
              .map((x) => `<tr data-delivery-state="${esc(x.state)}"><td>${esc(itemText(x.idempotencyKey))}<br><span class="muted">${esc(bjShort(x.createdAt))}</span></td><td>${esc(CHANNELS[x.channel] ?? x.channel)}<br><span class="muted">${esc(x.targetId)}</span></td><td class="${x.state === "dead" || x.state === "failed" ? "error" : ""}">${esc(DELIVERY_STATES[x.state] ?? x.state)}${x.attempts > 1 ? `（${x.attempts}次）` : ""}</td></tr>`)
              .join("")}</tbody></table>`
          : "尚无通知";
      })
      .catch((error) => {
        const el = view.querySelector("#deliveries");
        if (el) el.textContent = `送达状态暂不可用：${error.message}`;
      });
  }

  async function transition(body) {
    try {
      await api(`alerts/${encodeURIComponent(alertId)}/transitions`, { method: "POST", body });
      flash("已记录", true);
    } catch (error) {
      flash(`操作失败：${error.message}`);
    }
    await load().catch((error) => flash(error.message));
  }

  view.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-simple]");
    if (!button) return;
    button.disabled = true;
    void transition({ action: button.dataset.simple });
  });
  view.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-form]");
    if (!form) return;
    event.preventDefault();
    const f = Object.fromEntries(new FormData(form).entries());
    const action = form.dataset.form;
    const body = { action };
    if (action === "respond") Object.assign(body, f.link ? { link: f.link } : {}, f.publishedAt ? { publishedAt: fromLocalInput(f.publishedAt) } : {}, f.note ? { note: f.note } : {});
    if (action === "record_milestone") Object.assign(body, { kind: f.kind, at: fromLocalInput(f.at) }, f.link ? { link: f.link } : {});
    if (action === "dismiss") body.reason = f.reason;
    if (action === "correct_onset") Object.assign(body, { onsetAt: fromLocalInput(f.onsetAt), reason: f.reason });
    void transition(body);
  });

  view.innerHTML = `<div class="empty">加载中…</div>`;
  load().catch((error) => {
    view.innerHTML = `<p><a href="#/board">← 返回值班台</a></p><div class="empty">${esc(error.status === 404 ? "预警不存在" : error.message)}</div>`;
  });
  ticker = setInterval(() => tick(view), 1000);
  return () => {
    stopped = true;
    clearInterval(ticker);
  };
}
