import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    globalSetup: ["test/support/global-setup.ts"],
    pool: "forks",
    // Test files wait on PostgreSQL and Redis more than on CPU; each has its own database.
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The JSON report is what .ci/run reads to print its `N passed, N failed` line.
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
