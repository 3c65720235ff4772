import type { Client } from "@elastic/elasticsearch";
import { describeError, unavailable } from "@liaowang/errors";

/** HTTP status of an Elasticsearch client error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const meta = (error as { meta?: { statusCode?: unknown } } | null)?.meta;
  return typeof meta?.statusCode === "number" ? meta.statusCode : undefined;
}

/**
 * Settings of the small indices the services keep for themselves (incidents, alerts and their audit, the outbox, stage
 * health, the security audit…): a shard nobody searched for 5 s (Elasticsearch's default: 30 s) stops being refreshed
 * every second. Such indices are written several times a second and searched now and then (the detector's 30 s sync,
 * a dashboard's 10 s poll, a user's list), and with 30 s each occasional search kept its index refreshing every
 * second: for the incidents index about 60 refreshes a minute of a few large, ever-rewritten documents, with the merges
 * they bring, instead of ~15. Reads lose nothing: a search of an idle shard with writes waiting refreshes it first and
 * waits, so it sees what a busy shard's 1 s refresh would have shown, and gets are real-time anyway. Dynamic: applied
 * to existing indices too.
 */
export const INTERNAL_INDEX_SETTINGS = { "index.search.idle.after": "5s" } as const;

/**
 * Give an existing index (made before INTERNAL_INDEX_SETTINGS were introduced) the settings, best effort: a service
 * whose role may create but not manage the index (a secured cluster, `deploy/elasticsearch/setup-security.sh`) leaves
 * it as it is, which only costs refreshes. Whether the index has them now.
 */
export async function applyInternalSettings(es: Client, index: string): Promise<boolean> {
  try {
    const current = await es.indices.getSettings({ index, name: Object.keys(INTERNAL_INDEX_SETTINGS), flat_settings: true });
    const held = Object.values(current)[0]?.settings as Record<string, unknown> | undefined;
    if (Object.entries(INTERNAL_INDEX_SETTINGS).every(([k, v]) => held?.[k] === v)) return true;
    await es.indices.putSettings({ index, settings: INTERNAL_INDEX_SETTINGS });
    return true;
  } catch {
    return false;
  }
}

/**
 * Create an index with mappings and INTERNAL_INDEX_SETTINGS unless it exists (safe at every start-up and from several
 * replicas at once; an existing index gets the settings where the role may), then
 * wait until its shard is active: an index another service created an instant ago exists before its shard is open,
 * and a read then fails with no_shard_available_action_exception (services crashed at start-up on it).
 */
export async function ensureIndex(es: Client, index: string, mappings: Record<string, unknown>, waitMs = 30_000): Promise<void> {
  try {
    if (!(await es.indices.exists({ index }))) {
      await es.indices.create({ index, mappings: mappings as never, settings: { number_of_replicas: 0, ...INTERNAL_INDEX_SETTINGS } as never });
    } else {
      await applyInternalSettings(es, index);
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
