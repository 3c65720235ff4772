import type { Alert, AlertLevel, AlertState } from "@liaowang/schemas";
import { clockLabel, deadlineStatus, isRunning } from "./clocks.js";
import { formatDurationZh } from "./duration.js";
import type { PlannedItem } from "./schedule.js";
import { beijingTime, ms } from "./time.js";

/** The channel-neutral content of one notification (the service adds the idempotency key and acknowledge link). */
export interface MessageContent {
  kind: "new" | "regrade" | "reminder" | "escalation";
  level: AlertLevel;
  title: string;
  /** Markdown-ish lines: `**bold**` and `[text](https://…)` only. */
  body: string[];
  /** Running deadlines as absolute instants (a delivery may be late; a countdown would then lie). */
  deadlines: { label: string; dueAt: string }[];
}

/** zh-CN name of a lifecycle state. */
export function stateLabel(state: AlertState): string {
  switch (state) {
    case "new":
      return "预警（待确认）";
    case "acknowledged":
      return "研判中";
    case "handling":
      return "处置中";
    case "responded":
      return "已回应";
    case "closed":
      return "已关闭";
    case "dismissed":
      return "已排除（误报）";
  }
}

/** Feed text must not become links, mentions or markup in robot markdown. */
function plain(text: string): string {
  return text.replace(/\[/g, "［").replace(/\]/g, "］").replace(/</g, "＜").replace(/>/g, "＞").replace(/\*/g, "＊").replace(/[\r\n]+/g, " ");
}

function levelText(level: AlertLevel): string {
  return level === null ? "未定级" : `${level}级`;
}

/**
 * What a notification says, in zh-CN, for one due item of an alert.
 * @example composeMessage(alert, item, { departmentName: (id) => names[id] ?? id })
 */
export function composeMessage(alert: Alert, item: PlannedItem, lookup: { departmentName: (id: string) => string }): MessageContent {
  const body: string[] = [];
  switch (item.kind) {
    case "new":
      if (alert.reraiseCount > 0) body.push(`**再次预警**：此前已排除的事件持续发酵（第 ${alert.reraiseCount} 次重新预警）`);
      break;
    case "regrade": {
      const last = alert.gradeHistory.at(-1);
      if (last) body.push(`**定级变更**：${levelText(last.from)} → ${levelText(last.to)}，处置时限已按新定级重新计算`);
      break;
    }
    case "reminder": {
      const clock = item.clock ? clockLabel(item.clock) : "处置";
      const due = item.deadlineDueAt ?? "";
      const left = ms(due) - item.dueAt;
      body.push(left > 0 ? `**催办**：${clock}时限 ${beijingTime(due)}，距时限还有 ${formatDurationZh(left)}` : `**已超时**：${clock}时限 ${beijingTime(due)} 已过，请立即处置并登记`);
      break;
    }
    case "escalation": {
      const t = item.trigger;
      if (t?.type === "unacknowledged") body.push(`**升级**：预警发出 ${formatDurationZh(t.afterMs)} 仍未确认${item.cycle ? `（第 ${item.cycle + 1} 轮）` : ""}`);
      else if (t?.type === "deadline") {
        const clock = item.clock ? clockLabel(item.clock) : "处置";
        body.push(`**升级**：${clock}时限 ${beijingTime(item.deadlineDueAt ?? "")} ${t.beforeMs > 0 ? `前 ${formatDurationZh(t.beforeMs)} 仍未完成` : "已到期仍未完成"}`);
      }
      break;
    }
  }
  body.push(`**定级**：${levelText(alert.level)}　${plain(alert.levelReason)}`);
  body.push(`**责任单位**：${lookup.departmentName(alert.department)}`);
  if (alert.coDepartments.length > 0) body.push(`**协同单位**：${alert.coDepartments.map(lookup.departmentName).join("、")}`);
  body.push(`**首发**：${beijingTime(alert.onsetAt)}${alert.firstPost ? `　${plain(alert.firstPost.source)}` : ""}`);
  if (alert.firstPost?.url && /^https?:\/\//.test(alert.firstPost.url)) body.push(`[查看首发](${alert.firstPost.url.replace(/[()\s]/g, encodeURIComponent)})`);
  const about = [
    alert.topics.length > 0 ? `话题：${alert.topics.slice(0, 5).map(plain).join("、")}` : "",
    alert.regions.length > 0 ? `地区：${alert.regions.slice(0, 5).map((r) => plain(r.name)).join("、")}` : "",
    `来源 ${alert.sourceCount} 个，相关信息 ${alert.volume} 条`,
  ].filter(Boolean);
  body.push(about.join("；"));
  body.push(`**状态**：${stateLabel(alert.state)}`);
  const deadlines = alert.deadlines
    .filter(isRunning)
    .map((d) => ({ label: `${clockLabel(d.clock)}${deadlineStatus(d, item.dueAt) === "overdue" ? "（已超时）" : ""}`, dueAt: d.dueAt }));
  return { kind: item.kind, level: alert.level, title: plain(alert.title).slice(0, 200) || alert.incidentId, body, deadlines };
}
