import type { Client } from "@liaowang/es";
import type { OutboxEntry, OutboxStore, RateWindow, StoreVersion, Versioned } from "@liaowang/notify";
import { EsDocs, ensureIndex } from "./es-docs.js";

/** Mappings of the outbox index: only what queries use is indexed; the notification rides in _source. */
export const OUTBOX_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: "keyword" },
    idempotencyKey: { type: "keyword" },
    alertId: { type: "keyword" },
    incidentId: { type: "keyword" },
    channel: { type: "keyword" },
    targetId: { type: "keyword" },
    state: { type: "keyword" },
    attempts: { type: "integer" },
    dueAt: { type: "date" },
    createdAt: { type: "date" },
    updatedAt: { type: "date" },
    sentAt: { type: "date" },
  },
};

interface WindowDoc {
  rateKey: string;
  window: number[];
}

/**
 * The durable notification outbox in Elasticsearch: entries under their deterministic ids (so a re-enqueue is a
 * no-op), claims and results written with `if_seq_no` / `if_primary_term`, rate windows in a small index.
 */
export class EsOutboxStore implements OutboxStore {
  private readonly entries: EsDocs<OutboxEntry>;
  private readonly windows: EsDocs<WindowDoc>;

  constructor(es: Client, indices: { outbox: string; rateWindows: string }) {
    this.entries = new EsDocs(es, indices.outbox);
    this.windows = new EsDocs(es, indices.rateWindows);
  }

  /** Create the indices if missing. */
  async init(): Promise<void> {
    await ensureIndex(this.entries.es, this.entries.index, OUTBOX_MAPPINGS);
    await ensureIndex(this.windows.es, this.windows.index, { dynamic: false, properties: { rateKey: { type: "keyword" } } });
  }

  async putIfAbsent(entry: OutboxEntry): Promise<boolean> {
    return (await this.entries.create(entry.id, entry)) !== null;
  }

  get(id: string): Promise<Versioned<OutboxEntry> | undefined> {
    return this.entries.get(id);
  }

  findDue(now: Date, limit: number): Promise<Versioned<OutboxEntry>[]> {
    return this.entries.search({ size: limit, query: { range: { dueAt: { lte: now.toISOString() } } }, sort: [{ dueAt: "asc" }, { id: "asc" }] });
  }

  replace(entry: OutboxEntry, version: StoreVersion): Promise<StoreVersion | null> {
    return this.entries.replace(entry.id, entry, version);
  }

  async listByAlert(alertId: string): Promise<OutboxEntry[]> {
    return (await this.entries.search({ size: 1_000, query: { term: { alertId } }, sort: [{ createdAt: "asc" }, { id: "asc" }] })).map((v) => v.value);
  }

  async getRateWindow(rateKey: string): Promise<Versioned<RateWindow> | undefined> {
    const doc = await this.windows.get(rateKey);
    return doc ? { value: doc.value.window, version: doc.version } : undefined;
  }

  putRateWindow(rateKey: string, window: RateWindow, version: StoreVersion | null): Promise<StoreVersion | null> {
    const doc = { rateKey, window: [...window] };
    return version === null ? this.windows.create(rateKey, doc) : this.windows.replace(rateKey, doc, version);
  }

  /** Make writes searchable now (tests). */
  async refresh(): Promise<void> {
    await this.entries.refresh();
  }
}
