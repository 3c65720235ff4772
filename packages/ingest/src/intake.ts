import type { TypedProducer } from "@liaowang/kafka";
import type { IngestRecord, RawDocument, SourceKind } from "@liaowang/schemas";
import { describeError } from "@liaowang/errors";
import type { Deduper } from "./dedupe.js";
import type { FeedItemResult } from "./feed.js";
import { normaliseRecord } from "./normalise.js";
import type { DateWindow, RecordNotes } from "./normalise.js";
import type { ItemResult, LineResult } from "./records.js";

/** Where an input unit sits in what was sent: an NDJSON line (1-based), a feed item (1-based) or an array index (0-based). */
export type Position = { kind: "line" | "item" | "index"; n: number };

/** One parsed input unit, valid or with the reason it is not (the reason already names its position). */
export type ParsedUnit = { at: Position; ok: true; record: IngestRecord; notes?: RecordNotes } | { at: Position; ok: false; reason: string };

/** One rejected unit: its position ("line 3"), the same as a number under its kind, and the reason. */
export interface Rejection {
  where: string;
  line?: number;
  item?: number;
  index?: number;
  reason: string;
}

/** What happened to a batch of input. `ids` are the produced documents' ids, in input order. */
export interface IntakeReport {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  ids: string[];
}

/** Sizes of one produce call: Kafka refuses a request over the broker's message.max.bytes (1 MiB by default). */
export interface IntakeLimits {
  /** Most documents per produce call (default 500). */
  readonly maxBatchDocs?: number;
  /** Most estimated JSON bytes per produce call (default 512 KiB). */
  readonly maxBatchBytes?: number;
}

/** A producer of raw documents: the typed Kafka producer, or any fake with the same `send`. */
export type RawProducer = Pick<TypedProducer, "send">;

/** The `where` label of a position, e.g. "line 3". */
export function describePosition(at: Position): string {
  return `${at.kind} ${at.n}`;
}

/**
 * The one path every connector uses into the pipeline: normalise, drop duplicates, produce to the raw topic.
 * Ids are remembered only once Kafka acknowledged them, so a failed send is retried on the next poll.
 * A bad unit is reported and never stops the good ones around it.
 * @example await new Intake(producer, { deduper: new Deduper({ max: 50_000 }) }).accept(fromLines(parseNdjson(text)), "api")
 */
export class Intake {
  readonly #producer: RawProducer;
  readonly #deduper: Deduper | undefined;
  readonly #now: () => Date;
  readonly #maxDocs: number;
  readonly #maxBytes: number;
  readonly #window: DateWindow | undefined;

  constructor(producer: RawProducer, options: { deduper?: Deduper; now?: () => Date; dateWindow?: DateWindow } & IntakeLimits = {}) {
    this.#producer = producer;
    this.#deduper = options.deduper;
    this.#now = options.now ?? (() => new Date());
    this.#maxDocs = options.maxBatchDocs ?? 500;
    this.#maxBytes = options.maxBatchBytes ?? 512 * 1024;
    this.#window = options.dateWindow;
  }

  /** Normalise, de-duplicate and produce every valid unit; resolves once Kafka acknowledged all of them. */
  async accept(units: Iterable<ParsedUnit> | AsyncIterable<ParsedUnit>, sourceKind: SourceKind): Promise<IntakeReport> {
    const report: IntakeReport = { accepted: 0, duplicates: 0, rejected: [], ids: [] };
    const seen = new Set<string>();
    let batch: RawDocument[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const docs = batch;
      batch = [];
      batchBytes = 0;
      try {
        // normaliseRecord built each with RawDocument.parse: the producer need not parse them again.
        await this.#producer.send("raw", docs, { validated: true });
      } catch (error) {
        throw withProgress(error, report.accepted);
      }
      for (const doc of docs) {
        this.#deduper?.isNew(doc.id);
        report.ids.push(doc.id);
      }
      report.accepted += docs.length;
    };
    const now = this.#now();
    for await (const unit of units) {
      if (!unit.ok) {
        report.rejected.push(rejection(unit.at, unit.reason));
        continue;
      }
      let doc: RawDocument;
      try {
        doc = normaliseRecord(unit.record, sourceKind, now, {
          ...(unit.notes === undefined ? {} : { notes: unit.notes }),
          ...(this.#window === undefined ? {} : { window: this.#window }),
        });
      } catch (error) {
        report.rejected.push(rejection(unit.at, `${describePosition(unit.at)}: ${describeError(error)}`));
        continue;
      }
      if (seen.has(doc.id) || this.#deduper?.has(doc.id) === true) {
        report.duplicates++;
        continue;
      }
      seen.add(doc.id);
      // Estimated size: Chinese is 3 bytes a character in UTF-8; the other fields are small.
      const size = 3 * (doc.text.length + (doc.title?.length ?? 0)) + 512;
      if (batch.length > 0 && (batch.length >= this.#maxDocs || batchBytes + size > this.#maxBytes)) await flush();
      batch.push(doc);
      batchBytes += size;
    }
    await flush();
    return report;
  }
}

function rejection(at: Position, reason: string): Rejection {
  return { where: describePosition(at), [at.kind]: at.n, reason };
}

// A failure after some batches were produced must say so: those documents are on the topic already.
function withProgress(error: unknown, accepted: number): unknown {
  if (accepted === 0 || !(error instanceof Error)) return error;
  error.message = `${error.message} (after ${accepted} document(s) were already produced)`;
  return error;
}

/** Label NDJSON line results for an intake. */
export function fromLines(results: Iterable<LineResult>): ParsedUnit[] {
  return [...results].map((r) => toUnit({ kind: "line", n: r.line }, r));
}

/** Label NDJSON line results from a stream for an intake, lazily. */
export async function* fromLineStream(results: AsyncIterable<LineResult>): AsyncGenerator<ParsedUnit> {
  for await (const r of results) yield toUnit({ kind: "line", n: r.line }, r);
}

/** Label JSON array results (0-based index) for an intake. */
export function fromItems(results: Iterable<ItemResult>): ParsedUnit[] {
  return [...results].map((r) => toUnit({ kind: "index", n: r.index }, r));
}

/** Label feed item results (1-based item) for an intake, keeping what the parser noted about each record. */
export function fromFeedItems(results: Iterable<FeedItemResult>): ParsedUnit[] {
  return [...results].map((r) => {
    const unit = toUnit({ kind: "item", n: r.item }, r);
    return r.ok && r.notes !== undefined && unit.ok ? { ...unit, notes: r.notes } : unit;
  });
}

function toUnit(at: Position, r: { ok: true; record: IngestRecord } | { ok: false; reason: string }): ParsedUnit {
  return r.ok ? { at, ok: true, record: r.record } : { at, ok: false, reason: r.reason };
}
