import { parseArgs } from "node:util";
import { beijingTime, clockLabel, deadlineStatus, isRunning, stateLabel, type DeadlineStatus } from "@liaowang/alerting";
import { CommonEnv, esSettings, loadEnv } from "@liaowang/config";
import { createEsClient, type Client } from "@liaowang/es";
import { Alert, alertIndices, type ClockKind } from "@liaowang/schemas";
import { println, type CliIo } from "./io.js";

/** One deadline as listed: due time, status and time left (negative when overdue). */
export interface ListedDeadline {
  clock: ClockKind;
  label: string;
  dueAt: string;
  status: DeadlineStatus;
  remainingMs: number;
  metAt: string | null;
}

/** Delivery status of an alert's notifications, counted over outbox entries (one per notification and target). */
export interface DeliverySummary {
  total: number;
  sent: number;
  pending: number;
  sending: number;
  failed: number;
  dead: number;
}

/** One alert as `alerts --json` prints it. */
export interface ListedAlert {
  id: string;
  incidentId: string;
  title: string;
  level: Alert["level"];
  /** Why the alert has its level, in words and numbers (the grade reason). */
  reason: string;
  /** Scope in the jurisdiction and why it was raised (zh-CN), when the detector said (issue 7). */
  scope?: Alert["scope"];
  raiseReason?: string | undefined;
  /** 已辟谣: the refutation that joined the incident. */
  refuted?: Alert["refuted"];
  state: Alert["state"];
  department: string;
  departmentName: string;
  coDepartments: string[];
  onsetAt: string;
  openedAt: string;
  acknowledgedAt: string | null;
  reraiseCount: number;
  /** The most urgent running deadline, if any. */
  nextDeadline: ListedDeadline | null;
  deadlines: ListedDeadline[];
  delivery: DeliverySummary;
}

const LIVE = ["new", "acknowledged", "handling", "responded"];

function listDeadlines(alert: Alert, now: number): ListedDeadline[] {
  return alert.deadlines.map((d) => ({
    clock: d.clock,
    label: clockLabel(d.clock),
    dueAt: d.dueAt,
    status: deadlineStatus(d, now),
    remainingMs: Date.parse(d.dueAt) - now,
    metAt: d.metAt,
  }));
}

async function fetchAlerts(es: Client, index: string, all: boolean, size: number): Promise<{ alerts: Alert[]; unreadable: string[] }> {
  const res = await es.search<unknown>({ index, size, query: all ? { match_all: {} } : { terms: { state: LIVE } }, sort: [{ openedAt: "desc" }] }, { ignore: [404] });
  const alerts: Alert[] = [];
  const unreadable: string[] = [];
  for (const hit of res.hits?.hits ?? []) {
    const parsed = Alert.safeParse(hit._source);
    if (parsed.success) alerts.push(parsed.data);
    else unreadable.push(`${hit._id ?? "?"}: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? ""}`);
  }
  return { alerts, unreadable };
}

async function fetchDelivery(es: Client, index: string, alertIds: string[]): Promise<Map<string, DeliverySummary>> {
  const out = new Map<string, DeliverySummary>();
  if (alertIds.length === 0) return out;
  const res = await es.search(
    {
      index,
      size: 0,
      query: { terms: { alertId: alertIds } },
      aggs: { alerts: { terms: { field: "alertId", size: alertIds.length }, aggs: { states: { terms: { field: "state", size: 10 } } } } },
    },
    { ignore: [404] },
  );
  type Bucket = { key: string; doc_count: number; states: { buckets: { key: string; doc_count: number }[] } };
  const buckets = ((res.aggregations as { alerts?: { buckets?: Bucket[] } } | undefined)?.alerts?.buckets ?? []);
  for (const b of buckets) {
    const s: DeliverySummary = { total: b.doc_count, sent: 0, pending: 0, sending: 0, failed: 0, dead: 0 };
    for (const st of b.states.buckets) if (st.key in s && st.key !== "total") s[st.key as Exclude<keyof DeliverySummary, "total">] = st.doc_count;
    out.set(b.key, s);
  }
  return out;
}

/** Alerts most urgent first: the earliest running deadline, then the highest level, then the newest. */
export function byUrgency(a: ListedAlert, b: ListedAlert): number {
  const due = (x: ListedAlert) => (x.nextDeadline ? Date.parse(x.nextDeadline.dueAt) : Number.POSITIVE_INFINITY);
  const rank = (x: ListedAlert) => (x.level === null ? 4 : { I: 0, II: 1, III: 2, IV: 3 }[x.level]);
  return due(a) - due(b) || rank(a) - rank(b) || b.openedAt.localeCompare(a.openedAt);
}

function remaining(ms: number): string {
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const text = h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m`;
  return ms >= 0 ? `剩 ${text}` : `超时 ${text}`;
}

/** `alerts [--json] [--all] [--size N]`: live alerts, most urgent deadline first, from Elasticsearch. */
export async function alertsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false }, all: { type: "boolean", default: false }, size: { type: "string", default: "500" } } });
  const size = Number(values.size);
  if (!Number.isInteger(size) || size <= 0 || size > 10_000) {
    println(io.stderr, "alerts: --size must be an integer between 1 and 10000");
    return 2;
  }
  const env = loadEnv(CommonEnv, io.env);
  const indices = alertIndices(env.LIAOWANG_INDEX_PREFIX);
  const es = createEsClient(esSettings(env));
  try {
    const now = Date.now();
    const { alerts, unreadable } = await fetchAlerts(es, indices.alerts, values.all, size);
    for (const problem of unreadable) println(io.stderr, `alerts: skipped an alert document that does not match the schema (${problem})`);
    const delivery = await fetchDelivery(es, indices.outbox, alerts.map((a) => a.id));
    const listed: ListedAlert[] = alerts
      .map((a) => {
        const deadlines = listDeadlines(a, now);
        const running = a.deadlines.filter(isRunning).sort((x, y) => Date.parse(x.dueAt) - Date.parse(y.dueAt))[0];
        return {
          id: a.id,
          incidentId: a.incidentId,
          title: a.title,
          level: a.level,
          reason: a.levelReason,
          ...(a.scope === undefined ? {} : { scope: a.scope }),
          ...(a.raiseReason === undefined ? {} : { raiseReason: a.raiseReason }),
          ...(a.refuted === undefined ? {} : { refuted: a.refuted }),
          state: a.state,
          department: a.department,
          departmentName: a.departmentName,
          coDepartments: a.coDepartments,
          onsetAt: a.onsetAt,
          openedAt: a.openedAt,
          acknowledgedAt: a.acknowledgedAt,
          reraiseCount: a.reraiseCount,
          nextDeadline: running ? (deadlines.find((d) => d.clock === running.clock) ?? null) : null,
          deadlines,
          delivery: delivery.get(a.id) ?? { total: 0, sent: 0, pending: 0, sending: 0, failed: 0, dead: 0 },
        };
      })
      .sort(byUrgency);
    if (values.json) {
      println(io.stdout, JSON.stringify({ generatedAt: new Date(now).toISOString(), count: listed.length, alerts: listed }, null, 2));
      return 0;
    }
    println(io.stdout, `${listed.length} alert(s)${values.all ? "" : " live"}, most urgent deadline first (Beijing time)`);
    for (const a of listed) {
      println(io.stdout, "");
      println(io.stdout, `[${a.level ?? "未定级"}] ${a.title}`);
      println(io.stdout, `  ${stateLabel(a.state)} · ${a.departmentName}${a.coDepartments.length > 0 ? ` (+${a.coDepartments.join(",")})` : ""} · ${a.id}`);
      println(io.stdout, `  定级依据: ${a.reason}`);
      if (a.raiseReason) println(io.stdout, `  预警原因: ${a.raiseReason}`);
      if (a.refuted) println(io.stdout, `  已辟谣: ${a.refuted.source}${a.refuted.url ? ` ${a.refuted.url}` : ""}`);
      for (const d of a.deadlines) {
        const tail = d.status === "running" || d.status === "overdue" ? remaining(d.remainingMs) : d.status;
        println(io.stdout, `  ${d.label} ${beijingTime(d.dueAt)}  ${tail}`);
      }
      println(io.stdout, `  通知: ${a.delivery.sent}/${a.delivery.total} sent${a.delivery.failed + a.delivery.dead > 0 ? `, ${a.delivery.failed} retrying, ${a.delivery.dead} failed` : ""}`);
    }
    return 0;
  } finally {
    await es.close();
  }
}
