/**
 * The alert lists duty boards poll (`GET /api/v1/alerts`, the department inbox), kept for at most `ttlMs` and
 * dropped the moment any alert changes: the API follows the alert-events topic for its live stream, and every
 * audited change of an alert (opened, regraded, a transition, an escalation…) is published there after it was
 * written and made searchable. So a list read after an event is read afresh from Elasticsearch, and what a
 * cached list can miss is only a change without an event (an incident's volume grew), for at most `ttlMs` on top
 * of the index's own refresh interval. Requests for the same list while one search is in flight share it: however
 * many boards poll, Elasticsearch answers each list about once per change or per `ttlMs`.
 *
 * Used only while `active()` (the live feed is connected): events missed while it is not would leave a list
 * stale, so lists are then read afresh every time, and everything held is dropped when it (re)connects.
 * A cached value is shared between requests: callers must not change it.
 */
export class AlertListCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();
  private wasActive = false;
  private readonly clock: () => number;
  private readonly maxEntries: number;

  constructor(private readonly options: { ttlMs: number; active: () => boolean; clock?: () => number; maxEntries?: number }) {
    this.clock = options.clock ?? (() => performance.now());
    this.maxEntries = options.maxEntries ?? 64;
  }

  /** An alert changed (or may have): every list is read afresh next time. */
  invalidate(): void {
    this.entries.clear();
  }

  /** The list under `key`: held if read within `ttlMs` and no alert changed since, else `load()`ed. */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const active = this.options.ttlMs > 0 && this.options.active();
    if (active !== this.wasActive) {
      this.wasActive = active;
      this.entries.clear();
    }
    if (!active) return load();
    const now = this.clock();
    const held = this.entries.get(key);
    if (held && now - held.at < this.options.ttlMs) return held.value;
    const value = load();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const entry = { at: now, value };
    this.entries.set(key, entry);
    // A failed read is not kept: the next request tries again.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }
}
