// Lints the served OpenAPI document with Redocly's recommended rules, warnings included (npm run lint runs it).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApiDocument } from "../server/http/openapi.ts";

const dir = mkdtempSync(join(tmpdir(), "maestro-openapi-"));
try {
  const file = join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(openApiDocument(), null, 2));
  // recommended-strict is the recommended ruleset with its warnings as errors, so "clean" means no finding at all.
  // Telemetry and the update check would reach beyond the machine: both off.
  const run = spawnSync("redocly", ["lint", "--extends=recommended-strict", "--format=stylish", file], {
    stdio: "inherit",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  if (run.error) throw run.error;
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
