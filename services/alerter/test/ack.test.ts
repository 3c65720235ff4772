import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCommand, openAlert, type AlertCommand } from "@liaowang/alerting";
import { AuditLog, authIndices } from "@liaowang/auth";
import { createEsClient, type Client } from "@liaowang/es";
import { createLogger } from "@liaowang/logger";
import { signAckToken, type NotifyConfig } from "@liaowang/notify";
import { alertIndices, type Alert } from "@liaowang/schemas";
import { isolatedEnv } from "@liaowang/testing";
import { sampleIncident, testConfig } from "../../../packages/alerting/src/testing/fixtures.js";
import { handleAck, redactAckPath } from "../src/ack.js";
import { ackLink, buildOutgoing, type NotificationContext } from "../src/notifications.js";
import { AlertStore } from "../src/store/alerts.js";

// Acknowledge links on the real Elasticsearch store: only the responsible department's links act, only in the
// raising they were sent for, only by POST from the page, once, and never after they expire.

const SECRET = "ack-test-secret-0123456789abcdefghijkl";
const config = testConfig();
const H = 3_600_000;
let now = new Date();
const logLines: string[] = [];
const log = createLogger({
  service: "ack-test",
  level: "debug",
  destination: new Writable({
    write(chunk: Buffer, _e, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
});

let es: Client;
let store: AlertStore;
let audit: AuditLog;
let server: Server;
let base = "";
let indexPrefix = "";

async function transition(id: string, command: AlertCommand): Promise<Alert> {
  const result = await store.update(id, (current) => (current ? applyCommand(current, command, config, now).alert : undefined));
  return result.alert as Alert;
}

beforeAll(async () => {
  const isolated = isolatedEnv("ack-links");
  indexPrefix = isolated.indexPrefix;
  es = createEsClient({ node: isolated.env.LIAOWANG_ES_URL as string, indexPrefix });
  store = new AlertStore(es, alertIndices(indexPrefix), log);
  await store.init();
  audit = new AuditLog(es, authIndices(indexPrefix).audit);
  await audit.init();
  server = createServer((req, res) => {
    const token = decodeURIComponent((req.url ?? "").split("/")[2] ?? "");
    handleAck(req, res, token, { alerter: { transition }, store, alerting: config, ackSecrets: [SECRET], log, clock: () => now, securityAudit: audit }).catch((error: unknown) => {
      log.error({ err: error, path: redactAckPath(req.url) }, "request failed");
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await es?.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es?.close();
});

async function openStored(id: string): Promise<Alert> {
  const regions = [{ code: "320500", name: "苏州市", province: "江苏省", level: "city" as const }];
  const { alert } = openAlert(sampleIncident({ id, regions, onsetAt: new Date(now.getTime() - H).toISOString() }), config, now);
  await store.update(alert.id, () => alert);
  return alert;
}

const ctx: NotificationContext = {
  alerting: config,
  notify: {
    timeoutMs: 3_000,
    targets: Object.fromEntries(
      ["office-wecom", "emergency-wecom", "kunshan-dingtalk", "edu-webhook", "propaganda-wecom", "cac-dingtalk", "police-webhook", "telecom-email"].map((t) => [t, { channel: "webhook", url: `https://hooks.example/${t}`, secret: "webhook-secret-0123456789" }]),
    ),
    smtp: { host: "127.0.0.1", port: 25, secure: false, requireTLS: false, from: "a@b.example" },
    sms: { url: "https://sms.example/send", token: "sms-token-0123456789" },
  } as unknown as NotifyConfig,
  publicUrl: "",
  ackSecret: SECRET,
};

const linkFor = (alert: Alert, personId: string, at = now.getTime()) => `${base}${ackLink({ ...ctx, publicUrl: "" }, alert, personId, at)}`;
const stateOf = async (id: string) => (await store.get(id))?.value.state;

describe("acknowledge links", () => {
  it("are given to the responsible department only: co-notified 宣传/网信/公安/通信管理 get none", async () => {
    const alert = await openStored("inc-ack-scope");
    const item = { key: `${alert.id}:g0:new`, kind: "new" as const, recipients: [{ department: "responsible" as const, audience: "group" as const }, { department: "responsible" as const, audience: "duty" as const }, { department: "co" as const, audience: "group" as const }, { department: "parent" as const, audience: "head" as const }] };
    const out = buildOutgoing(alert, item as never, ctx, now.getTime());
    const withLink = out.filter((o) => o.notification.ackUrl !== undefined).map((o) => o.target.targetId).sort();
    const without = out.filter((o) => o.notification.ackUrl === undefined).map((o) => o.target.targetId).sort();
    expect(alert.department).toBe("emergency");
    expect(withLink).toEqual(["emergency-wecom", "person:p-em-duty:email"]);
    expect(without).toEqual(["cac-dingtalk", "person:p-office-head:sms", "police-webhook", "propaganda-wecom", "telecom-email"]);
    // A link somehow signed for a co-notified group still acknowledges nothing.
    const co = await fetch(linkFor(alert, "dept:propaganda"), { method: "POST" });
    expect(co.status).toBe(403);
    expect(await co.text()).toContain("无权确认");
    expect(await stateOf(alert.id)).toBe("new");
  });

  it("shows what will happen on GET and acknowledges only on POST, once", async () => {
    const alert = await openStored("inc-ack-post");
    const link = linkFor(alert, "p-em-duty");
    for (const ua of ["Mozilla/5.0 (iPhone) wxwork/4.1.0 MicroMessenger/7.0.1", "Slackbot-LinkExpanding 1.0"]) {
      const shown = await fetch(link, { headers: { "user-agent": ua } });
      expect(shown.status).toBe(200);
      const html = await shown.text();
      expect(html).toContain('<form method="post">');
      expect(html).toContain("应急值班室（市应急管理局）");
      expect(html).toContain("打开本页面不会改变任何状态");
    }
    expect(await stateOf(alert.id)).toBe("new");

    const done = await fetch(link, { method: "POST" });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("已记录确认");
    const acked = (await store.get(alert.id))?.value;
    expect(acked).toMatchObject({ state: "acknowledged", acknowledgedBy: "link:p-em-duty" });
    expect(acked?.pendingEvents.at(-1)?.note).toMatch(/^通过确认链接确认（来源 .+）$/);

    const again = await fetch(link, { method: "POST" });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("此确认链接已使用过");
  });

  it("cannot acknowledge a re-raised alert with a link from an earlier raising", async () => {
    const alert = await openStored("inc-ack-reraise");
    const oldLink = linkFor(alert, "dept:emergency");
    await transition(alert.id, { type: "dismiss", actor: "p-em-duty", reason: "误报" });
    now = new Date(now.getTime() + 60_000);
    const reraised = await transition(alert.id, { type: "reraise", actor: "p-em-duty" });
    expect(reraised.state).toBe("new");
    for (const method of ["GET", "POST"]) {
      const res = await fetch(oldLink, { method });
      expect(res.status).toBe(410);
      expect(await res.text()).toContain("该预警已重新发出");
    }
    expect(await stateOf(alert.id)).toBe("new");
    const fresh = await fetch(linkFor(reraised, "dept:emergency"), { method: "POST" });
    expect(fresh.status).toBe(200);
    expect(await stateOf(alert.id)).toBe("acknowledged");
  });

  it("records the attempt before acting and refuses (503, nothing changed) when the audit cannot be written", async () => {
    const alert = await openStored("inc-ack-audit");
    const link = linkFor(alert, "p-em-duty");
    const auditIndex = authIndices(indexPrefix).audit;
    await es.indices.putSettings({ index: auditIndex, settings: { "index.blocks.write": true } });
    try {
      const refused = await fetch(link, { method: "POST" });
      expect(refused.status).toBe(503);
      expect(await refused.text()).toContain("审计记录暂时无法写入");
    } finally {
      await es.indices.putSettings({ index: auditIndex, settings: { "index.blocks.write": false } });
    }
    // Nothing changed: the alert is still new and the link was not spent.
    expect(await stateOf(alert.id)).toBe("new");
    const done = await fetch(link, { method: "POST" });
    expect(done.status).toBe(200);
    expect(await stateOf(alert.id)).toBe("acknowledged");
    // Both records are stored by the time the answer arrived: the attempt first, then the outcome naming it.
    const records = (await audit.list({ actor: "link:p-em-duty" })).filter((r) => r.target === alert.id).reverse();
    expect(records.map((r) => r.outcome)).toEqual(["attempted", "ok"]);
    expect(records[1]?.details).toMatchObject({ status: 200, attempt: records[0]?.seq });
    expect((await audit.verify()).ok).toBe(true);
  });

  it("expires after the configured lifetime (12 h by default, not days)", async () => {
    expect(config.escalation.ackLinkTtl).toBe(12 * H);
    const alert = await openStored("inc-ack-expiry");
    const link = linkFor(alert, "p-em-head", now.getTime() - 12 * H - 1_000);
    const res = await fetch(link, { method: "POST" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("链接无效或已过期");
    const forged = signAckToken({ alertId: alert.id, personId: "p-em-head", raisedAt: alert.raisedAt, expiresAt: now.getTime() + H }, "another-secret-0123456789abcdefghij");
    expect((await fetch(`${base}/ack/${forged}`, { method: "POST" })).status).toBe(403);
    expect(await stateOf(alert.id)).toBe("new");
  });

  it("never writes a token to the log", () => {
    expect(redactAckPath("/ack/eyJhbGciOi.abc?x=1")).toBe("/ack/[redacted]");
    expect(redactAckPath("/alerts/a1/transition")).toBe("/alerts/a1/transition");
    expect(logLines.join("")).not.toMatch(/\/ack\/[A-Za-z0-9_-]{10,}/);
  });
});
