// Each capability's resource grammar and canonical form (docs/governance/capabilities.md), pure: the mediator, holds,
// releases and the offline claims checker all compare resources by the identity this module gives them.
import { domainToASCII } from "node:url";

/** Why a resource is outside its capability's grammar; the mediator denies such a call with `invalid_resource`. */
export class ResourceProblem extends Error {
  override readonly name = "ResourceProblem";
}

export type Canonical = { ok: true; canonical: string } | { ok: false; problem: string };

interface Grammar {
  /** One line for docs and messages: what a resource of this capability looks like. */
  shape: string;
  /** The canonical form; throws ResourceProblem for anything outside the grammar. */
  canonical(raw: string): string;
  /** A grant or waiver glob folded as resources are, so a pattern spelled `acme/App@*` still matches `acme/app@1`. */
  pattern(raw: string): string;
}

const same = (raw: string) => raw;

// Controls (a NUL, a newline that starts a second shell command), format characters (U+200B, bidi overrides that
// show a reviewer one thing and the tool another) and lone surrogates.
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}]/u;
// A tool that percent-decodes would turn `%2e%2e` into `..`, and `%252e` into `%2e` on the next pass: none accepted.
const PERCENT_ENCODED = /%[0-9a-f]{2}/i;

function refuse(message: string): never {
  throw new ResourceProblem(message);
}

function refuseHidden(raw: string, what: string): void {
  const hidden = HIDDEN.exec(raw);
  if (hidden)
    refuse(`${what} holds a control or invisible character (U+${hidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`);
}

/**
 * Repository path: relative, `/`-separated. `.` and empty segments are dropped (`src//a/./b` is `src/a/b`; the root is
 * `.`); `..` is refused, not folded: the mediator cannot see symlinks, and `link/..` on disk is the link target's parent.
 * Segments of dots and spaces only (`...`, `.. `) are refused too: some file systems trim them to `..`.
 */
export function canonicalRepositoryPath(raw: string): string {
  refuseHidden(raw, "a repository path");
  if (raw.includes("\\")) refuse("a repository path uses / only; a backslash is a separator on some systems");
  if (PERCENT_ENCODED.test(raw)) refuse("a repository path is not percent-encoded (%2e%2e would be ..)");
  if (raw.startsWith("/")) refuse("a repository path is relative to the repository root, not absolute");
  const segments: string[] = [];
  for (const segment of raw.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (/^[. ]+$/.test(segment)) refuse(`a repository path has no ${JSON.stringify(segment)} segment (it would climb out of its folder)`);
    segments.push(segment);
  }
  // Checked on the folded path, so `./C:/x` and `./~` are caught as `C:/x` and `~` are.
  if (/^[A-Za-z]:/.test(segments[0] ?? "")) refuse("a repository path is relative to the repository root, not a drive");
  if (segments[0]?.startsWith("~")) refuse("a repository path does not start with ~ (a shell expands it to a home directory)");
  return segments.length === 0 ? "." : segments.join("/");
}

const LABEL = /^(?:[a-z0-9_]|[a-z0-9_][a-z0-9_-]{0,61}[a-z0-9_])$/;

/**
 * Host: lower case, IDNA A-labels (WHATWG URL host parsing via node:url domainToASCII, which also writes IPv4 in dotted
 * decimal: `0x7f.1` is 127.0.0.1), one trailing dot dropped, IPv6 in brackets. No userinfo, port, path or wildcard.
 */
export function canonicalHost(raw: string): string {
  refuseHidden(raw, "a host");
  if (PERCENT_ENCODED.test(raw) || raw.includes("%")) refuse("a host is not percent-encoded");
  if (/[@:/\\?#\s*]/.test(raw) && !/^\[[0-9A-Fa-f:.]+\]$/.test(raw))
    refuse("a host is a name or address alone: no user, port, path, space or wildcard");
  const name = raw.endsWith(".") ? raw.slice(0, -1) : raw;
  const ascii = domainToASCII(name);
  if (ascii === "") refuse("a host is not a valid domain name or address");
  if (ascii.startsWith("[")) return ascii;
  if (ascii.length > 253 || !ascii.split(".").every((label) => LABEL.test(label)))
    refuse("a host's labels are 1-63 letters, digits, - or _ (not at either end)");
  return ascii;
}

function hostPattern(raw: string): string {
  // A pattern without glob syntax is a host: folded exactly as one (so 127.0.0.1 stays itself).
  if (!/[*?[\]{}\\]/.test(raw)) {
    try {
      return canonicalHost(raw);
    } catch {
      return raw.toLowerCase();
    }
  }
  const name = raw.endsWith(".") ? raw.slice(0, -1) : raw;
  // Non-ASCII labels without glob syntax go through IDNA, one by one; the rest are only lower-cased. Not every label
  // goes through domainToASCII: alone, a numeric label would be read as an IPv4 address (127 → 0.0.0.127).
  return name
    .split(".")
    .map((label) =>
      !/[^\x20-\x7e]/.test(label) || /[*?[\]{}\\]/.test(label) ? label.toLowerCase() : domainToASCII(label) || label.toLowerCase(),
    )
    .join(".");
}

// npm names: https://docs.npmjs.com/cli/configuring-npm/package-json#name (new names are lower case, ≤ 214 characters).
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
// PyPI names: PEP 508 (https://peps.python.org/pep-0508/#names); canonical per PEP 503 (runs of -_. → -, lower case).
const PYPI_NAME = /^(?:[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$/i;

const ECOSYSTEMS: Record<string, { canonical(name: string): string; pattern(name: string): string }> = {
  npm: {
    canonical(name) {
      const lower = name.toLowerCase();
      if (lower.length > 214 || !NPM_NAME.test(lower))
        refuse(`${JSON.stringify(name)} is not an npm package name (a version goes in args, not the resource)`);
      return lower;
    },
    pattern: (name) => name.toLowerCase(),
  },
  pypi: {
    canonical(name) {
      if (!PYPI_NAME.test(name)) refuse(`${JSON.stringify(name)} is not a PyPI project name (PEP 508)`);
      return pep503(name);
    },
    pattern: (name) => pep503(name),
  },
};

function pep503(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

/** Package: `<ecosystem>:<name>`, ecosystem `npm` (name lower case) or `pypi` (PEP 503). Other ecosystems have no grammar yet. */
export function canonicalPackage(raw: string): string {
  refuseHidden(raw, "a package");
  const colon = raw.indexOf(":");
  if (colon < 0) refuse("a package is <ecosystem>:<name>, e.g. npm:left-pad");
  const ecosystem = raw.slice(0, colon).toLowerCase();
  const rules = ECOSYSTEMS[ecosystem];
  if (!rules)
    refuse(`ecosystem ${JSON.stringify(raw.slice(0, colon))} has no package grammar here (known: ${Object.keys(ECOSYSTEMS).join(", ")})`);
  return `${ecosystem}:${rules.canonical(raw.slice(colon + 1))}`;
}

function packagePattern(raw: string): string {
  const colon = raw.indexOf(":");
  if (colon < 0) return raw;
  const ecosystem = raw.slice(0, colon).toLowerCase();
  const rules = ECOSYSTEMS[ecosystem];
  return rules ? `${ecosystem}:${rules.pattern(raw.slice(colon + 1))}` : raw;
}

// Owner and repository names as the forges allow them (letters, digits, . _ -), starting with a letter or digit.
const REPO_PART = /^[a-z0-9][a-z0-9._-]{0,99}$/;
// A version or tag: no space, @, /, #, : or other punctuation a tool might read as a separator. Compared exactly.
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

/** Repository `owner/repo`, case-folded: `acme/App` is `acme/app`. No spaces, `#`, `:`, `@` or extra `/`. */
export function canonicalRepository(raw: string): string {
  refuseHidden(raw, "a repository");
  const parts = raw.toLowerCase().split("/");
  if (parts.length !== 2 || !parts.every((p) => REPO_PART.test(p) && !/^\.+$/.test(p))) {
    refuse(`${JSON.stringify(raw)} is not owner/repo (letters, digits, . _ -; one /; no spaces, #, : or @)`);
  }
  return parts.join("/");
}

/** Release `owner/repo@version`: the repository canonical, the version exact. */
export function canonicalRelease(raw: string): { repository: string; version: string; canonical: string } {
  const at = raw.indexOf("@");
  if (at < 0 || raw.indexOf("@", at + 1) >= 0) refuse(`${JSON.stringify(raw)} is not owner/repo@version (exactly one @)`);
  const repository = canonicalRepository(raw.slice(0, at));
  const version = canonicalVersion(raw.slice(at + 1));
  return { repository, version, canonical: `${repository}@${version}` };
}

export function canonicalVersion(raw: string): string {
  if (!VERSION.test(raw)) refuse(`version ${JSON.stringify(raw)} must be letters, digits, . _ + - (no spaces, /, #, : or @)`);
  return raw;
}

function releasePattern(raw: string): string {
  const at = raw.indexOf("@");
  return at < 0 ? raw.toLowerCase() : `${raw.slice(0, at).toLowerCase()}${raw.slice(at)}`;
}

/** Secret name: exact (no folding), `/`-separated like a path, with no empty, `.` or `..` segment, no space or encoding. */
export function canonicalSecretName(raw: string): string {
  refuseHidden(raw, "a secret name");
  if (/[\s\\]/.test(raw) || PERCENT_ENCODED.test(raw)) refuse("a secret name has no space, backslash or percent-encoding");
  if (raw.split("/").some((s) => s === "" || /^\.+$/.test(s)))
    refuse("a secret name has no empty, . or .. segment (and no leading or trailing /)");
  return raw;
}

/**
 * Command: exact. Tabs and newlines are kept (agents run multi-line scripts); other controls (NUL, CR, ESC, which can
 * rewrite what a terminal or log shows) and format characters are refused. A glob in a tests.run grant matches shell
 * operators too (`npm test*` covers `npm test; curl …` and a second line): grant exact commands.
 */
export function canonicalCommand(raw: string): string {
  refuseHidden(raw.replace(/[\t\n]/g, " "), "a command");
  return raw;
}

/** The table per capability (the catalogue in policies/rego/capabilities.rego lists the same capabilities). */
export const GRAMMARS: Record<string, Grammar> = {
  "repo.read": { shape: "relative repository path, e.g. src/app.ts", canonical: canonicalRepositoryPath, pattern: same },
  "repo.write": { shape: "relative repository path, e.g. src/app.ts", canonical: canonicalRepositoryPath, pattern: same },
  "tests.run": { shape: "command, e.g. npm test", canonical: canonicalCommand, pattern: same },
  "network.egress": { shape: "host name or address, e.g. registry.npmjs.org", canonical: canonicalHost, pattern: hostPattern },
  "package.install": {
    shape: "<ecosystem>:<name>, e.g. npm:left-pad or pypi:requests",
    canonical: canonicalPackage,
    pattern: packagePattern,
  },
  "secrets.read": { shape: "secret name, e.g. ci/npm-token", canonical: canonicalSecretName, pattern: same },
  "release.publish": {
    shape: "owner/repo@version, e.g. acme/app@1.2.0",
    canonical: (raw) => canonicalRelease(raw).canonical,
    pattern: releasePattern,
  },
};

/** The canonical resource of a call, or why it has none. An unknown capability keeps its resource: the policy denies it. */
export function canonicalResource(capability: string, raw: string): Canonical {
  const grammar = GRAMMARS[capability];
  if (!grammar) return { ok: true, canonical: raw };
  try {
    return { ok: true, canonical: grammar.canonical(raw) };
  } catch (err) {
    if (!(err instanceof ResourceProblem)) throw err;
    return { ok: false, problem: `${capability} resource ${JSON.stringify(raw)}: ${err.message}; expected a ${grammar.shape}` };
  }
}

/** A grant's or waiver's resource glob, folded like the resources it must match (capability patterns fold nothing). */
export function canonicalPattern(capability: string, pattern: string): string {
  const grammar = GRAMMARS[capability];
  return grammar ? grammar.pattern(pattern) : pattern;
}

/** canonicalRepository, or `raw` unchanged when it is outside the grammar (for ids stored before grammars existed). */
export function repositoryOrRaw(raw: string): string {
  try {
    return canonicalRepository(raw);
  } catch {
    return raw;
  }
}

/** canonicalRelease's canonical form, or `raw` unchanged when it is outside the grammar. */
export function releaseOrRaw(raw: string): string {
  try {
    return canonicalRelease(raw).canonical;
  } catch {
    return raw;
  }
}
