import { FIGURE_KINDS, effectiveOnset, type IncidentChange as DomainChange, type IncidentState, type PostRef, type StatementRecord } from "@liaowang/detect";
import type { Incident, IncidentChange, IncidentPost, IncidentStatement } from "@liaowang/schemas";

const iso = (ms: number): string => new Date(ms).toISOString();

function post(p: PostRef): IncidentPost {
  return {
    docId: p.id,
    source: p.source,
    ...(p.url === undefined ? {} : { url: p.url }),
    ...(p.title === undefined ? {} : { title: p.title }),
    snippet: p.snippet,
    publishedAt: iso(p.publishedAt),
  };
}

function statement(s: StatementRecord): IncidentStatement {
  return {
    kind: s.kind,
    at: iso(s.at),
    source: s.source,
    ...(s.url === undefined ? {} : { url: s.url }),
    ...(s.title === undefined ? {} : { title: s.title }),
    docId: s.docId,
    authority: s.authority,
  };
}

/** Scores as shares of the incident's total, so consumers can compare incidents of any size. */
function shares<T extends { score: number }>(items: readonly T[]): T[] {
  const total = items.reduce((s, x) => s + Math.max(0, x.score), 0);
  return total > 0 ? items.map((x) => ({ ...x, score: Math.round((x.score / total) * 10_000) / 10_000 })) : [...items];
}

function headline(incident: IncidentState): string {
  const first = incident.firstPost;
  return first.title?.trim() || [...first.snippet].slice(0, 60).join("");
}

/**
 * The incidents-topic message of an incident state: ISO times, the effective onset, bounded lists.
 * @example producer.send("incidents", [toIncidentMessage(update.incident, update.changes)])
 */
export function toIncidentMessage(incident: IncidentState, changes: readonly DomainChange[]): Incident {
  const keywordTotal = incident.keywords.reduce((s, k) => s + k.weight, 0);
  return {
    v: 1,
    id: incident.id,
    revision: incident.revision,
    status: incident.status,
    changes: changes.filter((c): c is IncidentChange => c !== "duplicate"),
    ...(incident.mergedInto === undefined ? {} : { mergedInto: incident.mergedInto }),
    mergedFrom: incident.mergedFrom,
    title: headline(incident),
    openedAt: iso(incident.openedAt),
    updatedAt: iso(incident.updatedAt),
    ...(incident.closedAt === undefined ? {} : { closedAt: iso(incident.closedAt) }),
    onsetAt: iso(effectiveOnset(incident)),
    firstSource: post(incident.firstPost),
    ...(incident.onsetCorrection === undefined
      ? {}
      : {
          onsetCorrection: {
            at: iso(incident.onsetCorrection.at),
            previousAt: iso(incident.onsetCorrection.previousAt),
            reason: incident.onsetCorrection.reason,
            by: incident.onsetCorrection.by,
            correctedAt: iso(incident.onsetCorrection.correctedAt),
          },
        }),
    lastActivityAt: iso(incident.lastActivityAt),
    level: incident.level,
    gradeReason: incident.gradeReason,
    gradeHistory: incident.gradeHistory.map((g) => ({ at: iso(g.at), from: g.from, to: g.to, reason: g.reason })),
    ...(incident.category === undefined ? {} : { category: incident.category }),
    topics: shares(incident.topics),
    regions: incident.regions.map((r) => ({ code: r.code, name: r.name, level: r.level, province: r.province, count: Math.max(1, r.count) })),
    keywords: incident.keywords
      .slice(0, 20)
      .map((k) => ({ word: k.word, weight: keywordTotal > 0 ? Math.round((k.weight / keywordTotal) * 10_000) / 10_000 : 0 })),
    sources: { count: incident.sources.count, names: incident.sources.list },
    volume: incident.volume,
    velocity: incident.velocity,
    figures: FIGURE_KINDS.flatMap((kind) => {
      const f = incident.figures[kind];
      return f
        ? [{ kind, value: f.value, approx: f.approx, text: f.text, sources: f.sources, sourceCount: f.sourceCount, firstReportedAt: iso(f.firstReportedAt) }]
        : [];
    }),
    representativeDocs: incident.posts.map(post),
    watchMatches: incident.watch.map((w) => ({
      ruleId: w.ruleId,
      name: w.name,
      ...(w.level === undefined ? {} : { level: w.level }),
      matched: w.matched,
      count: w.count,
      firstMatchedAt: iso(w.firstMatchedAt),
      lastMatchedAt: iso(w.lastMatchedAt),
    })),
    bursts: incident.bursts.map((b) => ({
      id: b.id,
      kind: b.kind,
      value: b.value,
      bucketStart: iso(b.bucketStart),
      bucketEnd: iso(b.bucketEnd),
      count: b.count,
      baselineMean: b.baselineMean,
      ratio: b.ratio,
      pValue: b.pValue,
      detectedAt: iso(b.detectedAt),
    })),
    sentiment: { mean: Math.round(incident.sentiment.mean * 10_000) / 10_000, n: incident.sentiment.n },
    ...(incident.board === undefined
      ? {}
      : { scope: incident.board.scope, scopeReason: incident.board.scopeReason, dutyBoard: incident.board.onBoard, boardReason: incident.board.reason }),
    ...(incident.statements === undefined ? {} : { statements: incident.statements.map(statement) }),
    ...(incident.refutedBy === undefined ? {} : { refutedBy: statement(incident.refutedBy) }),
    timeline: incident.timeline.map((e) => ({
      at: iso(e.at),
      kind: e.kind,
      text: e.text,
      ...(e.docId === undefined ? {} : { docId: e.docId }),
      ...(e.source === undefined ? {} : { source: e.source }),
    })),
  };
}
