import { ensureIndex, statusOf, type Client } from "@liaowang/es";
import { describeError, unavailable } from "@liaowang/errors";

export { ensureIndex, statusOf };
import type { StoreVersion, Versioned } from "@liaowang/notify";


/** `${_seq_no}:${_primary_term}`: the optimistic-concurrency token of a read. */
export function versionOf(hit: { _seq_no?: number | undefined; _primary_term?: number | undefined }): StoreVersion {
  return `${hit._seq_no ?? 0}:${hit._primary_term ?? 0}`;
}

function parseVersion(version: StoreVersion): { if_seq_no: number; if_primary_term: number } {
  const [seq, term] = version.split(":").map(Number);
  return { if_seq_no: seq ?? 0, if_primary_term: term ?? 0 };
}

function failed(what: string, error: unknown): Error {
  return unavailable(`Elasticsearch ${what} failed: ${describeError(error)}`, error);
}


/**
 * Whole documents under fixed ids with compare-and-set writes: the building block of every alerter store.
 * Reads are real-time (`get`), so a write right after a read of the same id never races a refresh.
 */
export class EsDocs<T> {
  constructor(
    readonly es: Client,
    readonly index: string,
  ) {}

  async get(id: string): Promise<Versioned<T> | undefined> {
    try {
      const doc = await this.es.get<T>({ index: this.index, id }, { ignore: [404] });
      if (!doc.found || doc._source === undefined) return undefined;
      return { value: doc._source, version: versionOf(doc) };
    } catch (error) {
      throw failed(`get ${this.index}/${id}`, error);
    }
  }

  /** Several documents in one real-time round trip (`mget`); absent ids are not in the map. */
  async getMany(ids: readonly string[]): Promise<Map<string, Versioned<T>>> {
    const out = new Map<string, Versioned<T>>();
    if (ids.length === 0) return out;
    try {
      const res = await this.es.mget<T>({ index: this.index, ids: [...ids] }, { ignore: [404] });
      for (const doc of res.docs ?? []) {
        if ("found" in doc && doc.found && doc._source !== undefined) out.set(doc._id, { value: doc._source, version: versionOf(doc) });
      }
      return out;
    } catch (error) {
      throw failed(`mget ${this.index} (${ids.length} ids)`, error);
    }
  }

  /** Insert unless the id exists; the new version, or null if it did. `refresh`: searchable when this returns. */
  async create(id: string, value: T, refresh = false): Promise<StoreVersion | null> {
    try {
      const res = await this.es.index({ index: this.index, id, document: value, op_type: "create", ...(refresh ? { refresh: true } : {}) });
      return versionOf(res);
    } catch (error) {
      if (statusOf(error) === 409) return null;
      throw failed(`create ${this.index}/${id}`, error);
    }
  }

  /** Overwrite only if still at `version`; the new version, or null if someone else wrote first. `refresh` as for `create`. */
  async replace(id: string, value: T, version: StoreVersion, refresh = false): Promise<StoreVersion | null> {
    try {
      const res = await this.es.index({ index: this.index, id, document: value, ...parseVersion(version), ...(refresh ? { refresh: true } : {}) });
      return versionOf(res);
    } catch (error) {
      if (statusOf(error) === 409) return null;
      throw failed(`replace ${this.index}/${id}`, error);
    }
  }

  /**
   * Several compare-and-set writes in one bulk request: each item is created (`version` null: only if absent) or
   * replaced only if still at `version`. Per item, its new version, or `null` when it was not written: an item
   * refused for any reason (another writer came first, a throttled shard) is left to the caller's one-by-one path,
   * which reads afresh and reports the real error. A failed request throws, with nothing known to be written.
   * `refresh`: what was written is searchable when this returns.
   */
  async writeMany(items: readonly { id: string; value: T; version: StoreVersion | null }[], refresh = false): Promise<(StoreVersion | null)[]> {
    if (items.length === 0) return [];
    try {
      const res = await this.es.bulk({
        operations: items.flatMap((item) => [
          item.version === null ? { create: { _index: this.index, _id: item.id } } : { index: { _index: this.index, _id: item.id, ...parseVersion(item.version) } },
          item.value as unknown as Record<string, unknown>,
        ]),
        filter_path: "items.*.status,items.*._seq_no,items.*._primary_term",
        ...(refresh ? { refresh: true } : {}),
      });
      return items.map((_, i) => {
        const result = res.items?.[i];
        const item = result?.index ?? result?.create;
        const status = item?.status ?? 0;
        return status >= 200 && status < 300 && item?._seq_no !== undefined ? versionOf(item) : null;
      });
    } catch (error) {
      throw failed(`bulk ${this.index} (${items.length} writes)`, error);
    }
  }

  /** Search with versions; a missing index reads as empty. */
  async search(body: Record<string, unknown>): Promise<Versioned<T>[]> {
    try {
      const res = await this.es.search<T>({ index: this.index, seq_no_primary_term: true, ...body }, { ignore: [404] });
      return (res.hits?.hits ?? []).flatMap((hit) => (hit._source === undefined ? [] : [{ value: hit._source, version: versionOf(hit) }]));
    } catch (error) {
      throw failed(`search ${this.index}`, error);
    }
  }

  /** Make recent writes searchable (tests and the CLI's read-your-writes). */
  async refresh(): Promise<void> {
    await this.es.indices.refresh({ index: this.index }, { ignore: [404] });
  }
}
