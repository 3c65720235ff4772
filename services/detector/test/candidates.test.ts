import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, compileWatchRules, fnv1a32, type DocFeatures, type IncidentState } from "@liaowang/detect";
import { createEsClient } from "@liaowang/es";
import { createLogger } from "@liaowang/logger";
import { isolatedEnv } from "@liaowang/testing";
import { CandidateLog, listedDeltas, PartitionsTakenOver, type HeadSource } from "../src/candidates.js";

// The candidates' per-partition log against the real Elasticsearch: what a new owner loads is what the last owner
// made durable (changed candidates, minus those reported or dropped), a replica that lost the partition cannot write
// over the new owner, and the log stays bounded.

const { env, indexPrefix } = isolatedEnv("detector-candidates");
const es = createEsClient({ node: env.LIAOWANG_ES_URL ?? "", indexPrefix });
const log = createLogger({ service: "detector-candidates-test", level: "warn" });
const T0 = Date.parse("2024-07-01T01:10:00+08:00");

afterAll(async () => {
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
});

/** A distinct one-post candidate (no risk signal), or a later post of one. */
function post(story: number, n = 0): DocFeatures {
  const word = String.fromCharCode(0x4e00 + ((story * 37) % 9000)) + String.fromCharCode(0x6e00 + ((story * 53) % 9000));
  return {
    id: `s${story}-p${n}`,
    source: `源${n}`,
    text: `${word}的讨论`,
    publishedAt: T0 + story * 1000 + n,
    tokens: [word, "讨论"],
    keywords: [{ word, weight: 5 }],
    simhash: fnv1a32(`hi${story}`).toString(16).padStart(8, "0") + fnv1a32(`lo${story}`).toString(16).padStart(8, "0"),
    topics: [],
    regions: [],
    sentiment: 0,
    figures: [],
  };
}

function candidatesOf(engine: DetectorEngine, docs: DocFeatures[], now: number): IncidentState[] {
  const plan = engine.process(docs, now);
  engine.commit(plan);
  return plan.updates.filter((u) => u.action === "store").map((u) => u.incident);
}

const byId = (states: IncidentState[]) => Object.fromEntries(states.map((s) => [s.openedBy, s.revision]));

describe("CandidateLog", () => {
  it("gives a new owner the candidates the last owner made durable, and fences the old owner off", async () => {
    const a = new CandidateLog(es, indexPrefix, "replica-a", log);
    await a.init();
    await a.init();
    expect(await a.load(0)).toEqual([]);
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
    const first = candidatesOf(engine, [post(1), post(2), post(3)], T0);
    await a.write([{ partition: 0, states: first, gone: [] }], (id) => engine.get(id), new Date(T0));
    expect(a.partitionOf(first[0]!.id)).toBe(0);
    // story 1 grows, story 2 is reported (it leaves the candidates), story 3 stays as it was
    const grown = candidatesOf(engine, [post(1, 1)], T0 + 1000);
    await a.write([{ partition: 0, states: grown, gone: [first[1]!.id] }], (id) => engine.get(id), new Date(T0 + 1000));

    const b = new CandidateLog(es, indexPrefix, "replica-b", log);
    expect(byId(await b.load(0))).toEqual({ "s1-p0": 2, "s3-p0": 1 });
    // A did not notice it lost the partition: its next write is refused, and B's log is untouched.
    const late = candidatesOf(engine, [post(4)], T0 + 2000);
    await expect(a.write([{ partition: 0, states: late, gone: [] }], (id) => engine.get(id), new Date(T0 + 2000))).rejects.toBeInstanceOf(PartitionsTakenOver);
    const c = new CandidateLog(es, indexPrefix, "replica-c", log);
    expect(byId(await c.load(0))).toEqual({ "s1-p0": 2, "s3-p0": 1 });
    expect(await c.load(1)).toEqual([]);
  });

  it("writes a grown candidate as a patch against the state it stored; a new owner replays it to the same state", async () => {
    const prefix = `${indexPrefix}patch-`;
    // As the detector does: written with the engine's committed states as what was stored, then committed.
    const stepper = (a: CandidateLog, engine: DetectorEngine, partition: number) => async (docs: DocFeatures[], at: number, commit = true) => {
      const plan = engine.process(docs, at);
      const states = plan.updates.filter((u) => u.action === "store").map((u) => u.incident);
      await a.write([{ partition, states, gone: [] }], (id) => engine.get(id), new Date(at), (id) => engine.get(id));
      if (commit) engine.commit(plan);
    };
    const deltasOf = async (index: string, partition: number) =>
      (await es.search<{ seq: number; candidates: { id: string }[]; patches?: { id: string; from: number }[] }>({ index, query: { bool: { filter: [{ term: { kind: "delta" } }, { term: { partition } }] } }, size: 100 })).hits.hits
        .map((h) => h._source!)
        .sort((x, y) => x.seq - y.seq);
    const replayed = async (partition: number, engine: DetectorEngine) => {
      const loaded = new Map((await new CandidateLog(es, prefix, "replica-b", log, 4).load(partition)).map((s) => [s.id, s]));
      expect([...loaded.keys()].sort()).toEqual(engine.open().map((i) => i.id).sort());
      for (const state of engine.open()) expect(loaded.get(state.id)).toEqual(JSON.parse(JSON.stringify(state)));
      return loaded;
    };

    // Growing over more batches than the log keeps deltas: patches, whole states, the oldest deltas' rewrites.
    const a = new CandidateLog(es, prefix, "replica-a", log, 4);
    await a.init();
    await a.load(2);
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
    const step = stepper(a, engine, 2);
    await step([post(20), post(21)], T0);
    for (let n = 1; n <= 6; n++) await step([post(20, n), post(22 + n)], T0 + n * 1000);
    await es.indices.refresh({ index: a.index });
    const story20 = engine.open().find((i) => i.openedBy === "s20-p0")!;
    expect((await deltasOf(a.index, 2)).some((d) => d.patches?.some((p) => p.id === story20.id))).toBe(true);
    expect((await replayed(2, engine)).get(story20.id)?.volume).toBe(7);

    // A step stored but not taken (it failed for another partition): the next write of its candidate is whole, not a
    // patch against the state the engine kept.
    const c = new CandidateLog(es, prefix, "replica-c", log, 64);
    await c.load(3);
    const other = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
    const stepC = stepper(c, other, 3);
    await stepC([post(40)], T0);
    await stepC([post(40, 1)], T0 + 1000);
    await stepC([post(40, 2)], T0 + 2000, false);
    await stepC([post(40, 3)], T0 + 3000);
    await es.indices.refresh({ index: c.index });
    const story40 = other.open()[0]!;
    const [, second, , fourth] = await deltasOf(c.index, 3);
    expect(second?.patches?.map((p) => p.id)).toEqual([story40.id]);
    expect(fourth?.candidates.map((s) => s.id)).toEqual([story40.id]);
    await replayed(3, other);
  });

  it("stays bounded: the oldest deltas' current candidates are written again, and deltas nobody lists are deleted", async () => {
    const prefix = `${indexPrefix}bounded-`;
    const a = new CandidateLog(es, prefix, "replica-a", log, 3);
    await a.init();
    await a.load(5);
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
    for (let story = 0; story < 8; story++) {
      const states = candidatesOf(engine, [post(story)], T0 + story * 1000);
      await a.write([{ partition: 5, states, gone: [] }], (id) => engine.get(id), new Date(T0 + story * 1000));
    }
    const head = await es.get<HeadSource>({ index: a.index, id: "h5" });
    expect(listedDeltas(head._source).length).toBeLessThanOrEqual(3);
    // Listed as one run of consecutive ids, not id by id.
    expect(head._source?.runs).toHaveLength(1);
    expect(head._source?.deltas).toBeUndefined();
    // a delta left by a crash between the delta and the head write
    await es.index({ index: a.index, id: "d5-dead-99", document: { kind: "delta", partition: 5, seq: 99, candidates: [engine.open()[0]], gone: [] }, refresh: true });

    const b = new CandidateLog(es, prefix, "replica-b", log, 3);
    expect(Object.keys(byId(await b.load(5))).sort()).toEqual(Array.from({ length: 8 }, (_, s) => `s${s}-p0`));
    await es.indices.refresh({ index: a.index });
    const stored = await es.search({ index: a.index, query: { term: { kind: "delta" } }, size: 100 });
    expect(stored.hits.hits.map((h) => h._id)).not.toContain("d5-dead-99");
    expect(stored.hits.hits.length).toBeLessThanOrEqual(4);
  });

  it("retires for space: a log holding more than twice its candidates' states (a candidate changed in every batch) is rewritten oldest first, one delta per batch", async () => {
    const prefix = `${indexPrefix}space-`;
    // No bound on the count of deltas that matters here (100), and no spare states: only the space rule retires.
    const a = new CandidateLog(es, prefix, "replica-a", log, 100, 0);
    await a.init();
    await a.load(6);
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
    const step = async (docs: DocFeatures[], at: number) => {
      const plan = engine.process(docs, at);
      const states = plan.updates.filter((u) => u.action === "store").map((u) => u.incident);
      await a.write([{ partition: 6, states, gone: [] }], (id) => engine.get(id), new Date(at), (id) => engine.get(id));
      engine.commit(plan);
    };
    await step([post(60), post(61)], T0);
    // Story 60 grows in every batch (a patch each): without retiring, every delta would stay listed behind its first.
    for (let n = 1; n <= 10; n++) await step([post(60, n)], T0 + n * 1000);
    const head = await es.get<HeadSource>({ index: a.index, id: "h6" });
    const listed = listedDeltas(head._source);
    expect(listed.length).toBeGreaterThan(0);
    const docs = await es.mget<{ candidates: unknown[]; patches?: unknown[] }>({ index: a.index, ids: listed });
    const states = docs.docs.reduce((n, d) => n + ("found" in d && d.found && d._source ? d._source.candidates.length + (d._source.patches?.length ?? 0) : 0), 0);
    // Two candidates: at most about twice their states stay listed (one retirement per batch lags by one).
    expect(states).toBeLessThanOrEqual(2 * 2 + 2);
    const loaded = new Map((await new CandidateLog(es, prefix, "replica-b", log).load(6)).map((s) => [s.id, s]));
    expect([...loaded.keys()].sort()).toEqual(engine.open().map((i) => i.id).sort());
    for (const state of engine.open()) expect(loaded.get(state.id)).toEqual(JSON.parse(JSON.stringify(state)));
  });

  it("replays a head written before runs, which lists every delta id", async () => {
    const prefix = `${indexPrefix}old-head-`;
    const a = new CandidateLog(es, prefix, "replica-a", log);
    await a.init();
    await a.load(7);
    const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
    for (let story = 70; story < 73; story++) {
      const states = candidatesOf(engine, [post(story)], T0 + story * 1000);
      await a.write([{ partition: 7, states, gone: [] }], (id) => engine.get(id), new Date(T0 + story * 1000));
    }
    const stored = await es.get<HeadSource>({ index: a.index, id: "h7" });
    const { runs, ...rest } = stored._source!;
    await es.index({ index: a.index, id: "h7", document: { ...rest, deltas: listedDeltas({ runs }) }, refresh: true });
    const b = new CandidateLog(es, prefix, "replica-b", log);
    expect(Object.keys(byId(await b.load(7))).sort()).toEqual(["s70-p0", "s71-p0", "s72-p0"]);
    // The new owner's claim lists them as runs.
    const claimed = await es.get<HeadSource>({ index: a.index, id: "h7" });
    expect(claimed._source?.deltas).toBeUndefined();
    expect(listedDeltas(claimed._source)).toHaveLength(3);
  });
});
