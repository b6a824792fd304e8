// Tool maps: schema errors name the field; resource templates fill from arguments and never leave the root.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ledgerArgs, mappedTool, parseToolMap, patchFiles, resourceFor, resourcesFor, writtenContent } from "./tool-map.ts";

const map = parseToolMap(
  `root: /repo
tools:
  read: { capability: repo.read, resource: "{path|relative}" }
  fetch: { capability: network.egress, resource: "{url|host}", taints: true }
  shell: { capability: tests.run, resource: "{command|first-word}" }
  patch: { capability: repo.write, resource: "{command|patch-files}" }
  write: { capability: repo.write, resource: "{file_path|relative}" }
  rm: { deny: true }
`,
  "map.yaml",
  "/",
);

describe("tool maps", () => {
  it("hands the server the text a write adds: content, every edit's new text, or the patch flagged by its digest", () => {
    const write = mappedTool(map, "write")!;
    expect(writtenContent({ file_path: "/repo/a.ts", content: "A" }, write)).toEqual({ content: "A" });
    expect(writtenContent({ file_path: "/repo/a.ts", old_string: "x", new_string: "B" }, write)).toEqual({ content: "B" });
    const multi = {
      file_path: "/repo/a.ts",
      edits: [
        { old_string: "x", new_string: "C" },
        { oldText: "y", newText: "D" },
      ],
    };
    expect(writtenContent(multi, write)).toEqual({ content: "C\nD" });
    expect(writtenContent({ cell_id: "1", new_source: "E" }, write)).toEqual({ content: "E" });
    const patch = "*** Begin Patch\n*** Update File: a.ts\n-old\n+new\n*** End Patch";
    expect(writtenContent({ command: patch }, mappedTool(map, "patch")!)).toEqual({
      content: patch,
      patchDigest: `sha256:${createHash("sha256").update(patch).digest("hex")}`,
    });
    expect(writtenContent({ file_path: "/repo/a.ts" }, write)).toBeUndefined();
    expect(writtenContent({ path: "/repo/a.ts", content: "x" }, mappedTool(map, "read")!)).toBeUndefined();
  });

  it("fills resources from arguments", () => {
    expect(resourceFor(map, mappedTool(map, "read")!, { path: "/repo/src/a.ts" })).toBe("src/a.ts");
    expect(resourceFor(map, mappedTool(map, "read")!, { path: "/repo" })).toBe(".");
    expect(resourceFor(map, mappedTool(map, "fetch")!, { url: "https://a.example.com/x?y" })).toBe("a.example.com");
    expect(resourceFor(map, mappedTool(map, "shell")!, { command: "  npm test --x" })).toBe("npm");
    expect(
      resourcesFor(map, mappedTool(map, "patch")!, {
        command: "*** Begin Patch\n*** Update File: a.ts\n*** Add File: b/c.ts\n*** End Patch",
      }),
    ).toEqual(["a.ts", "b/c.ts"]);
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
    expect(() => parseToolMap(text, "m.yaml", "/")).toThrow(
      expect.objectContaining({ code: "invalid_field", field: expect.stringContaining(field) }),
    );
  });

  it("ledgers large argument values by digest only", () => {
    const big = "x".repeat(5000);
    expect(ledgerArgs({ path: "a", content: big })).toEqual({
      path: "a",
      content: { digest: expect.stringMatching(/^sha256:/), chars: 5000 },
    });
    expect(patchFiles("no markers")).toEqual([]);
  });

  it("ledgers file contents, edits and patch text by digest whatever their size; other small values as they are", () => {
    const digest = { digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), chars: expect.any(Number) };
    expect(ledgerArgs({ file_path: ".env", content: "AWS_SECRET_ACCESS_KEY=x" })).toEqual({ file_path: ".env", content: digest });
    expect(ledgerArgs({ file_path: "a", old_string: "p", new_string: "q", replace_all: true })).toEqual({
      file_path: "a",
      old_string: digest,
      new_string: digest,
      replace_all: true,
    });
    expect(ledgerArgs({ path: "a", edits: [{ oldText: "p", newText: "q" }], dryRun: false })).toEqual({
      path: "a",
      edits: digest,
      dryRun: false,
    });
    expect(ledgerArgs({ files: [{ path: "a", content: "secret" }], stdin: "s", new_source: "n", file_text: "t" })).toEqual({
      files: [{ path: "a", content: digest }],
      stdin: digest,
      new_source: digest,
      file_text: digest,
    });
    expect(ledgerArgs({ content: "abc" })).toEqual({
      content: { digest: "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", chars: 3 },
    });
    // The argument a |patch-files template reads is patch text (Codex apply_patch sends it as `command`); a Bash command is its resource.
    expect(ledgerArgs({ command: "*** Begin Patch\n*** Add File: a\n+k=v\n*** End Patch" }, mappedTool(map, "patch"))).toEqual({
      command: digest,
    });
    expect(ledgerArgs({ command: "npm test" }, mappedTool(map, "shell"))).toEqual({ command: "npm test" });
  });
});

describe("path resources on disk", () => {
  // root/ with src/sub/, src/alias -> lib (inside), src/out -> outside/, src/dangling -> outside/none.
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), "maestro-tool-map-")));
  const root = join(scratch, "root");
  mkdirSync(join(root, "src/sub"), { recursive: true });
  mkdirSync(join(root, "lib"));
  mkdirSync(join(scratch, "outside"));
  symlinkSync(join(root, "lib"), join(root, "src/alias"));
  symlinkSync(join(scratch, "outside"), join(root, "src/out"));
  symlinkSync(join(scratch, "outside/none"), join(root, "src/dangling"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const disk = parseToolMap(
    `tools:
  read: { capability: repo.read, resource: "{path|relative}" }
  grep: { capability: repo.read, resource: "{path?|relative}" }
  glob: { capability: repo.read, resource: "{pattern|glob-dir}" }
  bad: { capability: repo.read, resource: "{url?|host}" }
`,
    "map.yaml",
    "/",
  );
  const on = (tool: string, args: Record<string, unknown>, cwd = root) =>
    resourceFor({ ...disk, root }, mappedTool(disk, tool)!, args, cwd);

  it("names the file a symlink leads to, and refuses one leading out of the root", () => {
    expect(on("read", { path: join(root, "src/alias/a.ts") })).toBe("lib/a.ts");
    expect(on("read", { path: join(root, "src/new/dir/b.ts") })).toBe("src/new/dir/b.ts");
    expect(() => on("read", { path: join(root, "src/out/passwd") })).toThrow(/outside/);
    expect(() => on("read", { path: join(root, "src/out/cron.d/x") })).toThrow(/outside/);
    // Unsure where it leads: a dangling link, `..` after a link (textual and real readings differ), `..` after a missing step.
    expect(() => on("read", { path: join(root, "src/dangling") })).toThrow(/cannot be resolved/);
    expect(() => on("read", { path: `${root}/src/out/../root/src/a.ts` })).toThrow(/cannot be resolved/);
    expect(() => on("read", { path: `${root}/src/missing/../a.ts` })).toThrow(/cannot be resolved/);
    expect(on("read", { path: `${root}/src/sub/../a.ts` })).toBe("src/a.ts");
  });

  it("resolves relative paths from the agent's cwd, and an absent optional path is the cwd", () => {
    expect(on("read", { path: "x.ts" }, join(root, "src"))).toBe("src/x.ts");
    expect(on("grep", { pattern: "src/x" }, join(root, "src/sub"))).toBe("src/sub");
    expect(on("grep", { pattern: "src/x", path: "" })).toBe(".");
    expect(() => on("grep", { pattern: "src/x", path: "/etc" })).toThrow(/outside/);
    expect(() => on("grep", { pattern: "x" }, scratch)).toThrow(/outside/);
    expect(() => on("bad", {})).toThrow(/needs the \|relative filter/);
  });

  it("decides a glob on the directory it searches, never on the pattern", () => {
    expect(on("glob", { pattern: "src/*" })).toBe(".");
    expect(on("glob", { pattern: "**/*.ts", path: "src/sub" })).toBe("src/sub");
    expect(on("glob", { pattern: `${root}/src/sub/**/*.ts` })).toBe("src/sub");
    expect(on("glob", { pattern: `${root}/src/a.ts` })).toBe("src/a.ts");
    expect(() => on("glob", { pattern: "src/*", path: "/home" })).toThrow(/outside/);
    expect(() => on("glob", { pattern: "/etc/*" })).toThrow(/outside/);
    expect(() => on("glob", { pattern: `${root}/src/out/*` })).toThrow(/outside/);
    expect(() => on("glob", { pattern: "/*", path: join(root, "src") })).toThrow(/outside/);
    for (const pattern of ["../*", "src/../../*", "{src,..}/*", "{src,/etc}/*", "~/x"]) {
      expect(() => on("glob", { pattern }), pattern).toThrow(/may reach outside/);
    }
  });
});
