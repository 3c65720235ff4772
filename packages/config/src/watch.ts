import { existsSync, readFileSync, unwatchFile, watchFile, type Stats } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { formatIssues } from "./env.js";

/** Why a changed config file was refused: its English text for the log, and what a screen needs to say it in zh-CN. */
export interface ConfigRejection {
  path: string;
  /** English, naming the file, each key and what is wrong (for the log). */
  message: string;
  /** The schema's issues, when the file parsed but did not validate. */
  issues?: readonly z.core.$ZodIssue[];
  /** The file's content as parsed, when it parsed. */
  data?: unknown;
  /** The YAML / JSON syntax error, when it did not parse. */
  syntax?: string;
}

/** What {@link watchConfigFile} does with each change. */
export interface ConfigWatch<T> {
  /** A valid new content, or undefined when the file was removed. */
  apply(value: T | undefined): void;
  /** A change that does not validate: keep what is in force. */
  reject(rejection: ConfigRejection): void;
  /** Polling interval; polling (not inotify) also sees editors that replace the file by rename. Default 2000 ms. */
  intervalMs?: number;
}

/** Read and validate a YAML or JSON config file without throwing. */
export function readConfigFileResult<S extends z.ZodType>(path: string, schema: S): { ok: true; value: z.output<S> | undefined } | { ok: false; rejection: ConfigRejection } {
  if (!existsSync(path)) return { ok: true, value: undefined };
  let data: unknown;
  try {
    const raw = readFileSync(path, "utf8");
    data = extname(path) === ".json" ? JSON.parse(raw) : parseYaml(raw);
  } catch (error) {
    const syntax = error instanceof Error ? error.message : String(error);
    return { ok: false, rejection: { path, message: `Config file ${path} is not valid ${extname(path).slice(1).toUpperCase()}: ${syntax}`, syntax } };
  }
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data as z.output<S> };
  return { ok: false, rejection: { path, message: `Invalid config file ${path}:\n${formatIssues(result.error.issues, data, "  ")}`, issues: result.error.issues, data } };
}

/**
 * Re-read a config file whenever it changes on disk (also when it appears or disappears) and hand over the
 * validated content, or the reason it was refused; returns a function that stops watching. The watch does not keep
 * the process alive.
 * @example const stop = watchConfigFile(join(dir, "holidays.yaml"), HolidaysConfig, { apply: (c) => use(c), reject: (r) => log.error(r.message) });
 */
export function watchConfigFile<S extends z.ZodType>(path: string, schema: S, watch: ConfigWatch<z.output<S>>): () => void {
  const listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    const result = readConfigFileResult(path, schema);
    if (result.ok) watch.apply(result.value);
    else watch.reject(result.rejection);
  };
  watchFile(path, { interval: watch.intervalMs ?? 2000, persistent: false }, listener);
  return () => unwatchFile(path, listener);
}
