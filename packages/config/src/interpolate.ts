import { LiaowangError } from "@liaowang/errors";
import type { Env } from "./env.js";

const PLACEHOLDER = /\$\{([A-Z0-9_]+)\}/g;

/**
 * Replace `${NAME}` in every string of a parsed YAML tree with the environment variable, so secrets stay out of
 * config files. An unset variable is an error naming the file and the variable.
 * @example interpolateEnv({ pass: "${SMTP_PASS}" }, { SMTP_PASS: "s" }, "notify.yaml") // { pass: "s" }
 */
export function interpolateEnv(value: unknown, env: Env, path: string): unknown {
  if (typeof value === "string") {
    return value.replace(PLACEHOLDER, (_, name: string) => {
      const v = env[name];
      if (v === undefined || v === "") throw new LiaowangError("invalid_input", `${path} uses \${${name}}, but ${name} is not set`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolateEnv(v, env, path));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, path)]));
  return value;
}
