// Tool maps: schema errors name the field; resource templates fill from arguments and never leave the root.
import { describe, expect, it } from "vitest";
import { ledgerArgs, mappedTool, parseToolMap, patchFiles, resourceFor, resourcesFor } from "./tool-map.ts";

const map = parseToolMap(
  `root: /repo
tools:
  read: { capability: repo.read, resource: "{path|relative}" }
  fetch: { capability: network.egress, resource: "{url|host}", taints: true }
  shell: { capability: tests.run, resource: "{command|first-word}" }
  patch: { capability: repo.write, resource: "{command|patch-files}" }
  rm: { deny: true }
`,
  "map.yaml",
  "/",
);

describe("tool maps", () => {
  it("fills resources from arguments", () => {
    expect(resourceFor(map, mappedTool(map, "read")!, { path: "/repo/src/a.ts" })).toBe("src/a.ts");
    expect(resourceFor(map, mappedTool(map, "read")!, { path: "/repo" })).toBe(".");
    expect(resourceFor(map, mappedTool(map, "fetch")!, { url: "https://a.example.com/x?y" })).toBe("a.example.com");
    expect(resourceFor(map, mappedTool(map, "shell")!, { command: "  npm test --x" })).toBe("npm");
    expect(resourcesFor(map, mappedTool(map, "patch")!, { command: "*** Begin Patch\n*** Update File: a.ts\n*** Add File: b/c.ts\n*** End Patch" })).toEqual(["a.ts", "b/c.ts"]);
  });

  it("refuses arguments that escape the root or are missing", () => {
    expect(() => resourceFor(map, mappedTool(map, "read")!, { path: "/etc/passwd" })).toThrow(/outside \/repo/);
    expect(() => resourceFor(map, mappedTool(map, "read")!, { path: "../x" })).toThrow(/outside/);
    expect(() => resourceFor(map, mappedTool(map, "read")!, {})).toThrow(/argument path/);
    expect(() => resourceFor(map, mappedTool(map, "fetch")!, { url: "not a url" })).toThrow(/not a URL/);
  });

  it("treats deny entries and unmapped names alike: never allowed", () => {
    expect(mappedTool(map, "rm")).toBeUndefined();
    expect(mappedTool(map, "unknown")).toBeUndefined();
    expect(mappedTool(map, "toString")).toBeUndefined();
  });

  it.each([
    ["tools: { x: { capability: root.shell, resource: a } }", "/tools/x"],
    ["tools: { x: { deny: false } }", "/tools/x"],
    ["runset: 'bad name!'\ntools: {}", "/runset"],
    ["{}", "/tools"],
  ])("rejects a bad map naming the field (%s)", (text, field) => {
    expect(() => parseToolMap(text, "m.yaml", "/")).toThrow(expect.objectContaining({ code: "invalid_field", field: expect.stringContaining(field) }));
  });

  it("ledgers large argument values by digest only", () => {
    const big = "x".repeat(5000);
    expect(ledgerArgs({ path: "a", content: big })).toEqual({ path: "a", content: { digest: expect.stringMatching(/^sha256:/), chars: 5000 } });
    expect(patchFiles("no markers")).toEqual([]);
  });
});
