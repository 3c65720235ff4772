import type { estypes } from "@elastic/elasticsearch";
import type { Client } from "@liaowang/es";
import { describeError, LiaowangError, unavailable } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { Alert, AuditEvent, FeedPollStatus, Incident, StageHealth, alertIndices, feedPollsIndex, stageHealthIndex, type AlertState, type AuditEvent as AuditEventT, type Incident as IncidentT, type Alert as AlertT } from "@liaowang/schemas";
import type { z } from "zod";
import { DetectorStateDoc } from "../views/sources.js";
import type { AlertListCache } from "./alert-list-cache.js";

/** The detector's incident index (`<prefix>incidents`, one document per incident id, the latest revision). */
export function incidentsIndex(prefix: string): string {
  return `${prefix}incidents`;
}

/** The detector's per-replica state documents (`<prefix>detector-state`, id = DETECTOR_INSTANCE_ID). */
export function detectorStateIndex(prefix: string): string {
  return `${prefix}detector-state`;
}

/** Fields the detector keeps beside the incident message for its own restarts (large, not part of the contract). */
const DETECTOR_PRIVATE = ["state", "storedAt"] as const;

const LIVE_STATES: readonly AlertState[] = ["new", "acknowledged", "handling", "responded"];

/** Most alerts `ReadStore` keeps parsed between searches (twice what a duty board lists by default). */
const KEPT_ALERTS = 4_000;

/** Filters of the alert list; `department` matches the responsible or a co-notified department (any of several). */
export interface AlertFilter {
  states?: readonly AlertState[] | undefined;
  live?: boolean | undefined;
  department?: string | readonly string[] | undefined;
  level?: string | undefined;
  incidentId?: string | undefined;
  limit: number;
}

export interface AuditFilter {
  alertId?: string | undefined;
  incidentId?: string | undefined;
  actor?: string | undefined;
  type?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Restrict to these alerts (department scope). */
  alertIds?: readonly string[] | undefined;
  from: number;
  size: number;
}

export interface IncidentFilter {
  status?: string | undefined;
  level?: string | undefined;
  /** Restrict to these incidents (department scope). */
  ids?: readonly string[] | undefined;
  since?: string | undefined;
  /** Comma-separated scopes (本地, 涉本地, 外地, 境外, 未知). */
  scope?: string | undefined;
  from: number;
  size: number;
}

/** Alerts one of the departments is responsible for or co-notified on. */
function departmentQuery(department: string | readonly string[]): estypes.QueryDslQueryContainer {
  const ids = typeof department === "string" ? [department] : [...department];
  return { bool: { should: [{ terms: { department: ids } }, { terms: { coDepartments: ids } }], minimum_should_match: 1 } };
}

function total(hits: estypes.SearchHitsMetadata<unknown> | undefined): number {
  const t = hits?.total;
  return typeof t === "number" ? t : (t?.value ?? 0);
}

/**
 * Read-only access to what the detector and alerter store in Elasticsearch. Every document is parsed with its
 * shared schema: one that does not match is left out of lists (and logged) and reported as an error when asked
 * for by id, so the API never serves a shape its contract does not describe.
 */
export class ReadStore {
  private readonly alerts: string;
  private readonly audit: string;
  private readonly incidents: string;
  private readonly detectorState: string;
  private readonly stageHealth: string;
  private readonly feedPolls: string;
  private alertLists: AlertListCache<{ alerts: AlertT[]; total: number }> | undefined;
  /**
   * The alerts the last searches returned, by id with their version (`seq_no:primary_term`): an alert unchanged
   * since is handed out as the same (parsed, never changed) object, so it is neither validated nor serialised for
   * the duty board again (`alertViewJson` keeps its JSON per object). Emptied when it grows past `KEPT_ALERTS`.
   */
  private readonly keptAlerts = new Map<string, { version: string; alert: AlertT }>();

  constructor(
    private readonly es: Client,
    prefix: string,
    private readonly log: Logger,
  ) {
    const names = alertIndices(prefix);
    this.alerts = names.alerts;
    this.audit = names.audit;
    this.incidents = incidentsIndex(prefix);
    this.detectorState = detectorStateIndex(prefix);
    this.stageHealth = stageHealthIndex(prefix);
    this.feedPolls = feedPollsIndex(prefix);
  }

  private parse<S extends z.ZodType>(schema: S, source: unknown, what: string): z.output<S> | undefined {
    const result = schema.safeParse(source);
    if (result.success) return result.data;
    this.log.warn({ what, issues: result.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`) }, "stored document does not match its schema; left out");
    return undefined;
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof LiaowangError) throw error;
      throw unavailable(`Elasticsearch ${what} failed: ${describeError(error)}`, error);
    }
  }

  /** Serve alert lists through `cache` from now on (see AlertListCache: what it may hold back, and for how long). */
  useAlertListCache(cache: AlertListCache<{ alerts: AlertT[]; total: number }>): void {
    this.alertLists = cache;
  }

  /** Alerts matching the filter (through the alert list cache when there is one; the lists are shared: never change them). */
  listAlerts(filter: AlertFilter): Promise<{ alerts: AlertT[]; total: number }> {
    if (!this.alertLists) return this.searchAlerts(filter);
    const key = JSON.stringify([filter.states, filter.live, filter.department, filter.level, filter.incidentId, filter.limit]);
    return this.alertLists.get(key, () => this.searchAlerts(filter));
  }

  private async searchAlerts(filter: AlertFilter): Promise<{ alerts: AlertT[]; total: number }> {
    const must: estypes.QueryDslQueryContainer[] = [];
    const states = filter.states ?? (filter.live ? LIVE_STATES : undefined);
    if (states) must.push({ terms: { state: [...states] } });
    if (filter.department !== undefined) must.push(departmentQuery(filter.department));
    if (filter.level) must.push(filter.level === "ungraded" ? { bool: { must_not: [{ exists: { field: "level" } }] } } : { term: { level: filter.level } });
    if (filter.incidentId) must.push({ term: { incidentId: filter.incidentId } });
    return this.run(`search ${this.alerts}`, async () => {
      const res = await this.es.search<unknown>(
        { index: this.alerts, size: filter.limit, track_total_hits: true, seq_no_primary_term: true, query: { bool: { must } }, sort: [{ raisedAt: { order: "desc" } }, { id: "asc" }] },
        { ignore: [404] },
      );
      if (this.keptAlerts.size > KEPT_ALERTS) this.keptAlerts.clear();
      const alerts = (res.hits?.hits ?? []).flatMap((h) => {
        const version = `${h._seq_no ?? -1}:${h._primary_term ?? -1}`;
        const kept = h._id === undefined ? undefined : this.keptAlerts.get(h._id);
        if (kept?.version === version) return [kept.alert];
        const a = this.parse(Alert, h._source, `alert ${h._id}`);
        if (a && h._id !== undefined && h._seq_no !== undefined) this.keptAlerts.set(h._id, { version, alert: a });
        return a ? [a] : [];
      });
      return { alerts, total: total(res.hits) };
    });
  }

  /** One alert, read in real time (a transition's result is visible at once). */
  async getAlert(id: string): Promise<AlertT | undefined> {
    return this.run(`get ${this.alerts}/${id}`, async () => {
      const doc = await this.es.get<unknown>({ index: this.alerts, id }, { ignore: [404] });
      if (!doc.found) return undefined;
      const parsed = Alert.safeParse(doc._source);
      if (!parsed.success) throw new LiaowangError("internal", `stored alert ${id} does not match the alert schema: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      return parsed.data;
    });
  }

  /** Ids of every alert a department (or any of several) is responsible for or co-notified on (department-scoped audit and incidents). */
  async alertRefsOfDepartment(department: string | readonly string[], limit = 10_000): Promise<{ id: string; incidentId: string }[]> {
    return this.run(`search ${this.alerts}`, async () => {
      const res = await this.es.search<{ id: string; incidentId: string }>(
        {
          index: this.alerts,
          size: limit,
          _source: ["id", "incidentId"],
          query: departmentQuery(department),
        },
        { ignore: [404] },
      );
      return (res.hits?.hits ?? []).flatMap((h) => (h._source ? [{ id: h._source.id, incidentId: h._source.incidentId }] : []));
    });
  }

  /** Audit events, newest first. */
  async listAudit(filter: AuditFilter): Promise<{ events: AuditEventT[]; total: number }> {
    if (filter.alertIds && filter.alertIds.length === 0) return { events: [], total: 0 };
    const must: estypes.QueryDslQueryContainer[] = [];
    if (filter.alertId) must.push({ term: { alertId: filter.alertId } });
    if (filter.incidentId) must.push({ term: { incidentId: filter.incidentId } });
    if (filter.actor) must.push({ term: { actor: filter.actor } });
    if (filter.type) must.push({ term: { type: filter.type } });
    if (filter.alertIds) must.push({ terms: { alertId: [...filter.alertIds] } });
    if (filter.since || filter.until) must.push({ range: { at: { ...(filter.since ? { gte: filter.since } : {}), ...(filter.until ? { lte: filter.until } : {}) } } });
    return this.run(`search ${this.audit}`, async () => {
      const res = await this.es.search<unknown>(
        { index: this.audit, from: filter.from, size: filter.size, track_total_hits: true, query: { bool: { must } }, sort: [{ at: { order: "desc" } }, { seq: { order: "desc" } }] },
        { ignore: [404] },
      );
      const events = (res.hits?.hits ?? []).flatMap((h) => {
        const e = this.parse(AuditEvent, h._source, `audit event ${h._id}`);
        return e ? [e] : [];
      });
      return { events, total: total(res.hits) };
    });
  }

  /**
   * One alert's audit trail in order, complete through the alert's newest event: the alerter stores events without
   * waiting for the audit index to refresh, so the newest ones (ids `<alertId>:<seq>`) are read by id in real time
   * when the search does not have them yet, and events still queued on the alert (`pendingEvents`) are added.
   */
  async auditOf(alert: Pick<AlertT, "id" | "seq" | "pendingEvents">): Promise<AuditEventT[]> {
    return this.run(`search ${this.audit}`, async () => {
      const res = await this.es.search<unknown>({ index: this.audit, size: 1_000, query: { term: { alertId: alert.id } }, sort: [{ seq: { order: "asc" } }] }, { ignore: [404] });
      const events = (res.hits?.hits ?? []).flatMap((h) => {
        const e = this.parse(AuditEvent, h._source, `audit event ${h._id}`);
        return e ? [e] : [];
      });
      const seen = new Set(events.map((e) => e.seq));
      const newest = events.reduce((n, e) => Math.max(n, e.seq), 0);
      const queued = new Set(alert.pendingEvents.map((e) => e.seq));
      const ids: string[] = [];
      for (let seq = Math.max(newest + 1, alert.seq - 99); seq <= alert.seq; seq++) if (!queued.has(seq)) ids.push(`${alert.id}:${seq}`);
      if (ids.length > 0) {
        const got = await this.es.mget<unknown>({ index: this.audit, ids }, { ignore: [404] });
        for (const doc of got.docs ?? []) {
          if (!("found" in doc) || !doc.found) continue;
          const e = this.parse(AuditEvent, doc._source, `audit event ${doc._id}`);
          if (e && !seen.has(e.seq)) {
            events.push(e);
            seen.add(e.seq);
          }
        }
      }
      for (const e of alert.pendingEvents) if (!seen.has(e.seq)) events.push(e);
      return events.sort((a, b) => a.seq - b.seq);
    });
  }

  /** Incidents, most recently active first. */
  async listIncidents(filter: IncidentFilter): Promise<{ incidents: IncidentT[]; total: number }> {
    if (filter.ids && filter.ids.length === 0) return { incidents: [], total: 0 };
    const must: estypes.QueryDslQueryContainer[] = [];
    // match, not term: correct on a keyword field and on a dynamically mapped text one alike
    if (filter.status) must.push({ match: { status: filter.status } });
    if (filter.level) must.push(filter.level === "ungraded" ? { bool: { must_not: [{ exists: { field: "level" } }] } } : { match: { level: filter.level } });
    if (filter.ids) must.push({ ids: { values: [...filter.ids] } });
    if (filter.since) must.push({ range: { lastActivityAt: { gte: filter.since } } });
    if (filter.scope) must.push({ bool: { should: filter.scope.split(",").map((s) => ({ match: { scope: s } })), minimum_should_match: 1 } });
    return this.run(`search ${this.incidents}`, async () => {
      const res = await this.es.search<unknown>(
        { index: this.incidents, from: filter.from, size: filter.size, track_total_hits: true, _source_excludes: [...DETECTOR_PRIVATE], query: { bool: { must } }, sort: [{ lastActivityAt: { order: "desc", unmapped_type: "date" } }] },
        { ignore: [404] },
      );
      const incidents = (res.hits?.hits ?? []).flatMap((h) => {
        const i = this.parse(Incident, h._source, `incident ${h._id}`);
        return i ? [i] : [];
      });
      return { incidents, total: total(res.hits) };
    });
  }

  /** One incident by id. */
  async getIncident(id: string): Promise<IncidentT | undefined> {
    return this.run(`get ${this.incidents}/${id}`, async () => {
      const doc = await this.es.get<unknown>({ index: this.incidents, id, _source_excludes: [...DETECTOR_PRIVATE] }, { ignore: [404] });
      if (!doc.found) return undefined;
      const parsed = Incident.safeParse(doc._source);
      if (!parsed.success) throw new LiaowangError("internal", `stored incident ${id} does not match the incident schema: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      return parsed.data;
    });
  }

  /** Every detector replica's state document (none before the detector first saved its state). */
  async detectorStates(): Promise<DetectorStateDoc[]> {
    return this.run(`search ${this.detectorState}`, async () => {
      // Only the parts the API shows: the engine's burst counters in the snapshot can be large.
      const res = await this.es.search<unknown>(
        { index: this.detectorState, size: 100, _source: ["instance", "savedAt", "sources", "snapshot.feeds.feeds.*.flatSince"], query: { match_all: {} } },
        { ignore: [404] },
      );
      return (res.hits?.hits ?? []).flatMap((h) => {
        const d = this.parse(DetectorStateDoc, h._source, `detector state ${h._id}`);
        return d ? [d] : [];
      });
    });
  }

  /** Every stage replica's last health report (lag, stuck offsets), none before a stage first reported. */
  async stageReports(): Promise<StageHealth[]> {
    const index = this.stageHealth;
    return this.run(`search ${index}`, async () => {
      const res = await this.es.search<unknown>({ index, size: 200, query: { match_all: {} } }, { ignore: [404] });
      return (res.hits?.hits ?? []).flatMap((h) => {
        const d = this.parse(StageHealth, h._source, `stage health ${h._id}`);
        return d ? [d] : [];
      });
    });
  }

  /** Each polled feed's latest poll as ingest stored it (none before ingest first polled): how it was decoded and why. */
  async feedPollStatuses(): Promise<FeedPollStatus[]> {
    return this.run(`search ${this.feedPolls}`, async () => {
      const res = await this.es.search<unknown>({ index: this.feedPolls, size: 1000, query: { match_all: {} } }, { ignore: [404] });
      return (res.hits?.hits ?? []).flatMap((h) => {
        const d = this.parse(FeedPollStatus, h._source, `feed poll ${h._id}`);
        return d ? [d] : [];
      });
    });
  }
}
