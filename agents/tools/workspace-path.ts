// Turns a model-supplied path into a normalized path inside the worktree, so the resource the policy sees is the file touched.
import { realpathSync } from "node:fs";
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { MaestroError } from "../../common/errors.ts";

export interface WorkspacePath {
  /** Normalized, forward-slash, relative: the mediator resource for repo.read / repo.write. */
  relative: string;
  absolute: string;
}

export function workspacePath(workdir: string, input: unknown, field = "path"): WorkspacePath {
  if (typeof input !== "string" || input.trim() === "") throw new MaestroError("invalid_field", `${field} must be a non-empty string`, { field });
  const cleaned = input.replaceAll("\\", "/");
  // Absolute paths are accepted only inside the worktree (coding agents often send them).
  const candidate = isAbsolute(cleaned) ? relative(workdir, cleaned).split(sep).join("/") : cleaned;
  const normalized = posix.normalize(candidate).replace(/^\.\//, "");
  if (normalized === "." || normalized === ".." || normalized.startsWith("../") || posix.isAbsolute(normalized)) {
    throw new MaestroError("invalid_field", `${field} ${JSON.stringify(input)} is outside the worktree`, { field });
  }
  if (normalized === ".git" || normalized.startsWith(".git/")) {
    throw new MaestroError("invalid_field", `${field} may not touch .git`, { field });
  }
  const absolute = join(workdir, normalized);
  // A symlink inside the worktree must not lead outside it.
  const root = realpathSync(workdir);
  const existing = nearestExisting(absolute);
  const real = realpathSync(existing);
  if (real !== root && !real.startsWith(root + sep)) {
    throw new MaestroError("invalid_field", `${field} ${JSON.stringify(input)} resolves outside the worktree`, { field });
  }
  return { relative: normalized, absolute };
}

function nearestExisting(path: string): string {
  let current = resolve(path);
  for (;;) {
    try {
      realpathSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}
