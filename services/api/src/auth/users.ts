import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { formatIssues } from "@liaowang/config";
import { invalidInput } from "@liaowang/errors";
import { separationProblem } from "@liaowang/auth";
import { departmentReach, Role, type User } from "./roles.js";

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, "ids are letters, digits and . _ : -");

/** A stored token: the SHA-256 of a random bearer token (tokens are high-entropy, so a fast hash suffices). */
const TokenHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256:<64 hex digits> (pnpm --filter @liaowang/api token <user-id>)");

/** One user entry of config/users.yaml or API_USERS. */
export const UserEntry = z
  .object({
    id,
    name: z.string().min(1),
    roles: z.array(Role).min(1),
    department: id.optional(),
    /** Several hashes let a token be rotated without a gap. */
    tokens: z.array(TokenHash).min(1),
  })
  .superRefine((u, ctx) => {
    const problem = separationProblem(u.roles, u.department);
    if (problem) ctx.addIssue({ code: "custom", message: problem, path: [problem.includes("department") ? "department" : "roles"] });
  });
export type UserEntry = z.infer<typeof UserEntry>;

/**
 * config/users.yaml (and API_USERS): API users with their roles and hashed bearer tokens.
 * @example UsersFile.parse({ users: [{ id: "p-duty-1", name: "张三", roles: ["duty_officer"], tokens: [tokenHash(token)] }] })
 */
export const UsersFile = z.object({ users: z.array(UserEntry).default([]) });
export type UsersFile = z.infer<typeof UsersFile>;

/** The stored form of a bearer token. */
export function tokenHash(token: string): string {
  return `sha256:${createHash("sha256").update(token, "utf8").digest("hex")}`;
}

/** A fresh random bearer token (32 bytes, base64url). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

function parseUsers(text: string, where: string): UserEntry[] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw invalidInput(`${where} is not valid YAML or JSON: ${String(error)}`, error);
  }
  const result = UsersFile.safeParse(data ?? {});
  if (!result.success) throw invalidInput(`Invalid users in ${where}:\n${formatIssues(result.error.issues, data, "  ")}`);
  return result.data.users;
}

/** A signed-in browser session as the auth hook sees it. */
export interface SessionUser {
  user: User;
  csrf: string;
}

/** Bearer-token lookup (token → user), and session-cookie lookup once sign-in is wired (`useSessions`). */
export class UserDirectory {
  private readonly byHash = new Map<string, User>();
  private sessions: ((token: string) => Promise<SessionUser | undefined>) | undefined;
  private hierarchy: Parameters<typeof departmentReach>[0];

  constructor(entries: readonly UserEntry[]) {
    const ids = new Set<string>();
    for (const entry of entries) {
      if (ids.has(entry.id)) throw invalidInput(`user "${entry.id}" is defined twice`);
      ids.add(entry.id);
      const user: User = { id: entry.id, name: entry.name, roles: [...entry.roles], ...(entry.department ? { department: entry.department } : {}) };
      for (const hash of entry.tokens) {
        const holder = this.byHash.get(hash);
        if (holder) throw invalidInput(`users "${holder.id}" and "${entry.id}" share a token hash; give each user its own token`);
        this.byHash.set(hash, user);
      }
    }
  }

  /** Resolve session cookies with this (password sign-in); without it only bearer tokens authenticate. */
  useSessions(resolve: (token: string) => Promise<SessionUser | undefined>): void {
    this.sessions = resolve;
  }

  /** Scope department heads by this hierarchy (`parent` links): a parent department reaches its children. */
  useDepartments(departments: Parameters<typeof departmentReach>[0]): void {
    this.hierarchy = departments;
  }

  /** A department and the departments below it. */
  reach(department: string): string[] {
    return departmentReach(this.hierarchy, department);
  }

  /** The user of a session cookie value. */
  async authenticateSession(token: string): Promise<SessionUser | undefined> {
    return token.length === 0 ? undefined : this.sessions?.(token);
  }

  /** The user a presented bearer token belongs to. */
  authenticate(token: string): User | undefined {
    if (token.length === 0 || token.length > 512) return undefined;
    return this.byHash.get(tokenHash(token));
  }

  get size(): number {
    return new Set(this.byHash.values()).size;
  }

  /** Every user (no tokens). */
  list(): User[] {
    return [...new Set(this.byHash.values())];
  }
}

/** The demo user `pnpm start` offers (LIAOWANG_DEMO=on): a duty officer who can also search and see trends. */
export const DEMO_USER = { id: "demo-duty", name: "演示值班员", roles: ["duty_officer", "analyst"] as Role[] };

/** The demo token: API_DEMO_TOKEN, else one kept in a file beside the dev stack so a restart keeps the browser signed in. */
export function demoToken(fixed: string | undefined, file: string): string {
  if (fixed) return fixed;
  if (existsSync(file)) {
    const kept = readFileSync(file, "utf8").trim();
    if (kept.length >= 24) return kept;
  }
  mkdirSync(dirname(file), { recursive: true });
  const token = newToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * Read the users file (a missing file means no users: nothing but health is reachable) plus API_USERS,
 * plus the demo user when given.
 */
export function loadUsers(options: { file: string; inline?: string | undefined; demo?: { token: string } | undefined }): UserDirectory {
  const entries: UserEntry[] = [];
  if (existsSync(options.file)) entries.push(...parseUsers(readFileSync(options.file, "utf8"), options.file));
  if (options.inline) entries.push(...parseUsers(options.inline, "API_USERS"));
  if (options.demo) entries.push({ ...DEMO_USER, tokens: [tokenHash(options.demo.token)] });
  return new UserDirectory(entries);
}
