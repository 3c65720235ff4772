import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type Receiver } from "@liaowang/notify/testing";
import { stageHealthIndex } from "@liaowang/schemas";
import { waitFor } from "@liaowang/testing";
import {
  incident,
  outputs,
  PUSH_TOKEN,
  startStack,
  testUsers,
  type AlertResponse,
  type AlertsResponse,
  type AuditResponse,
  type Stack,
  type SearchResponse,
  type TransitionResponse,
  type TrendsResponse,
} from "./harness.js";
import { AlertsBody } from "../src/api-schemas.js";
import { InboxBody } from "../src/views/inbox.js";

// The API as a real process against the real stack, with the alerter applying transitions and enrich + indexer
// (behind ingest, reached through the API's push endpoint) making posts searchable: authentication and roles (401/403, department scope), alerts ordered by the most
// urgent stored deadline, transitions audited with the signed-in user, search with highlights, trends, and a
// valid OpenAPI document.

const users = testUsers();
let stack: Stack;
let receiver: Receiver;

// Onsets chosen so the order by deadline is C (48 h clock overdue by 2 h), B (48 h clock due in 30 min),
// A (II: 5 h clock due in 1 h), D (48 h clock due in 47 h).
const A = incident(1, { title: "岳麓区某化工厂发生爆炸，已造成12人遇难", level: "II", topic: "安全生产", keywords: ["爆炸", "化工厂"], onsetHoursAgo: 4, gradeReason: "据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）" });
const B = incident(2, { title: "岳麓区工地农民工反映工资拖欠", level: "IV", topic: "工资拖欠", keywords: ["欠薪", "工资", "农民工"], onsetHoursAgo: 47.5 });
const C = incident(3, { title: "岳麓区某中学学生反映校园食堂问题", level: "III", topic: "教育", keywords: ["学校", "学生"], onsetHoursAgo: 50 });
const D = incident(4, { title: "岳麓区物流园讨薪求助", level: null, topic: "工资拖欠", keywords: ["讨薪", "工资"], onsetHoursAgo: 1 });

// Ingest-contract records pushed through the API's POST /api/v1/documents (forwarded to the ingest service).
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const records = [
  { source: "论坛1", title: "农民工讨薪求助", text: "岳麓区第1号工地农民工反映工资拖欠问题，12345热线已转交人社部门处理。", publishedAt: hoursAgo(2) },
  { source: "论坛2", title: "工资拖欠调查", text: "记者调查发现部分项目存在工资拖欠，人社部门表示将依法处理。", publishedAt: hoursAgo(3) },
  { source: "论坛0", title: "城市绿化提升", text: "今年全市新增绿地面积一百公顷，市民休闲空间明显增加。", publishedAt: hoursAgo(1) },
];

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack("api", { users, pipeline: true, notify: { department: "emergency", receiverUrl: receiver.baseUrl } });
  await stack.seedIncidents([A, B, C, D]);
});

afterEach((context) => {
  if (context.task.result?.state === "fail" && stack) process.stderr.write(outputs(stack.services));
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const alertId = (i: { id: string }) => `alert-${i.id}`;

describe("authentication and roles", () => {
  it("answers health without a token and everything else only with a valid one", async () => {
    expect((await stack.call("/api/v1/health")).status).toBe(200);
    for (const path of ["/api/v1/alerts", "/api/v1/search?q=工资", "/api/v1/trends", "/api/v1/incidents", `/api/v1/incidents/${A.id}`, `/api/v1/alerts/${alertId(A)}`, "/api/v1/departments", "/api/v1/audit", "/api/v1/me"]) {
      const anonymous = await stack.call(encodeURI(path));
      expect(anonymous.status, path).toBe(401);
      expect(anonymous.body.error).toBe("unauthenticated");
      expect(anonymous.body.message).toMatch(/Bearer/);
      const wrong = await stack.call(encodeURI(path), { token: "not-a-real-token-at-all-0123456789" });
      expect(wrong.status, path).toBe(401);
      expect(wrong.body.message).toMatch(/not valid/);
    }
    const post = await stack.call(`/api/v1/alerts/${alertId(A)}/transitions`, { method: "POST", body: { action: "acknowledge" } });
    expect(post.status).toBe(401);
  });

  it("refuses what a role may not do with 403 and names the roles that may", async () => {
    const analystAck = await stack.call(`/api/v1/alerts/${alertId(A)}/transitions`, { method: "POST", token: users.analyst.token, body: { action: "acknowledge" } });
    expect(analystAck.status).toBe(403);
    expect(analystAck.body.error).toBe("forbidden");
    expect(analystAck.body.message).toContain("duty_officer");
    const analystAudit = await stack.call("/api/v1/audit", { token: users.analyst.token });
    expect(analystAudit.status).toBe(403);
    const headSearch = await stack.call(`/api/v1/search?q=${encodeURIComponent("工资")}`, { token: users.hrssHead.token });
    expect(headSearch.status).toBe(403);
    const analystAlerts = await stack.call<AlertsResponse>("/api/v1/alerts", { token: users.analyst.token });
    expect(analystAlerts.status).toBe(200);
  });

  it("scopes a department head to the own department's alerts, incidents and audit", async () => {
    const all = await stack.call<AlertsResponse>("/api/v1/alerts", { token: users.duty.token });
    const departmentOf = new Map(all.body.alerts.map((a) => [a.incidentId, a.department]));
    expect(departmentOf.get(B.id)).toBe("hrss");
    expect(departmentOf.get(D.id)).toBe("hrss");
    expect(departmentOf.get(A.id)).not.toBe("hrss");

    const mine = await stack.call<AlertsResponse>("/api/v1/alerts", { token: users.hrssHead.token });
    expect(mine.status).toBe(200);
    expect(mine.body.alerts.map((a) => a.incidentId).sort()).toEqual([B.id, D.id].sort());

    const other = await stack.call(`/api/v1/alerts/${alertId(A)}`, { token: users.hrssHead.token });
    expect(other.status).toBe(403);
    expect(other.body.message).toContain("hrss");
    expect((await stack.call(`/api/v1/incidents/${A.id}`, { token: users.hrssHead.token })).status).toBe(403);
    expect((await stack.call(`/api/v1/alerts?department=emergency`, { token: users.hrssHead.token })).status).toBe(403);
    const otherAck = await stack.call(`/api/v1/alerts/${alertId(A)}/transitions`, { method: "POST", token: users.hrssHead.token, body: { action: "acknowledge" } });
    expect(otherAck.status).toBe(403);

    const ack = await stack.call<TransitionResponse>(`/api/v1/alerts/${alertId(B)}/transitions`, { method: "POST", token: users.hrssHead.token, body: { action: "acknowledge", note: "已转人社局劳动监察支队" } });
    expect(ack.status).toBe(200);
    expect(ack.body.alert.state).toBe("acknowledged");
    expect(ack.body.alert.acknowledgedBy).toBe(users.hrssHead.id);

    const audit = await waitFor(
      async () => {
        const res = await stack.call<AuditResponse>("/api/v1/audit", { token: users.hrssHead.token });
        return res.body.events.some((e) => e.type === "acknowledged") && res.body;
      },
      { what: "the acknowledgement in the department's audit log" },
    );
    expect(audit.events.every((e) => e.alertId === alertId(B) || e.alertId === alertId(D))).toBe(true);
    const acked = audit.events.find((e) => e.type === "acknowledged");
    expect(acked?.actor).toBe(users.hrssHead.id);
    expect(acked?.note).toBe("已转人社局劳动监察支队");
  });
});

describe("alerts", () => {
  it("lists live alerts most urgent deadline first, with each clock's remaining time", async () => {
    const res = await stack.call<AlertsResponse>("/api/v1/alerts", { token: users.duty.token });
    expect(res.status).toBe(200);
    const order = res.body.alerts.map((a) => a.incidentId);
    expect(order).toEqual([C.id, B.id, A.id, D.id]);
    const [c, b, a, d] = res.body.alerts;
    expect(c?.overdue).toBe(true);
    expect(c?.nextDeadline?.status).toBe("overdue");
    expect(c?.nextDeadline?.remainingMs).toBeLessThan(-1.9 * 3_600_000);
    expect(b?.nextDeadline?.clock).toBe("response");
    expect(b?.nextDeadline?.remainingMs).toBeGreaterThan(10 * 60_000); // 30 min when the file loaded, less the time the run took since
    expect(b?.nextDeadline?.remainingMs).toBeLessThan(31 * 60_000);
    // II runs the 5 h authoritative-information and 24 h press-conference clocks
    expect(a?.deadlines.map((x) => [x.clock, x.hours])).toEqual([["authoritative_info", 5], ["press_conference", 24]]);
    expect(a?.nextDeadline?.label).toBe("权威信息发布");
    expect(a?.levelName).toBe("重大");
    expect(d?.level).toBeNull();
    expect(Date.parse(res.body.now)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("filters by level and by overdue", async () => {
    const two = await stack.call<AlertsResponse>("/api/v1/alerts?level=II", { token: users.duty.token });
    expect(two.body.alerts.map((a) => a.incidentId)).toEqual([A.id]);
    const overdue = await stack.call<AlertsResponse>("/api/v1/alerts?overdue=true", { token: users.duty.token });
    expect(overdue.body.alerts.map((a) => a.incidentId)).toEqual([C.id]);
    const bad = await stack.call("/api/v1/alerts?state=bogus", { token: users.duty.token });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("bogus");
  });

  it("applies transitions through the alerter, audited with the signed-in user, and refuses illegal ones", async () => {
    const path = `/api/v1/alerts/${alertId(A)}/transitions`;
    const ack = await stack.call<TransitionResponse>(path, { method: "POST", token: users.duty.token, body: { action: "acknowledge" } });
    expect(ack.status).toBe(200);
    expect(ack.body.alert.state).toBe("acknowledged");
    const again = await stack.call(path, { method: "POST", token: users.duty.token, body: { action: "acknowledge" } });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("conflict");
    const noReason = await stack.call(path, { method: "POST", token: users.duty.token, body: { action: "dismiss" } });
    expect(noReason.status).toBe(400);
    const unknownAction = await stack.call(path, { method: "POST", token: users.duty.token, body: { action: "explode" } });
    expect(unknownAction.status).toBe(400);

    const publishedAt = new Date(Date.now() - 10 * 60_000).toISOString();
    const responded = await stack.call<TransitionResponse>(path, { method: "POST", token: users.duty.token, body: { action: "respond", link: "https://gov.example.cn/notice/1", publishedAt, note: "发布情况通报" } });
    expect(responded.status).toBe(200);
    expect(responded.body.alert.state).toBe("responded");
    const info = responded.body.alert.deadlines.find((d) => d.clock === "authoritative_info");
    expect(info?.status).toBe("met");
    expect(info?.remainingMs).toBeNull();
    expect(responded.body.alert.nextDeadline?.clock).toBe("press_conference");

    const detail = await waitFor(
      async () => {
        const res = await stack.call<AlertResponse>(`/api/v1/alerts/${alertId(A)}`, { token: users.duty.token });
        return res.body.audit.some((e) => e.type === "responded") && res.body;
      },
      { what: "the responded event in the alert's audit trail" },
    );
    expect(detail.audit.map((e) => e.type)).toEqual(["opened", "acknowledged", "responded"]);
    expect(detail.audit.filter((e) => e.type !== "opened").every((e) => e.actor === users.duty.id)).toBe(true);
    expect(detail.alert.milestones[0]).toMatchObject({ kind: "info_published", link: "https://gov.example.cn/notice/1", at: publishedAt, actor: users.duty.id });
    expect(detail.incident?.firstSource.title).toBe(A.title);

    const missing = await stack.call("/api/v1/alerts/alert-inc-0000000000000000/transitions", { method: "POST", token: users.duty.token, body: { action: "acknowledge" } });
    expect(missing.status).toBe(404);
  });

  it("reports accountability per department, a department head its own only", async () => {
    type Accountability = { departments: { department: string; departmentName: string; alerts: number; acknowledged: number; deadlines: { overdueNow: number } }[] };
    const all = await stack.call<Accountability>("/api/v1/accountability", { token: users.analyst.token });
    expect(all.status).toBe(200);
    const byDept = new Map(all.body.departments.map((d) => [d.department, d]));
    expect(byDept.get("hrss")).toMatchObject({ departmentName: "市人力资源和社会保障局", alerts: 2, acknowledged: 1 });
    expect(byDept.get("education")?.deadlines.overdueNow).toBe(1);
    const own = await stack.call<Accountability>("/api/v1/accountability", { token: users.hrssHead.token });
    expect(own.body.departments.map((d) => d.department)).toEqual(["hrss"]);
    const backwards = await stack.call("/api/v1/accountability?from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z", { token: users.duty.token });
    expect(backwards.status).toBe(400);
  });

  it("shows each notification's delivery status per target", async () => {
    // the II alert (never held back by quiet hours) goes to the emergency department's webhook
    const deliveries = await waitFor(
      async () => {
        const res = await stack.call<{ deliveries: { channel: string; targetId: string; state: string; idempotencyKey: string }[] }>(`/api/v1/alerts/${alertId(A)}/deliveries`, { token: users.analyst.token });
        return res.body.deliveries?.some((d) => d.state === "sent") && res.body.deliveries;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: "a sent notification of the II alert" },
    );
    expect(deliveries.find((d) => d.idempotencyKey.includes(":new"))).toMatchObject({ channel: "webhook", targetId: "test-hook", state: "sent" });
    expect(receiver.requests.some((r) => r.path === "/hooks/emergency" && r.body.includes("化工厂"))).toBe(true);
    expect((await stack.call(`/api/v1/alerts/${alertId(A)}/deliveries`, { token: users.hrssHead.token })).status).toBe(403);
  });

  it("shows an incident with its alert and audit trail", async () => {
    const res = await stack.call<{ incident: { id: string; gradeReason: string; sources: { names: string[] } }; alert: { id: string } | null }>(`/api/v1/incidents/${A.id}`, { token: users.analyst.token });
    expect(res.status).toBe(200);
    expect(res.body.incident.gradeReason).toContain("II");
    expect(res.body.incident.sources.names).toContain("微博");
    expect(res.body.alert?.id).toBe(alertId(A));
    const list = await stack.call<{ total: number; incidents: { id: string }[] }>("/api/v1/incidents?level=II", { token: users.analyst.token });
    expect(list.body.incidents.map((i) => i.id)).toEqual([A.id]);
    expect((await stack.call("/api/v1/incidents/inc-ffffffffffffffff", { token: users.analyst.token })).status).toBe(404);
  });

  it("lists incidents outside the jurisdiction (外地/境外关注) by scope, with no alert for them", async () => {
    const abroad = { ...incident(9, { title: "日本大阪一化工厂爆炸 35人死亡", level: null, topic: "安全生产", keywords: ["爆炸"], onsetHoursAgo: 2 }), regions: [], scope: "境外" as const, scopeReason: "事发地日本大阪在境外，不属辖区（长沙市）", dutyBoard: false, boardReason: "事发地日本大阪在境外，不属辖区（长沙市）；属生产安全事故，列入外地/境外关注，不计时、不通知" };
    await stack.es.index({ index: `${stack.indexPrefix}incidents`, id: abroad.id, document: abroad, refresh: true });
    const list = await stack.call<{ total: number; incidents: { id: string; scope?: string }[] }>(`/api/v1/incidents?scope=${encodeURIComponent("外地,境外")}`, { token: users.analyst.token });
    expect(list.status).toBe(200);
    expect(list.body.incidents.map((i) => [i.id, i.scope])).toEqual([[abroad.id, "境外"]]);
    expect((await stack.call(`/api/v1/incidents?scope=${encodeURIComponent("火星")}`, { token: users.analyst.token })).status).toBe(400);
  });

  it("lists departments without contact details", async () => {
    const res = await stack.call<{ departments: { id: string; name: string; people: Record<string, unknown>[] }[]; routing: { default: string } }>("/api/v1/departments", { token: users.hrssHead.token });
    expect(res.status).toBe(200);
    expect(res.body.departments.find((d) => d.id === "hrss")?.name).toBe("市人力资源和社会保障局");
    expect(JSON.stringify(res.body)).not.toMatch(/email|mobile/);
  });

  it("lists a newly opened alert and a transition as soon as they are made (lists are kept only until an alert changes), in the documented shape", async () => {
    // Polled lists are answered from memory until an alert changes (API_ALERT_LIST_CACHE_MS): warm it.
    const before = await stack.call<AlertsResponse>("/api/v1/alerts", { token: users.duty.token });
    const again = await stack.call<AlertsResponse>("/api/v1/alerts", { token: users.duty.token });
    expect(again.body.alerts.map((a) => a.id)).toEqual(before.body.alerts.map((a) => a.id));
    // The answers are written as built (no serializer check): they must still be what the OpenAPI schema says.
    expect(AlertsBody.safeParse(before.body).error).toBeUndefined();
    const inbox = await stack.call("/api/v1/inbox?department=hrss", { token: users.duty.token });
    expect(inbox.status).toBe(200);
    expect(InboxBody.safeParse(inbox.body).error).toBeUndefined();

    const E = incident(5, { title: "岳麓区某商场扶梯故障致多人受伤", level: "III", topic: "安全生产", keywords: ["扶梯", "商场"], onsetHoursAgo: 0.5 });
    await stack.seedIncidents([E]);
    const listed = await waitFor(
      async () => {
        const res = await stack.call<AlertsResponse>("/api/v1/alerts", { token: users.duty.token });
        return res.body.alerts.find((a) => a.incidentId === E.id);
      },
      { timeoutMs: 30_000, intervalMs: 100, what: "the new alert in the live list" },
    );
    expect(listed.state).toBe("new");

    // The officer's action shows in the very next read of the list, not after the list's time in memory.
    const ack = await stack.call<TransitionResponse>(`/api/v1/alerts/${alertId(E)}/transitions`, { method: "POST", token: users.duty.token, body: { action: "acknowledge" } });
    expect(ack.status).toBe(200);
    const after = await stack.call<AlertsResponse>("/api/v1/alerts", { token: users.duty.token });
    expect(after.body.alerts.find((a) => a.incidentId === E.id)?.state).toBe("acknowledged");
  });
});

describe("documents", () => {
  it("takes pushed documents at POST /api/v1/documents with the push token, reporting each bad line", async () => {
    const ndjson = [...records.map((r) => JSON.stringify(r)), JSON.stringify({ source: "论坛9", text: "缺少发布时间的记录" })].join("\n");
    const noToken = await stack.call("/api/v1/documents", { method: "POST", body: ndjson, contentType: "application/x-ndjson" });
    expect(noToken.status).toBe(401);
    const pushed = await stack.call<{ accepted: number; rejected: { line?: number; reason: string }[] }>("/api/v1/documents", { method: "POST", token: PUSH_TOKEN, body: ndjson, contentType: "application/x-ndjson" });
    expect(pushed.status).toBe(202);
    expect(pushed.body.accepted).toBe(3);
    expect(pushed.body.rejected).toHaveLength(1);
    expect(pushed.body.rejected[0]?.line).toBe(4);
    expect(pushed.body.rejected[0]?.reason).toMatch(/publishedAt/);
  });

  it("searches Chinese text with the production segmenter, highlights matches and exports CSV", async () => {
    const result = await waitFor(
      async () => {
        const res = await stack.call<SearchResponse>(`/api/v1/search?q=${encodeURIComponent("工资拖欠")}`, { token: users.analyst.token });
        return res.status === 200 && res.body.total === 2 && res.body;
      },
      { timeoutMs: 90_000, intervalMs: 1_000, what: "two posts searchable by 工资拖欠" },
    );
    expect(result.terms).toContain("工资");
    expect(result.hits.map((h) => h.title).sort()).toEqual(["农民工讨薪求助", "工资拖欠调查"]);
    expect(result.hits.every((h) => h.highlights.text.some((f) => /<em>[^<]*工资[^<]*<\/em>|<em>拖欠<\/em>/.test(f)))).toBe(true);
    const exported = await fetch(`${stack.apiUrl}/api/v1/search/export?q=${encodeURIComponent("工资拖欠")}`, { headers: { authorization: `Bearer ${users.analyst.token}` } });
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(exported.headers.get("content-disposition")).toMatch(/^attachment;/);
    const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await exported.arrayBuffer());
    expect(csv.startsWith("\uFEFF发布时间,来源,标题,链接,摘要,关键词,文档编号\r\n")).toBe(true);
    const rows = csv.trim().split("\r\n");
    expect(rows).toHaveLength(3);
    expect(csv).toContain("农民工讨薪求助");
    expect(csv).not.toContain("<em>");
    expect((await fetch(`${stack.apiUrl}/api/v1/search/export?q=x`, { headers: { authorization: `Bearer ${users.hrssHead.token}` } })).status).toBe(403);
    const none = await stack.call<SearchResponse>(`/api/v1/search?q=${encodeURIComponent("地震")}`, { token: users.duty.token });
    expect(none.body.total).toBe(0);
    const missingQuery = await stack.call("/api/v1/search", { token: users.duty.token });
    expect(missingQuery.status).toBe(400);
    expect(missingQuery.body.error).toBe("invalid_input");
  });

  it("returns trends per hour with volume and top dimensions", async () => {
    const res = await stack.call<TrendsResponse>("/api/v1/trends?hours=6&dimensions=sources,keywords", { token: users.analyst.token });
    expect(res.status).toBe(200);
    expect(res.body.interval).toBe("hour");
    expect(res.body.total).toBe(3);
    expect(res.body.volume.reduce((s, n) => s + n, 0)).toBe(3);
    expect(res.body.buckets.length).toBe(res.body.volume.length);
    expect(Object.keys(res.body.series).sort()).toEqual(["keywords", "sources"]);
    expect(res.body.series.sources?.reduce((s, x) => s + x.total, 0)).toBe(3);
    const filtered = await stack.call<TrendsResponse>(`/api/v1/trends?hours=6&q=${encodeURIComponent("工资拖欠")}`, { token: users.analyst.token });
    expect(filtered.body.total).toBe(2);
    expect((await stack.call("/api/v1/trends?dimensions=weather", { token: users.analyst.token })).status).toBe(400);
  });
});

describe("OpenAPI", () => {
  it("serves a valid OpenAPI 3.1 document describing every endpoint and the bearer scheme", async () => {
    const res = await stack.call<Record<string, unknown> & { paths: Record<string, Record<string, { security?: unknown[] }>> }>("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    const paths = Object.keys(res.body.paths).sort();
    expect(paths).toEqual(
      [
        "/api/v1/accountability",
        "/api/v1/admin/config/{kind}",
        "/api/v1/admin/rule-proposals",
        "/api/v1/admin/rule-proposals/{id}",
        "/api/v1/admin/sources",
        "/api/v1/admin/sources/test",
        "/api/v1/admin/sources/{id}/state",
        "/api/v1/admin/watch-rules",
        "/api/v1/admin/watch-rules/{id}",
        "/api/v1/alerts",
        "/api/v1/alerts/{id}",
        "/api/v1/alerts/{id}/deliveries",
        "/api/v1/alerts/{id}/transitions",
        "/api/v1/audit",
        "/api/v1/brief",
        "/api/v1/brief/pdf",
        "/api/v1/departments",
        "/api/v1/documents",
        "/api/v1/documents/{id}",
        "/api/v1/evidence/{id}/original",
        "/api/v1/health",
        "/api/v1/incidents",
        "/api/v1/incidents/{id}",
        "/api/v1/incidents/{id}/evidence",
        "/api/v1/incidents/{id}/evidence.zip",
        "/api/v1/me",
        "/api/v1/search",
        "/api/v1/search/export",
        "/api/v1/security/audit",
        "/api/v1/security/audit/verify",
        "/api/v1/session",
        "/api/v1/sources",
        "/api/v1/trends",
        "/api/v1/duty",
        "/api/v1/inbox",
        "/api/v1/live",
        "/api/v1/policy-documents",
        "/api/v1/saved-searches",
        "/api/v1/saved-searches/{id}",
        "/api/v1/saved-searches/{id}/rule-proposal",
        "/api/v1/trends/export",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/users/{id}/password",
      ].sort(),
    );
    expect(res.body.paths["/api/v1/health"]?.get?.security).toEqual([]);
    expect(JSON.stringify(res.body)).toContain('"bearerAuth"');
  });
});

describe("pipeline health", () => {
  it("lists every running stage with its consumer lag and group churn, and a stage stuck on the same offsets as degraded", async () => {
    type Group = { joins: number; rebalances: number; abandoned: number; recent: boolean; lastRebalanceAt?: string; lastAbandonedAt?: string };
    type Health = { status: string; stages: { service: string; lag: number | null; replicas: number; silent: boolean; group: Group; stuck?: { partition: number; firstOffset: string; attempts: number; error: string; forMs: number } }[] };
    // the enrich, indexer and alerter this suite runs report themselves every few seconds
    const live = await waitFor(
      async () => {
        const res = await stack.call<Health>("/api/v1/health");
        const names = (res.body.stages ?? []).map((s) => s.service);
        return ["enrich", "indexer", "alerter"].every((n) => names.includes(n)) && res.body;
      },
      { timeoutMs: 60_000, what: "enrich, indexer and alerter in the health report" },
    );
    expect(live.status).toBe("ok");
    for (const stage of live.stages) {
      expect(stage).toMatchObject({ silent: false, replicas: 1 });
      expect(stage.lag).toEqual(expect.any(Number));
      expect(stage).not.toHaveProperty("stuck");
      // each replica reports its own group joins (at least the one at start) and abandoned batches
      expect(stage.group.joins).toBeGreaterThanOrEqual(1);
      expect(stage.group.abandoned).toEqual(expect.any(Number));
    }
    const enrichBefore = live.stages.find((s) => s.service === "enrich")!.group;

    // a second enrich replica that has retried the same offsets for five minutes (what its reporter stores)
    const since = new Date(Date.now() - 300_000).toISOString();
    await stack.es.index({
      index: stageHealthIndex(stack.indexPrefix),
      id: "enrich-stuck-replica",
      refresh: true,
      document: {
        service: "enrich", instance: "stuck-replica", topic: "raw", groupId: "g", reportedAt: new Date().toISOString(), lag: 20_000, committed: 500,
        joins: 4, lastJoinAt: new Date(Date.now() - 60_000).toISOString(), abandoned: 3, lastAbandonedAt: new Date(Date.now() - 61_000).toISOString(),
        stuck: { since, partition: 1, firstOffset: "500", lastOffset: "1499", records: 1000, attempts: 57, error: "could not produce 1000 message(s): message too large" },
      },
    });
    const degraded = await stack.call<Health>("/api/v1/health");
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe("degraded");
    const enrich = degraded.body.stages.find((s) => s.service === "enrich");
    expect(enrich).toMatchObject({ replicas: 2, stuck: { partition: 1, firstOffset: "500", attempts: 57, error: "could not produce 1000 message(s): message too large" } });
    expect(enrich!.stuck!.forMs).toBeGreaterThanOrEqual(300_000);
    // the second replica's three rebalances and three abandoned batches, a minute ago: news on the strip
    expect(enrich!.group).toMatchObject({ rebalances: enrichBefore.rebalances + 3, abandoned: enrichBefore.abandoned + 3, recent: true });
    await stack.es.delete({ index: stageHealthIndex(stack.indexPrefix), id: "enrich-stuck-replica", refresh: true });

    // an indexer replica whose watchdog found it wedged with records waiting (reported just before it restarts itself)
    await stack.es.index({
      index: stageHealthIndex(stack.indexPrefix),
      id: "indexer-stalled-replica",
      refresh: true,
      document: {
        service: "indexer", instance: "stalled-replica", topic: "enriched", groupId: "g", reportedAt: new Date().toISOString(), lag: 12, committed: 0,
        stalled: { since: new Date(Date.now() - 150_000).toISOString(), partitions: [0, 2], lag: 12 },
      },
    });
    const stalled = await stack.call<{ status: string; stages: { service: string; stalled?: { partitions: number[]; lag: number; forMs: number } }[] }>("/api/v1/health");
    expect(stalled.body.status).toBe("degraded");
    const indexer = stalled.body.stages.find((s) => s.service === "indexer");
    expect(indexer?.stalled).toMatchObject({ partitions: [0, 2], lag: 12 });
    expect(indexer!.stalled!.forMs).toBeGreaterThanOrEqual(150_000);
    await stack.es.delete({ index: stageHealthIndex(stack.indexPrefix), id: "indexer-stalled-replica", refresh: true });
  });
});
