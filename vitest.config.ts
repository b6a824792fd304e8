import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".tools/**", ".maestro/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Holds every HTTP exchange a test makes to the served OpenAPI document (issue 17).
    setupFiles: ["tests/support/check-every-exchange.ts"],
  },
});
