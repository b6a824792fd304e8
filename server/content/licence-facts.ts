// Licence facts of an npm lock file being written: each package's declared SPDX licence, as alternatives of licence ids.
import { licenceAlternatives } from "../../common/spdx-alternatives.ts";

export { licenceAlternatives };

/** A package the lock file pins, and its licence as the policy reads it. */
export interface PackageLicence {
  name: string;
  version: string;
  /** The declared expression, or null when the lock file names none. */
  licence: string | null;
  /**
   * The expression in disjunctive form: the package may be used under any one alternative, which needs every id in
   * it ("MIT OR (Apache-2.0 AND BSD-3-Clause)" → [["MIT"], ["Apache-2.0", "BSD-3-Clause"]]). Empty: unknown or unparseable.
   */
  alternatives: string[][];
}

/** True for a path whose content is an npm lock file (v2/v3 carry each package's licence). */
export function isNpmLockFile(path: string): boolean {
  return path === "package-lock.json" || path.endsWith("/package-lock.json");
}

/**
 * Every package the lock file pins. The server sees only the new text, so this is every package, not only those the
 * write adds or changes; an existing dependency is checked again, which a waiver for the path covers. A lock file that
 * is not JSON, or has no `packages` map (v1), yields null: the policy cannot check it and asks for approval.
 */
export function lockFilePackages(text: string): PackageLicence[] | null {
  return readLockFile(text).packages;
}

/**
 * A lock file's packages and, given the name a `package.install` call installs, that package as the lock file pins it
 * at the top (`node_modules/<name>`): null when it does not, so the lock file sent is not the one this install writes.
 */
export function readLockFile(text: string, installs?: string): { packages: PackageLicence[] | null; installs?: PackageLicence | null } {
  let lock: unknown;
  try {
    lock = JSON.parse(text);
  } catch {
    return { packages: null };
  }
  const packages = (lock as { packages?: unknown } | null)?.packages;
  if (typeof packages !== "object" || packages === null || Array.isArray(packages)) return { packages: null };
  const out: PackageLicence[] = [];
  let installed: PackageLicence | null = null;
  for (const [key, entry] of Object.entries(packages as Record<string, unknown>)) {
    // "" is the project itself; links point at workspace folders, which carry their own package.json.
    if (key === "" || typeof entry !== "object" || entry === null || (entry as { link?: unknown }).link === true) continue;
    const { version, license } = entry as { version?: unknown; license?: unknown };
    const licence = typeof license === "string" ? license : null;
    const pkg = {
      name: key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length),
      version: typeof version === "string" ? version : "",
      licence,
      alternatives: licence === null ? [] : licenceAlternatives(licence),
    };
    out.push(pkg);
    if (key === `node_modules/${installs}`) installed = pkg;
  }
  return installs === undefined ? { packages: out } : { packages: out, installs: installed };
}
