import type { FastifyReply, FastifyRequest } from "fastify";
import { DUMMY_HASH, verifyPassword, verifyTotp, type Account, type AccountStore, type AuditLog, type SessionStore } from "@liaowang/auth";
import type { User } from "./roles.js";

/** The session cookie: HttpOnly, SameSite=Strict, Secure over TLS; its value is a random 256-bit token. */
export const SESSION_COOKIE = "lw_session";
/** The header a cookie-authenticated state-changing request carries its CSRF token in. */
export const CSRF_HEADER = "x-csrf-token";

/** Sign-in policy. */
export interface SignInSettings {
  /** Consecutive wrong passwords before the account locks. */
  maxFailures: number;
  lockMs: number;
  /** Sign-in attempts per source address per `windowMs`, whatever the account. */
  perSourceLimit: number;
  windowMs: number;
  /** `auto`: Secure when the request came over TLS (`x-forwarded-proto` with API_TRUST_PROXY). */
  secureCookie: "auto" | "always" | "never";
  absoluteMs: number;
}

/** What a sign-in attempt came to. */
export type SignInResult =
  | { ok: true; user: User; token: string; csrf: string }
  | { ok: false; status: 401 | 429; reason: "bad_credentials" | "totp_required" | "locked" | "rate_limited" | "disabled"; message: string };

/** The value of one cookie in a request, or "". */
export function cookieValue(request: FastifyRequest, name: string): string {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return "";
}

function userOf(account: Account): User {
  return { id: account.id, name: account.name, roles: [...account.roles], ...(account.department ? { department: account.department } : {}) };
}

/**
 * Password sign-in with scrypt, optional TOTP, per-account lock-out (shared by replicas through the account
 * document), a per-source-address limit, session rotation (the old cookie is revoked, a new random id issued),
 * and an audit record for every attempt.
 */
export class SignIn {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly deps: { accounts: AccountStore; sessions: SessionStore; audit: AuditLog; settings: SignInSettings; clock: () => Date },
  ) {}

  private limited(source: string, now: number): boolean {
    const recent = (this.attempts.get(source) ?? []).filter((t) => now - t < this.deps.settings.windowMs);
    recent.push(now);
    this.attempts.set(source, recent);
    if (this.attempts.size > 10_000) this.attempts.delete(this.attempts.keys().next().value as string);
    return recent.length > this.deps.settings.perSourceLimit;
  }

  async signIn(input: { username: string; password: string; totp?: string | undefined; source: string; previousToken: string }): Promise<SignInResult> {
    const now = this.deps.clock();
    const t = now.getTime();
    const { accounts, audit, settings } = this.deps;
    const username = input.username.slice(0, 100);
    const fail = async (status: 401 | 429, reason: Exclude<SignInResult, { ok: true }>["reason"], message: string): Promise<SignInResult> => {
      await audit.append({ actor: username || "anonymous", action: "auth.sign_in_failed", outcome: "denied", source: input.source, details: { reason } });
      return { ok: false, status, reason, message };
    };
    if (this.limited(input.source, t)) return fail(429, "rate_limited", "登录尝试过于频繁，请稍后再试");
    const account = await accounts.get(username).catch(() => undefined);
    // Verify against a dummy hash for unknown users, so the answer time does not reveal which names exist.
    const passwordOk = await verifyPassword(input.password, account?.passwordHash ?? DUMMY_HASH);
    if (!account) return fail(401, "bad_credentials", "用户名或密码错误");
    if (account.disabled) return fail(401, "disabled", "用户名或密码错误");
    if (account.lockedUntil && Date.parse(account.lockedUntil) > t) return fail(429, "locked", `账户已临时锁定，请于 ${Math.ceil((Date.parse(account.lockedUntil) - t) / 60_000)} 分钟后再试`);
    if (!passwordOk) {
      const updated = await accounts.update(account.id, (a) => {
        const failedAttempts = a.failedAttempts + 1;
        const lock = failedAttempts >= settings.maxFailures;
        return { ...a, failedAttempts: lock ? 0 : failedAttempts, lockedUntil: lock ? new Date(t + settings.lockMs).toISOString() : a.lockedUntil, updatedAt: now.toISOString() };
      });
      if (updated?.lockedUntil && Date.parse(updated.lockedUntil) > t) {
        await audit.append({ actor: account.id, action: "auth.account_locked", outcome: "denied", source: input.source, details: { until: updated.lockedUntil } });
        return fail(429, "locked", `密码错误次数过多，账户已锁定 ${Math.round(settings.lockMs / 60_000)} 分钟`);
      }
      return fail(401, "bad_credentials", "用户名或密码错误");
    }
    if (account.totpSecret) {
      if (!input.totp) return { ok: false, status: 401, reason: "totp_required", message: "请输入动态验证码" };
      if (!verifyTotp(account.totpSecret, input.totp, t)) return fail(401, "bad_credentials", "动态验证码错误");
    }
    if (account.failedAttempts > 0 || account.lockedUntil) await accounts.update(account.id, (a) => ({ ...a, failedAttempts: 0, lockedUntil: null, updatedAt: now.toISOString() }));
    // Rotation: the session id of a previous sign-in on this browser is never reused.
    if (input.previousToken) await this.deps.sessions.revoke(input.previousToken);
    const { token, session } = await this.deps.sessions.create(account.id, input.source, now);
    await audit.append({ actor: account.id, action: "auth.sign_in", outcome: "ok", source: input.source, details: { totp: account.totpSecret !== undefined } });
    return { ok: true, user: userOf(account), token, csrf: session.csrf };
  }

  /** The user and CSRF token of a live session cookie (disabled accounts lose their sessions at once). */
  async resolve(token: string): Promise<{ user: User; csrf: string } | undefined> {
    const session = await this.deps.sessions.find(token, this.deps.clock());
    if (!session) return undefined;
    const account = await this.deps.accounts.get(session.userId);
    if (!account || account.disabled) return undefined;
    return { user: userOf(account), csrf: session.csrf };
  }

  async signOut(token: string, user: string, source: string): Promise<void> {
    await this.deps.sessions.revoke(token);
    await this.deps.audit.append({ actor: user, action: "auth.sign_out", outcome: "ok", source });
  }

  /** Set the session cookie on a reply. */
  setCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
    const secure = this.deps.settings.secureCookie === "always" || (this.deps.settings.secureCookie === "auto" && request.protocol === "https");
    void reply.header("set-cookie", `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(this.deps.settings.absoluteMs / 1000)}${secure ? "; Secure" : ""}`);
  }

  clearCookie(reply: FastifyReply): void {
    void reply.header("set-cookie", `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
  }
}
