import { userInfo } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { AccountStore, AuditLog, authIndices, hashPassword, newTotp, passwordProblem, Role, separationProblem, ROLE_NAMES } from "@liaowang/auth";
import { CommonEnv, esSettings, loadEnv } from "@liaowang/config";
import { createEsClient } from "@liaowang/es";
import { describeError, LiaowangError } from "@liaowang/errors";
import { println, type CliIo } from "./io.js";

const USER_USAGE = `usage: pnpm liaowang user add <id> --name <姓名> --role <role> [--role <role>] [--department <id>] [--totp]
       pnpm liaowang user disable <id> | enable <id> | unlock <id>
       pnpm liaowang user list [--json]
  roles: ${Role.options.map((r) => `${r} (${ROLE_NAMES[r]})`).join(", ")}
  The password is read from stdin (one line; typed without echo on a terminal). 三员分立: an account holds at
  most one of sys_admin, sec_admin, audit_admin, and an administrator no business role.`;

const AUDIT_USAGE = `usage: pnpm liaowang audit verify [--json] [--head <seq>:<sha256>]   (--head: a chain head noted earlier)
       pnpm liaowang audit anchor                       (write the chain head to the anchor index now)
       pnpm liaowang audit prune --before <ISO date>   (refused unless at least 183 days ago)`;

/** The actor of CLI changes in the audit: the operating-system user at the server. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli:unknown";
  }
}

/** One line from stdin; without echo when stdin is a terminal. */
async function readSecret(io: CliIo, prompt: string): Promise<string> {
  const tty = (io.stdin as { isTTY?: boolean }).isTTY === true;
  if (tty) io.stderr.write(prompt);
  const rl = createInterface({ input: io.stdin, terminal: tty, ...(tty ? { output: io.stderr } : {}) });
  if (tty) (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  try {
    for await (const line of rl) {
      if (tty) io.stderr.write("\n");
      return line.replace(/\r$/, "");
    }
    return "";
  } finally {
    rl.close();
  }
}

async function stores(io: CliIo) {
  const env = loadEnv(CommonEnv, io.env);
  const es = createEsClient(esSettings(env));
  const indices = authIndices(env.LIAOWANG_INDEX_PREFIX);
  const accounts = new AccountStore(es, indices.accounts);
  const audit = new AuditLog(es, indices.audit, undefined, indices.anchors);
  await Promise.all([accounts.init(), audit.init()]);
  return { es, accounts, audit };
}

/**
 * `user add | disable | enable | unlock | list`: password accounts, stored in Elasticsearch, every change in the
 * security audit. The first administrator of a deployment is created here (there are no default credentials).
 */
export async function userCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { name: { type: "string" }, role: { type: "string", multiple: true }, department: { type: "string" }, totp: { type: "boolean", default: false }, json: { type: "boolean", default: false } },
  });
  const id = positionals[0] ?? "";
  if (!sub || (sub !== "list" && !id)) {
    println(io.stderr, USER_USAGE);
    return 2;
  }
  const { es, accounts, audit } = await stores(io);
  const actor = cliActor();
  try {
    if (sub === "list") {
      const all = await accounts.list();
      if (values.json) println(io.stdout, JSON.stringify(all.map(({ passwordHash: _p, totpSecret, ...a }) => ({ ...a, totp: totpSecret !== undefined })), null, 2));
      else for (const a of all) println(io.stdout, `${a.id}\t${a.name}\t${a.roles.join(",")}${a.department ? `\t${a.department}` : ""}${a.disabled ? "\t(disabled)" : ""}`);
      return 0;
    }
    if (sub === "add") {
      const roles = (values.role ?? []).map((r) => Role.safeParse(r));
      const bad = roles.find((r) => !r.success);
      if (roles.length === 0 || bad) {
        println(io.stderr, `user add: --role must be one of ${Role.options.join(", ")}`);
        return 2;
      }
      const roleList = roles.map((r) => r.data as Role);
      const problem = separationProblem(roleList, values.department);
      if (problem) {
        println(io.stderr, `user add: ${problem}`);
        return 2;
      }
      const password = await readSecret(io, `password for ${id}: `);
      const weak = passwordProblem(password, id);
      if (weak) {
        println(io.stderr, `user add: ${weak}`);
        return 2;
      }
      const totp = values.totp ? newTotp(id) : undefined;
      const at = new Date().toISOString();
      await accounts.create({ id, name: values.name ?? id, roles: roleList, ...(values.department ? { department: values.department } : {}), passwordHash: await hashPassword(password), ...(totp ? { totpSecret: totp.secret } : {}), disabled: false, failedAttempts: 0, lockedUntil: null, createdAt: at, createdBy: actor, updatedAt: at });
      await audit.append({ actor, action: "user.create", outcome: "ok", source: "cli", target: id, details: { roles: roleList, department: values.department, totp: values.totp } });
      println(io.stdout, `created ${id} (${roleList.map((r) => ROLE_NAMES[r]).join("、")}); sign in at the dashboard with this user name and password`);
      if (totp) println(io.stdout, `TOTP (add to an authenticator app; shown once): ${totp.uri}`);
      return 0;
    }
    if (sub === "disable" || sub === "enable" || sub === "unlock") {
      const updated = await accounts.update(id, (a) => ({ ...a, ...(sub === "unlock" ? { failedAttempts: 0, lockedUntil: null } : { disabled: sub === "disable" }), updatedAt: new Date().toISOString() }));
      if (!updated) {
        println(io.stderr, `user ${sub}: no account ${id}`);
        return 1;
      }
      await audit.append({ actor, action: `user.${sub}`, outcome: "ok", source: "cli", target: id });
      println(io.stdout, `${id}: ${sub}d`);
      return 0;
    }
    println(io.stderr, USER_USAGE);
    return 2;
  } catch (error) {
    println(io.stderr, `user ${sub}: ${error instanceof LiaowangError ? error.message : describeError(error)}`);
    return 1;
  } finally {
    await es.close();
  }
}

/** `audit verify | prune`: check the security audit's hash chain; drop records past the retention period. */
export async function auditCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { json: { type: "boolean", default: false }, before: { type: "string" }, head: { type: "string" } } });
  if (sub !== "verify" && sub !== "prune" && sub !== "anchor") {
    println(io.stderr, AUDIT_USAGE);
    return 2;
  }
  const given = values.head === undefined ? undefined : /^(\d+):([0-9a-f]{64})$/.exec(values.head);
  if (values.head !== undefined && !given) {
    println(io.stderr, `--head takes <seq>:<64 hex digits> as audit verify prints it, not "${values.head}"`);
    return 2;
  }
  const { es, audit } = await stores(io);
  try {
    if (sub === "anchor") {
      const anchor = await audit.anchor();
      println(io.stdout, anchor ? `anchor ${anchor.seq}: record ${anchor.auditSeq} ${anchor.auditHash}` : "nothing new to anchor");
      return 0;
    }
    if (sub === "verify") {
      const result = await audit.verify(given ? { expectHead: { seq: Number(given[1]), hash: given[2] as string } } : {});
      if (values.json) println(io.stdout, JSON.stringify(result, null, 2));
      else {
        println(io.stdout, `${result.records} record(s)${result.firstSeq !== null ? `, seq ${result.firstSeq}–${result.lastSeq}` : ""}${result.anchor ? ` (older records pruned; chain anchored at ${result.anchor.slice(0, 16)}…)` : ""}`);
        if (result.head) println(io.stdout, `chain head: ${result.head.seq}:${result.head.hash}   (note it elsewhere; check later with --head)`);
        println(io.stdout, result.lastAnchor ? `${result.anchors} anchor(s), the newest at ${result.lastAnchor.at}: record ${result.lastAnchor.auditSeq}` : "no anchors yet (the API writes one every API_AUDIT_ANCHOR_SECONDS; or: pnpm liaowang audit anchor)");
        for (const p of result.problems) println(io.stdout, `  ${p}`);
        println(io.stdout, result.ok ? "audit chain intact" : "AUDIT CHAIN BROKEN");
      }
      return result.ok ? 0 : 1;
    }
    const before = values.before ? new Date(values.before) : undefined;
    if (!before || Number.isNaN(before.getTime())) {
      println(io.stderr, AUDIT_USAGE);
      return 2;
    }
    const removed = await audit.prune(before);
    await audit.append({ actor: cliActor(), action: "audit.prune", outcome: "ok", source: "cli", details: { before: before.toISOString(), removed } });
    println(io.stdout, `removed ${removed} record(s) older than ${before.toISOString()}`);
    return 0;
  } catch (error) {
    println(io.stderr, `audit ${sub}: ${describeError(error)}`);
    return 1;
  } finally {
    await es.close();
  }
}
