import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Client } from "@liaowang/es";
import { Docs, ensureIndex } from "./store.js";

/** A signed-in browser session; stored under the SHA-256 of its cookie value, never the value itself. */
export interface Session {
  userId: string;
  /** The CSRF token state-changing requests of this session must echo in `x-csrf-token`. */
  csrf: string;
  createdAt: string;
  lastSeenAt: string;
  /** Absolute end, whatever the activity. */
  expiresAt: string;
  source: string;
}

/** Session lifetimes: idle (no request for that long) and absolute (since sign-in). */
export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

const MAPPINGS = { dynamic: false, properties: { userId: { type: "keyword" }, createdAt: { type: "date" }, expiresAt: { type: "date" } } };
// lastSeenAt is written at most this often, so a busy dashboard does not write on every request.
const TOUCH_EVERY_MS = 60_000;

function idOf(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Constant-time comparison of two strings. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Browser sessions in Elasticsearch, shared by every API replica. */
export class SessionStore {
  private readonly docs: Docs<Session>;

  constructor(
    es: Client,
    index: string,
    readonly timeouts: SessionTimeouts,
  ) {
    this.docs = new Docs(es, index);
  }

  init(): Promise<void> {
    return ensureIndex(this.docs.es, this.docs.index, MAPPINGS);
  }

  /** A new session with a fresh random id and CSRF token (rotation: never reuse an id across sign-ins). */
  async create(userId: string, source: string, now: Date): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString("base64url");
    const at = now.toISOString();
    const session: Session = { userId, csrf: randomBytes(24).toString("base64url"), createdAt: at, lastSeenAt: at, expiresAt: new Date(now.getTime() + this.timeouts.absoluteMs).toISOString(), source };
    await this.docs.create(idOf(token), session);
    return { token, session };
  }

  /** The live session of a cookie value, or undefined (unknown, idle too long or past its absolute end: then deleted). */
  async find(token: string, now: Date): Promise<Session | undefined> {
    if (token.length === 0 || token.length > 200) return undefined;
    const id = idOf(token);
    const held = await this.docs.get(id);
    if (!held) return undefined;
    const s = held.value;
    const t = now.getTime();
    if (t >= Date.parse(s.expiresAt) || t - Date.parse(s.lastSeenAt) >= this.timeouts.idleMs) {
      await this.docs.delete(id);
      return undefined;
    }
    if (t - Date.parse(s.lastSeenAt) >= TOUCH_EVERY_MS) await this.docs.replace(id, { ...s, lastSeenAt: now.toISOString() }, held);
    return s;
  }

  /** End a session (sign-out, or the old one at a new sign-in). */
  async revoke(token: string): Promise<void> {
    if (token.length > 0 && token.length <= 200) await this.docs.delete(idOf(token));
  }
}
