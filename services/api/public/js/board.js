import { api, serverNow } from "./api.js";
import { countdownHtml, tick } from "./clocks.js";
import { dutyHtml, loadDuty, policyFormHtml, wirePolicyForm } from "./duty.js";
import { bjShort, clockName, doneText, esc, levelBadge, stateBadge } from "./format.js";
import { followAlerts, mergeAlert } from "./live.js";

const REFRESH_MS = 10_000;

function clocksHtml(alert) {
  if (alert.deadlines.length === 0) return `<div class="clocks"><span class="muted">无时限</span></div>`;
  return `<div class="clocks">${alert.deadlines
    .map((d) =>
      d.remainingMs === null
        ? `<div class="clk done"><span class="label">${esc(clockName(d))}</span><span class="countdown">${esc(doneText(d))}</span></div>`
        : `<div class="clk" data-clock="${esc(d.clock)}"><span class="label">${esc(clockName(d))}</span>${countdownHtml(d.dueAt)}</div>`,
    )
    .join("")}</div>`;
}

function actionsHtml(alert, me) {
  const canAct = me.can.transition && (me.scope === "all" || alert.department === me.department);
  if (!canAct) return `<div class="act">${stateBadge(alert.state)}</div>`;
  const button = alert.state === "new" ? `<button class="primary" data-action="acknowledge" data-id="${esc(alert.id)}">确认收到</button>` : "";
  return `<div class="act">${stateBadge(alert.state)}${button}</div>`;
}

function alertHtml(alert, me) {
  const regions = alert.regions.map((r) => r.name).slice(0, 3).join("、");
  const co = alert.coDepartments.length > 0 ? ` · 协同 ${alert.coDepartments.length} 部门` : "";
  return `<article class="alert lv-${esc(alert.level ?? "none")}${alert.overdue ? " is-overdue" : ""}" data-alert-id="${esc(alert.id)}">
    <div>${levelBadge(alert.level)}</div>
    <div>
      <a class="title" href="#/alert/${encodeURIComponent(alert.id)}">${esc(alert.title)}</a>
      <div class="meta">${esc(alert.departmentName)}${esc(co)} · 首发 ${esc(bjShort(alert.onsetAt))}${alert.firstPost ? ` · ${esc(alert.firstPost.source)}` : ""} · ${alert.sourceCount} 个来源 / ${alert.volume} 条${regions ? ` · ${esc(regions)}` : ""}</div>
      ${alert.raiseReason ? `<div class="meta raise-reason">预警原因：${esc(alert.raiseReason)}</div>` : ""}
      ${alert.refuted ? `<div class="meta refuted">已辟谣：${esc(alert.refuted.source)}${/^https?:\/\//.test(alert.refuted.url ?? "") ? ` <a href="${esc(alert.refuted.url)}" target="_blank" rel="noopener">查看</a>` : ""}</div>` : ""}
    </div>
    ${clocksHtml(alert)}
    ${actionsHtml(alert, me)}
  </article>`;
}

/** One banner per source the detector flagged as gone silent (none when every feed delivers). */
function silentHtml(sources) {
  return sources
    .filter((s) => s.silent)
    .map((s) => {
      const ms = Math.max(0, serverNow() - Date.parse(s.lastSeenAt));
      const span = ms >= 3_600_000 ? `${Math.floor(ms / 3_600_000)} 小时` : `${Math.floor(ms / 60_000)} 分钟`;
      return `<div class="source-silent" role="alert" data-source="${esc(s.source)}">数据源静默：${esc(s.source)} 已 ${span}无新数据</div>`;
    })
    .join("");
}

const STAGE_NAMES = { enrich: "分词分析", indexer: "入库索引", detector: "事件研判", alerter: "预警分发" };

function spanText(ms) {
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)} 小时`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)} 分钟`;
  return `${Math.max(1, Math.floor(ms / 1000))} 秒`;
}

/** A stage's consumer-group churn for its chip: rebalances and abandoned batches since its replicas started. */
function churnText(group) {
  if (!group) return "";
  const parts = [];
  if (group.rebalances > 0) parts.push(`重新分配 ${group.rebalances} 次`);
  if (group.abandoned > 0) parts.push(`放弃 ${group.abandoned} 批`);
  return parts.length === 0 ? "" : ` · ${parts.join(" · ")}`;
}

/**
 * The pipeline strip: each stage's backlog and consumer-group churn, a banner for a stage stuck on the same records or
 * not reporting, and a notice when its group rebalanced or abandoned batches in the last ten minutes.
 */
function stagesHtml(stages) {
  if (!stages || stages.length === 0) return "";
  const name = (s) => STAGE_NAMES[s.service] ?? s.service;
  const chips = stages
    .map((s) => {
      const state = s.stuck || s.stalled ? "stuck" : s.silent ? "silent" : s.group?.recent ? "churn" : "ok";
      const lag = s.lag === null ? "积压未知" : `积压 ${s.lag.toLocaleString("zh-CN")} 条`;
      return `<span class="stage stage-${state}" data-stage="${esc(s.service)}">${esc(name(s))} · ${esc(lag)}${s.replicas > 1 ? ` · ${s.replicas} 副本` : ""}${esc(churnText(s.group))}</span>`;
    })
    .join("");
  const banners = stages
    .map((s) => {
      if (s.stuck) {
        return `<div class="stage-alarm" role="alert" data-stage="${esc(s.service)}">处理环节卡住：${esc(name(s))}已连续 ${spanText(s.stuck.forMs)}重试同一批数据（分区 ${s.stuck.partition}，偏移 ${esc(s.stuck.firstOffset)}–${esc(s.stuck.lastOffset)}，已尝试 ${s.stuck.attempts} 次）。原因：${esc(s.stuck.error)}</div>`;
      }
      if (s.stalled) {
        return `<div class="stage-alarm" role="alert" data-stage="${esc(s.service)}">处理环节停滞：${esc(name(s))}有 ${s.stalled.lag.toLocaleString("zh-CN")} 条数据待处理（分区 ${esc(s.stalled.partitions.join("、"))}），但已 ${spanText(s.stalled.forMs)}未拉取新数据，正在自动重启该环节</div>`;
      }
      if (s.silent) return `<div class="stage-alarm" role="alert" data-stage="${esc(s.service)}">处理环节无心跳：${esc(name(s))}已 ${spanText(Math.max(0, serverNow() - Date.parse(s.reportedAt)))}未上报状态，可能已停止运行</div>`;
      if (s.group?.recent) {
        const last = [s.group.lastRebalanceAt, s.group.lastAbandonedAt].filter(Boolean).sort().at(-1);
        const abandoned = s.group.abandoned > 0 ? `，共放弃 ${s.group.abandoned} 批未提交的数据（会重新处理，不会丢失）` : "";
        return `<div class="stage-notice" data-stage="${esc(s.service)}">消费组变动：${esc(name(s))} ${spanText(Math.max(0, serverNow() - Date.parse(last)))}前重新分配了分区（启动以来 ${s.group.rebalances} 次${abandoned}）。频繁出现说明有副本反复掉线或重启</div>`;
      }
      return "";
    })
    .join("");
  return `<div class="stages" aria-label="处理流水线状态">${chips}</div>${banners}`;
}

/** The wrong or missing charset label a feed was decoded despite, in words an officer reads (issue 11). */
function labelSaid(mislabelled) {
  const header = /^header said (.+?)(?: \(unknown\))?$/.exec(mislabelled);
  if (header) return `服务器声明编码为 ${header[1]}`;
  const declaration = /^XML declaration said (.+)$/.exec(mislabelled);
  if (declaration) return `XML 声明编码为 ${declaration[1]}`;
  return "未声明编码";
}

/** One banner per feed whose charset label is wrong or missing, and per feed whose text lost characters. */
function encodingHtml(feeds) {
  return (feeds ?? [])
    .flatMap((f) => {
      const e = f.encoding;
      if (!e) return [];
      const out = [];
      if (e.mislabelled) out.push(`<div class="source-mislabelled" role="status" data-source="${esc(f.source)}">编码标注有误：${esc(f.source)} ${esc(labelSaid(e.mislabelled))}，实际为 ${esc(e.charset.toUpperCase())}，已按实际编码解码</div>`);
      if (e.replacements > 0) out.push(`<div class="source-mislabelled" role="status" data-source="${esc(f.source)}">解码有损：${esc(f.source)} 有 ${e.replacements} 个字符无法识别，相关文档已标记</div>`);
      return out;
    })
    .join("");
}

/** 值班台: every live alert, most urgent deadline first, with live countdowns and one-click acknowledge. */
export function renderBoard(view, me, { flash }) {
  let timer;
  let ticker;
  let stopped = false;
  let level = "";
  view.innerHTML = `<div class="board-head">
      <h1>值班台</h1>
      <div class="stats" id="stats"></div>
      <div class="filters">
        <select id="level-filter" aria-label="按级别筛选"><option value="">全部级别</option><option value="I">I级</option><option value="II">II级</option><option value="III">III级</option><option value="IV">IV级</option><option value="ungraded">未定级</option></select>
        <button id="refresh" class="ghost">刷新</button>
      </div>
    </div>
    <section id="pipeline-health" aria-live="polite"></section>
    <section id="duty-strip"></section>
    <section id="policy-slot"></section>
    <section id="source-health" aria-live="polite"></section>
    <p class="muted" id="updated"></p>
    <section class="alerts" id="alerts"><div class="empty">加载中…</div></section>`;
  const list = view.querySelector("#alerts");

  const health = view.querySelector("#source-health");

  // Apart from the alerts: a failing feed-health read must not hide the alert list (and vice versa).
  async function loadSources() {
    if (!me.can.documents) return;
    try {
      const data = await api("sources");
      if (!stopped) health.innerHTML = silentHtml(data.sources) + encodingHtml(data.feeds);
    } catch (error) {
      if (!stopped) flash(`数据源状态加载失败：${error.message}`);
    }
  }

  const pipeline = view.querySelector("#pipeline-health");
  async function loadStages() {
    try {
      const data = await api("health");
      if (!stopped) pipeline.innerHTML = stagesHtml(data.stages);
    } catch (error) {
      if (!stopped) pipeline.innerHTML = `<div class="stage-alarm" role="alert">系统状态不可用：${esc(error.message)}</div>`;
    }
  }

  let alerts = [];
  let live = false;
  function render(now) {
    const overdue = alerts.filter((a) => a.overdue).length;
    const fresh = alerts.filter((a) => a.state === "new").length;
    // visible from another tab or a minimised window: how many wait for acknowledgement
    document.title = `${fresh ? `(${fresh}) ` : ""}瞭望 · 值班台`;
    view.querySelector("#stats").innerHTML = `<span>在办 <b>${alerts.length}</b></span><span>待确认 <b class="${fresh ? "hot" : ""}">${fresh}</b></span><span>已超时 <b class="${overdue ? "hot" : ""}">${overdue}</b></span>`;
    list.innerHTML = alerts.length === 0 ? `<div class="empty">当前没有在办预警</div>` : alerts.map((a) => alertHtml(a, me)).join("");
    view.querySelector("#updated").textContent = `按最紧迫时限排序 · ${live ? "实时推送已连接" : `每 ${REFRESH_MS / 1000} 秒自动刷新`} · 更新于 ${bjShort(now)}`;
    tick(list);
  }

  async function loadDutyStrip() {
    try {
      const { duty, departments } = await loadDuty();
      if (stopped) return;
      view.querySelector("#duty-strip").innerHTML = dutyHtml(duty);
      const slot = view.querySelector("#policy-slot");
      if (me.can.transition && !slot.firstChild) {
        slot.innerHTML = policyFormHtml(departments, me);
        wirePolicyForm(slot, { flash, onDone: () => void load() });
      }
    } catch (error) {
      if (!stopped) flash(`值班表加载失败：${error.message}`);
    }
  }

  async function load() {
    void loadSources();
    void loadStages();
    try {
      const data = await api(`alerts?limit=500${level ? `&level=${level}` : ""}`);
      if (stopped) return;
      // A change pushed a moment ago may not be searchable yet: keep the fresher copy.
      const known = new Map(alerts.map((a) => [a.id, a]));
      alerts = data.alerts.map((a) => (Date.parse(known.get(a.id)?.updatedAt ?? "") > Date.parse(a.updatedAt) ? known.get(a.id) : a));
      render(data.now);
    } catch (error) {
      if (!stopped) flash(`预警列表加载失败：${error.message}`);
    }
  }

  list.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    button.disabled = true;
    try {
      const res = await api(`alerts/${encodeURIComponent(button.dataset.id)}/transitions`, { method: "POST", body: { action: button.dataset.action } });
      flash("已确认，进入研判", true);
      alerts = mergeAlert(alerts, res.alert);
      render(res.now);
    } catch (error) {
      flash(`操作失败：${error.message}`);
      await load();
    }
  });
  view.querySelector("#refresh").addEventListener("click", () => void load());
  view.querySelector("#level-filter").addEventListener("change", (e) => {
    level = e.target.value;
    void load();
  });

  void load();
  void loadDutyStrip();
  timer = setInterval(() => void load(), REFRESH_MS);
  const dutyTimer = setInterval(() => void loadDutyStrip(), 60_000);
  // Changes pushed by the server land at once; the 10 s poll stays as the fallback (and for incident updates).
  const stopLive = followAlerts({
    onAlert: ({ now, alert }) => {
      if (stopped || (level && (alert.level ?? "ungraded") !== level)) return;
      alerts = mergeAlert(alerts, alert);
      render(now);
    },
    onStatus: (on) => {
      live = on;
      view.dataset.live = on ? "on" : "off";
      if (on) void load();
    },
  });
  ticker = setInterval(() => tick(list), 1000);
  return () => {
    stopped = true;
    stopLive();
    clearInterval(dutyTimer);
    clearInterval(timer);
    clearInterval(ticker);
  };
}
