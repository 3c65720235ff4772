// The production domain chain in one process, for `pnpm eval`: the enrich service's enrichDocument with the
// production segmenter and analyzer → the detector's features → the detect engine (injected clock) → the duty-board
// rule → the alerting domain's routing and clocks. No Kafka, no Elasticsearch: what is measured is judgement.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { applyCommand, openAlert, chineseCalendar, type AlertingConfig } from "@liaowang/alerting";
import { defaultConfigDir } from "@liaowang/config";
import { DetectorEngine, docScope, type Jurisdiction, type IncidentState, type Scope } from "@liaowang/detect";
import { Analyzer, createSegmenter, type Segmenter } from "@liaowang/nlp";
import { DepartmentsConfig, EscalationConfig } from "@liaowang/alerting";
import type { Alert, RawDocument } from "@liaowang/schemas";
import { readYamlConfig } from "../services/alerter/src/config.js";
import { toIncidentInput } from "../services/alerter/src/incident-input.js";
import { loadConfig as loadDetectorConfig, loadDomainConfig } from "../services/detector/src/config.js";
import { toFeatures } from "../services/detector/src/features.js";
import { toIncidentMessage } from "../services/detector/src/message.js";
import { enrichDocument } from "../services/enrich/src/enrich.js";

/** One post of a replayed stream. */
export interface StreamPost {
  key: string;
  source: string;
  title?: string | undefined;
  text: string;
  publishedAt: number;
  url?: string | undefined;
  /** The place the source attached (the ingest record's `region`). */
  region?: string | undefined;
}

/** What the chain made of one post. */
export interface PostOutcome {
  key: string;
  source: string;
  /** The post's own scope (from its places). */
  scope: Scope;
  /** The incident it ended in, if any (posts about the past, statistics or plans open none). */
  incidentId?: string | undefined;
}

/** An alert the duty board got, as it stood at the end of the replay. */
export interface BoardAlert {
  incident: IncidentState;
  alert: Alert;
}

/** Everything one replay produced. */
export interface ReplayResult {
  posts: PostOutcome[];
  /** Incidents that reached the duty board at some point (alert opened), final state. */
  alerts: BoardAlert[];
  /** Every incident open or closed at the end, final state. */
  incidents: Map<string, IncidentState>;
  jurisdiction: Jurisdiction;
}

let shared: { segmenter: Segmenter; analyzer: Analyzer } | undefined;

function nlp(): { segmenter: Segmenter; analyzer: Analyzer } {
  shared ??= { segmenter: createSegmenter({ configDir: defaultConfigDir }), analyzer: new Analyzer({ configDir: defaultConfigDir }) };
  return shared;
}

function alertingConfig(): AlertingConfig {
  return {
    departments: readYamlConfig(join(defaultConfigDir, "departments.yaml"), DepartmentsConfig, process.env),
    escalation: readYamlConfig(join(defaultConfigDir, "escalation.yaml"), EscalationConfig, process.env),
    calendar: chineseCalendar(),
  };
}

/**
 * Replay posts through the production domain code, `batch` posts per detector step, the clock following the posts.
 * The jurisdiction comes from config/jurisdiction.yaml with `jurisdiction` as LIAOWANG_JURISDICTION.
 */
export function replay(posts: readonly StreamPost[], options: { jurisdiction: string; batch?: number }): ReplayResult {
  const { segmenter, analyzer } = nlp();
  const detectorConfig = loadDetectorConfig({ ...process.env, LIAOWANG_JURISDICTION: options.jurisdiction, LIAOWANG_CONFIG_DIR: defaultConfigDir });
  const domain = loadDomainConfig(detectorConfig);
  const engine = new DetectorEngine(domain.engine, domain.watch);
  const alerting = alertingConfig();
  const sorted = [...posts].sort((a, b) => a.publishedAt - b.publishedAt);
  const outcomes = new Map<string, PostOutcome>();
  const incidents = new Map<string, IncidentState>();
  const alerts = new Map<string, BoardAlert>();
  const docIds = new Map<string, string>();
  const batch = options.batch ?? 5;

  for (let i = 0; i < sorted.length; i += batch) {
    const chunk = sorted.slice(i, i + batch);
    const features = chunk.map((p) => {
      const raw: RawDocument = {
        v: 1,
        id: createHash("sha256").update(`${p.key}\n${p.source}\n${p.text}`).digest("hex").slice(0, 32),
        source: p.source,
        sourceKind: "api",
        ...(p.title === undefined ? {} : { title: p.title }),
        text: p.text,
        ...(p.url === undefined ? {} : { url: p.url }),
        ...(p.region === undefined ? {} : { region: p.region }),
        publishedAt: new Date(p.publishedAt).toISOString(),
        ingestedAt: new Date(p.publishedAt).toISOString(),
        lang: "zh",
      };
      const enriched = enrichDocument(raw, segmenter, { keywords: 20, analysis: analyzer.resources }, new Date(p.publishedAt));
      const f = toFeatures(enriched);
      docIds.set(f.id, p.key);
      outcomes.set(p.key, { key: p.key, source: p.source, scope: docScope(f, domain.engine.jurisdiction).scope });
      return f;
    });
    const now = (chunk.at(-1)?.publishedAt ?? 0) + 1_000;
    const plan = engine.process(features, now);
    engine.commit(plan);
    const tick = engine.tick(now);
    engine.commit(tick);
    for (const u of [...plan.updates, ...tick.updates]) {
      incidents.set(u.incident.id, u.incident);
      for (const id of u.incident.recentDocIds) {
        const key = docIds.get(id);
        const o = key === undefined ? undefined : outcomes.get(key);
        if (o) o.incidentId = u.incident.id;
      }
      if (u.action !== "publish") continue;
      const input = toIncidentInput(toIncidentMessage(u.incident, u.changes));
      const held = alerts.get(u.incident.id);
      if (held) alerts.set(u.incident.id, { incident: u.incident, alert: applyCommand(held.alert, { type: "incident", incident: input }, alerting, now).alert });
      else if (input.dutyBoard !== false && u.incident.status !== "merged") alerts.set(u.incident.id, { incident: u.incident, alert: openAlert(input, alerting, now).alert });
    }
  }
  // Posts of merged incidents count for the incident they were merged into.
  const resolve = (id: string | undefined): string | undefined => {
    let cur = id;
    for (let n = 0; cur !== undefined && n < 10; n++) {
      const inc = incidents.get(cur);
      if (inc?.status !== "merged" || inc.mergedInto === undefined) break;
      cur = inc.mergedInto;
    }
    return cur;
  };
  for (const o of outcomes.values()) o.incidentId = resolve(o.incidentId);
  for (const [id, a] of alerts) {
    const final = incidents.get(id) ?? a.incident;
    if (final.status === "merged") alerts.delete(id);
    else alerts.set(id, { ...a, incident: final });
  }
  return { posts: [...outcomes.values()], alerts: [...alerts.values()], incidents, jurisdiction: domain.engine.jurisdiction };
}
