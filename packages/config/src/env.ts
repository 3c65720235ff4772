import type { z } from "zod";
import { LiaowangError } from "@liaowang/errors";

/** Environment variables as a plain record (process.env or a test's literal). */
export type Env = Record<string, string | undefined>;

/**
 * Describe zod issues as one line per problem: the key, the value given and what was expected.
 * @example formatIssues(err.issues, env) // "LIAOWANG_KAFKA_BROKERS = \"\": expected at least one host:port"
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown, label = ""): string {
  return issues
    .map((issue) => {
      const key = issue.path.map(String).join(".");
      const value = valueAt(input, issue.path);
      const shown = value === undefined ? "(not set)" : isSecretKey(key) ? `(hidden, ${typeof value === "string" ? value.length : JSON.stringify(value).length} characters)` : JSON.stringify(value);
      return `${label}${key || "(root)"} = ${truncate(shown, 120)}: ${issue.message}`;
    })
    .join("\n");
}

// Robot and gateway URLs embed their keys (notify.yaml targets.<id>.url, sms.url).
const SECRET_KEY = /(secret|token|passw(or)?d|pass$|api_?key|credential|private_?key|(^|\.)targets\.[^.]+\.url$|^sms\.url$)/i;

/** Whether a config key holds a secret, whose rejected value must not be echoed into an error (and so a log). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** The value at a zod issue path inside the parsed input (undefined where the path leaves it). */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Validate environment variables against a zod schema, failing with every wrong key named.
 * Called from a service's main, never at import time.
 */
export function loadEnv<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new LiaowangError("invalid_input", `Invalid configuration:\n${formatIssues(result.error.issues, env)}`);
}
