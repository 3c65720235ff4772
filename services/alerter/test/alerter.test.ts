import { createHmac } from "node:crypto";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEsClient } from "@liaowang/es";
import type { Kafka } from "kafkajs";
import { createKafka, createProducer, ensureTopics, type TypedProducer } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { closedPort, startReceiver, type ReceivedRequest, type Receiver } from "@liaowang/notify/testing";
import type { Notification, WebhookPayload } from "@liaowang/notify";
import { AlertEventMessage, topicName, type Alert, type AuditEvent } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";
import { alertsCommand, type ListedAlert } from "../../../packages/cli/src/alerts.js";
import { incident, startSmtpPeer, writeConfigDir, type SmtpPeer } from "./peers.js";

// The alerter as a real process on the real stack, with real local peers for every channel: an incident is
// routed and notified, escalates while unacknowledged, is acknowledged through its signed link, and a
// SIGKILL mid-countdown neither loses nor repeats a reminder.

const H = 3_600_000;
const WEBHOOK_SECRET = "alerter-test-webhook-secret-01";
const DING_SECRET = "SECalerter-test-dingtalk-secret";
const API_TOKEN = "alerter-test-api-token-0123456789";
const log = createLogger({ service: "alerter-test", level: "warn" });

let peer: Receiver;
let smtp: SmtpPeer;
const services: SpawnedService[] = [];

beforeAll(async () => {
  peer = await startReceiver();
  smtp = await startSmtpPeer();
});

afterEach((context) => {
  if (context.task.result?.state === "fail") for (const s of services) process.stderr.write(s.output().slice(-6000));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await peer?.close();
  await smtp?.close();
});

function notifyConfig(base: string) {
  return {
    timeoutMs: 3_000,
    smtp: { host: "127.0.0.1", port: smtp.port, secure: false, requireTLS: false, from: "瞭望预警 <liaowang@alerts.test>" },
    sms: { url: `${base}/sms/send`, token: "sms-gateway-token-1" },
    targets: {
      "em-wecom": { channel: "wecom" as const, url: `${base}/cgi-bin/webhook/send?key=emergency` },
      "em-ding": { channel: "dingtalk" as const, url: `${base}/robot/send?access_token=emergency`, secret: DING_SECRET },
      "em-hook": { channel: "webhook" as const, url: `${base}/hooks/emergency`, secret: WEBHOOK_SECRET },
      "office-hook": { channel: "webhook" as const, url: `${base}/hooks/office`, secret: WEBHOOK_SECRET },
      "prop-hook": { channel: "webhook" as const, url: `${base}/hooks/propaganda`, secret: WEBHOOK_SECRET },
      "cac-wecom": { channel: "wecom" as const, url: `${base}/cgi-bin/webhook/send?key=cac` },
      "police-hook": { channel: "webhook" as const, url: `${base}/hooks/police`, secret: WEBHOOK_SECRET },
      "telecom-mail": { channel: "email" as const, to: ["yuqing@telecom.test"] },
    },
  };
}

const departments = {
  departments: [
    { id: "gov-office", name: "市政府办公室", targets: ["office-hook"] },
    {
      id: "emergency",
      name: "市应急管理局",
      parent: "gov-office",
      topics: ["安全生产"],
      keywords: ["爆炸"],
      targets: ["em-wecom", "em-ding", "em-hook"],
      people: [
        { id: "em-duty", name: "应急值班员", role: "duty" as const, mobile: "13800000001" },
        { id: "em-head", name: "应急局局长", role: "head" as const, email: "head@emergency.test" },
      ],
    },
    { id: "education", name: "市教育局", topics: ["教育"], targets: ["office-hook"] },
    { id: "propaganda", name: "市委宣传部", targets: ["prop-hook"] },
    { id: "cyberspace", name: "市委网信办", targets: ["cac-wecom"] },
    { id: "police", name: "市公安局", targets: ["police-hook"] },
    { id: "telecom", name: "市通信管理办公室", targets: ["telecom-mail"] },
  ],
  routing: { default: "gov-office", coNotifyMajor: ["propaganda", "cyberspace", "police", "telecom"] },
};

interface Harness {
  env: Record<string, string>;
  kafka: Kafka;
  topicPrefix: string;
  producer: TypedProducer;
  publicUrl: string;
  close(): Promise<void>;
}

async function harness(label: string, escalation: object, extraEnv: Record<string, string> = {}): Promise<Harness> {
  const { env, topicPrefix, indexPrefix } = isolatedEnv(label);
  const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS as string], clientId: label, topicPrefix }, log);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [topicName(topicPrefix, "incidents"), topicName(topicPrefix, "alertEvents"), topicName(topicPrefix, "deadLetter")]);
  await admin.disconnect();
  const producer = await createProducer(kafka, topicPrefix);
  const port = await closedPort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const configDir = writeConfigDir({ departments, escalation, notify: notifyConfig(peer.baseUrl) });
  const full = {
    ...env,
    LIAOWANG_CONFIG_DIR: configDir,
    ALERTER_HTTP_PORT: String(port),
    ALERTER_ACK_SECRET: "alerter-test-ack-secret-0123456789abcdef",
    ALERTER_API_TOKEN: API_TOKEN,
    ALERTER_SCAN_SCHEDULE: "* * * * * *",
    ALERTER_OUTBOX_LEASE_MS: "5000",
    ALERTER_GROUP_ID: `alerter-${topicPrefix}`,
    ...extraEnv,
  };
  const es = createEsClient({ node: env.LIAOWANG_ES_URL as string, indexPrefix });
  return {
    env: full,
    kafka,
    topicPrefix,
    producer,
    publicUrl,
    async close() {
      await producer.disconnect();
      await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
      await es.close();
    },
  };
}

function start(h: Harness): SpawnedService {
  const s = spawnService("services/alerter/src/main.ts", h.env);
  services.push(s);
  return s;
}

async function listAlerts(env: Record<string, string>): Promise<ListedAlert[]> {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  const code = await alertsCommand(["--json"], { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env });
  expect(code).toBe(0);
  return (JSON.parse(out) as { alerts: ListedAlert[] }).alerts;
}

const webhookOf = (r: ReceivedRequest): Notification => (JSON.parse(r.body) as WebhookPayload).notification;
const key = (r: ReceivedRequest): string => String(r.headers["idempotency-key"] ?? "");
// Robots get no idempotency header: recognise the opening notice by its heading.
const isOpening = (r: ReceivedRequest): boolean => key(r).endsWith(":g0:new") || (key(r) === "" && r.body.includes("【瞭望·新预警】"));
const robotId = (r: ReceivedRequest): string => r.query.get("key") ?? r.query.get("access_token") ?? "";
const robotText = (r: ReceivedRequest): string => (JSON.parse(r.body) as { markdown: { content?: string; text?: string } }).markdown.content ?? (JSON.parse(r.body) as { markdown: { text: string } }).markdown.text;

describe("alerter on the real stack", () => {
  it("routes and notifies an incident on every channel, escalates while unacknowledged, and stops once acknowledged by link", async () => {
    peer.reset();
    smtp.mails.length = 0;
    const h = await harness("alerter-route", {
      policies: [
        {
          id: "major",
          levels: ["I", "II"],
          steps: [
            { id: "duty", after: "4s", notify: [{ department: "responsible", audience: "duty" }] },
            { id: "head", after: "7s", notify: [{ department: "responsible", audience: "head" }] },
          ],
          repeat: { times: 1, every: "20s" },
        },
      ],
    });
    try {
      start(h);
      const inc = incident({ id: "inc-00000000000000a1", onsetAt: new Date(Date.now() - 60_000).toISOString() });
      await h.producer.send("incidents", [inc]);

      // Opening notice: the responsible department's robots and webhook, its duty officer by SMS, and the
      // four co-notified departments of a II incident (webhook, WeCom, email).
      await waitFor(async () => peer.requests.filter(isOpening).length >= 7 && smtp.mails.some((m) => m.subject?.includes("新预警")), { timeoutMs: 60_000, what: "opening notifications" });
      const opening = peer.requests.filter(isOpening);
      expect(opening.map((r) => r.path).sort()).toEqual(["/cgi-bin/webhook/send", "/cgi-bin/webhook/send", "/hooks/emergency", "/hooks/police", "/hooks/propaganda", "/robot/send", "/sms/send"]);

      const hook = opening.find((r) => r.path === "/hooks/emergency") as ReceivedRequest;
      const ts = String(hook.headers["x-liaowang-timestamp"]);
      expect(hook.headers["x-liaowang-signature"]).toBe(`sha256=${createHmac("sha256", WEBHOOK_SECRET).update(`${ts}.${hook.body}`).digest("hex")}`);
      const notice = webhookOf(hook);
      expect(notice).toMatchObject({ kind: "new", level: "II", department: "市应急管理局", alertId: `alert-${inc.id}` });
      expect(notice.deadlines.map((d) => d.label)).toEqual(["权威信息发布", "新闻发布会"]);
      expect(notice.deadlines[0]?.dueAt).toBe(new Date(Date.parse(inc.onsetAt) + 5 * H).toISOString());
      expect(notice.body).toContain("**协同单位**：市委宣传部、市委网信办、市公安局、市通信管理办公室");
      const ackUrl = notice.ackUrl ?? "";
      expect(ackUrl.startsWith(`${h.publicUrl}/ack/`)).toBe(true);
      // Co-notified departments watch: their messages carry no acknowledge link.
      const police = webhookOf(opening.find((r) => r.path === "/hooks/police") as ReceivedRequest);
      expect(police.ackUrl).toBeUndefined();

      const ding = opening.find((r) => r.path === "/robot/send") as ReceivedRequest;
      const dingTs = ding.query.get("timestamp") ?? "";
      expect(ding.query.get("sign")).toBe(createHmac("sha256", DING_SECRET).update(`${dingTs}\n${DING_SECRET}`).digest("base64"));
      expect(robotText(ding)).toContain("昆山某化工厂发生爆炸");
      const sms = opening.find((r) => r.path === "/sms/send") as ReceivedRequest;
      expect(JSON.parse(sms.body)).toMatchObject({ to: ["13800000001"] });
      expect(sms.headers.authorization).toBe("Bearer sms-gateway-token-1");
      expect(smtp.mails.find((m) => m.subject?.includes("新预警"))?.to).toMatchObject({ text: "yuqing@telecom.test" });

      // Unacknowledged: after 4 s the duty officer is escalated to by SMS, after 7 s the head by email.
      await waitFor(async () => peer.requests.some((r) => r.path === "/sms/send" && key(r).includes(":esc:major:duty:c0:")), { timeoutMs: 30_000, what: "duty escalation by SMS" });
      await waitFor(async () => smtp.mails.find((m) => m.subject?.includes("升级通知") && JSON.stringify(m.to).includes("head@emergency.test")), { timeoutMs: 30_000, what: "head escalation by email" });
      const escalationSms = peer.requests.find((r) => key(r).includes(":esc:major:duty:c0:")) as ReceivedRequest;
      expect((JSON.parse(escalationSms.body) as { text: string }).text).toContain("升级");

      // Opening the link (a person or a chat link preview) shows a button and acknowledges nothing; the button's POST does.
      const preview = await fetch(ackUrl, { headers: { "user-agent": "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 wxwork/4.1.0 MicroMessenger/7.0.1" } });
      expect(preview.status).toBe(200);
      expect(await preview.text()).toContain("<form method=\"post\">");
      const forged = await fetch(`${ackUrl.slice(0, -3)}AAA`, { method: "POST" });
      expect(forged.status).toBe(403);
      expect((await listAlerts(h.env))[0]?.state).toBe("new");
      const acked = await fetch(ackUrl, { method: "POST" });
      expect(acked.status).toBe(200);
      expect(await acked.text()).toContain("已记录确认");

      // The delivery counts on the alert follow the sends (recorded after each receiver answered): wait for them too.
      const listed = await waitFor(async () => (await listAlerts(h.env)).find((a) => a.state === "acknowledged" && a.delivery.sent >= 10), {
        what: "acknowledged alert listed with its 10 deliveries counted",
      });
      expect(listed).toMatchObject({ id: `alert-${inc.id}`, level: "II", department: "emergency", departmentName: "市应急管理局", coDepartments: ["propaganda", "cyberspace", "police", "telecom"] });
      expect(listed.reason).toContain("死亡12人");
      expect(listed.nextDeadline).toMatchObject({ clock: "authoritative_info", status: "running" });
      expect(listed.deadlines.map((d) => d.clock)).toEqual(["authoritative_info", "press_conference"]);
      expect(listed.delivery.sent).toBeGreaterThanOrEqual(10);

      // The audit trail names who did what; the repeat cycle (c1 at 24 s / 27 s) never fires after the acknowledgement.
      const detail = await fetch(`${h.publicUrl}/alerts/${listed.id}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      const body = (await detail.json()) as { alert: Alert; audit: AuditEvent[]; delivery: { state: string }[] };
      expect(body.audit.map((e) => [e.type, e.actor])).toEqual([
        ["opened", "system:alerter"],
        ["acknowledged", "link:dept:emergency"],
      ]);
      expect(body.delivery.every((d) => d.state === "sent")).toBe(true);
      const transition = await fetch(`${h.publicUrl}/alerts/${listed.id}/transition`, {
        method: "POST",
        headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ action: "close", actor: "em-head" }),
      });
      expect(transition.status).toBe(409);

      // Every audited event is also published on the alert-events topic, keyed by alert.
      const consumer = h.kafka.consumer({ groupId: `${h.topicPrefix}reader` });
      const published: AlertEventMessage[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: topicName(h.topicPrefix, "alertEvents"), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          expect(message.key?.toString()).toBe(listed.id);
          published.push(AlertEventMessage.parse(JSON.parse(message.value?.toString() ?? "")));
        },
      });
      try {
        await waitFor(async () => new Set(published.map((m) => m.event.seq)).size >= 2, { timeoutMs: 30_000, what: "alert events on Kafka" });
      } finally {
        await consumer.disconnect();
      }
      // alert-events is at-least-once (a retried batch may publish an event again); `seq` identifies each event
      const bySeq = [...new Map(published.map((m) => [m.event.seq, m] as const)).values()].sort((a, b) => a.event.seq - b.event.seq);
      expect(bySeq.map((m) => [m.event.seq, m.event.type, m.event.actor])).toEqual([
        [1, "opened", "system:alerter"],
        [2, "acknowledged", "link:dept:emergency"],
      ]);
      expect(bySeq[1]?.alert).toMatchObject({ state: "acknowledged", level: "II", department: "emergency" });

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(body.alert.raisedAt) + 29_000 - Date.now())));
      expect(peer.requests.filter((r) => key(r).includes(":c1:"))).toEqual([]);
      const keys = peer.requests.map((r) => `${r.path}?${robotId(r)}|${key(r)}`);
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      await h.close();
    }
  });

  it("sends every reminder exactly once when the alerter is SIGKILLed and restarted mid-countdown", async () => {
    peer.reset();
    // The statutory 5 h clock, with the incident surfacing 4 h 59 min 10 s after onset: reminder points 40, 30 and
    // 5 s before the deadline and at it fall inside the test.
    const h = await harness("alerter-restart", {
      onOpen: [{ department: "responsible", audience: "group" }],
      reminders: { points: [{ at: "-40s", label: "T-40s" }, { at: "-30s", label: "T-30s" }, { at: "-5s", label: "T-5s" }, { at: "0", label: "overdue" }], notify: [{ department: "responsible", audience: "group" }] },
      policies: [],
    }, { LOG_LEVEL: "info" });
    const only = (r: ReceivedRequest) => r.path === "/hooks/emergency";
    try {
      const first = start(h);
      // The countdown starts once the alerter is consuming: a reminder point that falls before the alert is raised
      // is never planned, so a start-up slowed by a loaded machine must not eat into the 50 s.
      await waitFor(async () => /"msg":"started"/.test(first.output()), { timeoutMs: 120_000, intervalMs: 200, what: "the alerter started" });
      const onset = Date.now() - 5 * H + 50_000;
      const inc = incident({ id: "inc-00000000000000b2", onsetAt: new Date(onset).toISOString() });
      await h.producer.send("incidents", [inc]);
      await waitFor(async () => peer.requests.some((r) => only(r) && key(r).includes(":reminder:authoritative_info:T-40s:")), { timeoutMs: 90_000, what: "T-40s reminder" });
      // Let the dispatcher record the delivery, then crash in the middle of the countdown.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await first.kill();
      // Stay down while T-30s falls due: the restarted alerter must catch up on it, once. (It has until T-5s to be
      // consuming again, 24 s, as a restart on a loaded machine can take 15 s: one that finds a later reminder of the
      // clock due too sends only that one.)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, onset + 5 * H - 29_000 - Date.now())));
      expect(peer.requests.filter((r) => only(r) && key(r).includes(":T-30s:"))).toEqual([]);
      expect(Date.now()).toBeLessThan(onset + 5 * H - 20_000);
      start(h);
      await waitFor(async () => peer.requests.some((r) => only(r) && key(r).includes(":reminder:authoritative_info:overdue:")), { timeoutMs: 60_000, what: "overdue reminder after restart" });
      await new Promise((resolve) => setTimeout(resolve, 3_000));

      const keys = peer.requests.filter(only).map(key);
      const due = new Date(onset + 5 * H).toISOString();
      const id = `alert-${inc.id}:g0`;
      expect(keys.sort()).toEqual(
        [`${id}:new`, ...["T-40s", "T-30s", "T-5s", "overdue"].map((label) => `${id}:reminder:authoritative_info:${label}:${due}`)].sort(),
      );
    } finally {
      await h.close();
    }
  });
});
