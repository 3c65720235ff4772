// 部门待办: a department head's inbox, built for a phone opened from a WeCom / DingTalk message at night:
// escalations addressed to them, the department's open alerts most urgent first, one-tap actions.
import { api } from "./api.js";
import { countdownHtml, tick } from "./clocks.js";
import { bjShort, clockName, doneText, esc, levelBadge, stateBadge } from "./format.js";
import { followAlerts } from "./live.js";

const REFRESH_MS = 30_000;
const STEP_NAMES = { "duty-unacknowledged": "超时未确认（值班）", "head-unacknowledged": "超时未确认", "leader-before-deadline": "临近时限", "head-before-deadline": "临近时限" };

function nextClock(alert) {
  const d = alert.nextDeadline;
  if (!d) {
    const done = alert.deadlines[0];
    return done ? `<span class="muted">${esc(clockName(done))} ${esc(doneText(done))}</span>` : `<span class="muted">无时限</span>`;
  }
  return `<span class="clk" data-clock="${esc(d.clock)}"><span class="label">${esc(clockName(d))}</span>${countdownHtml(d.dueAt)}</span>`;
}

function buttons(alert, me) {
  const canAct = me.can.transition && (me.scope === "all" || alert.department === me.department);
  if (!canAct) return "";
  const out = [];
  if (alert.state === "new") out.push(`<button class="primary" data-action="acknowledge" data-id="${esc(alert.id)}">确认收到</button>`);
  if (alert.state === "new" || alert.state === "acknowledged") out.push(`<button data-action="start_handling" data-id="${esc(alert.id)}">开始处置</button>`);
  return out.join("");
}

function cardHtml(alert, me, extra = "") {
  return `<article class="inbox-card lv-${esc(alert.level ?? "none")}${alert.overdue ? " is-overdue" : ""}" data-alert-id="${esc(alert.id)}">
    <div class="inbox-top">${levelBadge(alert.level)} ${stateBadge(alert.state)}${alert.overdue ? ` <span class="state state-new">已超时</span>` : ""}</div>
    <a class="title" href="#/alert/${encodeURIComponent(alert.id)}">${esc(alert.title)}</a>
    ${extra}
    <div class="inbox-clock">${nextClock(alert)}</div>
    <div class="meta muted">首发 ${esc(bjShort(alert.onsetAt))} · ${alert.sourceCount} 个来源 / ${alert.volume} 条</div>
    <div class="inbox-actions">${buttons(alert, me)}</div>
  </article>`;
}

function section(id, title, alerts, me, extra) {
  const body = alerts.length ? alerts.map((a) => cardHtml(a, me, extra ? extra(a) : "")).join("") : `<div class="empty">无</div>`;
  return `<section class="inbox-section" id="${id}"><h2>${title} <span class="count">${alerts.length}</span></h2>${body}</section>`;
}

/** The inbox page; department heads get their own department, others pick one. */
export function renderInbox(view, me, params, { flash }) {
  let stopped = false;
  let department = me.scope === "department" ? me.department : params.get("department") ?? "";
  view.innerHTML = `<div class="inbox">
      <div class="inbox-head"><h1>部门待办</h1><span id="inbox-dept" class="muted"></span><select id="inbox-pick" aria-label="选择部门" hidden></select></div>
      <div class="inbox-stats" id="inbox-stats"></div>
      <div id="inbox-body"><div class="empty">加载中…</div></div>
    </div>`;
  const body = view.querySelector("#inbox-body");

  let data;
  function render() {
    view.querySelector("#inbox-dept").textContent = data.departmentName;
    const fresh = data.open.filter((a) => a.state === "new").length;
    const overdue = data.open.filter((a) => a.overdue).length;
    view.querySelector("#inbox-stats").innerHTML = `<span>升级给我 <b class="${data.escalated.length ? "hot" : ""}">${data.escalated.length}</b></span><span>待确认 <b class="${fresh ? "hot" : ""}">${fresh}</b></span><span>已超时 <b class="${overdue ? "hot" : ""}">${overdue}</b></span><span>在办 <b>${data.open.length}</b></span>`;
    const escalation = (a) =>
      `<div class="inbox-esc">升级：${a.escalations
        .slice(0, 2)
        .map((e) => `${esc(STEP_NAMES[e.stepId] ?? e.stepId)} ${esc(bjShort(e.at))}${e.cycle ? `（第${e.cycle + 1}轮）` : ""}`)
        .join("；")}</div>`;
    body.innerHTML =
      section("inbox-escalated", "升级给我", data.escalated, me, escalation) +
      section("inbox-open", "本部门在办", data.open, me) +
      (data.watching.length ? `<details class="inbox-section"><summary>协同关注 ${data.watching.length}</summary>${data.watching.map((a) => cardHtml(a, me)).join("")}</details>` : "");
    tick(body);
  }

  /** Put a changed alert in place (a transition's answer or a pushed change), before the index shows it. */
  function patch(alert) {
    if (!data) return false;
    let found = false;
    const swap = (list) => list.map((a) => (a.id === alert.id ? ((found = true), { ...a, ...alert, escalations: a.escalations }) : a));
    data = { ...data, escalated: swap(data.escalated), open: swap(data.open), watching: swap(data.watching) };
    if (found) render();
    return found;
  }

  async function load() {
    if (!department) {
      body.innerHTML = `<div class="empty">请选择部门</div>`;
      return;
    }
    try {
      const fresh = await api(`inbox?department=${encodeURIComponent(department)}`);
      if (stopped) return;
      // A change pushed a moment ago may not be searchable yet: keep the fresher copy.
      const known = new Map(data ? [...data.escalated, ...data.open, ...data.watching].map((a) => [a.id, a]) : []);
      const keep = (list) => list.map((a) => (Date.parse(known.get(a.id)?.updatedAt ?? "") > Date.parse(a.updatedAt) ? { ...a, ...known.get(a.id), escalations: a.escalations } : a));
      data = { ...fresh, escalated: keep(fresh.escalated), open: keep(fresh.open), watching: keep(fresh.watching) };
      render();
    } catch (error) {
      if (!stopped) flash(`待办加载失败：${error.message}`);
    }
  }

  if (me.scope === "all") {
    void api("departments").then((d) => {
      const pick = view.querySelector("#inbox-pick");
      pick.innerHTML = `<option value="">选择部门</option>${d.departments.map((x) => `<option value="${esc(x.id)}"${x.id === department ? " selected" : ""}>${esc(x.name)}</option>`).join("")}`;
      pick.hidden = false;
      pick.addEventListener("change", () => {
        department = pick.value;
        history.replaceState(null, "", `#/inbox?department=${encodeURIComponent(department)}`);
        void load();
      });
    });
  }

  body.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    button.disabled = true;
    try {
      const res = await api(`alerts/${encodeURIComponent(button.dataset.id)}/transitions`, { method: "POST", body: { action: button.dataset.action } });
      flash(button.dataset.action === "acknowledge" ? "已确认，进入研判" : "已开始处置", true);
      patch(res.alert);
    } catch (error) {
      flash(`操作失败：${error.message}`);
      await load();
    }
  });

  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  const ticker = setInterval(() => tick(body), 1000);
  // Any change to one of the department's alerts reloads the inbox (the list is small).
  const stopLive = followAlerts({
    onAlert: ({ alert }) => {
      if (stopped || (alert.department !== department && !alert.coDepartments.includes(department))) return;
      // a known alert changes in place; a new one needs the index, which has it within a second or so
      if (!patch(alert)) setTimeout(() => void load(), 1_500);
    },
    onStatus: (on) => (view.dataset.live = on ? "on" : "off"),
  });
  return () => {
    stopped = true;
    stopLive();
    clearInterval(timer);
    clearInterval(ticker);
  };
}
