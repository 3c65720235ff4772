// Small measuring helpers shared by the benchmark's parts.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

/**
 * Rounds of `body` per wall-clock second and per CPU second of this process, run for at least `minMs` after one
 * warm-up round. On a shared machine the CPU figure is the one that compares across runs (it is the rate one
 * dedicated core would give); the wall figure is what this run saw.
 */
export function rate(body: () => void, minMs = 3_000): { wall: number; cpu: number } {
  body();
  let rounds = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - start < minMs) {
    body();
    rounds++;
  }
  const used = process.cpuUsage(cpu0);
  return { wall: rounds / ((performance.now() - start) / 1000), cpu: rounds / ((used.user + used.system) / 1e6) };
}

/** The q-quantile (0..1) of values, nearest rank; undefined when empty. */
export function quantile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

// Linux reports CPU time in clock ticks; USER_HZ is 100 on every architecture Node supports.
const TICKS_PER_SECOND = 100;

/** RSS (MB) and CPU seconds (user + system) of a process from /proc, or undefined when it is gone. */
export function procStat(pid: number | undefined): { rssMB: number; cpuS: number } | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rssMB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return { rssMB, cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `probe` every `intervalMs` until it returns a value other than false/undefined, or `timeoutMs` passes. */
export async function until<T>(probe: () => Promise<T | false | undefined>, timeoutMs: number, intervalMs = 250): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== false && value !== undefined) return value;
    if (performance.now() >= deadline) return undefined;
    await sleep(intervalMs);
  }
}

/**
 * Offers `perSecond` items at a steady pace: every `tickMs` it calls `emit` with the whole items owed so far (the
 * fraction carries over), on a schedule that does not drift with `emit`'s time, until `running()` says stop.
 */
export async function paced(perSecond: number, tickMs: number, running: () => boolean, emit: (n: number) => void | Promise<void>): Promise<void> {
  let owed = 0;
  let next = performance.now();
  while (running()) {
    owed += (perSecond * tickMs) / 1000;
    const n = Math.floor(owed);
    owed -= n;
    if (n > 0) await emit(n);
    next += tickMs;
    await sleep(Math.max(0, next - performance.now()));
  }
}
