import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyCommand, belongsOnBoard, openAlert, type AlertingConfig } from "@liaowang/alerting";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, compileWatchRules, type DocFeatures, type EngineConfig } from "@liaowang/detect";
import { IngestRecord, type Alert, type Incident } from "@liaowang/schemas";
import { Analyzer, createSegmenter } from "@liaowang/nlp";
import { loadJurisdiction } from "@liaowang/nlp/jurisdiction";
import { normaliseRecord } from "../packages/ingest/src/normalise.js";
import { enrichDocument } from "../services/enrich/src/enrich.js";
import { toFeatures } from "../services/detector/src/features.js";
import { toIncidentMessage } from "../services/detector/src/message.js";
import { toIncidentInput } from "../services/alerter/src/incident-input.js";
import { loadConfig } from "../services/alerter/src/config.js";
import { explosionPosts } from "./fixtures/incidents/stream.js";
import { rumourPosts } from "./fixtures/incidents/mixed.js";

// Posts reach the detector in whatever order Kafka's partitions and the enrich batches interleave them. Whatever the
// order, the duty officer's alert must end on the story's true 首发: onset, title and 5 h / 24 h clocks from the first
// post, the refutation as authoritative information published, and one live alert for the story. This follows the
// real enrichment, the detector's domain, the incidents message and the alerter's lifecycle (the same steps the
// services take, without Kafka), batch by batch, as the alerter applies them.

const onset = new Date("2026-11-23T08:00:00Z");
const H = 3_600_000;
const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), "liaowang-order-"));
let docs: DocFeatures[] = [];
let engineConfig: EngineConfig;
let alerting: AlertingConfig;

beforeAll(() => {
  const segmenter = createSegmenter({ configDir: "config" });
  const analyzer = new Analyzer({ configDir: "config" });
  const now = new Date(onset.getTime() + 100 * MIN);
  docs = [...explosionPosts(onset), ...rumourPosts(onset)].map((r) =>
    toFeatures(enrichDocument(normaliseRecord(IngestRecord.parse(r), "file", now), segmenter, { keywords: 20, analysis: analyzer.resources }, now)),
  );
  engineConfig = { ...DEFAULT_ENGINE_CONFIG, jurisdiction: loadJurisdiction({ configDir: "config", env: { LIAOWANG_JURISDICTION: "长沙市" } }) };
  writeFileSync(join(dir, "notify.json"), JSON.stringify({ timeoutMs: 3_000, targets: {} }));
  alerting = loadConfig({ LIAOWANG_CONFIG_DIR: "config", ALERTER_ACK_SECRET: "arrival-order-ack-secret-0123456789abcdef", ALERTER_API_TOKEN: "arrival-order-api-token-0123456789", ALERTER_NOTIFY_FILE: join(dir, "notify.json") }).alerting;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const byMinute = (m: number): DocFeatures => {
  const doc = docs.find((d) => d.publishedAt === onset.getTime() + m * MIN);
  if (!doc) throw new Error(`no post at onset+${m} min`);
  return doc;
};

/** Runs the batches through the detector and the alerter's rules; returns every alert and what consumers saw. */
function pipeline(
  batches: readonly (readonly DocFeatures[])[],
  officer?: (alerts: Map<string, Alert>, now: number) => void,
): { alerts: Alert[]; published: Incident[] } {
  const engine = new DetectorEngine(engineConfig, compileWatchRules([]));
  const alerts = new Map<string, Alert>();
  const published: Incident[] = [];
  let now = onset.getTime() + 100 * MIN;
  for (const batch of batches) {
    now += 2_000;
    const plan = engine.process(batch, now);
    engine.commit(plan);
    const messages = plan.updates.filter((u) => u.action === "publish").map((u) => toIncidentMessage(u.incident, u.changes));
    published.push(...messages);
    // What Alerter.onIncidents does with each message (without the store).
    for (const message of messages) {
      const input = toIncidentInput(message);
      const id = `alert-${message.id}`;
      const current = alerts.get(id);
      if (!current) {
        if (message.status !== "merged" && belongsOnBoard(input)) alerts.set(id, openAlert(input, alerting, now).alert);
      } else if (message.revision >= current.incidentRevision) {
        alerts.set(id, applyCommand(current, { type: "incident", incident: input }, alerting, now).alert);
      }
      // The alerts of incidents merged into this one hand their record over (Alerter.absorbMerged).
      for (const from of message.status === "open" ? message.mergedFrom : []) {
        const absorbed = alerts.get(`alert-${from}`);
        const survivor = alerts.get(id);
        if (absorbed && survivor) alerts.set(id, applyCommand(survivor, { type: "absorb_alert", from: absorbed }, alerting, now).alert);
      }
    }
    officer?.(alerts, now);
  }
  return { alerts: [...alerts.values()], published };
}

function expectTrueStory(result: { alerts: Alert[]; published: Incident[] }, label: string): Alert {
  const first = byMinute(0);
  // Revisions only increase per incident id, as consumers see them.
  const last = new Map<string, number>();
  for (const m of result.published) {
    expect(m.revision, `${label}: ${m.id} revision after ${last.get(m.id)}`).toBeGreaterThan(last.get(m.id) ?? 0);
    last.set(m.id, m.revision);
  }
  const live = result.alerts.filter((a) => a.state !== "closed" && a.state !== "dismissed");
  expect(live, `${label}: one live alert`).toHaveLength(1);
  const alert = live[0] as Alert;
  // Every other alert of the story followed it: closed as merged into its incident.
  for (const other of result.alerts.filter((a) => a !== alert)) expect([other.state, other.mergedInto], label).toEqual(["closed", alert.incidentId]);
  expect(alert, label).toMatchObject({ level: "II", onsetAt: new Date(first.publishedAt).toISOString(), title: first.text.slice(0, 60), refuted: { source: "长沙县公安局" } });
  const due = Object.fromEntries(alert.deadlines.map((d) => [d.clock, Date.parse(d.dueAt) - first.publishedAt]));
  expect(due, label).toEqual({ authoritative_info: 5 * H, press_conference: 24 * H });
  expect(alert.deadlines.find((d) => d.clock === "authoritative_info")?.metAt, label).toBe(new Date(onset.getTime() + 85 * MIN).toISOString());
  return alert;
}

describe("the alert ends on the story's true 首发 whatever order the posts arrive in", () => {
  const minutes = [0, 6, 18, 40, 50, 75, 80, 85];
  const late = [0, 6, 18, 40, 50, 80];

  it("in publication order, one batch", () => {
    const alert = expectTrueStory(pipeline([minutes.map(byMinute)]), "in order");
    expect(alert.onsetHistory).toEqual([]);
  });

  it("the 通报 and the 辟谣 first, the earlier posts after, in one batch", () => {
    expectTrueStory(pipeline([[75, 85, ...late].map(byMinute)]), "one batch");
  });

  it("the 通报 and the 辟谣 in one batch, the earlier posts in the next: the alert's onset is corrected, with the reason", () => {
    const alert = expectTrueStory(pipeline([[75, 85].map(byMinute), late.map(byMinute)]), "two batches");
    expect(alert.onsetHistory).toEqual([
      expect.objectContaining({
        from: new Date(onset.getTime() + 75 * MIN).toISOString(),
        to: onset.toISOString(),
        actor: "system:detector",
        reason: "监测发现更早的首发：微博网友@星沙小陈，起始时间提前75分钟（2026-11-23 17:15 → 2026-11-23 16:00）",
      }),
    ]);
    expect(alert.deadlineHistory.map((d) => d.reason)).toContain("onset_corrected");
  });

  it("the 通报 first, then every other post in a batch of its own", () => {
    expectTrueStory(pipeline([75, 85, ...late].map((m) => [byMinute(m)])), "post by post");
  });

  it("newest first, post by post: the incidents found split are merged and the survivor's alert takes over the other's record", () => {
    // The 辟谣 and the repost open an alert each; an officer acknowledges the repost's; the 通报 shows them to be one.
    let acknowledged: string | undefined;
    const result = pipeline(
      [...minutes].reverse().map((m) => [byMinute(m)]),
      (alerts, now) => {
        const repost = [...alerts.values()].find((a) => a.title.startsWith("转发：") && a.state === "new");
        if (repost && acknowledged === undefined) {
          alerts.set(repost.id, applyCommand(repost, { type: "acknowledge", actor: "p-duty-1" }, alerting, now).alert);
          acknowledged = repost.id;
        }
      },
    );
    const alert = expectTrueStory(result, "newest first");
    expect(result.alerts).toHaveLength(2);
    expect(alert).toMatchObject({ state: "acknowledged", acknowledgedBy: "p-duty-1", absorbedAlerts: [acknowledged] });
  });

  it("in shuffled orders and batch sizes", () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let trial = 0; trial < 40; trial++) {
      const order = [...minutes].sort(() => random() - 0.5);
      const batches: DocFeatures[][] = [];
      for (const m of order) {
        if (batches.length === 0 || random() < 0.4) batches.push([]);
        batches.at(-1)?.push(byMinute(m));
      }
      expectTrueStory(pipeline(batches), batches.map((b) => b.map((d) => Math.round((d.publishedAt - onset.getTime()) / MIN)).join("+")).join(" | "));
    }
  });
});
