// Writes a command's output file all or nothing: a failed write (disk full, EFBIG) leaves the previous file intact.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { MaestroError } from "../common/errors.ts";
import { reasonOf } from "./command.ts";

/**
 * The temp file sits beside the target, on the same file system, so the rename is atomic; fsync first, or
 * after a crash the new name could point at bytes that never reached the disk.
 */
export function writeOutputFile(file: string, data: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx");
    writeFileSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (err) {
    try {
      if (fd !== undefined) closeSync(fd);
    } finally {
      rmSync(temp, { force: true });
    }
    throw new MaestroError("bad_request", `cannot write ${file}: ${reasonOf(err)}`, { cause: err });
  }
}
