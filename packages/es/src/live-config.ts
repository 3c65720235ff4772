import type { Client } from "@elastic/elasticsearch";
import { describeError, LiaowangError, unavailable } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { ensureIndex, statusOf } from "./ensure-index.js";

/**
 * The kinds of configuration an administrator edits in the dashboard and the services apply live: each is a whole
 * document shaped like its file in config/ (watch-rules.yaml, sources.yaml, departments.yaml, escalation.yaml).
 */
export type LiveConfigKind = "watch-rules" | "sources" | "departments" | "escalation";

/** One stored version of a configuration. */
export interface StoredConfig<T = unknown> {
  kind: LiveConfigKind;
  /** 1, 2, 3, … per kind; the file in config/ is version 0. */
  version: number;
  /** The configuration as the file would hold it (validated by the file's schema before it was stored). */
  data: T;
  updatedAt: string;
  /** The user id who saved it. */
  updatedBy: string;
  /** What changed, in the administrator's words or the screen's (e.g. 暂停信源 xinghe-gov). */
  summary: string;
}

const MAPPINGS = {
  dynamic: false,
  properties: { kind: { type: "keyword" }, version: { type: "long" }, updatedAt: { type: "date" }, updatedBy: { type: "keyword" }, summary: { type: "text" }, current: { type: "boolean" }, data: { type: "object", enabled: false } },
};

/** How long a read waits out a shard that is still opening (HTTP 503) before it fails. */
const SHARD_OPENING_WAIT_MS = 30_000;

function failed(what: string, error: unknown): LiaowangError {
  return unavailable(`Elasticsearch ${what} failed: ${describeError(error)}`, error);
}

/**
 * Live configuration in Elasticsearch (`<prefix>config`): the effective version of each kind under the id `<kind>`
 * (replaced with compare-and-set, so two administrators never both become version N) and every version under
 * `<kind>@<version>` as history. The files in config/ provision: a kind with no stored version is its file.
 * @example const store = new LiveConfigStore(es, "liaowang-"); await store.save("watch-rules", { rules }, { by: "p-sysadmin", summary: "新增规则", expectedVersion: 0 });
 */
export class LiveConfigStore {
  readonly index: string;

  constructor(
    readonly es: Client,
    indexPrefix: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.index = `${indexPrefix}config`;
  }

  async init(): Promise<void> {
    await ensureIndex(this.es, this.index, MAPPINGS);
  }

  /** The effective stored version of a kind (real-time get), or undefined when the file still rules. */
  async current<T = unknown>(kind: LiveConfigKind): Promise<(StoredConfig<T> & { seqNo: number; primaryTerm: number }) | undefined> {
    // A shard that is still opening answers 503 (no_shard_available / RECOVERING) for a moment even after the index
    // reported yellow; every service reads its configuration at start-up, so that moment is waited out, bounded.
    const deadline = Date.now() + SHARD_OPENING_WAIT_MS;
    for (;;) {
      try {
        const doc = await this.es.get<StoredConfig<T>>({ index: this.index, id: kind }, { ignore: [404] });
        if (!doc.found || doc._source === undefined) return undefined;
        return { ...doc._source, seqNo: doc._seq_no ?? 0, primaryTerm: doc._primary_term ?? 0 };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        if (statusOf(error) === 503 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          continue;
        }
        throw failed(`get ${this.index}/${kind}`, error);
      }
    }
  }

  /**
   * Store a new version. `expectedVersion` is the version the administrator edited (0: the file): when someone saved
   * in between, nothing is stored and a `conflict` error says so.
   */
  async save<T>(kind: LiveConfigKind, data: T, options: { by: string; summary: string; expectedVersion: number }): Promise<StoredConfig<T>> {
    const held = await this.current(kind);
    const version = held?.version ?? 0;
    if (version !== options.expectedVersion) {
      throw new LiaowangError("conflict", `配置已被他人修改（当前第 ${version} 版，您编辑的是第 ${options.expectedVersion} 版），请刷新后重试`);
    }
    const record: StoredConfig<T> = { kind, version: version + 1, data, updatedAt: this.clock().toISOString(), updatedBy: options.by, summary: options.summary };
    try {
      await this.es.index({
        index: this.index,
        id: kind,
        document: { ...record, current: true },
        ...(held ? { if_seq_no: held.seqNo, if_primary_term: held.primaryTerm } : { op_type: "create" as const }),
        refresh: "wait_for",
      });
    } catch (error) {
      if (statusOf(error) === 409) throw new LiaowangError("conflict", `配置已被他人修改（您编辑的是第 ${options.expectedVersion} 版），请刷新后重试`);
      throw failed(`save ${this.index}/${kind}`, error);
    }
    // History after the effective version: a crash in between loses one history entry, never the change itself.
    try {
      await this.es.index({ index: this.index, id: `${kind}@${record.version}`, document: { ...record, current: false }, refresh: "wait_for" });
    } catch (error) {
      throw failed(`history ${this.index}/${kind}@${record.version}`, error);
    }
    return record;
  }

  /** Stored versions of a kind, newest first (the data included). */
  async history<T = unknown>(kind: LiveConfigKind, size = 20): Promise<StoredConfig<T>[]> {
    try {
      const res = await this.es.search<StoredConfig<T>>({ index: this.index, size, sort: [{ version: "desc" }], query: { bool: { filter: [{ term: { kind } }, { term: { current: false } }] } } }, { ignore: [404] });
      return (res.hits?.hits ?? []).flatMap((h) => (h._source ? [h._source] : []));
    } catch (error) {
      throw failed(`history of ${kind}`, error);
    }
  }
}

/** What {@link watchLiveConfig} applies and how. */
export interface LiveConfigWatch<T> {
  store: LiveConfigStore;
  kind: LiveConfigKind;
  /** Validate stored data with the file's schema; a throw keeps the running configuration (logged as an error). */
  parse: (data: unknown) => T;
  /** Make the new configuration effective in this process. */
  apply: (value: T, stored: StoredConfig) => void | Promise<void>;
  /** The version this process runs (0: the file); changes after it are applied. */
  since: number;
  intervalMs?: number;
  log: Logger;
}

/**
 * Poll the stored version of a kind (a real-time get, cheap) and apply each new version without a restart. A
 * version that fails validation or applying is logged and skipped: the service keeps running on the last good one,
 * and tries again only when a newer version appears.
 * @example const watch = watchLiveConfig({ store, kind: "watch-rules", parse, apply, since: 0, log }); await watch.stop();
 */
export function watchLiveConfig<T>(options: LiveConfigWatch<T>): { stop(): Promise<void>; readonly version: number } {
  let seen = options.since;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const log = options.log.child({ module: "live-config", kind: options.kind });
  const check = async (): Promise<void> => {
    let stored: StoredConfig | undefined;
    try {
      stored = await options.store.current(options.kind);
    } catch (error) {
      log.warn({ error: describeError(error) }, `could not read the stored ${options.kind} configuration; retrying`);
      return;
    }
    if (!stored || stored.version <= seen) return;
    const version = stored.version;
    seen = version;
    try {
      await options.apply(options.parse(stored.data), stored);
      log.info({ version, by: stored.updatedBy }, `applied ${options.kind} configuration version ${version}`);
    } catch (error) {
      log.error({ version, error: describeError(error) }, `stored ${options.kind} configuration version ${version} not applied; keeping the previous one`);
    }
  };
  const loop = (): void => {
    if (stopped) return;
    running = check().finally(() => {
      if (!stopped) timer = setTimeout(loop, options.intervalMs ?? 2_000);
    });
  };
  timer = setTimeout(loop, options.intervalMs ?? 2_000);
  return {
    get version() {
      return seen;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * The configuration a service starts with: the stored version when there is one and it is valid, else the file's.
 * @example const start = await initialLiveConfig(store, "watch-rules", parse, () => fileRules, log);
 */
export async function initialLiveConfig<T>(store: LiveConfigStore, kind: LiveConfigKind, parse: (data: unknown) => T, fromFile: () => T, log: Logger): Promise<{ value: T; version: number }> {
  await store.init();
  const stored = await store.current(kind);
  if (stored) {
    try {
      return { value: parse(stored.data), version: stored.version };
    } catch (error) {
      log.error({ kind, version: stored.version, error: describeError(error) }, `stored ${kind} configuration version ${stored.version} is invalid; starting from the file`);
      return { value: fromFile(), version: stored.version };
    }
  }
  return { value: fromFile(), version: 0 };
}
