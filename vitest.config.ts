import { defineConfig } from "vitest/config";

// Three tiers: pure unit tests beside the code (no I/O); integration tests that talk to the real Kafka +
// Elasticsearch dev stack, started once per run; and the fault suite (`pnpm test:faults`), which stops and breaks
// Kafka and Elasticsearch and therefore runs on a private stack of its own (temp directory, its own ports).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
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
