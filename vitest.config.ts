import { defineConfig } from "vitest/config";

// Every project: temp directories made with tempDir() (@liaowang/testing) are removed after each test file.
const setupFiles = ["packages/testing/src/temp-cleanup.ts"];

// Three tiers: pure unit tests beside the code (no I/O); integration tests that talk to the real Kafka +
// Elasticsearch dev stack, started once per run; and the fault suite (`pnpm test:faults`), which stops and breaks
// Kafka and Elasticsearch and therefore runs on a private stack of its own (temp directory, its own ports).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          setupFiles,
          // pure code, but some cases load the NLP models: allow for a loaded machine
          testTimeout: 30_000,
          include: ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          setupFiles,
          include: ["packages/*/test/**/*.test.ts", "services/*/test/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["test/faults/**", "**/node_modules/**"],
          globalSetup: ["packages/testing/src/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // Two files at a time: the files mostly wait on Kafka, Elasticsearch and real timers, and each uses its own
          // topic/index prefixes (isolatedEnv), ephemeral ports and temp dirs. LIAOWANG_TEST_WORKERS=1 runs them one by one.
          maxWorkers: Number(process.env.LIAOWANG_TEST_WORKERS ?? 2),
          // (its own worker count: vitest runs it as a group after the unit tests)
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "faults",
          setupFiles,
          // after the integration tests when run together (`pnpm test`); its stack boots meanwhile (fault-setup.ts)
          sequence: { groupOrder: 2 },
          include: ["test/faults/**/*.test.ts"],
          globalSetup: ["packages/testing/src/fault-setup.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
