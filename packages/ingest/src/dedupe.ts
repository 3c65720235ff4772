import { LRUCache } from "lru-cache";

/** Options for {@link Deduper}. */
export interface DeduperOptions {
  /** How many ids to remember; the least recently seen are forgotten first. */
  readonly max: number;
  /** Forget an id after this long even if the cache is not full (optional). */
  readonly ttlMs?: number;
}

/**
 * A bounded memory of recently produced document ids, so a polled feed is not re-produced on every poll.
 * Only an optimisation: ids are content-derived, so anything that slips past (restart, another replica, an
 * evicted id) lands on the same document downstream instead of duplicating it.
 * @example const dedupe = new Deduper({ max: 50_000 }); docs.filter((d) => dedupe.isNew(d.id))
 */
export class Deduper {
  readonly #seen: LRUCache<string, true>;

  constructor(options: DeduperOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) throw new RangeError(`Deduper max must be a positive integer, got ${options.max}`);
    this.#seen = new LRUCache<string, true>({ max: options.max, ...(options.ttlMs === undefined ? {} : { ttl: options.ttlMs }) });
  }

  /** True the first time an id is offered (and remembers it); false while it is remembered. Refreshes recency. */
  isNew(id: string): boolean {
    if (this.#seen.get(id) !== undefined) return false;
    this.#seen.set(id, true);
    return true;
  }

  /** True when the id is remembered, without marking or refreshing it. */
  has(id: string): boolean {
    return this.#seen.has(id);
  }

  /**
   * Forget an id, e.g. when producing its document failed and the next poll should try again.
   * @example if (!(await produce(doc))) dedupe.forget(doc.id)
   */
  forget(id: string): void {
    this.#seen.delete(id);
  }

  /** How many ids are remembered now. */
  get size(): number {
    return this.#seen.size;
  }
}
