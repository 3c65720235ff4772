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
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "faults",
          setupFiles,
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
