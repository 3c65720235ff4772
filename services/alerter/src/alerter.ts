import { alertIdFor, applyCommand, belongsOnBoard, isActive, chineseCalendar, composeDigests, dueItems, escalationFor, openAlert, openPolicyAlert, previousDate, zonedDate, zonedDayStart, type AlertCommand, type AlertingConfig, type DigestSettings, type PolicyDocumentInput } from "@liaowang/alerting";
import { describeError, LiaowangError } from "@liaowang/errors";
import type { TypedProducer } from "@liaowang/kafka";
import type { Logger } from "@liaowang/logger";
import { dispatch, enqueue, type ChannelRouter, type DispatchReport, type OutboxStore } from "@liaowang/notify";
import { AlertSnapshot, type Alert, type AlertEventMessage, type Incident, type NotifiedItem } from "@liaowang/schemas";
import { toIncidentInput } from "./incident-input.js";
import { buildDigestOutgoing, buildOutgoing, type NotificationContext } from "./notifications.js";
import type { AlertStore } from "./store/alerts.js";
import pLimit from "p-limit";

/** What the alerter core is built from; main wires real adapters, tests the same ones against the test stack. */
export interface AlerterDeps {
  store: AlertStore;
  /** `refresh` makes fresh entries visible to the next dispatch's search (Elasticsearch is near-real-time). */
  outbox: OutboxStore & { refresh?: () => Promise<void> };
  router: ChannelRouter;
  events: Pick<TypedProducer, "send">;
  notifications: NotificationContext;
  replica: string;
  leaseMs: number;
  log: Logger;
  clock?: () => Date;
}

/** Most alerts one scan syncs; the rest wait for the next tick (they are sorted most urgent first). */
const SCAN_LIMIT = 500;
/** Alerts synced at once (each sync is a handful of Elasticsearch and Kafka round trips). */
const SYNC_CONCURRENCY = 8;
/** Most alerts a digest run reads (live ones plus yesterday's); far above what a city office has open. */
const DIGEST_LIMIT = 5_000;

/**
 * The alerter's use cases: apply incidents and officer transitions to stored alerts, publish their audit events,
 * enqueue due notifications into the outbox exactly once, and dispatch the outbox. Every step reads its state
 * from Elasticsearch, so any replica can pick up after another one died.
 */
export class Alerter {
  private readonly clock: () => Date;
  private readonly config: AlertingConfig;
  private readonly syncLimit = pLimit(SYNC_CONCURRENCY);
  private dispatching: Promise<DispatchReport> | undefined;
  private dispatchAgain = false;
  /** Syncs running per alert id (see `syncAlert`). */
  private readonly syncing = new Map<string, { again: boolean; run: Promise<boolean> }>();
  /** The consumer's syncs still running (shutdown waits for them). */
  private readonly background = new Set<Promise<void>>();
  /** Incident snapshots handled since start (for the log). */
  private snapshotsSeen = 0;

  constructor(private readonly deps: AlerterDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.config = deps.notifications.alerting;
  }

  /**
   * Apply a batch of incident snapshots (the Kafka handler): open or update one alert per incident. Returns
   * once every alert is stored, an audited change (opened, regraded, closed as merged…) searchable so the duty
   * board lists it at once, and the consumer may commit. Audit events and notifications follow in the background
   * right after; if that fails or the process dies, the next scan finishes them.
   *
   * Cheap by design for the many snapshots that change no alert (at 1,000 posts/s the detector publishes
   * thousands a minute, most of them off the duty board): the batch's alerts are read in one round trip, and
   * a snapshot without an alert that does not belong on the board writes nothing and triggers nothing.
   */
  async onIncidents(incidents: readonly Incident[]): Promise<void> {
    const latest = new Map<string, Incident>();
    for (const incident of incidents) {
      const held = latest.get(incident.id);
      if (!held || incident.revision >= held.revision) latest.set(incident.id, incident);
    }
    this.snapshotsSeen += incidents.length;
    // As this process last saw them: an alert it wrote is not read again, nor an incident found without one before.
    const known = await this.deps.store.recallMany([...latest.keys()].map(alertIdFor));
    const snapshots = [...latest.values()];
    const results = await this.deps.store.updateMany(
      snapshots.map((incident) => {
        const input = toIncidentInput(incident);
        return {
          id: alertIdFor(incident.id),
          fn: (current: Alert | undefined) => {
            const now = this.clock();
            // Incidents elsewhere, or without a risk signal, are for analysts: no alert, no clock, no notification.
            if (!current) return incident.status === "merged" || !belongsOnBoard(input) ? undefined : openAlert(input, this.config, now).alert;
            if (incident.revision < current.incidentRevision) return undefined;
            return applyCommand(current, { type: "incident", incident: input }, this.config, now).alert;
          },
        };
      }),
      known,
    );
    const written: Alert[] = [];
    for (const [i, result] of results.entries()) {
      const incident = snapshots[i] as Incident;
      if (result.changed && result.alert) written.push(result.alert);
      // After every write of the batch, so an alert merged in the same batch hands over its latest record.
      if (result.alert && incident.status === "open") {
        const absorbed = await this.absorbMerged(result.alert, incident.mergedFrom);
        if (absorbed) written.push(absorbed);
      }
    }
    await this.afterChange(written, { wait: false });
  }

  /**
   * One story, one alert: the alerts of incidents merged into this alert's incident hand their record over to it
   * (their own alerts are closed as merged when their last revision arrives). Once per absorbed alert; the alert
   * as last written when it took over anything.
   */
  private async absorbMerged(alert: Alert, mergedFrom: readonly string[]): Promise<Alert | undefined> {
    if (!isActive(alert)) return undefined;
    let written: Alert | undefined;
    for (const incidentId of mergedFrom) {
      const fromId = alertIdFor(incidentId);
      if (alert.absorbedAlerts?.includes(fromId)) continue;
      const from = await this.deps.store.get(fromId);
      if (!from) continue;
      const result = await this.deps.store.update(alert.id, (current) => {
        if (!current) return undefined;
        const next = applyCommand(current, { type: "absorb_alert", from: from.value }, this.config, this.clock()).alert;
        return next.seq === current.seq && next.absorbedAlerts?.length === current.absorbedAlerts?.length ? undefined : next;
      });
      if (result.changed) written = result.alert;
    }
    return written;
  }

  /**
   * An officer's transition (HTTP): applied with compare-and-set; illegal ones throw `conflict`, unknown alerts
   * `not_found`.
   */
  async transition(alertId: string, command: AlertCommand): Promise<Alert> {
    // On the alert as stored now: whether an action is legal is decided on the real state, not a remembered one.
    const result = await this.deps.store.update(
      alertId,
      (current) => {
        if (!current) throw new LiaowangError("not_found", `alert ${alertId} does not exist`);
        return applyCommand(current, command, this.config, this.clock()).alert;
      },
      { fresh: true },
    );
    // The answer waits for the audit trail: the officer's action is on record before it is confirmed.
    await this.afterChange(result.changed && result.alert ? [result.alert] : [], { wait: true });
    return result.alert as Alert;
  }

  /**
   * Register a major policy document (HTTP): opens its alert with the 3-working-day interpretation clock. The
   * same document (文号 or title, and date) twice is a `conflict` naming the alert it already has.
   */
  async registerPolicyDocument(input: PolicyDocumentInput): Promise<Alert> {
    const calendar = this.config.calendar ?? chineseCalendar();
    const opened = openPolicyAlert(input, this.config, calendar, this.clock());
    const result = await this.deps.store.update(
      opened.alert.id,
      (current) => {
        if (current) throw new LiaowangError("conflict", `policy document "${input.title}" is already registered as alert ${current.id}`);
        return opened.alert;
      },
      { fresh: true },
    );
    await this.afterChange(result.alert ? [result.alert] : [], { wait: true });
    return result.alert as Alert;
  }

  /**
   * After alerts were written (audited changes already searchable, see the store): sync the alerts that owe
   * something (audit events to publish, a notification due). Changes without an event (the incident's volume
   * grew) owe nothing and cost nothing more. `wait: false` (the consumer) leaves the syncs running in the
   * background: nothing the next batch does depends on them, and the scan finishes what a crash interrupts.
   */
  private async afterChange(written: readonly Alert[], options: { wait: boolean }): Promise<void> {
    const now = this.clock().getTime();
    const owing = [...new Set(written.filter((a) => a.pendingEvents.length > 0 || (a.nextDueAt !== null && Date.parse(a.nextDueAt) <= now)).map((a) => a.id))];
    if (owing.length === 0) return;
    const work = Promise.all(owing.map((id) => this.syncAlert(id))).then((enqueued) => {
      if (enqueued.some(Boolean)) void this.dispatchNow().catch((error: unknown) => this.deps.log.warn({ err: error }, "dispatch after change failed; the next scan retries"));
    });
    if (options.wait) return work;
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }

  /**
   * Sync one alert, never twice at once in this process: a request while its sync runs is served by one more run
   * right after (which sees the newer state), so the consumer, the scan and HTTP transitions share the work.
   * Whether it enqueued notifications.
   */
  private syncAlert(alertId: string): Promise<boolean> {
    const held = this.syncing.get(alertId);
    if (held) {
      held.again = true;
      return held.run;
    }
    const entry: { again: boolean; run: Promise<boolean> } = { again: false, run: Promise.resolve(false) };
    entry.run = (async () => {
      let enqueued = false;
      do {
        entry.again = false;
        enqueued = (await this.syncLimit(() => this.syncSafely(alertId))) || enqueued;
      } while (entry.again);
      return enqueued;
    })().finally(() => this.syncing.delete(alertId));
    this.syncing.set(alertId, entry);
    return entry.run;
  }

  private async syncSafely(alertId: string): Promise<boolean> {
    try {
      return await this.sync(alertId);
    } catch (error) {
      this.deps.log.warn({ alertId, err: error }, `sync failed, the next scan retries: ${describeError(error)}`);
      return false;
    }
  }

  /**
   * Bring one alert's side effects up to date: index and publish its pending audit events, then enqueue the
   * notifications due now and record them as notified. Idempotent end to end: a crash anywhere repeats
   * steps whose writes are keyed (audit ids, outbox ids), never a send. Whether it enqueued notifications.
   */
  async sync(alertId: string): Promise<boolean> {
    // Usually the alert this process has just written (the scan's search refreshes what it found). Were it stale,
    // the writes below are refused and redone on a fresh read, and the audit ids and outbox keys make a repeated
    // step a no-op; at worst an event is published twice, as after a crash between publishing and recording it.
    const stored = await this.deps.store.recall(alertId);
    if (!stored) return false;
    let alert = stored.value;

    if (alert.pendingEvents.length > 0) {
      const pending = alert.pendingEvents;
      await this.deps.store.writeAudit(pending);
      const snapshot = AlertSnapshot.parse(alert);
      const messages: AlertEventMessage[] = pending.map((event) => ({ v: 1, event, alert: snapshot }));
      await this.deps.events.send("alertEvents", messages);
      const through = Math.max(...pending.map((e) => e.seq));
      alert = (await this.deps.store.update(alertId, (current) => (current ? applyCommand(current, { type: "events_flushed", throughSeq: through }, this.config, this.clock()).alert : undefined))).alert ?? alert;
    }

    const now = this.clock();
    const due = dueItems(alert, escalationFor(alert.department, this.config), now);
    if (due.send.length === 0 && due.superseded.length === 0) return false;
    for (const item of due.send) {
      for (const outgoing of buildOutgoing(alert, item, this.deps.notifications, now.getTime())) {
        await enqueue(this.deps.outbox, outgoing.notification, [outgoing.target], now);
      }
    }
    await this.deps.outbox.refresh?.();
    const at = now.toISOString();
    const items: NotifiedItem[] = [
      ...due.send.map((i) => ({ key: i.key, at, outcome: "enqueued" as const })),
      ...due.superseded.map((i) => ({ key: i.key, at, outcome: "superseded" as const })),
    ];
    await this.deps.store.update(alertId, (current) => (current ? applyCommand(current, { type: "notified", items }, this.config, this.clock()).alert : undefined));
    this.deps.log.info({ alertId, enqueued: due.send.map((i) => i.key), superseded: due.superseded.length }, "notifications enqueued");
    return due.send.length > 0;
  }

  /** The periodic work (node-cron): sync every alert with something due or unpublished, then dispatch the outbox. */
  async scan(): Promise<{ synced: number; dispatch: DispatchReport }> {
    const alerts = await this.deps.store.findNeedingSync(this.clock(), SCAN_LIMIT);
    await Promise.all(alerts.map((alert) => this.syncAlert(alert.id)));
    this.deps.log.debug({ snapshots: this.snapshotsSeen, alertCache: this.deps.store.cacheStats() }, "incident snapshots seen, alerts read from memory");
    return { synced: alerts.length, dispatch: await this.dispatchNow() };
  }

  /**
   * The daily digest (node-cron): per department, its live alerts and yesterday's figures, enqueued under
   * `digest:<department>:<date>` so a second run, a restart or another replica the same day adds nothing.
   */
  async digest(settings: DigestSettings): Promise<{ departments: string[]; enqueued: number }> {
    const now = this.clock();
    const since = new Date(zonedDayStart(previousDate(zonedDate(now, settings.timezone)), settings.timezone)).toISOString();
    const alerts = await this.deps.store.listForDigest(since, DIGEST_LIMIT);
    const digests = composeDigests(alerts, { departments: this.config.departments, ackTargetMs: this.config.escalation.ackTarget, timeZone: settings.timezone }, now);
    let enqueued = 0;
    for (const digest of digests) {
      for (const outgoing of buildDigestOutgoing(digest, settings.audience, this.deps.notifications, now.getTime())) {
        enqueued += (await enqueue(this.deps.outbox, outgoing.notification, [outgoing.target], now)).created.length;
      }
    }
    if (enqueued > 0) {
      await this.deps.outbox.refresh?.();
      this.deps.log.info({ digests: digests.map((d) => d.key), enqueued }, "daily digests enqueued");
    }
    await this.dispatchNow();
    return { departments: digests.map((d) => d.department), enqueued };
  }

  /**
   * Wait for the consumer's background syncs and the dispatch round in flight, if any (shutdown: finish recording
   * results before clients close).
   */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.background]);
    this.dispatchAgain = false;
    await this.dispatching?.catch(() => undefined);
  }

  /**
   * Dispatch the outbox. Rounds never overlap in one process: a call during a round asks for one more round
   * after it, so entries enqueued meanwhile go out without waiting for the next scan.
   */
  dispatchNow(): Promise<DispatchReport> {
    if (this.dispatching) {
      this.dispatchAgain = true;
      return this.dispatching;
    }
    const rounds = async (): Promise<DispatchReport> => {
      let report: DispatchReport;
      do {
        this.dispatchAgain = false;
        report = await dispatch(this.deps.outbox, this.deps.router, this.clock(), { owner: this.deps.replica, leaseMs: this.deps.leaseMs });
        if (report.claimed > 0) this.deps.log.info({ dispatch: report }, "outbox dispatched");
      } while (this.dispatchAgain);
      return report;
    };
    this.dispatching = rounds().finally(() => {
      this.dispatching = undefined;
    });
    return this.dispatching;
  }
}
