import type { StoreVersion, Versioned } from "@liaowang/notify";
import { LRUCache } from "lru-cache";

/** `seq_no` and primary term of a version token (`<seq_no>:<primary_term>`). */
function parts(version: StoreVersion): [number, number] {
  const [seq, term] = version.split(":").map(Number);
  return [seq ?? 0, term ?? 0];
}

/** Whether `a` is a later write of the same document than `b` (a higher primary term, or the same term and a higher seq_no). */
export function newerVersion(a: StoreVersion, b: StoreVersion): boolean {
  const [seqA, termA] = parts(a);
  const [seqB, termB] = parts(b);
  return termA !== termB ? termA > termB : seqA > seqB;
}

/** What the cache knows of an id: the alert as last read or written here, known absent, or nothing. */
export type Recalled<T> = { known: true; doc: Versioned<T> | undefined } | { known: false };

/**
 * The alerts this process read or wrote last, with their `seq_no`/`primary_term`, and the ids it found absent:
 * what lets the incidents consumer decide without reading Elasticsearch again. A cached alert is only ever a
 * first guess for a compare-and-set write (a stale one is refused by Elasticsearch and read afresh), and an id
 * known absent can only have gained an alert through the consumer of its incident's partition, which is this
 * process until the group rebalances (the owner forgets everything then: `clear`). Bounded on both sides; the
 * least recently used go first.
 */
export class AlertCache<T> {
  private readonly present: LRUCache<string, Versioned<T>>;
  private readonly absent: LRUCache<string, true>;
  /** Lookups answered from memory and those that had to read (for the log). */
  readonly stats = { hits: 0, misses: 0 };

  constructor(limits: { alerts: number; absent: number }) {
    this.present = new LRUCache({ max: limits.alerts });
    this.absent = new LRUCache({ max: limits.absent });
  }

  recall(id: string): Recalled<T> {
    const doc = this.present.get(id);
    if (doc) {
      this.stats.hits++;
      return { known: true, doc };
    }
    if (this.absent.get(id)) {
      this.stats.hits++;
      return { known: true, doc: undefined };
    }
    this.stats.misses++;
    return { known: false };
  }

  /**
   * Record what a read or a write found: the document (kept unless a later version of it is already held), or
   * `undefined` for an id that does not exist.
   */
  remember(id: string, doc: Versioned<T> | undefined): void {
    if (!doc) {
      this.present.delete(id);
      this.absent.set(id, true);
      return;
    }
    this.absent.delete(id);
    const held = this.present.get(id);
    if (held && newerVersion(held.version, doc.version)) return;
    this.present.set(id, doc);
  }

  /** Drop what is known of `id` (a write was refused: someone else changed it). */
  forget(id: string): void {
    this.present.delete(id);
    this.absent.delete(id);
  }

  /** Drop everything (the consumer's partitions changed hands: another replica may have written meanwhile). */
  clear(): void {
    this.present.clear();
    this.absent.clear();
  }

  get size(): { alerts: number; absent: number } {
    return { alerts: this.present.size, absent: this.absent.size };
  }
}
