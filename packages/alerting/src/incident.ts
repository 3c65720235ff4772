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
  /** The grade in zh-CN words and numbers, e.g. "据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）". */
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
  /** Scope in the jurisdiction and why (issue 7; absent from older detectors). */
  scope?: "本地" | "涉本地" | "外地" | "境外" | "未知" | undefined;
  scopeReason?: string | undefined;
  /** False when the incident belongs to analysts only (elsewhere, or no risk signal): no alert is opened for it. */
  dutyBoard?: boolean | undefined;
  /** Why it reaches (or not) the duty board, zh-CN. */
  boardReason?: string | undefined;
  /** The refutation that marks it 已辟谣; an authority's counts as authoritative information published. */
  refutedBy?: { at: string; source: string; url?: string | undefined; title?: string | undefined; authority: boolean } | undefined;
}

/** True when the incident belongs on the duty board (older detectors did not say: then it does). */
export function belongsOnBoard(incident: Pick<IncidentInput, "dutyBoard">): boolean {
  return incident.dutyBoard !== false;
}

/** A place an incident involves (GB/T 2260 code when known). */
export interface IncidentRegion {
  code?: string | undefined;
  name: string;
  province?: string | undefined;
  level?: "province" | "city" | "county" | undefined;
}
