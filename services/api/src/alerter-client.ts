import { describeError, LiaowangError, unavailable, type ErrorCode } from "@liaowang/errors";
import { Alert } from "@liaowang/schemas";

/** A transition as the alerter's `POST /alerts/<id>/transition` takes it (the actor is the signed-in user). */
export type AlerterTransition = { action: string; actor: string } & Record<string, unknown>;

const CODES: readonly ErrorCode[] = ["invalid_input", "not_found", "conflict", "unauthenticated", "forbidden", "unavailable", "internal"];

/**
 * The alerter over HTTP: the API never applies lifecycle transitions itself, so the state machine, its audit
 * events and the notifications they trigger stay in one service.
 */
export class AlerterClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 10_000,
    /** Called once the alerter changed an alert for this API (a transition, a policy document registered). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** Per-department accountability for alerts opened in [from, to), as the alerter computes it. */
  async accountability(from: string, to: string): Promise<unknown> {
    const payload = await this.request(`/accountability?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { method: "GET" });
    return payload;
  }

  /** The outbox entries of one alert: what was sent to which target, and how it went. */
  async deliveries(alertId: string): Promise<unknown> {
    const payload = (await this.request(`/alerts/${encodeURIComponent(alertId)}`, { method: "GET" })) as { delivery?: unknown } | undefined;
    return payload?.delivery;
  }

  /** Apply a transition; the alerter's error codes come back as LiaowangErrors (conflict, not_found, …). */
  async transition(alertId: string, body: AlerterTransition): Promise<Alert> {
    const payload = (await this.request(`/alerts/${encodeURIComponent(alertId)}/transition`, { method: "POST", body: JSON.stringify(body) })) as { alert?: unknown } | undefined;
    this.onChange();
    const parsed = Alert.safeParse(payload?.alert);
    if (!parsed.success) throw new LiaowangError("internal", `the alerter answered alert ${alertId}'s transition with an unexpected body`);
    return parsed.data;
  }

  /** Register a major policy document (its 3-working-day clock starts); `conflict` when it already is. */
  async registerPolicyDocument(body: { title: string; docNumber?: string | undefined; url?: string | undefined; publishedAt: string; department: string; registeredBy: string }): Promise<Alert> {
    const payload = (await this.request("/policy-documents", { method: "POST", body: JSON.stringify(body) })) as { alert?: unknown } | undefined;
    this.onChange();
    const parsed = Alert.safeParse(payload?.alert);
    if (!parsed.success) throw new LiaowangError("internal", "the alerter answered a policy document registration with an unexpected body");
    return parsed.data;
  }

  private async request(path: string, init: { method: string; body?: string }): Promise<unknown> {
    if (!this.token) throw unavailable("the alerter is not configured for the api: set ALERTER_API_TOKEN (and ALERTER_URL)");
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${this.token}`, ...(init.body !== undefined ? { "content-type": "application/json" } : {}) },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw unavailable(`the alerter at ${this.baseUrl} did not answer: ${describeError(error)}`, error);
    }
    const payload = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    if (res.ok) return payload;
    const code = CODES.find((c) => c === payload?.error?.code);
    const message = payload?.error?.message ?? `the alerter answered HTTP ${res.status}`;
    // The alerter refusing our own service token is a deployment fault, not the user's.
    if (code === undefined || code === "unauthenticated" || code === "forbidden") throw unavailable(`the alerter refused ${init.method} ${path.split("?")[0]} (HTTP ${res.status}): ${message}`);
    throw new LiaowangError(code, message);
  }
}
