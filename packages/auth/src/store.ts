import { ensureIndex, statusOf, type Client } from "@liaowang/es";
import { describeError, unavailable } from "@liaowang/errors";

export { ensureIndex, statusOf };


function failed(what: string, error: unknown): Error {
  return unavailable(`Elasticsearch ${what} failed: ${describeError(error)}`, error);
}


/** A document and the version it was read at (for compare-and-set). */
export interface Held<T> {
  value: T;
  seqNo: number;
  primaryTerm: number;
}

/** Whole documents under fixed ids: real-time reads, create-only inserts and compare-and-set replaces. */
export class Docs<T> {
  constructor(
    readonly es: Client,
    readonly index: string,
  ) {}

  async get(id: string): Promise<Held<T> | undefined> {
    try {
      const doc = await this.es.get<T>({ index: this.index, id }, { ignore: [404] });
      if (!doc.found || doc._source === undefined) return undefined;
      return { value: doc._source, seqNo: doc._seq_no ?? 0, primaryTerm: doc._primary_term ?? 0 };
    } catch (error) {
      throw failed(`get ${this.index}/${id}`, error);
    }
  }

  /** Insert unless the id exists (`op_type: create`); false when it did. */
  async create(id: string, value: T, refresh = false): Promise<boolean> {
    try {
      await this.es.index({ index: this.index, id, document: value, op_type: "create", ...(refresh ? { refresh: "wait_for" as const } : {}) });
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw failed(`create ${this.index}/${id}`, error);
    }
  }

  /** Replace if unchanged since read; false when someone else wrote first. */
  async replace(id: string, value: T, held: Pick<Held<T>, "seqNo" | "primaryTerm">): Promise<boolean> {
    try {
      await this.es.index({ index: this.index, id, document: value, if_seq_no: held.seqNo, if_primary_term: held.primaryTerm });
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw failed(`replace ${this.index}/${id}`, error);
    }
  }

  async delete(id: string): Promise<void> {
    try {
      await this.es.delete({ index: this.index, id }, { ignore: [404] });
    } catch (error) {
      throw failed(`delete ${this.index}/${id}`, error);
    }
  }

  async search(body: Record<string, unknown>): Promise<{ id: string; value: T }[]> {
    try {
      const res = await this.es.search<T>({ index: this.index, ...body }, { ignore: [404] });
      return (res.hits?.hits ?? []).filter((h) => h._source !== undefined).map((h) => ({ id: h._id ?? "", value: h._source as T }));
    } catch (error) {
      throw failed(`search ${this.index}`, error);
    }
  }

  async refresh(): Promise<void> {
    await this.es.indices.refresh({ index: this.index }).catch(() => undefined);
  }
}
