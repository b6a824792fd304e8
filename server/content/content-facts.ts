// What the mediator keeps of a write's content: size, digest and secret findings with keyed fingerprints, never the text.
import { createHash, createHmac } from "node:crypto";
import { MAX_CONTENT_BYTES } from "../../common/content-limit.ts";
import { MaestroError } from "../../common/errors.ts";
import { isNpmLockFile, lockFilePackages, type PackageLicence, readLockFile } from "./licence-facts.ts";
import { addedText, scanSecrets } from "./secret-scan.ts";

export { MAX_CONTENT_BYTES } from "../../common/content-limit.ts";

/** Findings listed per call (the ledger entry must stay small); `unlisted` counts the rest, and the policy sees it. */
export const MAX_LISTED_FINDINGS = 64;

/**
 * Findings listed per read: a read's path may be a long command line (tests.run), and the outcome event must stay
 * within one ledger entry's 65,535 bytes; the session lists at most 32 sources anyway.
 */
export const MAX_LISTED_READ_FINDINGS = 16;

/** The capabilities whose calls may carry `content`: writes to the repository, and installs with their lock file. */
export const CONTENT_CAPABILITIES: readonly string[] = ["repo.write", "package.install"];

/** One detected secret: members in RFC 8785 order, as they are ledgered. */
export interface ContentFinding {
  /** hmac-sha256 of the matched text under the server's secret-digest key: equal secrets match, none can be guessed. */
  fingerprint: string;
  line: number;
  path: string;
  rule: string;
}

/** The facts of one call's content, as the policy sees them and the decision event records them. */
export interface ContentFacts {
  bytes: number;
  digest: string;
  findings: ContentFinding[];
  unlisted: number;
  /**
   * When the content is an npm lock file (not a patch): its packages, null when it cannot be read as one; for a
   * `package.install`, also the package it installs as the lock file pins it (null: not pinned at the top).
   */
  lockfile?: { packages: PackageLicence[] | null; installs?: PackageLicence | null };
}

/** What a decision event records of a call's content (members in RFC 8785 order). */
export interface LedgeredContent {
  bytes: number;
  digest: string;
  findings: ContentFinding[];
  /**
   * A lock file's distinct declared licence expressions, sorted ("NOASSERTION" for a package declaring none); null when
   * it is not readable or names more than MAX_LEDGERED_LICENCES or one past 200 characters (the claim
   * licences-compatible then needs a waiver).
   */
  licences?: string[] | null;
  /** A lock file's package count (null: not readable as one); the list follows from the content's digest. */
  packages?: number | null;
  /** The run-set's licence the lock file was judged against (null: none declared, so licences were not checked). */
  projectLicence?: string | null;
  unlisted: number;
}

/** Distinct licence expressions ledgered per lock file, and their length: enough for any real one, small enough for one entry. */
export const MAX_LEDGERED_LICENCES = 64;
const MAX_LICENCE_LENGTH = 200;

function distinctLicences(packages: PackageLicence[] | null): string[] | null {
  if (packages === null) return null;
  const licences = [...new Set(packages.map((p) => p.licence ?? "NOASSERTION"))].sort();
  return licences.length > MAX_LEDGERED_LICENCES || licences.some((l) => l.length > MAX_LICENCE_LENGTH) ? null : licences;
}

/**
 * What the decision event records of the facts: of a lock file, its package count and distinct licences (the list
 * follows from the content's digest) with the run-set licence it was judged against.
 */
export function ledgeredContent(
  { bytes, digest, findings, unlisted, lockfile }: ContentFacts,
  projectLicence: string | null,
): LedgeredContent {
  if (!lockfile) return { bytes, digest, findings, unlisted };
  const { packages } = lockfile;
  return { bytes, digest, findings, licences: distinctLicences(packages), packages: packages?.length ?? null, projectLicence, unlisted };
}

/** The facts of what a tool read (an outcome's `content`): size, digest and findings, as the outcome event records them. */
export type ReadFacts = Pick<ContentFacts, "bytes" | "digest" | "findings" | "unlisted">;

export interface ContentInspector {
  /**
   * Scans a call's content as the file at `path`. `installs`: the call is a `package.install` of that npm package (""
   * for another ecosystem) and the content is the lock file it is about to write.
   */
  inspect(path: string, args: Record<string, unknown>, content: string, installs?: string): Promise<ContentFacts>;
  /** Scans what a tool read from `path` (a file, a host, a command): the same rules and fingerprints as a write's. */
  inspectRead(path: string, content: string): Promise<ReadFacts>;
}

/** Whether read facts say the session now holds a secret (the outcome's fold marks it; the policy reads the mark). */
export function holdsSecret(facts: Pick<ReadFacts, "findings" | "unlisted"> | undefined): boolean {
  return facts !== undefined && (facts.findings.length > 0 || facts.unlisted > 0);
}

/** Refuses content past the bound (413) or on a capability that takes none (400), before any work is done on it. */
export function checkContentBounds(capability: string, content: string): void {
  if (!CONTENT_CAPABILITIES.includes(capability)) {
    throw new MaestroError("invalid_field", `content is taken only with ${CONTENT_CAPABILITIES.join(" or ")}`, { field: "/content" });
  }
  checkContentSize(content);
}

/** Refuses content past the bound with 413 naming `/content`: on a call, and on an outcome reporting what was read. */
export function checkContentSize(content: string): void {
  const bytes = Buffer.byteLength(content);
  if (bytes > MAX_CONTENT_BYTES) {
    throw new MaestroError("payload_too_large", `content is ${bytes} bytes; at most ${MAX_CONTENT_BYTES} are taken`, { field: "/content" });
  }
}

/**
 * `key` is the per-deployment secret-digest key (keys/secret-salt), the one argument redaction uses, so a secret
 * fingerprinted in content and one redacted from arguments are recognisably the same.
 */
export function contentInspector(key: Buffer): ContentInspector {
  const fingerprint = (text: string) => `hmac-sha256:${createHmac("sha256", key).update(text).digest("hex")}`;
  const scan = async (path: string, scanned: string, listed = MAX_LISTED_FINDINGS) => {
    const matches = await scanSecrets(path, scanned);
    const findings = matches.slice(0, listed).map((m) => ({
      fingerprint: fingerprint(scanned.slice(m.start, m.end)),
      line: m.line,
      path,
      rule: m.rule,
    }));
    return { findings, unlisted: matches.length - findings.length };
  };
  const sha256 = (content: string) => `sha256:${createHash("sha256").update(content).digest("hex")}`;
  return {
    async inspectRead(path, content) {
      return { bytes: Buffer.byteLength(content), digest: sha256(content), ...(await scan(path, content, MAX_LISTED_READ_FINDINGS)) };
    },
    async inspect(path, args, content, installs) {
      const digest = sha256(content);
      const isPatch = typeof args.patchDigest === "string";
      const claimed = isPatch ? args.patchDigest : args.contentDigest;
      // The digest the tool reports is what the agent will write: content that is not those bytes was not what was judged.
      if (claimed !== undefined && claimed !== digest) {
        const field = isPatch ? "/args/patchDigest" : "/args/contentDigest";
        throw new MaestroError("invalid_field", `${field.slice(6)} does not match the sha256 of content`, { field });
      }
      const { findings, unlisted } = await scan(path, isPatch ? addedText(content) : content);
      const facts: ContentFacts = { bytes: Buffer.byteLength(content), digest, findings, unlisted };
      if (installs !== undefined) facts.lockfile = readLockFile(content, installs);
      else if (!isPatch && isNpmLockFile(path)) facts.lockfile = { packages: lockFilePackages(content) };
      return facts;
    },
  };
}
