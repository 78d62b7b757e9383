import { defineConfig } from "vitest/config";
import LongFirstSequencer from "./tests/support/long-first-sequencer.ts";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    // These tests run real clusters, containers and signals on shared 2-core machines: one retry,
    // and the summary reporter names every test that needed it (see CONTRIBUTING.md).
    retry: 1,
    sequence: { sequencer: LongFirstSequencer },
    reporters: ["default", "./tests/support/summary-line-reporter.ts"],
  },
});
