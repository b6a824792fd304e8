// What the mediator keeps of a write's content: size, digest and secret findings with keyed fingerprints, never the text.
import { createHash, createHmac } from "node:crypto";
import { MaestroError } from "../../common/errors.ts";
import { isNpmLockFile, lockFilePackages, type PackageLicence } from "./licence-facts.ts";
import { addedText, scanSecrets } from "./secret-scan.ts";

/** Largest `content` POST /v1/mediate takes, in UTF-8 bytes (a big lock file fits); past it the call is refused with 413. */
export const MAX_CONTENT_BYTES = 1024 * 1024;

/** Findings listed per call (the ledger entry must stay small); `unlisted` counts the rest, and the policy sees it. */
export const MAX_LISTED_FINDINGS = 64;

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
  /** When the content is an npm lock file (not a patch): its packages, null when it cannot be read as one. */
  lockfile?: { packages: PackageLicence[] | null };
}

/** What the decision event records of the facts: the package list as a count (it follows from the content's digest). */
export function ledgeredContent({ bytes, digest, findings, unlisted, lockfile }: ContentFacts) {
  return lockfile
    ? { bytes, digest, findings, packages: lockfile.packages?.length ?? null, unlisted }
    : { bytes, digest, findings, unlisted };
}

export interface ContentInspector {
  inspect(path: string, args: Record<string, unknown>, content: string): Promise<ContentFacts>;
}

/** Refuses content past the bound (413) or on a capability that takes none (400), before any work is done on it. */
export function checkContentBounds(capability: string, content: string): void {
  if (!CONTENT_CAPABILITIES.includes(capability)) {
    throw new MaestroError("invalid_field", `content is taken only with ${CONTENT_CAPABILITIES.join(" or ")}`, { field: "/content" });
  }
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
  return {
    async inspect(path, args, content) {
      const digest = `sha256:${createHash("sha256").update(content).digest("hex")}`;
      const isPatch = typeof args.patchDigest === "string";
      const claimed = isPatch ? args.patchDigest : args.contentDigest;
      // The digest the tool reports is what the agent will write: content that is not those bytes was not what was judged.
      if (claimed !== undefined && claimed !== digest) {
        const field = isPatch ? "/args/patchDigest" : "/args/contentDigest";
        throw new MaestroError("invalid_field", `${field.slice(6)} does not match the sha256 of content`, { field });
      }
      const scanned = isPatch ? addedText(content) : content;
      const matches = await scanSecrets(path, scanned);
      const findings = matches.slice(0, MAX_LISTED_FINDINGS).map((m) => ({
        fingerprint: fingerprint(scanned.slice(m.start, m.end)),
        line: m.line,
        path,
        rule: m.rule,
      }));
      const facts: ContentFacts = { bytes: Buffer.byteLength(content), digest, findings, unlisted: matches.length - findings.length };
      if (!isPatch && isNpmLockFile(path)) facts.lockfile = { packages: lockFilePackages(content) };
      return facts;
    },
  };
}
