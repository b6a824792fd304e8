// Runs drifted-route.fixture.ts alone, with the same exchange check as the suite: check-every-exchange.test.ts runs it.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../../..", import.meta.url)),
    include: ["tests/support/drift/*.fixture.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    setupFiles: ["tests/support/check-every-exchange.ts"],
  },
});
