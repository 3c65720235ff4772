import { createHash } from "node:crypto";
import type { Client } from "@liaowang/es";
import { LiaowangError } from "@liaowang/errors";
import { Docs, ensureIndex } from "./store.js";

/** What happened, as the security audit records it. */
export interface AuditEntry {
  /** Who: a user id, `link:<person>` for an acknowledge link, `cli:<os user>`, or `anonymous`. */
  actor: string;
  /** What, dotted: `auth.sign_in`, `auth.sign_in_failed`, `alert.transition`, `documents.export`, `user.create`, … */
  action: string;
  /** `attempted`: written before an action is carried out (the outcome record follows, naming its seq). */
  outcome: "attempted" | "ok" | "denied" | "failed";
  /** The source address (client IP) or `cli`. */
  source: string;
  /** What it was done to (an alert id, a user id). */
  target?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/** One stored record: the entry, its place in the chain and its hash. */
export interface AuditRecord extends AuditEntry {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

/**
 * A witness of the chain head (the newest record's seq and hash) in a separate create-only index, itself a hash
 * chain: records removed from the end of the audit after an anchor was written are found by `verify`.
 */
export interface AuditAnchor {
  seq: number;
  at: string;
  /** The audit record that was the head when the anchor was written, and its hash. */
  auditSeq: number;
  auditHash: string;
  prevHash: string;
  hash: string;
}

/** The hash of an anchor: SHA-256 over the previous anchor's hash and the anchor's canonical JSON. */
export function anchorHash(anchor: Omit<AuditAnchor, "hash">): string {
  return createHash("sha256").update(`${anchor.prevHash}\n${canonical(anchor)}`, "utf8").digest("hex");
}

/** The chain's anchor before the first record. */
export const GENESIS = "0".repeat(64);

/** Least retention the prune command accepts: six months (网络安全法 §21). */
export const MIN_RETENTION_DAYS = 183;

const ANCHOR_MAPPINGS = { dynamic: false, properties: { seq: { type: "long" }, at: { type: "date" }, auditSeq: { type: "long" } } };

const MAPPINGS = {
  dynamic: false,
  properties: { seq: { type: "long" }, at: { type: "date" }, actor: { type: "keyword" }, action: { type: "keyword" }, outcome: { type: "keyword" }, source: { type: "keyword" }, target: { type: "keyword" } },
};

// Keys sorted at every level, so the hash does not depend on property order.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The hash of a record: SHA-256 over the previous hash and the record's canonical JSON (without its own hash). */
export function recordHash(record: Omit<AuditRecord, "hash">): string {
  return createHash("sha256").update(`${record.prevHash}\n${canonical(record)}`, "utf8").digest("hex");
}

function idOf(seq: number): string {
  return String(seq).padStart(12, "0");
}

/** What `verify` found. */
export interface AuditVerification {
  ok: boolean;
  records: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The first kept record's previous hash when older records were pruned (the chain is anchored there). */
  anchor: string | null;
  /** The newest record: note it somewhere else (`audit verify --head <seq>:<hash>` checks it later). */
  head: { seq: number; hash: string } | null;
  /** How many head anchors were checked, and the newest. */
  anchors: number;
  lastAnchor: AuditAnchor | null;
  problems: string[];
}

/**
 * The tamper-evident security audit: append-only records (`op_type: create` under sequential ids, so nothing is
 * overwritten and two writers never take the same place) chained by SHA-256, so an edit, a deletion or an
 * insertion anywhere breaks `verify`. Several processes (API replicas, the alerter, the CLI) append to one chain.
 */
export class AuditLog {
  private readonly docs: Docs<AuditRecord>;
  private readonly anchorDocs: Docs<AuditAnchor>;
  private head: { seq: number; hash: string } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    es: Client,
    index: string,
    private readonly clock: () => Date = () => new Date(),
    /** Where head anchors go (default `<index>-anchors`): give audit writers create-only rights there, nothing else. */
    anchorsIndex?: string,
  ) {
    this.docs = new Docs(es, index);
    this.anchorDocs = new Docs(es, anchorsIndex ?? `${index}-anchors`);
  }

  async init(): Promise<void> {
    await ensureIndex(this.docs.es, this.docs.index, MAPPINGS);
    await ensureIndex(this.anchorDocs.es, this.anchorDocs.index, ANCHOR_MAPPINGS);
  }

  /** Append one entry; resolves once it is stored. Appends from one process are serialised. */
  append(entry: AuditEntry): Promise<AuditRecord> {
    const run = this.queue.then(() => this.appendNow(entry));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async findHead(): Promise<{ seq: number; hash: string }> {
    await this.docs.refresh();
    const [last] = await this.docs.search({ size: 1, sort: [{ seq: "desc" }] });
    let head = last ? { seq: last.value.seq, hash: last.value.hash } : { seq: 0, hash: GENESIS };
    // Search is near-real-time; a real-time get finds records appended since.
    for (;;) {
      const next = await this.docs.get(idOf(head.seq + 1));
      if (!next) return head;
      head = { seq: next.value.seq, hash: next.value.hash };
    }
  }

  private async appendNow(entry: AuditEntry): Promise<AuditRecord> {
    for (let attempt = 0; attempt < 50; attempt++) {
      this.head ??= await this.findHead();
      const { seq, hash: prevHash } = this.head;
      const base = { ...entry, seq: seq + 1, at: this.clock().toISOString(), prevHash };
      const record: AuditRecord = { ...base, hash: recordHash(base) };
      if (await this.docs.create(idOf(record.seq), JSON.parse(JSON.stringify(record)) as AuditRecord)) {
        this.head = { seq: record.seq, hash: record.hash };
        return record;
      }
      // Another writer took this place: move to its record and try the next one.
      const taken = await this.docs.get(idOf(seq + 1));
      this.head = taken ? { seq: taken.value.seq, hash: taken.value.hash } : undefined;
    }
    throw new LiaowangError("unavailable", "could not append to the security audit: too many concurrent writers", { retriable: true });
  }

  /** Records newest first, optionally filtered by actor or action. */
  async list(options: { size?: number; actor?: string; action?: string } = {}): Promise<AuditRecord[]> {
    await this.docs.refresh();
    const filter = [...(options.actor ? [{ term: { actor: options.actor } }] : []), ...(options.action ? [{ term: { action: options.action } }] : [])];
    return (await this.docs.search({ size: Math.min(options.size ?? 100, 1_000), sort: [{ seq: "desc" }], query: { bool: { filter } } })).map((h) => h.value);
  }

  /** Head anchors, oldest first. */
  private async allAnchors(): Promise<AuditAnchor[]> {
    await this.anchorDocs.refresh();
    const out: AuditAnchor[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const page = await this.anchorDocs.es.search<AuditAnchor>({ index: this.anchorDocs.index, size: 1_000, sort: [{ seq: "asc" }], ...(after ? { search_after: after as never } : {}) }, { ignore: [404] });
      const hits = page.hits?.hits ?? [];
      for (const hit of hits) if (hit._source) out.push(hit._source);
      if (hits.length < 1_000) return out;
      after = hits[hits.length - 1]?.sort;
    }
  }

  private async newestAnchor(): Promise<AuditAnchor | undefined> {
    await this.anchorDocs.refresh();
    const [newest] = await this.anchorDocs.search({ size: 1, sort: [{ seq: "desc" }] });
    let last = newest?.value;
    // Search is near-real-time: step on to anchors written since.
    for (;;) {
      const next = await this.anchorDocs.get(idOf((last?.seq ?? 0) + 1));
      if (!next) return last;
      last = next.value;
    }
  }

  /**
   * The chain head now (the newest record's seq, hash and time) and the newest head anchor: what a report kept
   * outside the system (the daily brief) pins, to be checked later with `audit verify --head <seq>:<hash>`.
   * Undefined while the audit holds no record.
   */
  async currentHead(): Promise<{ seq: number; hash: string; at: string; anchor: AuditAnchor | undefined } | undefined> {
    const head = await this.findHead();
    if (head.seq === 0) return undefined;
    const record = await this.docs.get(idOf(head.seq));
    return { seq: head.seq, hash: head.hash, at: record?.value.at ?? "", anchor: await this.newestAnchor() };
  }

  /**
   * Write the current chain head (seq and hash of the newest record) as a new anchor, unless the newest anchor
   * already holds it. Several replicas may call this at once: one anchor wins each place, the others write nothing.
   * Resolves to the anchor written, if any.
   */
  async anchor(): Promise<AuditAnchor | undefined> {
    const head = await this.findHead();
    if (head.seq === 0) return undefined;
    const last = await this.newestAnchor();
    if (last && last.auditSeq >= head.seq) return undefined;
    const base = { seq: (last?.seq ?? 0) + 1, at: this.clock().toISOString(), auditSeq: head.seq, auditHash: head.hash, prevHash: last?.hash ?? GENESIS };
    const anchor: AuditAnchor = { ...base, hash: anchorHash(base) };
    return (await this.anchorDocs.create(idOf(anchor.seq), anchor)) ? anchor : undefined;
  }

  /**
   * Walk the whole chain in order, checking sequence, links and hashes; then check every head anchor against it
   * (a chain that ends before an anchor's record was truncated; a record that differs from its anchor was
   * rewritten) and, when given, a head noted elsewhere (`expectHead`).
   */
  async verify(options: { expectHead?: { seq: number; hash: string } } = {}): Promise<AuditVerification> {
    const anchors = await this.allAnchors();
    const witnessed = new Map<number, { hash: string; by: string }[]>();
    const witness = (seq: number, hash: string, by: string) => witnessed.set(seq, [...(witnessed.get(seq) ?? []), { hash, by }]);
    for (const a of anchors) witness(a.auditSeq, a.auditHash, `anchor ${a.seq} (${a.at})`);
    if (options.expectHead) witness(options.expectHead.seq, options.expectHead.hash, "the head given");
    await this.docs.refresh();
    const problems: string[] = [];
    let records = 0;
    let first: number | null = null;
    let last: number | null = null;
    let anchor: string | null = null;
    let prev: AuditRecord | undefined;
    let after: unknown[] | undefined;
    for (;;) {
      const page = await this.docs.es.search<AuditRecord>({ index: this.docs.index, size: 1_000, sort: [{ seq: "asc" }], ...(after ? { search_after: after as never } : {}) }, { ignore: [404] });
      const hits = page.hits?.hits ?? [];
      for (const hit of hits) {
        const r = hit._source as AuditRecord;
        records += 1;
        if (hit._id !== idOf(r.seq)) problems.push(`record ${hit._id} claims seq ${r.seq}`);
        if (prev === undefined) {
          first = r.seq;
          if (r.seq !== 1 || r.prevHash !== GENESIS) anchor = r.prevHash;
        } else {
          if (r.seq !== prev.seq + 1) problems.push(`records ${prev.seq + 1}–${r.seq - 1} are missing`);
          if (r.prevHash !== prev.hash) problems.push(`record ${r.seq} does not link to record ${prev.seq} (altered or re-ordered)`);
        }
        const { hash, ...rest } = r;
        if (recordHash(rest) !== hash) problems.push(`record ${r.seq} was altered (hash mismatch)`);
        for (const w of witnessed.get(r.seq) ?? []) if (w.hash !== hash) problems.push(`record ${r.seq} is not the record ${w.by} witnessed (rewritten)`);
        last = r.seq;
        prev = r;
      }
      if (hits.length < 1_000) break;
      after = hits[hits.length - 1]?.sort;
    }
    // Anchors form their own chain (never pruned, so it starts at 1): a missing or altered one is reported too.
    let previous: AuditAnchor | undefined;
    const firstAnchor = anchors[0];
    if (firstAnchor && (firstAnchor.seq !== 1 || firstAnchor.prevHash !== GENESIS)) problems.push(`anchors 1–${firstAnchor.seq - 1} are missing`);
    for (const a of anchors) {
      if (previous && a.seq !== previous.seq + 1) problems.push(`anchors ${previous.seq + 1}–${a.seq - 1} are missing`);
      if (previous && a.prevHash !== previous.hash) problems.push(`anchor ${a.seq} does not link to anchor ${previous.seq}`);
      const { hash, ...rest } = a;
      if (anchorHash(rest) !== hash) problems.push(`anchor ${a.seq} was altered (hash mismatch)`);
      previous = a;
    }
    const end = last ?? 0;
    for (const [seq, ws] of witnessed) {
      if (seq > end) for (const w of ws) problems.push(`${w.by} witnessed record ${seq}, but the chain ends at ${last ?? "no record"}: records ${end + 1}–${seq} (at least) were removed from its end`);
    }
    return { ok: problems.length === 0, records, firstSeq: first, lastSeq: last, anchor, head: prev ? { seq: prev.seq, hash: prev.hash } : null, anchors: anchors.length, lastAnchor: anchors[anchors.length - 1] ?? null, problems };
  }

  /**
   * Delete records older than `before`, which must be at least MIN_RETENTION_DAYS ago: the retention policy cannot
   * drop younger records. Only a prefix of the chain goes; `verify` then reports the anchor it starts from.
   */
  async prune(before: Date, minRetentionDays = MIN_RETENTION_DAYS): Promise<number> {
    const limit = this.clock().getTime() - Math.max(minRetentionDays, MIN_RETENTION_DAYS) * 86_400_000;
    if (before.getTime() > limit) {
      throw new LiaowangError("invalid_input", `audit records are kept at least ${Math.max(minRetentionDays, MIN_RETENTION_DAYS)} days: prune before ${new Date(limit).toISOString()} or earlier`);
    }
    await this.docs.refresh();
    const old = await this.docs.search({ size: 10_000, sort: [{ seq: "asc" }], query: { range: { at: { lt: before.toISOString() } } } });
    for (const hit of old) await this.docs.delete(hit.id);
    return old.length;
  }

  /** Make appends searchable now (tests, the verify command). */
  refresh(): Promise<void> {
    return this.docs.refresh();
  }
}
