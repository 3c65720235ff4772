import { z } from "zod";

/**
 * What a pipeline stage (a consumer of one topic) reports about itself every few seconds, stored one document per
 * replica in `<prefix>stage-health`: how far behind its consumer group is, and whether it is stuck retrying the same
 * offsets. The API's health endpoint and the dashboard read it.
 */
export const StageHealth = z.object({
  service: z.string(),
  /** The replica: host and process id. */
  instance: z.string(),
  topic: z.string(),
  groupId: z.string(),
  reportedAt: z.iso.datetime(),
  /** Records the group has not committed yet on the stage's topic (null when Kafka could not be asked). */
  lag: z.number().int().nonnegative().nullable(),
  /** Records this replica committed since it started. */
  committed: z.number().int().nonnegative(),
  lastCommitAt: z.iso.datetime().optional(),
  /** Consumer group joins of this replica since it started: 1 when it never lost its membership, more per rebalance. */
  joins: z.number().int().nonnegative().optional(),
  lastJoinAt: z.iso.datetime().optional(),
  /** Batches this replica abandoned uncommitted (a rebalance or a lost session while handling them): redelivered. */
  abandoned: z.number().int().nonnegative().optional(),
  lastAbandonedAt: z.iso.datetime().optional(),
  /** Set while the same offsets have been failing for longer than the stage's bound. */
  stuck: z
    .object({
      since: z.iso.datetime(),
      partition: z.number().int(),
      firstOffset: z.string(),
      lastOffset: z.string(),
      records: z.number().int(),
      attempts: z.number().int(),
      error: z.string(),
    })
    .optional(),
  /**
   * Set while the replica holds partitions with records waiting but has neither fetched nor committed for longer than
   * its bound (a wedged consumer); it restarts itself shortly after reporting it.
   */
  stalled: z.object({ since: z.iso.datetime(), partitions: z.array(z.number().int()), lag: z.number().int().nonnegative() }).optional(),
});
export type StageHealth = z.infer<typeof StageHealth>;

/** The index stage health reports are kept in. */
export function stageHealthIndex(prefix: string): string {
  return `${prefix}stage-health`;
}
