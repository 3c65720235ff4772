import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { stackDown, stackUp } from "@liaowang/devstack";
import { privateStack, type PrivateStack } from "./stack.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The fault suite's private dev stack (inject("faultStack")). */
    faultStack: PrivateStack;
  }
}

/**
 * Vitest globalSetup for the fault suite: a private dev stack (temp directory, free ports, the fetched artifacts),
 * never the shared one on 9092/9200, because the cases stop and break Kafka and Elasticsearch. Stopped and removed
 * after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await privateStack("faults");
  const env = { ...process.env, ...stack.stackEnv };
  const log = (line: string) => process.stderr.write(`[fault stack] ${line}\n`);
  const started = Date.now();
  await stackUp({ env, log });
  log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s (${stack.dir})`);
  project.provide("faultStack", stack);
  return async () => {
    await stackDown({ env, log });
    rmSync(stack.dir, { recursive: true, force: true });
  };
}
