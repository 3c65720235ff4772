import type { Client } from "@liaowang/es";
import { LiaowangError } from "@liaowang/errors";
import { z } from "zod";
import { Role, separationProblem } from "./roles.js";
import { Docs, ensureIndex } from "./store.js";

/** A password account (created with `pnpm liaowang user add`, or by a security administrator). */
export const Account = z.object({
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, "ids are letters, digits and . _ : -"),
  name: z.string().min(1).max(100),
  roles: z.array(Role).min(1),
  department: z.string().optional(),
  passwordHash: z.string(),
  /** Base32 TOTP secret when the second factor is on. */
  totpSecret: z.string().optional(),
  disabled: z.boolean(),
  failedAttempts: z.number().int(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type Account = z.infer<typeof Account>;

const MAPPINGS = { dynamic: false, properties: { id: { type: "keyword" }, roles: { type: "keyword" }, department: { type: "keyword" }, disabled: { type: "boolean" }, createdAt: { type: "date" } } };

/** Index names of the auth stores, under the deployment's index prefix. */
export function authIndices(prefix: string): { accounts: string; sessions: string; audit: string; anchors: string } {
  return { accounts: `${prefix}auth-accounts`, sessions: `${prefix}auth-sessions`, audit: `${prefix}security-audit`, anchors: `${prefix}security-audit-anchors` };
}

/** Password accounts in Elasticsearch, shared by every API replica (lock-out counts too). */
export class AccountStore {
  private readonly docs: Docs<Account>;

  constructor(es: Client, index: string) {
    this.docs = new Docs(es, index);
  }

  init(): Promise<void> {
    return ensureIndex(this.docs.es, this.docs.index, MAPPINGS);
  }

  async get(id: string): Promise<Account | undefined> {
    return (await this.docs.get(id))?.value;
  }

  /** Add an account; a `conflict` error when the id is taken or the roles break 三员分立. */
  async create(account: Account): Promise<void> {
    const problem = separationProblem(account.roles, account.department);
    if (problem) throw new LiaowangError("invalid_input", `account ${account.id}: ${problem}`);
    if (!(await this.docs.create(account.id, Account.parse(account), true))) throw new LiaowangError("conflict", `an account named ${account.id} already exists`);
  }

  /** Read-modify-write with compare-and-set, retried on conflict; `fn` must be pure. */
  async update(id: string, fn: (current: Account) => Account): Promise<Account | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const held = await this.docs.get(id);
      if (!held) return undefined;
      const next = fn(held.value);
      const problem = separationProblem(next.roles, next.department);
      if (problem) throw new LiaowangError("invalid_input", `account ${id}: ${problem}`);
      if (await this.docs.replace(id, next, held)) return next;
    }
    throw new LiaowangError("conflict", `account ${id} kept changing; try again`, { retriable: true });
  }

  async list(): Promise<Account[]> {
    await this.docs.refresh();
    return (await this.docs.search({ size: 1_000, sort: [{ id: "asc" }] })).map((h) => h.value);
  }
}
