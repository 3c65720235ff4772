import type { IncidentInput } from "@liaowang/alerting";
import type { Incident } from "@liaowang/schemas";

/** The incidents topic's message as the alerting domain's input (the one place that knows both shapes). */
export function toIncidentInput(incident: Incident): IncidentInput {
  const first = incident.firstSource;
  return {
    id: incident.id,
    title: incident.title,
    summary: first.snippet,
    onsetAt: incident.onsetAt,
    level: incident.level,
    levelReason: incident.gradeReason,
    topics: incident.topics.map((t) => t.id),
    regions: incident.regions.map((r) => ({ code: r.code, name: r.name, province: r.province, level: r.level })),
    keywords: incident.keywords.slice(0, 20).map((k) => k.word),
    sourceCount: incident.sources.count,
    volume: incident.volume,
    status: incident.status,
    mergedInto: incident.mergedInto,
    updatedAt: incident.updatedAt,
    revision: incident.revision,
    onsetCorrection: incident.onsetCorrection ? { by: incident.onsetCorrection.by, reason: incident.onsetCorrection.reason } : undefined,
    firstPost: { source: first.source, url: first.url, title: first.title, publishedAt: first.publishedAt },
    scope: incident.scope,
    scopeReason: incident.scopeReason,
    dutyBoard: incident.dutyBoard,
    boardReason: incident.boardReason,
    refutedBy: incident.refutedBy
      ? { at: incident.refutedBy.at, source: incident.refutedBy.source, url: incident.refutedBy.url, title: incident.refutedBy.title, authority: incident.refutedBy.authority }
      : undefined,
  };
}
