import { bulkIndex, type Client } from "@liaowang/es";
import { LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import type { StoreVersion, Versioned } from "@liaowang/notify";
import type { Alert, AuditEvent } from "@liaowang/schemas";
import { AlertCache } from "./alert-cache.js";
import { EsDocs, ensureIndex } from "./es-docs.js";

/** Mappings of the alerts index: fields the scan, the CLI and the API filter and sort on. */
export const ALERTS_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: "keyword" },
    incidentId: { type: "keyword" },
    title: { type: "text" },
    level: { type: "keyword" },
    state: { type: "keyword" },
    department: { type: "keyword" },
    coDepartments: { type: "keyword" },
    openedAt: { type: "date" },
    raisedAt: { type: "date" },
    onsetAt: { type: "date" },
    nextDueAt: { type: "date" },
    updatedAt: { type: "date" },
    reraiseCount: { type: "integer" },
    deadlines: { properties: { clock: { type: "keyword" }, dueAt: { type: "date" }, metAt: { type: "date" }, cancelledAt: { type: "date" } } },
    pendingEvents: { properties: { seq: { type: "long" } } },
  },
};

/** Mappings of the audit index (one document per event, id `<alertId>:<seq>`). */
export const AUDIT_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: "keyword" },
    alertId: { type: "keyword" },
    incidentId: { type: "keyword" },
    seq: { type: "long" },
    type: { type: "keyword" },
    actor: { type: "keyword" },
    at: { type: "date" },
    from: { type: "keyword" },
    to: { type: "keyword" },
  },
};

/** Mappings of the used acknowledge links index (id = hash of the token, never the token). */
export const ACK_USES_MAPPINGS = {
  dynamic: false,
  properties: { alertId: { type: "keyword" }, personId: { type: "keyword" }, at: { type: "date" } },
};

/** The record of one used acknowledge link. */
export interface AckUse {
  alertId: string;
  personId: string;
  at: string;
  /** Where the confirming request came from (audit). */
  source: string;
}

/**
 * Whether a write is an audited change (opened, regraded, transition, closed as merged…: it queued audit events)
 * and so must be searchable at once: the duty board (`GET /api/v1/alerts`, the CLI) lists alerts by searching,
 * and would otherwise show it only after the index's next scheduled refresh (up to 1 s). The write refreshes the
 * shard itself (`refresh=true`) instead of a separate refresh request, which queues on the node's refresh
 * threads behind every other index's scheduled refreshes (measured 90 ms median, 460 ms p90 on the shared
 * stack). Changes without an event (the incident's volume grew) wait for the scheduled refresh: they are most
 * writes under load and nothing on the board hangs on them.
 */
function audited(current: Alert | undefined, next: Alert): boolean {
  return current === undefined || next.seq !== current.seq;
}

/** What an update function decides: a new alert to write, or nothing to change. */
export type AlertUpdate = (current: Alert | undefined) => Alert | undefined;

const MAX_CAS_TRIES = 8;

/** Ids of an alert's audit events after seq `after` through `through` (`<alertId>:<seq>`), at most the last 100. */
export function auditTailIds(alertId: string, after: number, through: number): string[] {
  const ids: string[] = [];
  for (let seq = Math.max(after + 1, through - 99); seq <= through; seq++) ids.push(`${alertId}:${seq}`);
  return ids;
}

/** How many alerts, and how many ids found without one, the store keeps in memory by default (see `AlertCache`). */
export const ALERT_CACHE_LIMITS = { alerts: 2_000, absent: 50_000 };

/**
 * Alerts and their audit trail in Elasticsearch, written with fixed ids and compare-and-set. The alerts this process
 * read or wrote last are kept with their versions (`AlertCache`): the consumer's batches and the syncs after them
 * write on what they hold and read Elasticsearch only for an id they know nothing of or a write that was refused.
 */
export class AlertStore {
  private readonly alerts: EsDocs<Alert>;
  private readonly audit: EsDocs<AuditEvent>;
  private readonly ackUses: EsDocs<AckUse>;
  private readonly cache: AlertCache<Alert>;

  constructor(
    private readonly es: Client,
    indices: { alerts: string; audit: string; ackUses: string },
    private readonly log: Logger,
    cacheLimits = ALERT_CACHE_LIMITS,
  ) {
    this.alerts = new EsDocs(es, indices.alerts);
    this.audit = new EsDocs(es, indices.audit);
    this.ackUses = new EsDocs(es, indices.ackUses);
    this.cache = new AlertCache(cacheLimits);
  }

  /** Create the indices if missing. */
  async init(): Promise<void> {
    await ensureIndex(this.es, this.alerts.index, ALERTS_MAPPINGS);
    await ensureIndex(this.es, this.audit.index, AUDIT_MAPPINGS);
    await ensureIndex(this.es, this.ackUses.index, ACK_USES_MAPPINGS);
  }

  /** Whether an acknowledge link (by `ackTokenId`) was already used. */
  async ackLinkUsed(tokenId: string): Promise<boolean> {
    return (await this.ackUses.get(tokenId)) !== undefined;
  }

  /**
   * Spend an acknowledge link: a create-only write, so of two concurrent confirmations exactly one wins.
   * False when it was already used.
   */
  async useAckLink(tokenId: string, use: AckUse): Promise<boolean> {
    return (await this.ackUses.create(tokenId, use)) !== null;
  }

  /** One alert as stored now (a real-time read: what an officer's page or a transition must see). */
  async get(id: string): Promise<Versioned<Alert> | undefined> {
    const doc = await this.alerts.get(id);
    this.cache.remember(id, doc);
    return doc;
  }

  /** Several alerts as stored now, in one real-time round trip; absent ids are not in the map. */
  async getMany(ids: readonly string[]): Promise<Map<string, Versioned<Alert>>> {
    const docs = await this.alerts.getMany(ids);
    for (const id of ids) this.cache.remember(id, docs.get(id));
    return docs;
  }

  /**
   * The alerts as this process last read or wrote them, reading (one `mget`) only the ids it knows nothing of:
   * the consumer's view of its batch. What it returns may be stale where another writer (an officer's transition
   * on another replica, another replica's sync) changed an alert since; a write on it is then refused and redone on
   * a fresh read (`updateMany`, `update`). Absent ids are not in the map.
   */
  async recallMany(ids: readonly string[]): Promise<Map<string, Versioned<Alert>>> {
    const out = new Map<string, Versioned<Alert>>();
    const unknown: string[] = [];
    for (const id of ids) {
      const recalled = this.cache.recall(id);
      if (!recalled.known) unknown.push(id);
      else if (recalled.doc) out.set(id, recalled.doc);
    }
    if (unknown.length > 0) for (const [id, doc] of await this.getMany(unknown)) out.set(id, doc);
    return out;
  }

  /** `recallMany` for one alert. */
  async recall(id: string): Promise<Versioned<Alert> | undefined> {
    return (await this.recallMany([id])).get(id);
  }

  /**
   * Forget every alert held in memory (the consumer's partitions were reassigned: while another replica held them
   * it may have opened alerts this one recorded as absent).
   */
  forgetAll(): void {
    this.cache.clear();
  }

  /** How often the consumer's reads were answered from memory, and how much it holds (for the log). */
  cacheStats(): { hits: number; misses: number; alerts: number; absent: number } {
    return { ...this.cache.stats, ...this.cache.size };
  }

  /**
   * Read-modify-write with compare-and-set, retried on conflict (another replica, or an HTTP transition racing
   * the consumer). The update function must be pure: it may run several times. An audited change is searchable
   * when this returns (see `audited`). The first attempt starts from the alert as this process last saw it unless
   * `fresh` (an officer's transition decides on what is stored now: an action refused on a stale state would be a
   * wrong answer, not a refused write); a write refused as stale is retried on a real-time read.
   */
  async update(id: string, fn: AlertUpdate, options: { fresh?: boolean } = {}): Promise<{ alert: Alert | undefined; changed: boolean }> {
    for (let attempt = 0; attempt < MAX_CAS_TRIES; attempt++) {
      const current = attempt === 0 && !options.fresh ? await this.recall(id) : await this.get(id);
      const next = fn(current?.value);
      if (next === undefined) return { alert: current?.value, changed: false };
      const refresh = audited(current?.value, next);
      const version: StoreVersion | null = current ? await this.alerts.replace(id, next, current.version, refresh) : await this.alerts.create(id, next, refresh);
      if (version !== null) {
        this.cache.remember(id, { value: next, version });
        return { alert: next, changed: true };
      }
      this.cache.forget(id);
    }
    throw new LiaowangError("conflict", `alert ${id} kept changing under ${MAX_CAS_TRIES} concurrent writers; try again`, { retriable: true });
  }

  /**
   * `update` for many alerts at once, for the consumer's batches: the first attempt of every item is one bulk
   * request of compare-and-set writes over `known` (the batch's `recallMany`), refreshed when any of them is an
   * audited change; the items another writer changed in between (or that a shard refused) go through `update`
   * one by one, on a real-time read. The functions must be pure.
   */
  async updateMany(items: readonly { id: string; fn: AlertUpdate }[], known: ReadonlyMap<string, Versioned<Alert>>): Promise<{ alert: Alert | undefined; changed: boolean }[]> {
    const results: { alert: Alert | undefined; changed: boolean }[] = [];
    const writes: { index: number; id: string; value: Alert; version: StoreVersion | null }[] = [];
    let refresh = false;
    items.forEach((item, index) => {
      const current = known.get(item.id);
      const next = item.fn(current?.value);
      results.push({ alert: next ?? current?.value, changed: next !== undefined });
      if (next === undefined) return;
      writes.push({ index, id: item.id, value: next, version: current?.version ?? null });
      refresh ||= audited(current?.value, next);
    });
    const written = await this.alerts.writeMany(writes, refresh);
    for (const [k, write] of writes.entries()) {
      const version = written[k];
      if (version) {
        this.cache.remember(write.id, { value: write.value, version });
        continue;
      }
      this.cache.forget(write.id);
      results[write.index] = await this.update(write.id, (items[write.index] as { fn: AlertUpdate }).fn, { fresh: true });
    }
    return results;
  }

  /** Alerts with a notification due by `now` or audit events not yet published, most urgent first. */
  async findNeedingSync(now: Date, limit: number): Promise<Alert[]> {
    const hits = await this.alerts.search({
      size: limit,
      query: { bool: { should: [{ range: { nextDueAt: { lte: now.toISOString() } } }, { exists: { field: "pendingEvents.seq" } }], minimum_should_match: 1 } },
      sort: [{ nextDueAt: { order: "asc", missing: "_first" } }, { id: "asc" }],
    });
    // What the syncs start from: newer than what this process holds when another replica wrote since.
    for (const hit of hits) this.cache.remember(hit.value.id, hit);
    return hits.map((h) => h.value);
  }

  /** Every alert opened from `since` on (accountability), up to `limit`. */
  async listOpenedSince(since: string, limit: number): Promise<Alert[]> {
    return (await this.alerts.search({ size: limit, query: { range: { openedAt: { gte: since } } }, sort: [{ openedAt: "asc" }] })).map((h) => h.value);
  }

  /** Every alert still live (not closed or dismissed) or opened from `since` on: what a daily digest reads. */
  async listForDigest(since: string, limit: number): Promise<Alert[]> {
    const query = { bool: { should: [{ bool: { must_not: [{ terms: { state: ["closed", "dismissed"] } }] } }, { range: { openedAt: { gte: since } } }], minimum_should_match: 1 } };
    return (await this.alerts.search({ size: limit, query, sort: [{ openedAt: "asc" }, { id: "asc" }] })).map((h) => h.value);
  }

  /** Write audit events once under their fixed ids (create-only: a replay finds them written, nothing is overwritten). */
  async writeAudit(events: readonly AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    const failures = await bulkIndex(
      this.es,
      events.map((e) => ({ index: this.audit.index, id: e.id, document: e as unknown as Record<string, unknown>, ref: e.id })),
      // Durable when this returns, searchable at the index's next refresh (within a second while it is searched; at
      // the next search once idle). Not refreshed here: a forced refresh per audited change was a third of the alerter's
      // refreshes under load, and held up the alert-events message and the notifications of every change. The trail
      // has no gap all the same: readers of one alert's trail (`auditOf`) read its newest events by id in real time.
      { log: this.log, op: "create" },
    );
    if (failures.length > 0) throw new LiaowangError("internal", `audit events refused by Elasticsearch: ${failures.map((f) => `${f.id} (${f.status}: ${f.reason})`).join("; ")}`);
  }

  /**
   * An alert's audit trail in order, complete through `throughSeq` (the alert's `seq`): the newest events, written but
   * not yet searchable (the audit index refreshes on its own schedule), are read by id in real time.
   */
  async auditOf(alertId: string, throughSeq = 0): Promise<AuditEvent[]> {
    const found = (await this.audit.search({ size: 1_000, query: { term: { alertId } }, sort: [{ seq: "asc" }] })).map((h) => h.value);
    const newest = found.reduce((n, e) => Math.max(n, e.seq), 0);
    if (throughSeq <= newest) return found;
    const tail = await this.audit.getMany(auditTailIds(alertId, newest, throughSeq));
    return [...found, ...[...tail.values()].map((v) => v.value)].sort((a, b) => a.seq - b.seq);
  }

  /** Make writes searchable now (tests). */
  async refresh(): Promise<void> {
    await this.alerts.refresh();
    await this.audit.refresh();
  }
}
