import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { grantResourceProblem, grantWarnings, RESOURCE_DELIMITERS } from "./grant-warnings.ts";

describe("grant warnings", () => {
  it("uses the delimiters the policy's catalogue declares", () => {
    const rego = readFileSync(new URL("../../policies/rego/capabilities.rego", import.meta.url), "utf8");
    const declared = Object.fromEntries(
      [...rego.matchAll(/"([a-z.]+)": \{"tier": "\w+", "delimiters": (null|\["(.)"\])/g)].map((m) => [m[1], m[3] ?? null]),
    );
    expect(declared).toEqual(RESOURCE_DELIMITERS);
  });

  it("warns of a network.egress grant * that stops at the first dot, and says to use **", () => {
    const problem = grantResourceProblem("network.egress", "*");
    expect(problem).toContain('"*" stops at "."');
    expect(problem).toContain('use "**"');
    expect(grantResourceProblem("network.egress", "**")).toBeNull();
    expect(grantResourceProblem("network.egress", "*.example.com")).toBeNull();
  });

  it("warns of resources of the wrong shape for their capability", () => {
    expect(grantResourceProblem("network.egress", "https://docs.example.com")).toContain("never a URL");
    expect(grantResourceProblem("package.install", "left-pad")).toContain('try "npm:left-pad"');
    expect(grantResourceProblem("release.publish", "acme/app")).toContain('try "acme/app@*"');
    expect(grantResourceProblem("repo.write", "/src/**")).toContain("relative");
    expect(grantResourceProblem("tests.run", "*")).toBeNull();
    expect(grantResourceProblem("package.install", "npm:*")).toBeNull();
  });

  it("names the grant by its pointer in the registration body", () => {
    expect(
      grantWarnings([
        { capability: "repo.read", resource: "**" },
        { capability: "network.egress", resource: "*" },
      ]),
    ).toEqual([{ field: "/grants/1/resource", message: expect.stringContaining("network.egress") }]);
  });
});
