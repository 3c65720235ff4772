import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DepartmentsConfig, EscalationConfig, alertIdFor, type AlertingConfig } from "@liaowang/alerting";
import { createEsClient, type Client } from "@liaowang/es";
import { createKafka, createProducer, ensureTopics, type TypedProducer } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { createChannelRouter, NotifyConfig } from "@liaowang/notify";
import { startReceiver, type Receiver } from "@liaowang/notify/testing";
import { alertIndices, topicName, type Alert, type AlertEventMessage, type Incident } from "@liaowang/schemas";
import { isolatedEnv, waitFor } from "@liaowang/testing";
import { Alerter } from "../src/alerter.js";
import { AlertStore } from "../src/store/alerts.js";
import { EsOutboxStore } from "../src/store/outbox.js";
import { incident } from "./peers.js";

// The path from an incident snapshot to the duty board, on the real Kafka and Elasticsearch: an audited change is
// searchable as soon as the consumer's handler returns (the alerts index's scheduled refresh is switched off here,
// so nothing else could make it so), its audit event is searchable before it is published, and the snapshots that
// change no alert (the bulk of the detector's output under load) cost one read for the whole batch the first time
// and none after; an alert the consumer wrote is not read again, and another writer's change is never lost.

const log = createLogger({ service: "alerter-path-test", level: "warn" });

/** The real store, with a hook to let another writer in between the batch's read and its writes. */
class RacedStore extends AlertStore {
  race: (() => Promise<unknown>) | undefined;
  override async recallMany(ids: readonly string[]) {
    const read = await super.recallMany(ids);
    const race = this.race;
    this.race = undefined;
    await race?.();
    return read;
  }
}
const SECRET = "alerter-path-webhook-secret-01";

let peer: Receiver;
let es: Client;
let producer: TypedProducer;
let store: RacedStore;
let alerter: Alerter;
let alerterDeps: ConstructorParameters<typeof Alerter>[0];
let indices: ReturnType<typeof alertIndices>;
/** alert-events messages as the alerter published them, and whether each one's event was searchable in the audit index at that moment. */
const published: { message: AlertEventMessage; auditStored: boolean }[] = [];
/** Elasticsearch requests the alerter made (method and path), from the client's own diagnostics. */
const requests: string[] = [];
const requestQueries: string[] = [];

beforeAll(async () => {
  peer = await startReceiver();
  const { env, topicPrefix, indexPrefix } = isolatedEnv("alerter-path");
  const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS as string], clientId: "alerter-path", topicPrefix }, log);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [topicName(topicPrefix, "alertEvents")]);
  await admin.disconnect();
  producer = await createProducer(kafka, topicPrefix);
  es = createEsClient({ node: env.LIAOWANG_ES_URL as string, indexPrefix });
  indices = alertIndices(indexPrefix);
  store = new RacedStore(es, indices, log);
  const outbox = new EsOutboxStore(es, indices);
  await store.init();
  await outbox.init();
  // Only explicit refreshes make writes searchable from here on.
  await es.indices.putSettings({ index: [indices.alerts, indices.audit], settings: { index: { refresh_interval: "-1" } } });
  es.diagnostic.on("response", (_error, result) => {
    const request = result?.meta.request.params;
    if (request) {
      requests.push(`${request.method} ${request.path}`);
      requestQueries.push(String(request.querystring ?? ""));
    }
  });
  const alerting: AlertingConfig = {
    departments: DepartmentsConfig.parse({
      departments: [{ id: "emergency", name: "市应急管理局", topics: ["安全生产"], keywords: ["爆炸"], targets: ["em-hook"] }],
      routing: { default: "emergency" },
    }),
    escalation: EscalationConfig.parse({}),
  };
  const notify = NotifyConfig.parse({ timeoutMs: 3_000, targets: { "em-hook": { channel: "webhook", url: `${peer.baseUrl}/hooks/emergency`, secret: SECRET } } });
  // On the trail: stored (a real-time read by id finds it), whether or not the audit index has refreshed since.
  const stored = async (id: string) => (await es.exists({ index: indices.audit, id, realtime: true }));
  alerterDeps = {
    store,
    outbox,
    router: createChannelRouter(notify),
    events: {
      send: async (key, messages) => {
        for (const message of messages as AlertEventMessage[]) published.push({ message, auditStored: await stored(message.event.id) });
        return producer.send(key, messages);
      },
    },
    notifications: { alerting, notify, publicUrl: "http://127.0.0.1:9", ackSecret: "alerter-path-ack-secret-0123456789abcdef" },
    replica: "path-test",
    leaseMs: 5_000,
    log,
  };
  alerter = new Alerter(alerterDeps);
});

afterAll(async () => {
  await alerter?.drain();
  await producer?.disconnect();
  await es?.indices.delete({ index: Object.values(indices) }, { ignore: [404] }).catch(() => undefined);
  await es?.close();
  await peer?.close();
});

const listed = async (incidentId: string): Promise<Alert | undefined> =>
  (await es.search<Alert>({ index: indices.alerts, query: { term: { incidentId } } })).hits.hits[0]?._source;

describe("incident → duty board", () => {
  it("lists a new alert as soon as the batch is handled, publishes its opened event only once it is stored on the audit trail, and notifies once", async () => {
    const inc = incident({ id: "inc-00000000000000c1", onsetAt: new Date(Date.now() - 60_000).toISOString() });
    await alerter.onIncidents([inc]);
    // No refresh by the test and none scheduled: the alerter made the new alert searchable itself.
    const alert = await listed(inc.id);
    expect(alert).toMatchObject({ id: alertIdFor(inc.id), state: "new", level: "II", department: "emergency" });

    await waitFor(async () => published.some((p) => p.message.event.alertId === alertIdFor(inc.id) && p.message.event.type === "opened"), { timeoutMs: 20_000 });
    const opened = published.filter((p) => p.message.event.alertId === alertIdFor(inc.id));
    expect(opened.map((p) => p.auditStored)).toEqual(opened.map(() => true));
    await waitFor(async () => (await store.get(alertIdFor(inc.id)))?.value.pendingEvents.length === 0, { timeoutMs: 20_000 });
    // The trail is complete through the alert's newest event although the audit index has not refreshed since.
    const stored1 = await store.get(alertIdFor(inc.id));
    expect((await store.auditOf(alertIdFor(inc.id), stored1?.value.seq)).map((e) => e.type)).toContain("opened");

    await waitFor(async () => peer.requests.some((r) => r.path === "/hooks/emergency"), { timeoutMs: 20_000 });
    // The opening notice once, whatever else ran meanwhile (a scan finds nothing more owed).
    await alerter.scan();
    expect(peer.requests.filter((r) => r.path === "/hooks/emergency")).toHaveLength(1);
  });

  it("shows a regrade at once without losing an acknowledgement made meanwhile, and spends one read on a batch of snapshots that changes no alert", async () => {
    const onset = new Date(Date.now() - 120_000).toISOString();
    const graded = incident({ id: "inc-00000000000000c2", onsetAt: onset, level: "III" });
    await alerter.onIncidents([graded]);
    expect((await listed(graded.id))?.level).toBe("III");
    await waitFor(async () => (await store.get(alertIdFor(graded.id)))?.value.pendingEvents.length === 0, { timeoutMs: 20_000 });

    // An officer acknowledges between the batch's read and its write: the batch's compare-and-set write is refused
    // and the alert updated afresh, so it keeps both the acknowledgement and the regrade.
    store.race = () => alerter.transition(alertIdFor(graded.id), { type: "acknowledge", actor: "duty-1" });
    await alerter.onIncidents([{ ...graded, revision: 2, level: "II" }]);
    expect(await listed(graded.id)).toMatchObject({ level: "II", state: "acknowledged", acknowledgedBy: "duty-1" });
    await waitFor(async () => published.some((p) => p.message.event.alertId === alertIdFor(graded.id) && p.message.event.type === "regraded"), { timeoutMs: 20_000 });
    await alerter.drain();
    expect((await store.auditOf(alertIdFor(graded.id), (await store.get(alertIdFor(graded.id)))?.value.seq)).map((e) => e.type)).toEqual(["opened", "acknowledged", "regraded"]);

    // Fifty snapshots of incidents off the duty board (elsewhere, no risk signal): one multi-get, nothing written.
    requests.length = 0;
    const offBoard: Incident[] = Array.from({ length: 50 }, (_, i) =>
      incident({ id: `inc-${(0xd00 + i).toString(16).padStart(16, "0")}`, onsetAt: onset, level: null, scope: "外地", dutyBoard: false, boardReason: "外地事件" }),
    );
    await alerter.onIncidents(offBoard);
    await alerter.drain();
    expect(requests).toEqual([expect.stringMatching(/^POST \/.*_mget$/)]);
    // Their next snapshots: known to have no alert, so nothing at all.
    requests.length = 0;
    await alerter.onIncidents(offBoard.map((i) => ({ ...i, revision: 2, volume: 5 })));
    await alerter.drain();
    expect(requests).toEqual([]);
    for (const i of offBoard.slice(0, 3)) expect(await store.get(alertIdFor(i.id))).toBeUndefined();

    // The story grew (volume only): the alert (held since the batch wrote it) is updated without a read, and there is
    // nothing to audit, refresh, publish or send.
    const before = published.length;
    requests.length = 0;
    await alerter.onIncidents([{ ...graded, revision: 3, level: "II", volume: 40 }]);
    await alerter.drain();
    expect(requests).toEqual(["POST /_bulk"]);
    expect(requestQueries.at(-1)).not.toContain("refresh");
    expect(published.length).toBe(before);
    expect((await store.get(alertIdFor(graded.id)))?.value.volume).toBe(40);
  });

  it("redoes a write on a fresh read when another replica changed the alert it holds, and reads again after a rebalance", async () => {
    const onset = new Date(Date.now() - 180_000).toISOString();
    const inc = incident({ id: "inc-00000000000000c3", onsetAt: onset, level: "II" });
    await alerter.onIncidents([inc]);
    await alerter.drain();
    // Another replica (its own store, as a second process has) acknowledges through its HTTP: this alerter's copy is
    // stale now, so its next write is refused and redone on what is stored.
    const other = new AlertStore(es, indices, log);
    const elsewhere = new Alerter({ ...alerterDeps, store: other, replica: "path-test-2" });
    await elsewhere.transition(alertIdFor(inc.id), { type: "acknowledge", actor: "duty-2" });
    requests.length = 0;
    await alerter.onIncidents([{ ...inc, revision: 2, volume: 20 }]);
    await alerter.drain();
    expect(requests).toEqual(["POST /_bulk", expect.stringMatching(/^GET \/.*\/_doc\//), expect.stringMatching(/^PUT \/.*\/_doc\//)]);
    expect((await store.get(alertIdFor(inc.id)))?.value).toMatchObject({ state: "acknowledged", acknowledgedBy: "duty-2", volume: 20 });

    // An incident this replica found without an alert, opened meanwhile by another (its partition was elsewhere for
    // a while): after the group's rebalance the consumer forgets what it held, reads, and updates that alert.
    const away = incident({ id: "inc-00000000000000c4", onsetAt: onset, level: null, scope: "外地", dutyBoard: false, boardReason: "外地事件" });
    await alerter.onIncidents([away]);
    expect(await store.get(alertIdFor(away.id))).toBeUndefined();
    await elsewhere.onIncidents([incident({ id: away.id, onsetAt: onset, revision: 2 })]);
    await elsewhere.drain();
    // Its partition comes back with the downgrade (off the board again): the alert must still follow it.
    store.forgetAll();
    await alerter.onIncidents([{ ...away, revision: 3, level: "III", volume: 9 }]);
    await alerter.drain();
    expect((await store.get(alertIdFor(away.id)))?.value).toMatchObject({ incidentRevision: 3, volume: 9 });
  });
});
