import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { zonedDate } from "@liaowang/alerting";
import { createEsClient } from "@liaowang/es";
import { createKafka, createProducer, ensureTopics } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import type { Notification, WebhookPayload } from "@liaowang/notify";
import { closedPort, startReceiver, type ReceivedRequest, type Receiver } from "@liaowang/notify/testing";
import { topicName } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";
import { incident, writeConfigDir } from "./peers.js";

// The daily digest on the real stack: with the schedule every 3 s, each department with something live gets
// exactly one digest for the day, however many runs, restarts or replicas follow; the others get none.

const SECRET = "alerter-digest-webhook-secret-01";
const log = createLogger({ service: "alerter-digest-test", level: "warn" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let peer: Receiver;
const services: SpawnedService[] = [];

beforeAll(async () => {
  peer = await startReceiver();
});

afterEach((context) => {
  if (context.task.result?.state === "fail") for (const s of services) process.stderr.write(s.output().slice(-6000));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await peer?.close();
});

const key = (r: ReceivedRequest): string => String(r.headers["idempotency-key"] ?? "");
const digestsTo = (path: string) => peer.requests.filter((r) => r.path === path && key(r).startsWith("digest:"));

describe("daily digest", () => {
  it("sends each department with live alerts one digest per day, once across runs, a restart and two replicas", async () => {
    peer.reset();
    const { env, topicPrefix, indexPrefix } = isolatedEnv("alerter-digest");
    const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS as string], clientId: "alerter-digest", topicPrefix }, log);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topicName(topicPrefix, "incidents"), topicName(topicPrefix, "alertEvents"), topicName(topicPrefix, "deadLetter")]);
    await admin.disconnect();
    const producer = await createProducer(kafka, topicPrefix);
    const es = createEsClient({ node: env.LIAOWANG_ES_URL as string, indexPrefix });
    const hook = (name: string) => ({ channel: "webhook" as const, url: `${peer.baseUrl}/hooks/${name}`, secret: SECRET });
    const configDir = writeConfigDir({
      departments: {
        departments: [
          { id: "gov-office", name: "市政府办公室", targets: ["office-hook"] },
          { id: "emergency", name: "市应急管理局", topics: ["安全生产"], keywords: ["爆炸"], targets: ["em-hook"] },
          { id: "education", name: "市教育局", topics: ["教育"], targets: ["edu-hook"] },
        ],
        routing: { default: "gov-office" },
      },
      // The configured daily schedule; the environment runs it every 3 s.
      escalation: { digest: { schedule: "0 8 * * *", timezone: "Asia/Shanghai", audience: "group" } },
      notify: { timeoutMs: 3_000, targets: { "office-hook": hook("office"), "em-hook": hook("emergency"), "edu-hook": hook("education") } },
    });
    const replica = async (name: string) => {
      const port = await closedPort();
      const s = spawnService("services/alerter/src/main.ts", {
        ...env,
        LIAOWANG_CONFIG_DIR: configDir,
        ALERTER_HTTP_PORT: String(port),
        ALERTER_ACK_SECRET: "alerter-test-ack-secret-0123456789abcdef",
        ALERTER_API_TOKEN: "alerter-test-api-token-0123456789",
        ALERTER_SCAN_SCHEDULE: "* * * * * *",
        ALERTER_DIGEST_SCHEDULE: "* * * * * *",
        ALERTER_OUTBOX_LEASE_MS: "5000",
        ALERTER_GROUP_ID: `alerter-${topicPrefix}`,
        ALERTER_REPLICA: name,
      });
      services.push(s);
      return { service: s, healthz: `http://127.0.0.1:${port}/healthz` };
    };
    try {
      const first = await replica("r1");
      const inc = incident({ id: "inc-00000000000000d1", onsetAt: new Date(Date.now() - 60_000).toISOString() });
      await producer.send("incidents", [inc]);
      await waitFor(async () => peer.requests.some((r) => r.path === "/hooks/emergency" && key(r).endsWith(":g0:new")), { timeoutMs: 60_000, what: "opening notice" });

      const date = zonedDate(Date.now(), "Asia/Shanghai");
      const expectedKey = `digest:emergency:${date}`;
      const [digest] = await waitFor(async () => (digestsTo("/hooks/emergency").length > 0 ? digestsTo("/hooks/emergency") : undefined), { timeoutMs: 30_000, what: "emergency digest" });
      expect(key(digest as ReceivedRequest)).toBe(expectedKey);
      const notification: Notification = (JSON.parse((digest as ReceivedRequest).body) as WebhookPayload).notification;
      expect(notification).toMatchObject({ kind: "digest", idempotencyKey: expectedKey, department: "市应急管理局", title: `市应急管理局每日预警简报（${date}）`, level: "II" });
      expect(notification.body[0]).toBe("**在办预警**：1 起，其中超时 0 起");
      expect(notification.body[1]).toMatch(/^1\. II级　昆山某化工厂发生爆炸，已造成12人遇难｜预警（待确认）｜权威信息发布时限 .+，剩余 4小时5\d分钟$/);
      expect(notification.body.at(-1)).toMatch(/^\*\*昨日（\d{4}-\d\d-\d\d）\*\*：无新增预警$/);
      expect(notification.items?.map((i) => i.alertId)).toEqual([`alert-${inc.id}`]);

      // Several more runs (every second), then a restart and a second replica running the same schedule.
      await sleep(4_000);
      await first.service.stop();
      const restarted = [await replica("r1"), await replica("r2")];
      const up = async (url: string) => (await fetch(url).catch(() => undefined))?.ok === true;
      await waitFor(async () => (await Promise.all(restarted.map((r) => up(r.healthz)))).every(Boolean), { timeoutMs: 60_000, what: "both replicas up" });
      // A department that gains a live alert now gets its digest from the new replicas, proving they run.
      expect(digestsTo("/hooks/education")).toEqual([]);
      const school = incident({
        id: "inc-00000000000000d2",
        onsetAt: new Date(Date.now() - 60_000).toISOString(),
        title: "某中学食堂疑似食物中毒",
        level: "IV",
        topics: [{ id: "教育", score: 0.9 }],
        keywords: [{ word: "食堂", weight: 0.5 }],
        regions: [],
      });
      await producer.send("incidents", [school]);
      await waitFor(async () => digestsTo("/hooks/education").length > 0, { timeoutMs: 60_000, what: "education digest" });
      await sleep(4_000);

      expect(digestsTo("/hooks/emergency").map(key)).toEqual([expectedKey]);
      expect(digestsTo("/hooks/education").map(key)).toEqual([`digest:education:${date}`]);
      // Nothing live and nothing yesterday: no digest.
      expect(digestsTo("/hooks/office")).toEqual([]);
    } finally {
      await Promise.all(services.map((s) => s.stop()));
      services.length = 0;
      await producer.disconnect();
      await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
      await es.close();
    }
  }, 180_000);
});
