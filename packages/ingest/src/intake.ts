import type { TypedProducer } from "@liaowang/kafka";
import type { IngestRecord, RawDocument, SourceKind } from "@liaowang/schemas";
import { describeError } from "@liaowang/errors";
import type { Deduper } from "./dedupe.js";
import { normaliseRecord } from "./normalise.js";

/** One parsed input unit: a line, an array item or a feed item, valid or with the reason it is not (the reason names the unit). */
export type ParsedUnit = { where: string; ok: true; record: IngestRecord } | { where: string; ok: false; reason: string };

/** What happened to a batch of input. */
export interface IntakeReport {
  accepted: number;
  duplicates: number;
  rejected: { where: string; reason: string }[];
  ids: string[];
}

/**
 * The one path every connector uses into the pipeline: normalise, drop recent duplicates, produce to the raw
 * topic. Ids are remembered only once Kafka acknowledged them, so a failed send is retried on the next poll.
 * @example await new Intake(producer, new Deduper({ max: 50_000 })).accept(units, "rss")
 */
export class Intake {
  constructor(
    private readonly producer: Pick<TypedProducer, "send">,
    private readonly deduper?: Deduper,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async accept(units: Iterable<ParsedUnit>, sourceKind: SourceKind): Promise<IntakeReport> {
    const report: IntakeReport = { accepted: 0, duplicates: 0, rejected: [], ids: [] };
    const batch = new Map<string, RawDocument>();
    const now = this.now();
    for (const unit of units) {
      if (!unit.ok) {
        report.rejected.push({ where: unit.where, reason: unit.reason });
        continue;
      }
      let doc: RawDocument;
      try {
        doc = normaliseRecord(unit.record, sourceKind, now);
      } catch (error) {
        report.rejected.push({ where: unit.where, reason: `${unit.where}: ${describeError(error)}` });
        continue;
      }
      if (batch.has(doc.id) || this.deduper?.has(doc.id)) {
        report.duplicates++;
        continue;
      }
      batch.set(doc.id, doc);
    }
    await this.producer.send("raw", [...batch.values()]);
    for (const id of batch.keys()) this.deduper?.isNew(id);
    report.accepted = batch.size;
    report.ids = [...batch.keys()];
    return report;
  }
}

/** Label NDJSON line results for an intake. */
export function fromLines(results: Iterable<{ line: number; ok: true; record: IngestRecord } | { line: number; ok: false; reason: string }>): ParsedUnit[] {
  return [...results].map((r) => (r.ok ? { where: `line ${r.line}`, ok: true, record: r.record } : { where: `line ${r.line}`, ok: false, reason: r.reason }));
}

/** Label array/feed item results for an intake. */
export function fromItems(results: Iterable<{ index: number; ok: true; record: IngestRecord } | { index: number; ok: false; reason: string }>, label = "item"): ParsedUnit[] {
  return [...results].map((r) => (r.ok ? { where: `${label} ${r.index}`, ok: true, record: r.record } : { where: `${label} ${r.index}`, ok: false, reason: r.reason }));
}
