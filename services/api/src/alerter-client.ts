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
  ) {}

  /** Apply a transition; the alerter's error codes come back as LiaowangErrors (conflict, not_found, …). */
  async transition(alertId: string, body: AlerterTransition): Promise<Alert> {
    if (!this.token) throw unavailable("alert transitions are not configured: set ALERTER_API_TOKEN (and ALERTER_URL) for the api service");
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/alerts/${encodeURIComponent(alertId)}/transition`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw unavailable(`the alerter at ${this.baseUrl} did not answer: ${describeError(error)}`, error);
    }
    const payload = (await res.json().catch(() => undefined)) as { alert?: unknown; error?: { code?: string; message?: string } } | undefined;
    if (res.ok) {
      const parsed = Alert.safeParse(payload?.alert);
      if (!parsed.success) throw new LiaowangError("internal", `the alerter answered alert ${alertId}'s transition with an unexpected body`);
      return parsed.data;
    }
    const code = CODES.find((c) => c === payload?.error?.code);
    const message = payload?.error?.message ?? `the alerter answered HTTP ${res.status}`;
    // The alerter refusing our own service token is a deployment fault, not the user's.
    if (code === undefined || code === "unauthenticated" || code === "forbidden") throw unavailable(`alerter refused the transition (HTTP ${res.status}): ${message}`);
    throw new LiaowangError(code, message);
  }
}
