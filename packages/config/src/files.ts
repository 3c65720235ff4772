import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { LiaowangError } from "@liaowang/errors";
import { formatIssues } from "./env.js";

/** The repository root (two levels above this package's src), used for default paths. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The default config directory, overridable with LIAOWANG_CONFIG_DIR. */
export const defaultConfigDir = join(repoRoot, "config");

/**
 * Read a YAML or JSON config file and validate it, naming the file, the key, the value and the expectation.
 * @example readConfigFile(join(dir, "taxonomy.yaml"), Taxonomy)
 */
export function readConfigFile<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  if (!existsSync(path)) {
    throw new LiaowangError("invalid_input", `Config file ${path} does not exist`);
  }
  const raw = readFileSync(path, "utf8");
  let data: unknown;
  try {
    data = extname(path) === ".json" ? JSON.parse(raw) : parseYaml(raw);
  } catch (error) {
    throw new LiaowangError("invalid_input", `Config file ${path} is not valid ${extname(path).slice(1).toUpperCase()}: ${String(error)}`, { cause: error });
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new LiaowangError("invalid_input", `Invalid config file ${path}:\n${formatIssues(result.error.issues, data, "  ")}`);
}
