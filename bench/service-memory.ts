// Each pipeline service's own footprint, idle: start-up time (spawn → "started", one service at a time so that they
// do not share the CPU) and the CPU seconds it took (what compares across runs on a loaded machine), RSS and what it is made of (/proc/<pid>/smaps_rollup: anonymous memory vs mapped files such
// as the node binary and native addons) and its thread count, for the compiled form and the tsx form side by side.
// Against the dev stack (reused when running, as `pnpm bench` does; otherwise started and stopped again).
//   pnpm exec tsx bench/service-memory.ts                       # dist and tsx, 20 s idle each
//   SERVICE_MEMORY_RUNTIMES=dist SERVICE_MEMORY_IDLE_S=60 LIAOWANG_SOURCE_MAPS=on pnpm exec tsx bench/service-memory.ts
import { readdirSync, readFileSync } from "node:fs";
import { stackDown, stackStatus, stackUp } from "@liaowang/devstack";
import type { PipelineService } from "@liaowang/testing";
import { procStat, sleep } from "./lib/measure.js";
import { benchStackFor } from "./lib/stack.js";

const SERVICES: PipelineService[] = ["ingest", "enrich", "indexer", "detector", "alerter", "api"];
const runtimes = (process.env.SERVICE_MEMORY_RUNTIMES ?? "dist,tsx").split(",").map((r) => r.trim());
const idleMs = Number(process.env.SERVICE_MEMORY_IDLE_S ?? 20) * 1000;

/** RSS and its parts (MB) from smaps_rollup, and the process's thread count. */
function footprint(pid: number): { rss: number; anon: number; file: number; threads: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? NaN);
  // Node 20 names every thread "node". A bare `node` idles with 7 (main, V8's platform workers, ...) and 11 once
  // libuv's pool of 4 has run a file read; worker threads and tsx's loader thread come on top.
  const threads = readdirSync(`/proc/${pid}/task`).length;
  return { rss: kb("Rss") / 1024, anon: kb("Anonymous") / 1024, file: (kb("Rss") - kb("Anonymous")) / 1024, threads };
}

let startedStack = false;
if (!(await stackStatus()).every((s) => s.state === "healthy")) {
  await stackUp({ log: (line) => console.log(`[devstack] ${line}`) });
  startedStack = true;
}
const running = await stackStatus();
const kafka = running.find((s) => s.name === "kafka")?.address ?? "127.0.0.1:9092";
const es = running.find((s) => s.name === "elasticsearch")?.address ?? "http://127.0.0.1:9200";

const table: string[] = [];
for (const runtime of runtimes) {
  process.env.LIAOWANG_SERVICE_RUNTIME = runtime;
  const stack = benchStackFor(`m${runtime}${Date.now().toString(36)}`, { kafka, es });
  await stack.allocatePorts();
  try {
    const startupCpuS = new Map<string, number>();
    for (const name of SERVICES) {
      const s = await stack.start(name);
      startupCpuS.set(name, procStat(s.proc.pid)?.cpuS ?? Number.NaN);
    }
    await sleep(idleMs);
    for (const s of stack.services) {
      const f = footprint(s.proc.pid!);
      table.push(
        `${runtime.padEnd(4)} ${s.name.padEnd(8)} start-up ${(s.startupMs / 1000).toFixed(1).padStart(5)} s (CPU ${startupCpuS.get(s.name)!.toFixed(2)} s)  RSS ${f.rss.toFixed(0).padStart(4)} MB (anon ${f.anon.toFixed(0).padStart(4)}, files ${f.file.toFixed(0).padStart(3)})  threads ${f.threads}`,
      );
    }
  } finally {
    await stack.stop();
  }
}
console.log(`\nidle ${idleMs / 1000} s after start; source maps ${process.env.LIAOWANG_SOURCE_MAPS ?? "off"}`);
for (const line of table) console.log(line);
if (startedStack) await stackDown({ log: (line) => console.log(`[devstack] ${line}`) });
