// spawnExec survives a command that exits without reading the input it was given (the pipe breaks under the write).
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { spawnExec } from "./exec.ts";

describe("spawnExec", () => {
  it("answers with the exit code when the command exits before reading its stdin", async () => {
    const exec = spawnExec({ PATH: process.env.PATH ?? "/usr/bin:/bin" });
    // Far more than a pipe buffers (64 KiB on Linux), so the write is still pending when the command has gone.
    const stdin = "x".repeat(8 * 1024 * 1024);
    for (let i = 0; i < 5; i++) {
      const result = await exec({ argv: ["exit 3"], shell: true, cwd: tmpdir(), stdin });
      expect(result).toMatchObject({ code: 3, timedOut: false });
    }
  });
});
