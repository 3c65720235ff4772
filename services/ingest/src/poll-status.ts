import type { Client } from "@liaowang/es";
import type { PollResult } from "@liaowang/ingest";
import { feedPollsIndex, type FeedPollStatus } from "@liaowang/schemas";

/** The stored form of a poll result: counts instead of the rejection list (feed text stays out of the index). */
export function toPollStatus(result: PollResult): FeedPollStatus {
  return {
    source: result.source,
    at: result.at,
    ok: result.ok,
    accepted: result.accepted,
    duplicates: result.duplicates,
    rejected: result.rejected.length,
    durationMs: result.durationMs,
    ...(result.error === undefined ? {} : { error: result.error.slice(0, 500) }),
    ...(result.encoding === undefined ? {} : { encoding: result.encoding }),
  };
}

/**
 * Keeps each source's latest poll in Elasticsearch (one document per source, overwritten), where the API's
 * sources page reads which feeds label their charset wrongly. Shared by every ingest replica: last poll wins.
 * @example new FeedPoller({ …, onPolled: pollStatusWriter(es, indexPrefix) })
 */
export function pollStatusWriter(es: Client, indexPrefix: string): (result: PollResult) => Promise<void> {
  const index = feedPollsIndex(indexPrefix);
  return async (result) => {
    await es.index({ index, id: result.source, document: toPollStatus(result) });
  };
}
