// What an apply_patch call touches: the one path read from the patch's headers (the mediated resource), and git's own reading, checked against it before applying.
import { MaestroError } from "../../common/errors.ts";
import type { Exec } from "./exec.ts";
import { itemAt, present } from "../../common/present.ts";

/** -p1 strips exactly one leading folder, the a/ or b/ that patchTarget requires and strips: the decided path is the path git writes. */
export const GIT_APPLY = ["git", "apply", "-p1", "--whitespace=nowarn"];

// Headers git acts on beyond the ---/+++ names: renames and copies touch a second path, mode lines make
// symlinks (120000), submodules (160000) or flip bits, binary patches carry no text the ledger digest describes.
const REFUSED_HEADER =
  /^(?:rename from |rename to |copy from |copy to |similarity index |dissimilarity index |old mode |new mode |Binary files |GIT binary patch$)|^(?:new file|deleted file) mode (?!100644$|100755$)/;

/** The one file a patch touches (one file per call, so the mediated resource is exactly what changes). */
export function patchTarget(patch: string): string {
  const targets = new Set<string>();
  let oldLeft = 0;
  let newLeft = 0;
  for (const raw of patch.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (oldLeft > 0 || newLeft > 0) {
      // Hunk body, counted as git counts it, so a removed "-- x" line is never read as a "--- x" header.
      if (line.startsWith("-")) oldLeft--;
      else if (line.startsWith("+")) newLeft--;
      else if (!line.startsWith("\\")) {
        oldLeft--;
        newLeft--;
      }
      continue;
    }
    const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    if (hunk) {
      oldLeft = Number(hunk[1] ?? 1);
      newLeft = Number(hunk[2] ?? 1);
      continue;
    }
    if (REFUSED_HEADER.test(line))
      throw invalid(`patch may not rename, copy, change a file's mode, make a symlink or carry binary data (${JSON.stringify(line)})`);
    const header = /^(---|\+\+\+) (.*)$/.exec(line);
    const name = header && headerPath(header[1] === "---" ? "a/" : "b/", present(header[2], "a diff header's path"));
    if (name) targets.add(name);
  }
  if (targets.size !== 1) throw invalid(`patch must change exactly one file (found ${targets.size}); send one apply_patch per file`);
  return itemAt([...targets], 0, "patch targets");
}

function headerPath(prefix: string, text: string): string | null {
  // Traditional diffs put a timestamp after a tab.
  const name = itemAt(text.split("\t"), 0, "a diff header's fields"); // split gives at least one
  if (name === "/dev/null") return null;
  if (!name.startsWith(prefix) || name.length === prefix.length) {
    throw invalid(
      `patch paths must be git-style a/<path> and b/<path> (got ${JSON.stringify(name)}); the first folder is stripped, as git apply -p1 does`,
    );
  }
  return name.slice(prefix.length);
}

/**
 * Asks git (same flags, nothing applied) what it would do with the patch. Returns why it may not be
 * applied, or undefined when git would touch `path` alone, as a regular file changed, created or deleted.
 * git, not the header parse above, is what applies the patch, so git's reading is the one that must match.
 */
export async function patchScopeRefusal(exec: Exec, cwd: string, patch: string, path: string): Promise<string | undefined> {
  const numstat = await exec({ argv: [...GIT_APPLY, "--numstat", "-z", "-"], cwd, stdin: patch, timeoutMs: 30_000 });
  if (numstat.code !== 0 || numstat.timedOut) return `git cannot read the patch: ${numstat.output.trim()}`;
  // One "added\tdeleted\tpath\0" per file, path verbatim; a binary file counts "-". A rename shows only
  // its new name here (git 2.39), so the summary below is what catches it.
  const records = numstat.output.split("\0");
  if (records.pop() !== "" || records.length === 0)
    return `git reads the patch as touching nothing it can name: ${JSON.stringify(numstat.output)}`;
  const others = records.filter((record) => /^\d+\t\d+\t([\s\S]*)$/.exec(record)?.[1] !== path);
  if (others.length > 0) return `git reads the patch as touching more than ${path}: ${others.map((r) => JSON.stringify(r)).join(", ")}`;

  const summary = await exec({ argv: [...GIT_APPLY, "--summary", "-"], cwd, stdin: patch, timeoutMs: 30_000 });
  const plain = new Set(["create", "delete"].flatMap((op) => ["100644", "100755"].map((mode) => ` ${op} mode ${mode} ${path}`)));
  const extra = summary.output.split("\n").filter((line) => line !== "" && !plain.has(line));
  if (summary.code !== 0 || summary.timedOut || extra.length > 0)
    return `git reads the patch as more than a change to ${path}: ${extra.join("; ")}`;
  return undefined;
}

function invalid(message: string): MaestroError {
  return new MaestroError("invalid_field", message, { field: "patch" });
}
