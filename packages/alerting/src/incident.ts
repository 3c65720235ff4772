import type { AlertLevel } from "@liaowang/schemas";

/**
 * What the alerting domain needs from an incident. The alerter service maps the incidents topic's message
 * onto this at its edge, so the domain does not move when that schema grows. Times are ISO-8601 UTC.
 */
export interface IncidentInput {
  id: string;
  title: string;
  summary?: string | undefined;
  /** Event time of the earliest post (首发); deadlines count from here. */
  onsetAt: string;
  level: AlertLevel;
  /** The grade in words and numbers, e.g. "12 deaths reported by 3 sources → II per 生产安全事故 thresholds". */
  levelReason: string;
  topics: readonly string[];
  regions: readonly IncidentRegion[];
  keywords: readonly string[];
  sourceCount: number;
  volume: number;
  /** "open", "expired" or "merged" (then `mergedInto` names the surviving incident). */
  status: string;
  mergedInto?: string | undefined;
  /** When the detector last changed the incident. */
  updatedAt: string;
  /** Snapshot revision: a revision lower than the one applied is a late redelivery and is ignored. */
  revision: number;
  /** Set when an officer corrected the onset at the detector: who and why. */
  onsetCorrection?: { by: string; reason: string } | undefined;
  firstPost?: { source: string; url?: string | undefined; title?: string | undefined; publishedAt: string } | undefined;
}

/** A place an incident involves (GB/T 2260 code when known). */
export interface IncidentRegion {
  code?: string | undefined;
  name: string;
  province?: string | undefined;
  level?: "province" | "city" | "county" | undefined;
}
