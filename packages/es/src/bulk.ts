import type { Client } from "@elastic/elasticsearch";
import { describeError, LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";

/** One document to write with a fixed id, so a resend overwrites instead of duplicating. */
export interface BulkItem<R = unknown> {
  index: string;
  id: string;
  /**
   * The source, or its JSON as UTF-8 bytes (in one buffer or in consecutive pieces), written as they are: a caller
   * that has it serialised need not build an object, and a bulk of such documents is sent as one buffer (no string to
   * measure and encode again).
   */
  document: Record<string, unknown> | Buffer | Buffer[];
  /** Carried back with a permanent failure so the caller can dead-letter the right record. */
  ref: R;
}

/** A document Elasticsearch refused for good (mapping error, too large…). */
export interface BulkFailure<R> {
  ref: R;
  id: string;
  status: number;
  reason: string;
}

export interface BulkOptions {
  log: Logger;
  /** Attempts for items that failed with 429/5xx before the whole call is failed as retriable. */
  maxAttempts?: number;
  initialBackoffMs?: number;
  refresh?: boolean | "wait_for";
  /**
   * `create`: write-once (`op_type: create`), for append-only records such as audit trails; an item whose id
   * exists is left as it is and counts as written (a replay of the same record).
   */
  op?: "index" | "create";
}

/** The parts of a bulk answer {@link bulkIndex} reads. */
const BULK_FILTER = ["errors", "items.*.status", "items.*.error.type", "items.*.error.reason"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const retriableStatus = (status: number) => status === 429 || status >= 500;

/**
 * Write documents with the bulk API, checking every item: 429/5xx items are retried with backoff, other
 * failed items are returned as permanent failures. Throws a retriable error if Elasticsearch keeps
 * refusing or cannot be reached, so the caller does not commit. (The client's bulk helper counts
 * non-429 item failures as "dropped" while reporting success, so it is not used here.)
 */
export async function bulkIndex<R>(client: Client, items: BulkItem<R>[], options: BulkOptions): Promise<BulkFailure<R>[]> {
  const maxAttempts = options.maxAttempts ?? 6;
  let delay = options.initialBackoffMs ?? 200;
  let pending = items;
  const failures: BulkFailure<R>[] = [];
  for (let attempt = 1; pending.length > 0; attempt++) {
    let response;
    const action = (item: BulkItem<R>) => (options.op === "create" ? { create: { _index: item.index, _id: item.id } } : { index: { _index: item.index, _id: item.id } });
    try {
      response = await client.bulk({
        ...(pending.every((item) => isBytes(item.document))
          ? { body: ndjsonBytes(pending.map((item) => [action(item), item.document as Buffer | Buffer[]])) }
          : { operations: pending.flatMap((item) => [action(item), isBytes(item.document) ? Buffer.concat([item.document].flat()).toString() : item.document]) }),
        ...(options.refresh === undefined ? {} : { refresh: options.refresh }),
        // Only what is checked below: the full answer repeats index, id, version, shards and seq_no for every item
        // (~200 bytes each, ~400 KB for a bulk of 2,000) for Elasticsearch to write and this process to parse.
        filter_path: BULK_FILTER,
      });
    } catch (error) {
      // Whole-request failure (connection, 429/5xx on the request): resending is harmless with fixed ids.
      if (attempt >= maxAttempts) throw new LiaowangError("unavailable", `bulk request failed ${attempt} times: ${describeError(error)}`, { cause: error });
      options.log.warn({ err: error, attempt, items: pending.length }, "bulk request failed, retrying");
      await sleep(delay);
      delay = Math.min(delay * 2, 10_000);
      continue;
    }
    if (!response.errors) break;
    // Every item keeps its status under the filter, so the answer's items stay aligned with the request's.
    const answered = response.items ?? [];
    if (answered.length !== pending.length) throw new LiaowangError("unavailable", `bulk answer lists ${answered.length} items for ${pending.length} sent`);
    const retry: BulkItem<R>[] = [];
    answered.forEach((entry, i) => {
      const result = entry.index ?? entry.create ?? entry.update;
      const item = pending[i] as BulkItem<R>;
      if (!result || !result.error) return;
      const status = result.status;
      if (options.op === "create" && status === 409) return;
      if (retriableStatus(status)) retry.push(item);
      else failures.push({ ref: item.ref, id: item.id, status, reason: `${result.error.type}: ${result.error.reason ?? ""}`.trim() });
    });
    if (retry.length === 0) break;
    if (attempt >= maxAttempts) {
      throw new LiaowangError("unavailable", `${retry.length} document(s) still rejected with 429/5xx after ${attempt} attempts`);
    }
    options.log.warn({ attempt, retrying: retry.length }, "bulk items throttled or failed on the server, retrying");
    pending = retry;
    await sleep(delay);
    delay = Math.min(delay * 2, 10_000);
  }
  return failures;
}

function isBytes(document: BulkItem["document"]): document is Buffer | Buffer[] {
  return Buffer.isBuffer(document) || Array.isArray(document);
}

/** A bulk body of pre-serialised sources: each action line, then the source's bytes as they are. */
function ndjsonBytes(lines: [Record<string, unknown>, Buffer | Buffer[]][]): Buffer {
  const parts: Buffer[] = [];
  for (const [action, source] of lines) {
    parts.push(Buffer.from(`${JSON.stringify(action)}\n`));
    if (Buffer.isBuffer(source)) parts.push(source);
    else for (const piece of source) parts.push(piece);
    parts.push(NEWLINE);
  }
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from("\n");
