// Turns a model-supplied path into a normalized path inside the worktree, so the resource the policy sees is the file touched.
import { lstatSync, readlinkSync } from "node:fs";
import { isAbsolute, join, posix, relative, sep } from "node:path";
import { MaestroError } from "../../common/errors.ts";

export interface WorkspacePath {
  /** Normalized, forward-slash, relative: the mediator resource for repo.read / repo.write. */
  relative: string;
  absolute: string;
}

export function workspacePath(workdir: string, input: unknown, field = "path"): WorkspacePath {
  if (typeof input !== "string" || input.trim() === "")
    throw new MaestroError("invalid_field", `${field} must be a non-empty string`, { field });
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
  refuseSymlinks(workdir, normalized, field);
  return { relative: normalized, absolute: join(workdir, normalized) };
}

/**
 * No component below the worktree root may be a symlink, dangling or not, wherever it points: the policy
 * decides on the path as written, and a link (shipped in the repo, or made by the agent) would make the
 * file touched another one — outside the worktree, in .git, or outside the granted glob. Checking where
 * a link resolves is not enough: a dangling link has nothing to resolve, yet writing through it creates
 * its target. Components that do not exist yet are made as plain folders by the writer.
 */
function refuseSymlinks(workdir: string, normalized: string, field: string): void {
  let current = workdir;
  let walked = "";
  for (const part of normalized.split("/")) {
    current = join(current, part);
    walked = walked ? `${walked}/${part}` : part;
    let isLink: boolean;
    try {
      isLink = lstatSync(current).isSymbolicLink();
    } catch (err) {
      // Nothing further exists (or a file stands where a folder is named): nothing to follow.
      if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return;
      throw err;
    }
    if (isLink) {
      throw new MaestroError("invalid_field", `${field} goes through the symlink ${walked}${linkText(current)}; name the file itself`, {
        field,
      });
    }
  }
}

/** Where a link points, as written in it, so the agent can name the file instead (the repo ships this text anyway). */
function linkText(path: string): string {
  try {
    return ` (→ ${readlinkSync(path)})`;
  } catch {
    return "";
  }
}
