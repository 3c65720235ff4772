import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { repoRoot } from "@liaowang/config";
import { createEsClient } from "@liaowang/es";
import { startReceiver, type Receiver } from "@liaowang/notify/testing";
import type { WebhookPayload } from "@liaowang/notify";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";
import { runCaptured } from "../packages/cli/src/capture.js";
import type { ListedAlert } from "../packages/cli/src/alerts.js";
import { explosionPosts, incidentStreamNdjson } from "./fixtures/incidents/stream.js";

// The whole chain as real processes on the real stack: `replay` of a realistic stream → enrich → detector →
// alerter → signed webhooks to a local receiver. One graded incident (12 deaths → II) with the statutory clocks
// counted from the 首发, routed to the responsible department and co-notified, each message sent once.

const { env, indexPrefix } = isolatedEnv("incident-flow");
const es = createEsClient({ node: env.LIAOWANG_ES_URL!, indexPrefix });
const services: SpawnedService[] = [];
const dir = mkdtempSync(join(tmpdir(), "liaowang-flow-"));
const onset = new Date(Date.now() - 90 * 60_000);
const WEBHOOK_SECRET = "incident-flow-webhook-secret-0001";
let receiver: Receiver;

const cli = (args: string[]) => runCaptured(args, serviceEnv());

function serviceEnv(): Record<string, string> {
  return {
    ...env,
    ALERTER_ACK_SECRET: "incident-flow-ack-secret-0123456789abcdef",
    ALERTER_API_TOKEN: "incident-flow-api-token-0123456789",
    ALERTER_HTTP_PORT: "0",
    ALERTER_SCAN_SCHEDULE: "*/2 * * * * *",
    ALERTER_DEPARTMENTS_FILE: join(dir, "departments.json"),
    ALERTER_NOTIFY_FILE: join(dir, "notify.json"),
    DETECTOR_TICK_SCHEDULE: "*/5 * * * * *",
  };
}

/** The repo's departments, each given a signed webhook to the local receiver at /hooks/<department id>. */
function writeAlerterConfig(base: string): void {
  const departments = parseYaml(readFileSync(join(repoRoot, "config", "departments.yaml"), "utf8")) as {
    departments: { id: string; targets?: string[] }[];
  };
  const targets: Record<string, { channel: "webhook"; url: string; secret: string }> = {};
  for (const department of departments.departments) {
    targets[`hook-${department.id}`] = { channel: "webhook", url: `${base}/hooks/${department.id}`, secret: WEBHOOK_SECRET };
    department.targets = [`hook-${department.id}`];
  }
  writeFileSync(join(dir, "departments.json"), JSON.stringify(departments));
  writeFileSync(join(dir, "notify.json"), JSON.stringify({ timeoutMs: 3_000, targets }));
}

function webhooks(): { path: string; payload: WebhookPayload }[] {
  return receiver.requests
    .filter((r) => r.path.startsWith("/hooks/"))
    .map((r) => ({ path: r.path, payload: JSON.parse(r.body) as WebhookPayload }));
}

async function listAlerts(): Promise<ListedAlert[]> {
  const result = await cli(["alerts", "--json"]);
  if (result.code !== 0) throw new Error(result.stderr);
  return (JSON.parse(result.stdout) as { alerts: ListedAlert[] }).alerts;
}

beforeAll(async () => {
  receiver = await startReceiver();
  writeAlerterConfig(receiver.baseUrl);
  const e = serviceEnv();
  services.push(
    spawnService("services/enrich/src/main.ts", e),
    spawnService("services/indexer/src/main.ts", e),
    spawnService("services/detector/src/main.ts", e),
    spawnService("services/alerter/src/main.ts", e),
  );
});

afterEach(async (context) => {
  if (context.task.result?.state !== "fail") return;
  for (const s of services) process.stderr.write(s.output().slice(-5000));
  const alerts = await listAlerts().catch(() => []);
  process.stderr.write(`alerts: ${JSON.stringify(alerts.map((a) => [a.level, a.title, a.reason]), null, 1)}\n`);
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await receiver?.close();
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("incident stream → graded alert → notifications", () => {
  it("opens one II incident from six sources, runs its 5 h / 24 h clocks from the 首发, and notifies once", async () => {
    const file = join(dir, "stream.ndjson");
    writeFileSync(file, incidentStreamNdjson(onset));
    const replay = await cli(["replay", file, "--json"]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ accepted: 9, rejected: [] });

    // Posts arrive in any order across partitions, so the story may briefly be two incidents until a post links
    // them; what the duty officer must end up with is one II alert whose clocks count from the 首发.
    const firstPost = explosionPosts(onset)[0]!;
    const blast = await waitFor(
      async () => {
        const alerts = await listAlerts();
        const found = alerts.find((a) => a.level === "II" && a.reason.includes("12") && Date.parse(a.onsetAt) === Date.parse(firstPost.publishedAt));
        const explosionAlerts = alerts.filter((a) => a.title.includes("化工"));
        return found && explosionAlerts.length === 1 ? found : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000, what: "one alert graded II for the explosion, counted from the 首发" },
    );

    expect(blast.reason).toMatch(/12/);
    expect(blast.reason).toMatch(/II/);
    expect(blast.departmentName).toBe("市应急管理局");
    expect([...blast.coDepartments].sort()).toEqual(["cyberspace", "police", "propaganda", "telecom"]);
    expect(blast.state).toBe("new");
    const due = Object.fromEntries(blast.deadlines.map((d) => [d.clock, Date.parse(d.dueAt) - Date.parse(firstPost.publishedAt)]));
    expect(due).toMatchObject({ authoritative_info: 5 * 3_600_000, press_conference: 24 * 3_600_000 });

    // one incident for the six explosion posts; the unrelated posts did not join it
    const incident = await es.get<{ volume: number; sources: string[]; firstSource?: string }>({ index: `${indexPrefix}incidents`, id: blast.incidentId });
    const body = incident._source as unknown as Record<string, unknown>;
    expect(JSON.stringify(body)).toContain("微博网友@星沙小陈");
    expect(JSON.stringify(body)).not.toContain("农民工");
    const blastAlerts = (await listAlerts()).filter((a) => a.incidentId === blast.incidentId);
    expect(blastAlerts).toHaveLength(1);

    // the responsible department and the four co-notified departments each hear of it
    const expected = ["/hooks/emergency", "/hooks/propaganda", "/hooks/cyberspace", "/hooks/police", "/hooks/telecom"];
    await waitFor(
      async () => {
        const paths = new Set(webhooks().filter((w) => w.payload.notification.alertId === blast.id).map((w) => w.path));
        return expected.every((p) => paths.has(p));
      },
      { timeoutMs: 60_000, what: "webhooks to the responsible and co-notified departments" },
    );
    const mine = webhooks().filter((w) => w.payload.notification.alertId === blast.id);
    // only the responsible department may acknowledge: co-notified departments get no link
    expect(mine.find((w) => w.path === "/hooks/emergency")!.payload.notification.ackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ack\//);
    expect(mine.filter((w) => w.path !== "/hooks/emergency").every((w) => w.payload.notification.ackUrl === undefined)).toBe(true);
    // The first post (a blast heard, no figures yet) may already raise an ungraded early warning, so the department
    // can hear of it before the grade; once the 12 deaths are reported it is told of the II grade.
    const responsible = mine.filter((w) => w.path === "/hooks/emergency").map((w) => w.payload.notification.level ?? null);
    expect(responsible).toContain("II");
    expect(mine.filter((w) => w.path !== "/hooks/emergency").every((w) => w.payload.notification.level === "II")).toBe(true);

    // nothing is sent twice: every idempotency key arrives once, also after a few more scan rounds
    await new Promise((r) => setTimeout(r, 6_000));
    const keys = webhooks()
      .filter((w) => w.payload.notification.alertId === blast.id)
      .map((w) => `${w.path} ${w.payload.notification.idempotencyKey}`);
    expect(keys.length).toBeGreaterThanOrEqual(expected.length);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
