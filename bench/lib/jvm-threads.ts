// CPU of a JVM's threads by pool (Elasticsearch's write, refresh, merge, search, transport workers…), from
// /proc/<pid>/task/*/stat, named through `jcmd <pid> Thread.print` (Linux truncates thread names to 15 characters,
// which leaves "elasticsearch[" for every pool). For attributing Elasticsearch's CPU per post in the bench.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** CPU seconds per thread id of a process, now. */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
      out.set(tid, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // the thread ended
    }
  }
  return out;
}

/**
 * The pool a JVM thread belongs to: Elasticsearch's `elasticsearch[node][write][T#3]` → `write`, other threads by
 * their name without numbers (`C1 CompilerThread0` → `C1 CompilerThread`, `GC Thread#1` → `GC Thread`).
 */
export function threadPool(name: string): string {
  const es = /\[[^\]]*\]\[([^\]]+)\]/.exec(name);
  if (es) return es[1]!;
  return name.replace(/#?\d+/g, "").trim();
}

/** Thread id → pool of a running JVM, or an empty map when `jcmd` is not there. */
export function jvmThreadPools(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  let dump: string;
  try {
    dump = execFileSync("jcmd", [String(pid), "Thread.print"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return out;
  }
  for (const line of dump.split("\n")) {
    const m = /^"([^"]+)".*\bnid=(0x[0-9a-f]+)/.exec(line);
    if (m) out.set(String(Number.parseInt(m[2]!, 16)), threadPool(m[1]!));
  }
  return out;
}

/**
 * CPU seconds by pool between two {@link threadCpu} snapshots, largest first. Threads that ended in between are
 * counted up to the first snapshot only (their CPU since is lost); threads without a name count as `other`.
 */
export function cpuByPool(pid: number, before: Map<string, number>, after: Map<string, number>): [string, number][] {
  const pools = jvmThreadPools(pid);
  const sums = new Map<string, number>();
  for (const [tid, s] of after) {
    const d = s - (before.get(tid) ?? 0);
    if (d <= 0) continue;
    const pool = pools.get(tid) ?? "other";
    sums.set(pool, (sums.get(pool) ?? 0) + d);
  }
  return [...sums.entries()].sort((a, b) => b[1] - a[1]);
}
