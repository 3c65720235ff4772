import { ensureBuilt } from "@liaowang/build";
import { stackDown, stackStatus, stackUp } from "@liaowang/devstack";

/**
 * Vitest globalSetup for the integration project: reuse a healthy dev stack (e.g. one a developer started with
 * `pnpm liaowang stack up`), otherwise start it and stop it again after the run (only when it was stopped before). Tests may also point at an existing
 * cluster with LIAOWANG_KAFKA_BROKERS + LIAOWANG_ES_URL and LIAOWANG_TEST_EXTERNAL_STACK=1. First, the services' compiled
 * JavaScript is brought up to date with the sources (the tests spawn services from dist/, as `pnpm start` runs them):
 * once here, before the test workers start, rather than racing in each worker.
 */
export default async function setup(): Promise<() => Promise<void>> {
  ensureBuilt({ log: (line) => process.stderr.write(`[build] ${line}\n`) });
  if (process.env.LIAOWANG_TEST_EXTERNAL_STACK === "1") return async () => undefined;
  const before = await stackStatus();
  if (before.every((s) => s.state === "healthy")) return async () => undefined;
  const log = (line: string) => process.stderr.write(`[devstack] ${line}\n`);
  await stackUp({ log });
  // Stopped afterwards only when this run started it: a running server that did not answer as healthy just then
  // (Elasticsearch is red for a moment while another run creates an index) belongs to someone else, and stopping it
  // took the shared stack down under other runs.
  if (!before.every((s) => s.state === "stopped")) return async () => undefined;
  return async () => {
    if (process.env.LIAOWANG_TEST_KEEP_STACK === "1") return;
    await stackDown({ log });
  };
}
