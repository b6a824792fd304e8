// One capability vocabulary: the server's list, every JSON Schema enum, the Rego catalogue and the resource grammars name the same seven.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GRAMMARS } from "../../common/canonical-resource.ts";
import { CAPABILITIES } from "../../server/index.ts";

const repo = (path: string) => new URL(`../../${path}`, import.meta.url);

function enumsIn(schema: unknown, found: string[][] = []): string[][] {
  if (Array.isArray(schema)) for (const item of schema) enumsIn(item, found);
  else if (schema && typeof schema === "object") {
    const node = schema as Record<string, unknown>;
    if (Array.isArray(node.enum) && node.enum.includes("repo.read")) found.push(node.enum as string[]);
    for (const value of Object.values(node)) enumsIn(value, found);
  }
  return found;
}

describe("capability vocabulary", () => {
  const expected = [...CAPABILITIES].sort();

  it.each([
    "schemas/mediate/tool-call.schema.json",
    "schemas/mediate/runset-registration.schema.json",
    "schemas/runset/runset.schema.json",
    "schemas/runset/tool-map.schema.json",
  ])("%s enumerates exactly the server's capabilities", (file) => {
    const enums = enumsIn(JSON.parse(readFileSync(repo(file), "utf8")));
    expect(enums.length).toBeGreaterThan(0);
    for (const list of enums) expect([...list].sort()).toEqual(expected);
  });

  it("the Rego catalogue and waiver limits cover exactly the same capabilities", () => {
    const rego = readFileSync(repo("policies/rego/capabilities.rego"), "utf8");
    const block = (name: string) => {
      const body = rego.slice(rego.indexOf(`${name} := {`), rego.indexOf("\n}", rego.indexOf(`${name} := {`)));
      return [...body.matchAll(/^\t"([a-z]+\.[a-z]+)":/gm)].map((m) => m[1]).sort();
    };
    expect(block("catalogue")).toEqual(expected);
    expect(block("waiver_limits")).toEqual(expected);
  });

  it("every capability has a resource grammar (common/canonical-resource.ts), so none reaches the policy uncanonicalised", () => {
    expect(Object.keys(GRAMMARS).sort()).toEqual(expected);
  });
});
