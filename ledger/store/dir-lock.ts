// A pid lock file so only one process opens an embedded (PGlite) data dir at a time.
import { openSync, closeSync, writeSync, readFileSync, unlinkSync } from "node:fs";
import { MaestroError } from "../../common/errors.ts";

export interface DirLock {
  release(): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function acquireDirLock(path: string): DirLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        process.off("exit", release);
        try {
          unlinkSync(path);
        } catch {}
      };
      process.once("exit", release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(path, "utf8").trim());
      if (pid && pid !== process.pid && processAlive(pid)) {
        throw new MaestroError(
          "conflict",
          `the embedded store is in use by process ${pid} (${path}); stop it, or use the HTTP API / --url while it runs`,
        );
      }
      // A stale lock from a process that died: take it over.
      unlinkSync(path);
    }
  }
  throw new MaestroError("conflict", `cannot lock ${path}`);
}
