import { documentsAlias, type Client } from "@liaowang/es";
import type { Logger } from "@liaowang/logger";
import { EvidenceRecord, evidenceIndex, Incident } from "@liaowang/schemas";

/** Fields searched and sorted on; the original bytes stay in _source only. */
const MAPPINGS = {
  dynamic: false,
  properties: {
    docId: { type: "keyword" },
    incidentIds: { type: "keyword" },
    url: { type: "keyword", ignore_above: 2048 },
    state: { type: "keyword" },
    sha256: { type: "keyword" },
    firstSeenAt: { type: "date" },
    capturedAt: { type: "date" },
    deletedAt: { type: "date" },
    lastCheckedAt: { type: "date" },
  },
} as const;

type Versioned = { record: EvidenceRecord; seqNo: number; primaryTerm: number };

/** The post as indexed: what the evidence keeps beside the fetched original. */
export interface IndexedPost {
  id: string;
  url?: string;
  source?: string;
  title?: string;
  text: string;
  publishedAt?: string;
}

/** Evidence records in Elasticsearch, plus the reads the evidence service needs (open incidents, indexed posts). */
export class EvidenceStore {
  readonly index: string;

  constructor(
    private readonly es: Client,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    this.index = evidenceIndex(prefix);
  }

  async init(): Promise<void> {
    if (await this.es.indices.exists({ index: this.index })) return;
    await this.es.indices.create({ index: this.index, mappings: MAPPINGS }).catch((error: unknown) => {
      if (!String((error as Error).message).includes("resource_already_exists_exception")) throw error;
    });
  }

  /** Open incidents (the detector's index), most recently active first. */
  async openIncidents(limit = 500): Promise<Incident[]> {
    const res = await this.es.search<unknown>(
      { index: `${this.prefix}incidents`, size: limit, _source_excludes: ["state", "storedAt"], query: { match: { status: "open" } }, sort: [{ lastActivityAt: { order: "desc", unmapped_type: "date" } }] },
      { ignore: [404] },
    );
    return (res.hits?.hits ?? []).flatMap((h) => {
      const parsed = Incident.safeParse(h._source);
      if (parsed.success) return [parsed.data];
      this.log.warn({ incidentId: h._id }, "stored incident does not match its schema; its posts are not captured");
      return [];
    });
  }

  /** Evidence records by post id (missing ones absent from the map). */
  async get(docIds: readonly string[]): Promise<Map<string, Versioned>> {
    if (docIds.length === 0) return new Map();
    const res = await this.es.mget<unknown>({ index: this.index, ids: [...docIds] });
    const out = new Map<string, Versioned>();
    for (const doc of res.docs) {
      if (!("found" in doc) || !doc.found) continue;
      const parsed = EvidenceRecord.safeParse(doc._source);
      if (parsed.success && doc._seq_no !== undefined && doc._primary_term !== undefined) out.set(doc._id, { record: parsed.data, seqNo: doc._seq_no, primaryTerm: doc._primary_term });
      else this.log.warn({ docId: doc._id }, "stored evidence record does not match its schema; left alone");
    }
    return out;
  }

  /** Indexed posts by id (title, text, URL), for the ingested copy and for timeline posts without a URL. */
  async posts(docIds: readonly string[]): Promise<Map<string, IndexedPost>> {
    if (docIds.length === 0) return new Map();
    const res = await this.es.search<IndexedPost>({
      index: documentsAlias(this.prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      size: docIds.length,
      query: { ids: { values: [...docIds] } },
      _source: ["id", "url", "source", "title", "text", "publishedAt"],
    });
    return new Map((res.hits?.hits ?? []).flatMap((h) => (h._source ? [[h._source.id, h._source] as const] : [])));
  }

  /** Create a record; false when another replica created it first. */
  async create(record: EvidenceRecord): Promise<boolean> {
    try {
      await this.es.create({ index: this.index, id: record.docId, document: record, refresh: "wait_for" });
      return true;
    } catch (error) {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 409) return false;
      throw error;
    }
  }

  /** Replace a record if nobody changed it since it was read (false on a lost race: the next run re-reads). */
  async replace(held: Versioned, record: EvidenceRecord): Promise<boolean> {
    try {
      await this.es.index({ index: this.index, id: record.docId, document: record, if_seq_no: held.seqNo, if_primary_term: held.primaryTerm, refresh: "wait_for" });
      return true;
    } catch (error) {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 409) return false;
      throw error;
    }
  }
}
