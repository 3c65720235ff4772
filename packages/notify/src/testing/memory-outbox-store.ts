import type { OutboxEntry } from "../outbox.js";
import type { OutboxStore, StoreVersion, Versioned } from "../outbox-store.js";
import type { RateWindow } from "../rate-limit.js";

interface Doc<T> {
  value: T;
  seq: number;
}

/**
 * In-memory OutboxStore for unit tests of the outbox logic only (state is lost with the process;
 * production uses the Elasticsearch store). Values are deep-copied in and out, as a real store
 * serialises them, so tests cannot pass by sharing object references.
 */
export class MemoryOutboxStore implements OutboxStore {
  private readonly entries = new Map<string, Doc<OutboxEntry>>();
  private readonly windows = new Map<string, Doc<number[]>>();
  private seq = 0;

  async putIfAbsent(entry: OutboxEntry): Promise<boolean> {
    if (this.entries.has(entry.id)) return false;
    this.entries.set(entry.id, { value: structuredClone(entry), seq: ++this.seq });
    return true;
  }

  async get(id: string): Promise<Versioned<OutboxEntry> | undefined> {
    const doc = this.entries.get(id);
    return doc ? { value: structuredClone(doc.value), version: String(doc.seq) } : undefined;
  }

  async findDue(now: Date, limit: number): Promise<Versioned<OutboxEntry>[]> {
    return [...this.entries.values()]
      .filter((d) => d.value.dueAt !== null && Date.parse(d.value.dueAt) <= now.getTime())
      .sort((a, b) => Date.parse(a.value.dueAt ?? "") - Date.parse(b.value.dueAt ?? "") || a.value.id.localeCompare(b.value.id))
      .slice(0, limit)
      .map((d) => ({ value: structuredClone(d.value), version: String(d.seq) }));
  }

  async replace(entry: OutboxEntry, version: StoreVersion): Promise<StoreVersion | null> {
    const doc = this.entries.get(entry.id);
    if (!doc || String(doc.seq) !== version) return null;
    const seq = ++this.seq;
    this.entries.set(entry.id, { value: structuredClone(entry), seq });
    return String(seq);
  }

  async listByAlert(alertId: string): Promise<OutboxEntry[]> {
    return [...this.entries.values()].filter((d) => d.value.alertId === alertId).map((d) => structuredClone(d.value));
  }

  async getRateWindow(rateKey: string): Promise<Versioned<RateWindow> | undefined> {
    const doc = this.windows.get(rateKey);
    return doc ? { value: [...doc.value], version: String(doc.seq) } : undefined;
  }

  async putRateWindow(rateKey: string, window: RateWindow, version: StoreVersion | null): Promise<StoreVersion | null> {
    const doc = this.windows.get(rateKey);
    if (version === null ? doc !== undefined : !doc || String(doc.seq) !== version) return null;
    const seq = ++this.seq;
    this.windows.set(rateKey, { value: [...window], seq });
    return String(seq);
  }

  /** Every entry, for assertions. */
  all(): OutboxEntry[] {
    return [...this.entries.values()].map((d) => structuredClone(d.value));
  }
}
