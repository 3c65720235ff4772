import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureBuilt } from "@liaowang/build";
import { stackDown, stackUp } from "@liaowang/devstack";
import { privateStack, PRIVATE_STACK_READY_FILE, type PrivateStack } from "./stack.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The fault suite's private dev stack (inject("faultStack")); wait for it with privateStackReady(). */
    faultStack: PrivateStack;
  }
}

/**
 * Vitest globalSetup for the fault suite: a private dev stack (temp directory, free ports, the fetched artifacts),
 * never the shared one on 9092/9200, because the cases stop and break Kafka and Elasticsearch. Vitest runs every
 * project's global setup before the first test, so the stack is started in the background here (in `pnpm test` it
 * boots while the unit and integration tests run) and the cases wait for it with {@link privateStackReady}. Stopped
 * and removed after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // the cases spawn services from their compiled JavaScript (see global-setup.ts)
  ensureBuilt({ log: (line) => process.stderr.write(`[build] ${line}\n`) });
  const stack = await privateStack("faults");
  const env = { ...process.env, ...stack.stackEnv };
  const log = (line: string) => process.stderr.write(`[fault stack] ${line}\n`);
  const started = Date.now();
  const booting = stackUp({ env, log }).then(
    () => {
      log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s (${stack.dir})`);
      writeFileSync(join(stack.dir, PRIVATE_STACK_READY_FILE), "ok");
    },
    (error: unknown) => writeFileSync(join(stack.dir, PRIVATE_STACK_READY_FILE), error instanceof Error ? error.message : String(error)),
  );
  project.provide("faultStack", stack);
  return async () => {
    await booting;
    await stackDown({ env, log });
    rmSync(stack.dir, { recursive: true, force: true });
  };
}
