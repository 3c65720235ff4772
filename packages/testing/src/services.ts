import { spawnService, type SpawnedService } from "./service.js";
import { waitFor } from "./wait.js";

/** The pipeline's services and their entry files, in start order. */
export const PIPELINE_SERVICES = {
  ingest: "services/ingest/src/main.ts",
  enrich: "services/enrich/src/main.ts",
  indexer: "services/indexer/src/main.ts",
  detector: "services/detector/src/main.ts",
  alerter: "services/alerter/src/main.ts",
  api: "services/api/src/main.ts",
} as const;
export type PipelineService = keyof typeof PIPELINE_SERVICES;

/** One process exit the group did not ask for. */
export interface UnexpectedExit {
  service: string;
  code: number | null;
  at: number;
}

/**
 * The pipeline's services as real processes, each restarted 1 s after an exit nobody asked for (as the supervisor
 * of `pnpm start` or an orchestrator would). Keeps everything every incarnation printed, for log checks.
 * @example const group = new ServiceGroup(env, ["enrich", "indexer"]); await group.startAll();
 */
export class ServiceGroup {
  private readonly running = new Map<string, SpawnedService>();
  private readonly logs: { service: string; output: () => string }[] = [];
  private stopping = false;
  readonly unexpectedExits: UnexpectedExit[] = [];

  constructor(
    private readonly env: Record<string, string>,
    readonly names: PipelineService[],
    private readonly envFor: (name: PipelineService) => Record<string, string> = () => ({}),
  ) {}

  /**
   * Start one service and wait until it logs "started". A start-up that dies (e.g. a dependency not reachable yet)
   * is retried like the supervisor does, up to `attempts` times, and recorded as an unexpected exit.
   */
  async start(name: PipelineService, timeoutMs = 120_000, attempts = 3): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const service = spawnService(PIPELINE_SERVICES[name], { ...this.env, ...this.envFor(name) });
      this.running.set(name, service);
      this.logs.push({ service: name, output: () => service.output() });
      let exited = false;
      const watched = service.exited.then((code) => {
        exited = true;
        return code;
      });
      const state = await waitFor(async () => (/"msg":"started"/.test(service.output()) ? "started" : exited ? "exited" : false), {
        timeoutMs,
        intervalMs: 200,
        what: `${name} started`,
      });
      if (state === "started") {
        void watched.then((code) => this.restartAfterCrash(name, service, code));
        return;
      }
      this.running.delete(name);
      this.unexpectedExits.push({ service: name, code: await watched, at: Date.now() });
      if (attempt >= attempts) throw new Error(`${name} exited during start-up ${attempts} times; last output:\n${service.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /** An exit nobody asked for: record it and start the service again after 1 s. */
  private restartAfterCrash(name: PipelineService, service: SpawnedService, code: number | null): void {
    if (this.running.get(name) !== service || this.stopping) return;
    this.running.delete(name);
    this.unexpectedExits.push({ service: name, code, at: Date.now() });
    setTimeout(() => {
      if (!this.stopping && !this.running.has(name)) void this.start(name).catch(() => undefined);
    }, 1_000).unref();
  }

  /** Start every service of the group (in parallel) and wait until each has started. */
  async startAll(): Promise<void> {
    await Promise.all(this.names.map((n) => this.start(n)));
  }

  /** kill -9 one service; it stays down until started again. */
  async kill(name: PipelineService): Promise<void> {
    const service = this.running.get(name);
    if (!service) throw new Error(`${name} is not running`);
    this.running.delete(name);
    await service.kill();
  }

  pid(name: PipelineService): number | undefined {
    return this.running.get(name)?.pid;
  }

  /** Stop every service (SIGTERM, wait). */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((s) => s.stop()));
  }

  /** Everything each incarnation of each service printed, labelled. */
  output(): string {
    return this.logs.map((l) => `--- ${l.service}\n${l.output()}`).join("\n");
  }

  /** The last part of each running service's output (for a failing test). */
  tail(chars = 3000): string {
    return [...this.running.entries()].map(([name, s]) => `--- ${name}\n${s.output().slice(-chars)}`).join("\n");
  }
}
