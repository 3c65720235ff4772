import type { Logger } from "@liaowang/logger";
import type { Alert } from "@liaowang/schemas";
import { alertVisible, type Scope } from "../auth/roles.js";
import { alertView, type AlertView } from "../views/alerts.js";

/** One open dashboard: its scope, and how to write an event to it. */
interface Subscriber {
  scope: Scope;
  send: (event: string, data: unknown) => void;
}

/**
 * Fans alert changes out to open dashboards (Server-Sent Events), each scoped like the REST API: a department head
 * only hears of alerts routed to (or co-notified on) their department. One lookup per change, however many
 * dashboards are open.
 */
export class LiveHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly listeners: (() => void)[] = [];
  private connected = false;

  constructor(
    private readonly getAlert: (id: string) => Promise<Alert | undefined>,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Whether the change feed is connected (dashboards fall back to polling while it is not). */
  get ready(): boolean {
    return this.connected;
  }

  /** The feed joined (true) or lost (false) its topic; open dashboards are told. */
  setReady(ready: boolean): void {
    if (ready === this.connected) return;
    this.connected = ready;
    for (const s of this.subscribers) s.send("status", { live: ready });
  }

  /** Add a dashboard; returns its unsubscribe. */
  subscribe(scope: Scope, send: Subscriber["send"]): () => void {
    const subscriber = { scope, send };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Call `listener` whenever alerts changed (before the dashboards are told), whether or not any is open. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Alerts changed (ids from alert-events): read each once (a real-time get, so the change is there even before
   * the index refreshes) and push its view to every dashboard that may see it.
   */
  async changed(alertIds: readonly string[]): Promise<void> {
    if (alertIds.length > 0) for (const listener of this.listeners) listener();
    if (this.subscribers.size === 0) return;
    for (const id of new Set(alertIds)) {
      let alert: Alert | undefined;
      try {
        alert = await this.getAlert(id);
      } catch (error) {
        this.log.warn({ alertId: id, err: error }, "live update skipped: the alert could not be read");
        continue;
      }
      if (!alert) continue;
      const view: AlertView = alertView(alert, this.clock().getTime());
      for (const s of this.subscribers) if (alertVisible(s.scope, alert)) s.send("alert", { now: this.clock().toISOString(), alert: view });
    }
  }
}
