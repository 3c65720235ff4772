import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invalidInput, unavailable } from "@liaowang/errors";
import { createLogger } from "@liaowang/logger";
import { DeadLetter, topicName, type RawDocument } from "@liaowang/schemas";
import { isolatedEnv, waitFor } from "@liaowang/testing";
import { createKafka, createProducer, ensureTopics, runConsumer, type RunningConsumer, type TypedProducer } from "../src/index.js";

// runConsumer against the real broker: bad messages and poison records go to the dead-letter topic with their
// offset and reason, the good records around them are processed, and offsets are committed only after success.

const { env, topicPrefix } = isolatedEnv("kafka-consumer");
const log = createLogger({ service: "kafka-test", level: "silent" });
const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS!], clientId: "kafka-test", topicPrefix }, log);
let producer: TypedProducer;
const running: RunningConsumer[] = [];

function raw(i: number, text = `第${i}条：某区农民工反映工资拖欠`): RawDocument {
  return {
    v: 1,
    id: createHash("sha256").update(`${i}`).digest("hex").slice(0, 32),
    source: "测试",
    sourceKind: "file",
    text,
    publishedAt: "2026-11-20T02:00:00.000Z",
    ingestedAt: "2026-11-20T02:00:01.000Z",
    lang: "zh",
  };
}

async function readDeadLetters(count: number, prefix = topicPrefix): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  const consumer = kafka.consumer({ groupId: `dlq-reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(prefix, "deadLetter"), fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void letters.push(DeadLetter.parse(JSON.parse(message.value!.toString()))) });
  try {
    await waitFor(async () => letters.length >= count, { timeoutMs: 30_000, what: `${count} dead letters` });
  } finally {
    await consumer.disconnect();
  }
  return letters;
}

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  // one partition keeps the test's offsets easy to reason about
  await ensureTopics(admin, [topicName(topicPrefix, "raw"), topicName(topicPrefix, "deadLetter")], 1);
  await admin.disconnect();
  producer = await createProducer(kafka, topicPrefix);
});

afterAll(async () => {
  await Promise.all(running.map((c) => c.stop()));
  await producer?.disconnect();
});

describe("runConsumer", () => {
  it("dead-letters unparseable messages and a poison record while the good records flow, and commits after", async () => {
    const raw0 = kafka.producer();
    await raw0.connect();
    await producer.send("raw", [raw(1), raw(2)]);
    await raw0.send({
      topic: topicName(topicPrefix, "raw"),
      messages: [{ value: "{not json" }, { value: JSON.stringify({ v: 1, id: "short", text: "" }) }],
    });
    await raw0.disconnect();
    await producer.send("raw", [raw(3, "POISON 投毒记录"), raw(4)]);

    const processed: string[] = [];
    let transientFailures = 1;
    const handler = async (records: { value: RawDocument }[]) => {
      if (transientFailures-- > 0) throw unavailable("elasticsearch briefly unavailable");
      if (records.some((r) => r.value.text.startsWith("POISON"))) throw invalidInput("document cannot be stored: field too long");
      processed.push(...records.map((r) => r.value.text.slice(0, 3)));
    };
    const fatal: unknown[] = [];
    const options = {
      kafka,
      topicPrefix,
      // prefixed like the topics: a second run of this file (another checkout on the same broker) is another group
      groupId: `${topicPrefix}consumer-test`,
      topic: "raw" as const,
      service: "consumer-test",
      handler,
      deadLetters: producer,
      log,
      onFatal: (e: unknown) => fatal.push(e),
      backoff: { initialMs: 50, maxMs: 200 },
      sessionTimeout: 8_000,
    };
    const first = await runConsumer(options);
    running.push(first);
    await waitFor(async () => processed.length >= 3, { timeoutMs: 60_000, what: "3 good records processed" });
    // and each exactly once: a committed batch is not fetched again
    await new Promise((r) => setTimeout(r, 1_500));
    expect([...processed].sort()).toEqual(["第1条", "第2条", "第4条"]);

    const letters = await readDeadLetters(3);
    const byOffset = Object.fromEntries(letters.map((l) => [l.offset, l]));
    expect(byOffset["2"]).toMatchObject({ code: "invalid_message", service: "consumer-test" });
    expect(byOffset["2"]!.reason).toContain("offset 2: not valid JSON");
    expect(byOffset["3"]!.reason).toContain("offset 3:");
    expect(byOffset["3"]!.reason).toContain("id");
    expect(byOffset["4"]).toMatchObject({ code: "invalid_input", recordId: raw(3).id });
    expect(byOffset["4"]!.reason).toContain("field too long");
    expect(fatal).toEqual([]);

    // offsets were committed: a restarted consumer in the same group gets nothing again
    await first.stop();
    running.splice(running.indexOf(first), 1);
    const before = processed.length;
    const second = await runConsumer(options);
    running.push(second);
    await producer.send("raw", [raw(5)]);
    await waitFor(async () => processed.length > before, { timeoutMs: 60_000, what: "the new record" });
    expect(processed.slice(before)).toEqual(["第5条"]);
  });

  it("finds a record that keeps failing retriably by splitting its batch, and waits out an outage without dead-lettering", async () => {
    // own topics: this batch must arrive as one fetch
    const own = isolatedEnv("kafka-consumer-split").topicPrefix;
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topicName(own, "raw"), topicName(own, "deadLetter")], 1);
    await admin.disconnect();
    const ownProducer = await createProducer(kafka, own);
    const docs = Array.from({ length: 40 }, (_, i) => raw(100 + i, i === 17 ? "POISON-R 每次都让下游超时的记录" : undefined));
    await ownProducer.send("raw", docs);

    const processed = new Set<string>();
    let outage = true;
    let calls = 0;
    const handler = async (records: { value: RawDocument }[]) => {
      calls++;
      // first an outage: every call fails, as when Elasticsearch is frozen
      if (outage) throw unavailable("connect ECONNREFUSED 127.0.0.1:9200");
      if (records.some((r) => r.value.text.startsWith("POISON-R"))) throw unavailable("request timed out");
      for (const r of records) processed.add(r.value.id);
    };
    const consumer = await runConsumer({
      kafka,
      topicPrefix: own,
      topic: "raw",
      service: "split-test",
      handler,
      deadLetters: ownProducer,
      log,
      onFatal: () => undefined,
      backoff: { initialMs: 50, maxMs: 300 },
      // the poison may end up the last record left, with nothing else going through to show the dependency is up
      lastRecordFailingMs: 3_000,
      stuckAfterMs: 500,
      sessionTimeout: 8_000,
    });
    running.push(consumer);
    try {
      const stuck = await waitFor(async () => consumer.status().stuck, { timeoutMs: 60_000, what: "the stage reporting itself stuck" });
      expect(stuck).toMatchObject({ partition: 0, firstOffset: "0", lastOffset: "39", records: 40 });
      expect(stuck.error).toContain("ECONNREFUSED");
      // the outage keeps costing a handful of calls per round, not one per record
      const callsDuringOutage = calls;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(calls - callsDuringOutage).toBeLessThan(40);
      expect(processed.size).toBe(0);

      outage = false;
      await waitFor(async () => processed.size === 39 && consumer.status().committed === 40, { timeoutMs: 60_000, what: "the 39 good records through and committed" });
      const [letter] = await readDeadLetters(1, own);
      expect(letter).toMatchObject({ recordId: docs[17]!.id, offset: "17", code: "unavailable" });
      expect(letter!.reason).toContain("while the rest of its batch went through: request timed out");
      expect(consumer.status().stuck).toBeUndefined();
    } finally {
      await ownProducer.disconnect();
    }
  });

  it("does not dead-letter a good record whose last failure came just before the dependency recovered within a round", async () => {
    // The end of an outage after the batch was split down to single records: within one round a single-record group
    // fails (Elasticsearch still refusing), then the dependency recovers and a later group of the same round goes
    // through. The record that failed was never tried while the dependency was up, so it is not poison.
    const own = isolatedEnv("kafka-consumer-recovery").topicPrefix;
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topicName(own, "raw"), topicName(own, "deadLetter")], 1);
    const ownProducer = await createProducer(kafka, own);
    const docs = Array.from({ length: 6 }, (_, i) => raw(500 + i));
    await ownProducer.send("raw", docs);

    const splitAfter = 3;
    const handled = new Map<string, number>();
    // Failed single-record calls per record, and which calls the recovery happened in.
    const singleFailures = new Map<string, number>();
    let outage = true;
    let recovery: { by: string; failedBefore: string[] } | undefined;
    const handler = async (records: { value: RawDocument }[]) => {
      if (outage) {
        const id = records.length === 1 ? records[0]!.value.id : undefined;
        // Elasticsearch answers again just as this (later) single-record group is tried, right after another one
        // of the same round failed for the splitAfter-th time or more.
        const failedBefore = [...singleFailures].filter(([other, n]) => other !== id && n >= splitAfter).map(([other]) => other);
        if (id === undefined || failedBefore.length === 0) {
          if (id !== undefined) singleFailures.set(id, (singleFailures.get(id) ?? 0) + 1);
          throw unavailable("es answered 429 Too Many Requests");
        }
        outage = false;
        recovery = { by: id, failedBefore };
      }
      for (const r of records) handled.set(r.value.id, (handled.get(r.value.id) ?? 0) + 1);
    };
    const fatal: unknown[] = [];
    const consumer = await runConsumer({
      kafka,
      topicPrefix: own,
      topic: "raw",
      service: "recovery-test",
      handler,
      deadLetters: ownProducer,
      log,
      onFatal: (e) => fatal.push(e),
      backoff: { initialMs: 20, maxMs: 100 },
      splitAfter,
      sessionTimeout: 8_000,
    });
    running.push(consumer);
    try {
      await waitFor(async () => consumer.status().committed === docs.length, { timeoutMs: 60_000, what: "the batch committed after the outage" });
      // the scenario happened: a record of the batch failed right before the recovery in the same round
      const offsetOf = (id: string) => docs.findIndex((d) => d.id === id);
      expect(recovery).toBeDefined();
      expect(recovery!.failedBefore.some((id) => offsetOf(id) < offsetOf(recovery!.by))).toBe(true);
      // nothing was dead-lettered (letters are durable before the commit), and every record went through once
      const [dlq] = await admin.fetchTopicOffsets(topicName(own, "deadLetter"));
      const letters = dlq?.high === "0" ? [] : await readDeadLetters(Number(dlq?.high), own);
      expect(letters.map((l) => ({ offset: l.offset, reason: l.reason }))).toEqual([]);
      expect(handled.size).toBe(docs.length);
      expect([...handled.values()].every((n) => n === 1)).toBe(true);
      expect(consumer.status().stuck).toBeUndefined();
      expect(fatal).toEqual([]);
    } finally {
      await admin.disconnect();
      await ownProducer.disconnect();
    }
  });

  it("does not dead-letter good records when an outage starts after part of their batch went through", async () => {
    // The batch is split by a first short outage, its first half goes through, then the dependency goes down again for
    // 3 s: the second half fails, split down to single records, each failing many times. That part of the batch went
    // through before says nothing about now; nothing succeeds while they fail, so it is an outage, not poison.
    const own = isolatedEnv("kafka-consumer-midbatch").topicPrefix;
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topicName(own, "raw"), topicName(own, "deadLetter")], 1);
    const ownProducer = await createProducer(kafka, own);
    const docs = Array.from({ length: 12 }, (_, i) => raw(700 + i));
    await ownProducer.send("raw", docs);

    const handled = new Map<string, number>();
    let calls = 0;
    let downUntil = 0;
    let failedSingles = 0;
    const handler = async (records: { value: RawDocument }[]) => {
      calls++;
      if (calls <= 3) throw unavailable("es answered 429 Too Many Requests");
      if (calls > 4 && Date.now() < downUntil) {
        if (records.length === 1) failedSingles++;
        throw unavailable("connect ECONNREFUSED 127.0.0.1:9200");
      }
      for (const r of records) handled.set(r.value.id, (handled.get(r.value.id) ?? 0) + 1);
      if (calls === 4) downUntil = Date.now() + 3_000;
    };
    const consumer = await runConsumer({
      kafka,
      topicPrefix: own,
      topic: "raw",
      service: "midbatch-test",
      handler,
      deadLetters: ownProducer,
      log,
      onFatal: () => undefined,
      backoff: { initialMs: 20, maxMs: 100 },
      splitAfter: 3,
      sessionTimeout: 8_000,
    });
    running.push(consumer);
    try {
      await waitFor(async () => consumer.status().committed === docs.length, { timeoutMs: 60_000, what: "the batch committed after the second outage" });
      // the scenario happened: part of the batch went through first, then single records failed repeatedly
      expect(handled.size).toBe(docs.length);
      expect(failedSingles).toBeGreaterThan(6);
      const [dlq] = await admin.fetchTopicOffsets(topicName(own, "deadLetter"));
      const letters = dlq?.high === "0" ? [] : await readDeadLetters(Number(dlq?.high), own);
      expect(letters.map((l) => ({ offset: l.offset, reason: l.reason }))).toEqual([]);
      expect([...handled.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await admin.disconnect();
      await ownProducer.disconnect();
    }
  });

  // The membership cases: a dependency down for longer than the session timeout must not cost the member its place in
  // the group (before, heartbeats stopped during retry waits and long calls, the coordinator dropped the member and
  // the commit failed with "The coordinator is not aware of this member"); a real rebalance during a failing batch
  // must leave it uncommitted for the next owner instead of crashing or committing what was not done.

  async function ownTopic(label: string, count: number, offset: number) {
    const own = isolatedEnv(label).topicPrefix;
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topicName(own, "raw"), topicName(own, "deadLetter")], 1);
    await admin.disconnect();
    const ownProducer = await createProducer(kafka, own);
    const docs = Array.from({ length: count }, (_, i) => raw(offset + i));
    await ownProducer.send("raw", docs);
    return { own, ownProducer, docs };
  }

  async function groupState(groupId: string, topic: string) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [group] = (await admin.describeGroups([groupId])).groups;
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return { members: group?.members.map((m) => m.memberId) ?? [], state: group?.state, offset: offsets?.partitions[0]?.offset };
    } finally {
      await admin.disconnect();
    }
  }

  it("keeps its group membership while a batch fails for longer than the session timeout, then commits it once", async () => {
    const { own, ownProducer, docs } = await ownTopic("kafka-consumer-session", 30, 200);
    const sessionTimeout = 6_000;
    const handled = new Map<string, number>();
    let outageUntil = Number.POSITIVE_INFINITY;
    let calls = 0;
    const handler = async (records: { value: RawDocument }[]) => {
      calls++;
      if (Date.now() < outageUntil) {
        // the first call hangs for longer than the session timeout, as a request to a frozen Elasticsearch does
        if (calls === 1) await new Promise((r) => setTimeout(r, sessionTimeout + 2_000));
        throw unavailable("connect ECONNREFUSED 127.0.0.1:9200");
      }
      for (const r of records) handled.set(r.value.id, (handled.get(r.value.id) ?? 0) + 1);
    };
    const fatal: unknown[] = [];
    const consumer = await runConsumer({
      kafka,
      topicPrefix: own,
      topic: "raw",
      service: "session-test",
      handler,
      deadLetters: ownProducer,
      log,
      onFatal: (e) => fatal.push(e),
      // waits between attempts longer than the session timeout too
      backoff: { initialMs: 500, maxMs: sessionTimeout + 1_000 },
      stuckAfterMs: 3_000,
      sessionTimeout,
    });
    running.push(consumer);
    const topic = topicName(own, "raw");
    try {
      const before = await waitFor(async () => {
        const g = await groupState(consumer.groupId, topic);
        return g.state === "Stable" && g.members.length === 1 && g;
      }, { timeoutMs: 30_000, what: "the member in the group" });
      outageUntil = Date.now() + 3 * sessionTimeout;
      // the outage is reported as stuck offsets while it lasts
      const stuck = await waitFor(async () => consumer.status().stuck, { timeoutMs: 30_000, what: "the stage reporting itself stuck" });
      expect(stuck).toMatchObject({ partition: 0, firstOffset: "0", lastOffset: "29" });

      await waitFor(async () => consumer.status().committed === docs.length, { timeoutMs: 90_000, what: "the batch committed after the outage" });
      const after = await groupState(consumer.groupId, topic);
      // the same member, never dropped and never rejoined; every record handled and committed exactly once
      expect(after.members).toEqual(before.members);
      expect(consumer.status()).toMatchObject({ joins: 1, abandoned: 0, committed: docs.length });
      expect(consumer.status().stuck).toBeUndefined();
      expect(after.offset).toBe(String(docs.length));
      expect([...handled.values()].every((n) => n === 1)).toBe(true);
      expect(handled.size).toBe(docs.length);
      expect(fatal).toEqual([]);
      // and nothing is retried once it went through
      const settled = calls;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(calls).toBe(settled);
    } finally {
      await ownProducer.disconnect();
    }
  });

  it("leaves a failing batch uncommitted when the group rebalances, hands over, and the next owner commits it once", async () => {
    const { own, ownProducer, docs } = await ownTopic("kafka-consumer-rebalance", 20, 300);
    const topic = topicName(own, "raw");
    const handled = new Map<string, number>();
    let outage = true;
    const handler = async (records: { value: RawDocument }[]) => {
      if (outage) throw unavailable("connect ECONNREFUSED 127.0.0.1:9200");
      for (const r of records) handled.set(r.value.id, (handled.get(r.value.id) ?? 0) + 1);
    };
    const revoked: { member: string; partitions: number[] }[] = [];
    const assigned: { member: string; partitions: number[] }[] = [];
    const fatal: unknown[] = [];
    const member = (name: string) =>
      runConsumer({
        kafka,
        topicPrefix: own,
        topic: "raw",
        service: "rebalance-test",
        handler,
        deadLetters: ownProducer,
        log,
        onFatal: (e) => fatal.push(e),
        backoff: { initialMs: 200, maxMs: 5_000 },
        sessionTimeout: 8_000,
        onRevoke: async (partitions) => void revoked.push({ member: name, partitions }),
        onAssign: async (partitions) => void assigned.push({ member: name, partitions }),
      });
    const a = await member("a");
    running.push(a);
    try {
      await waitFor(async () => a.status().stuck === undefined && revoked.length === 0 && assigned.length === 1 && a.status().committed === 0 && (await groupState(a.groupId, topic)).state === "Stable", { timeoutMs: 30_000, what: "member a in the group" });
      // a is retrying the batch when b joins: a notices the rebalance at its next heartbeat and rejoins at once,
      // well within the rebalance timeout (60 s), instead of sleeping through its backoff
      await new Promise((r) => setTimeout(r, 2_000));
      const joinStarted = Date.now();
      const b = await member("b");
      running.push(b);
      const joinMs = Date.now() - joinStarted;
      expect(joinMs).toBeLessThan(20_000);
      expect(a.status().abandoned).toBeGreaterThanOrEqual(1);
      expect(a.status().committed).toBe(0);
      // a handed its partition over before rejoining; each member was told what it holds now
      expect(revoked[0]).toEqual({ member: "a", partitions: [0] });
      expect(assigned.filter((x) => x.partitions.length > 0).map((x) => x.partitions)).toContainEqual([0]);

      outage = false;
      await waitFor(async () => (await groupState(a.groupId, topic)).offset === String(docs.length), { timeoutMs: 60_000, what: "the batch committed by the owner" });
      expect(a.status().committed + b.status().committed).toBe(docs.length);
      expect(handled.size).toBe(docs.length);
      expect([...handled.values()].every((n) => n === 1)).toBe(true);
      expect(fatal).toEqual([]);
    } finally {
      await ownProducer.disconnect();
    }
  });
  it("restarts a member wedged outside its handler (STAGE STALLED with its partitions and records waiting, then onFatal); an idle member never stalls", async () => {
    const { own, ownProducer, docs } = await ownTopic("kafka-consumer-stall", 5, 400);
    const handled: string[] = [];
    let release: () => void = () => undefined;
    const wedged = new Promise<void>((r) => (release = r));
    const member = (onAssign: () => Promise<void>, fatal: unknown[]) =>
      runConsumer({
        kafka,
        topicPrefix: own,
        topic: "raw",
        service: "stall-test",
        handler: async (records) => void handled.push(...records.map((r) => r.value.id)),
        deadLetters: ownProducer,
        log,
        onFatal: (e) => fatal.push(e),
        stallAfterMs: 3_000,
        stallExitAfterMs: 1_000,
        onAssign,
      });
    const fatalA: unknown[] = [];
    // The partition's state load at the join never settles: the batch waits for it outside the handler, and the member
    // neither fetches nor commits again while it heartbeats on, holding the partition.
    const a = await member(() => wedged, fatalA);
    try {
      const stalled = await waitFor(async () => a.status().stalled, { timeoutMs: 60_000, what: "the wedged member reported stalled" });
      expect(stalled).toMatchObject({ partitions: [0], lag: docs.length });
      await waitFor(async () => fatalA.length > 0, { timeoutMs: 15_000, what: "onFatal of the stalled member" });
      expect(String((fatalA[0] as Error).message)).toMatch(new RegExp(`consumer stalled: stall-test holds ${topicName(own, "raw").replace(/[.]/g, "[.]")}\\[0\\] with 5 record\\(s\\) waiting`));
      expect(handled).toEqual([]);
      // The service exits on onFatal and its supervisor starts it again: a fresh member gets the partition and the records.
      const stopped = a.stop();
      release();
      await stopped;
      const fatalB: unknown[] = [];
      const b = await member(async () => undefined, fatalB);
      running.push(b);
      await waitFor(async () => b.status().committed === docs.length, { timeoutMs: 60_000, what: "the restarted member committed the waiting records" });
      expect(new Set(handled)).toEqual(new Set(docs.map((d) => d.id)));
      // Idle with nothing waiting for longer than the bound (kafkajs fetches every 5 s): no stall.
      await new Promise((r) => setTimeout(r, 7_000));
      expect(b.status().stalled).toBeUndefined();
      expect(fatalB).toEqual([]);
    } finally {
      release();
      await ownProducer.disconnect();
    }
  });
});
