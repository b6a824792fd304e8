// The import boundaries CONTRIBUTING.md promises are enforced by eslint.config.js: each rule refuses the import it is
// for and lets the public entry through. A rule that stopped matching (a renamed folder, a mistyped regex) fails here.
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("import boundaries (eslint.config.js)", () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: root });
  });

  /** The messages of the no-restricted-imports rule for one import written in a file at `filePath`. */
  async function refusals(filePath: string, specifier: string): Promise<string[]> {
    const [result] = await eslint.lintText(`import * as m from "${specifier}";\nexport { m };\n`, { filePath: `${root}/${filePath}` });
    return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
  }

  it.each([
    ["server/exceptions/holds/new-file.ts", "../waivers/waiver-service.ts", /exception feature imports another only through its index/],
    ["server/exceptions/waivers/new-file.ts", "../breakglass/tables.ts", /exception feature imports another only through its index/],
    ["server/http/control/new-file.ts", "../../exceptions/holds/hold-service.ts", /exception feature through its index/],
    ["server/compose-new.ts", "./exceptions/waivers/waiver-rules.ts", /exception feature through its index/],
    ["cli/commands/new-file.ts", "../../server/policy/index.ts", /cli\/ uses the server's public entry point/],
    ["cli/commands/new-file.ts", "../../evidence/verify/keys.ts", /cli\/ uses the evidence package's public entry point/],
    ["agents/runner/new-file.ts", "../../server/mediator/types.ts", /agents\/ use the server's public entry point/],
    ["server/releases/new-file.ts", "../../evidence/formats/types.ts", /evidence package through evidence\/index.ts/],
    ["evidence/verify/new-file.ts", "kysely", /must not touch a database/],
    ["ledger/core/new-file.ts", "hono", /must not depend on HTTP/],
  ])("%s may not import %s", async (file, specifier, message) => {
    const found = await refusals(file, specifier);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it.each([
    ["server/exceptions/holds/new-file.ts", "../waivers/index.ts"],
    ["server/exceptions/holds/new-file.ts", "../exception-service.ts"],
    ["server/http/control/new-file.ts", "../../exceptions/holds/index.ts"],
    ["cli/commands/new-file.ts", "../../server/index.ts"],
    ["cli/commands/new-file.ts", "../../evidence/index.ts"],
    ["agents/runner/new-file.ts", "../../server/index.ts"],
    ["server/releases/new-file.ts", "../../evidence/index.ts"],
  ])("%s may import %s", async (file, specifier) => {
    expect(await refusals(file, specifier)).toEqual([]);
  });
});
