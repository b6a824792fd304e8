// The exchange check fails a test whose exchange drifts from the document, though the test's own assertions pass:
// run on drifted-route.fixture.ts in a vitest of its own, and read which of its tests failed and why.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { present } from "../../common/present.ts";

interface Report {
  testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
}

describe("check-every-exchange", () => {
  it("fails exactly the tests whose exchanges the document does not describe", () => {
    const dir = mkdtempSync(join(tmpdir(), "maestro-drift-"));
    try {
      const out = join(dir, "report.json");
      const run = spawnSync(
        process.execPath,
        [
          "node_modules/vitest/vitest.mjs",
          "run",
          "--config",
          "tests/support/drift/vitest.config.ts",
          "--reporter=json",
          `--outputFile=${out}`,
        ],
        { encoding: "utf8", env: { ...process.env, DATABASE_URL: "" }, timeout: 280_000 },
      );
      expect(run.status, run.stderr).toBe(1);
      const report = JSON.parse(readFileSync(out, "utf8")) as Report;
      const results = Object.fromEntries(report.testResults.flatMap((f) => f.assertionResults).map((r) => [r.title, r]));
      expect(Object.fromEntries(Object.entries(results).map(([title, r]) => [title, r.status]))).toEqual({
        "faithful: the list as the document describes it": "passed",
        "drifted through app.request": "failed",
        "drifted by a field the document lacks": "failed",
        "drifted over a real socket": "failed",
        "refused without the mark: a body the document refuses": "failed",
        "refused with the mark: the same body, sent on purpose": "passed",
        "refused without the mark by a server in a child process": "failed",
      });
      const failuresOf = (title: string) => present(results[title], title).failureMessages.join("\n");
      for (const title of ["drifted through app.request", "drifted over a real socket"]) {
        const message = failuresOf(title);
        expect(message).toContain("OpenAPI document and server disagree");
        expect(message).toMatch(/GET \/v1\/webhooks → 200: response does not match the document/);
        expect(message).toContain("must have required property 'state'");
      }
      expect(failuresOf("drifted by a field the document lacks")).toMatch(
        /GET \/v1\/webhooks → 200: response does not match the document: fields the document does not describe: \/webhooks\/0\/internalNote/,
      );
      expect(failuresOf("refused without the mark: a body the document refuses")).toMatch(
        /POST \/v1\/holds → 400: request does not match the document/,
      );
      expect(failuresOf("refused without the mark by a server in a child process")).toMatch(
        /\(child process\) POST \/v1\/holds → 401: request does not match the document/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
