import type { Client } from "@elastic/elasticsearch";
import { describeError, unavailable } from "@liaowang/errors";

/** HTTP status of an Elasticsearch client error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const meta = (error as { meta?: { statusCode?: unknown } } | null)?.meta;
  return typeof meta?.statusCode === "number" ? meta.statusCode : undefined;
}

/**
 * Create an index with mappings unless it exists (safe at every start-up and from several replicas at once), then
 * wait until its shard is active: an index another service created an instant ago exists before its shard is open,
 * and a read then fails with no_shard_available_action_exception (services crashed at start-up on it).
 */
export async function ensureIndex(es: Client, index: string, mappings: Record<string, unknown>, waitMs = 30_000): Promise<void> {
  try {
    if (!(await es.indices.exists({ index }))) {
      await es.indices.create({ index, mappings: mappings as never, settings: { number_of_replicas: 0 } as never });
    }
  } catch (error) {
    if (!(statusOf(error) === 400 && describeError(error).includes("resource_already_exists"))) {
      throw unavailable(`Elasticsearch creating index ${index} failed: ${describeError(error)}`, error);
    }
  }
  try {
    const health = await es.cluster.health({ index, wait_for_status: "yellow", timeout: `${Math.ceil(waitMs / 1000)}s` });
    if (health.timed_out) throw new Error(`index ${index} is ${health.status} after ${waitMs} ms`);
  } catch (error) {
    throw unavailable(`Elasticsearch waiting for index ${index} failed: ${describeError(error)}`, error);
  }
}
