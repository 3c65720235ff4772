import { z } from "zod";
import type { IncidentState } from "./incident-state.js";

/**
 * When a cluster of posts becomes an incident worth publishing. Most posts match nothing and stay candidates:
 * publishing each would bury the duty board. Once reported, every later change is published.
 */
export interface ReportPolicy {
  /** Distinct sources that make a story an incident on their own. */
  minSources: number;
  /** Report as soon as the incident is graded (casualty / loss figures, or a 突发事件 category). */
  whenGraded: boolean;
  /** Report when a watch rule matched. */
  whenWatched: boolean;
  /** Report when one of its topics, keywords or regions bursts. */
  whenBurst: boolean;
}

/** Defaults: graded, watched, bursting, or carried by two distinct sources. */
export const DEFAULT_REPORT_POLICY: ReportPolicy = { minSources: 2, whenGraded: true, whenWatched: true, whenBurst: true };

/** Schema of the report policy (every key optional). */
export const reportPolicySchema = z
  .object({ minSources: z.number().int().min(1), whenGraded: z.boolean(), whenWatched: z.boolean(), whenBurst: z.boolean() })
  .partial()
  .transform((p): ReportPolicy => ({ ...DEFAULT_REPORT_POLICY, ...p }));

/**
 * Why an incident meets the policy, or undefined while it does not.
 * @example reportReason(incident) // "graded II"
 */
export function reportReason(incident: IncidentState, policy: ReportPolicy = DEFAULT_REPORT_POLICY): string | undefined {
  if (policy.whenGraded && incident.level !== null) return `graded ${incident.level}`;
  if (policy.whenWatched && incident.watch.length > 0) return `watch rule ${incident.watch[0]?.name ?? ""}`;
  if (policy.whenBurst && incident.bursts.length > 0) return `burst of ${incident.bursts[0]?.kind ?? ""} ${incident.bursts[0]?.value ?? ""}`;
  if (incident.sources.count >= policy.minSources) return `${incident.sources.count} distinct sources`;
  return undefined;
}
