// The content claims (docs/governance/content.md): no secret finding reached the repository unwaived, and every added
// dependency's licence was compatible or waived — argued from the decisions' ledgered content facts and the waivers they cite.
import { bySubject, type Payload, payload, result, waiverActiveAt } from "./claim-support.ts";
import { licenceAlternatives } from "../../common/spdx-alternatives.ts";
import type { ClaimResult, EvidenceSet, IndexedEvent } from "./types.ts";

const isObject = (v: unknown): v is Payload => typeof v === "object" && v !== null && !Array.isArray(v);
const LICENCE_CODES = ["licence_incompatible", "licence_unknown"];

/** A waiver a decision cites, as its `waiver.requested` event scoped it. */
interface CitedWaiver {
  id: string;
  waives: string[];
  /** null: every finding on the resource; else only these fingerprints (a waiver of secret_detected). */
  fingerprints: string[] | null;
  inForce: boolean;
  indexes: number[];
}

/** The waivers a decision cites for its own capability, with whether each was approved and in force at the decision. */
function citedWaivers(d: IndexedEvent, waivers: Map<string, IndexedEvent[]>): CitedWaiver[] {
  const p = payload(d);
  const cited: unknown[] = Array.isArray(p.waivers) ? p.waivers : [];
  return cited.flatMap((raw) => {
    const id = String(raw);
    const events = waivers.get(id) ?? [];
    const requested = events.find((e) => e.event.kind === "waiver.requested");
    const r: Payload = requested ? payload(requested) : {};
    // A waiver of another capability lifts nothing here, whatever it names.
    if (!requested || r.capability !== p.call?.capability) return [];
    return [
      {
        id,
        waives: Array.isArray(r.waives) ? r.waives.map(String) : [],
        fingerprints: Array.isArray(r.fingerprints) ? r.fingerprints.map(String) : null,
        inForce: waiverActiveAt(events, d),
        indexes: events.map((e) => e.index),
      },
    ];
  });
}

const allowed = (set: EvidenceSet, capabilities: string[]): IndexedEvent[] =>
  set.decisions.filter((d) => payload(d).allow === true && capabilities.includes(payload(d).call?.capability));

function reasonOf(parts: Array<[number, string]>): string | undefined {
  const said = parts.filter(([n]) => n > 0).map(([n, text]) => `${n} ${text}`);
  return said.length > 0 ? said.join("; ") : undefined;
}

/**
 * Every allowed write with secret findings cites, for each finding, a waiver of secret_detected for its capability that
 * was in force and names no fingerprints or that finding's; unlisted findings need one naming none. An allowed
 * `repo.write` that carried no content was never scanned, so the claim cannot be argued for it: a counterexample.
 */
export function noUnwaivedSecret(set: EvidenceSet): ClaimResult {
  const waivers = bySubject(set.waivers);
  const indexes: number[] = [];
  const counter: number[] = [];
  let unscanned = 0;
  let unwaived = 0;
  for (const d of allowed(set, ["repo.write", "package.install"])) {
    const p = payload(d);
    if (!isObject(p.content)) {
      // An install with no lock file sent wrote nothing the agent authored; a repository write must have been scanned.
      if (p.call?.capability === "repo.write") {
        indexes.push(d.index);
        counter.push(d.index);
        unscanned++;
      }
      continue;
    }
    indexes.push(d.index);
    // Findings in a shape this claim cannot read count as unwaived ones: fail closed.
    const findings: unknown[] | null = Array.isArray(p.content.findings) ? p.content.findings : null;
    const unlisted = typeof p.content.unlisted === "number" ? p.content.unlisted : null;
    if (findings?.length === 0 && unlisted === 0) continue;
    const lifting = citedWaivers(d, waivers).filter((w) => w.inForce && w.waives.includes("secret_detected"));
    indexes.push(...lifting.flatMap((w) => w.indexes));
    const covers = (w: CitedWaiver, finding: unknown) =>
      w.fingerprints === null || (isObject(finding) && w.fingerprints.includes(String(finding.fingerprint)));
    const waived =
      findings !== null &&
      unlisted !== null &&
      findings.every((f) => lifting.some((w) => covers(w, f))) &&
      (unlisted === 0 || lifting.some((w) => w.fingerprints === null));
    if (!waived) {
      counter.push(d.index);
      unwaived++;
    }
  }
  return result(
    "no-unwaived-secret",
    "No secret finding reached the repository unwaived",
    indexes,
    counter,
    reasonOf([
      [unwaived, "allowed write(s) carry a secret finding that no cited waiver in force lifts"],
      [unscanned, "allowed repo.write call(s) sent no content, so they were never scanned"],
    ]),
  );
}

const isLockFile = (path: unknown): boolean =>
  typeof path === "string" && (path === "package-lock.json" || path.endsWith("/package-lock.json"));

/**
 * Licences every project can ship: the claim's own table, the same ids as `permissive` in policies/rego/licence.rego
 * (content-claims.test.ts keeps them equal). A dependency is compatible when one of its alternatives uses only these.
 */
// prettier-ignore
export const PERMISSIVE_LICENCES: ReadonlySet<string> = new Set([
  "MIT", "MIT-0", "ISC", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "Apache-2.0", "Zlib", "Unlicense", "CC0-1.0",
  "BlueOak-1.0.0", "Python-2.0", "CC-BY-4.0", "BSD-2-Clause-Patent", "WTFPL",
]);

const compatible = (licence: string): boolean =>
  licenceAlternatives(licence).some((alternative) => alternative.every((id) => PERMISSIVE_LICENCES.has(id)));

/**
 * Every allowed dependency change (a `package.install`, or a `repo.write` of an npm lock file) had its lock file judged
 * against the run-set's declared licence, and each licence it pins is compatible (one alternative wholly permissive) or
 * the decision cites a waiver of licence_incompatible or licence_unknown for its capability that was in force (an
 * approval is such a waiver). A change whose licences were never checked, or not ledgered, is a counterexample.
 */
export function licencesCompatible(set: EvidenceSet): ClaimResult {
  const waivers = bySubject(set.waivers);
  const indexes: number[] = [];
  const counter: number[] = [];
  const count = { unchecked: 0, unlicensed: 0, unwaived: 0 };
  for (const d of allowed(set, ["repo.write", "package.install"])) {
    const p = payload(d);
    const dependencyChange = p.call?.capability === "package.install" || isLockFile(p.call?.canonicalResource ?? p.call?.resource);
    if (!dependencyChange) continue;
    indexes.push(d.index);
    const lifting = citedWaivers(d, waivers).filter((w) => w.inForce && w.waives.some((code) => LICENCE_CODES.includes(code)));
    indexes.push(...lifting.flatMap((w) => w.indexes));
    const content: Payload = isObject(p.content) ? p.content : {};
    const licences: unknown = content.licences;
    let problem: keyof typeof count | undefined;
    if (!("packages" in content)) problem = "unchecked";
    else if (typeof content.projectLicence !== "string") problem = "unlicensed";
    else if (lifting.length > 0) problem = undefined;
    // Unreadable, or more licences than one entry lists: only a waiver speaks for them.
    else if (!Array.isArray(licences) || !licences.every((l) => typeof l === "string" && compatible(l))) problem = "unwaived";
    if (problem) {
      count[problem]++;
      counter.push(d.index);
    }
  }
  return result(
    "licences-compatible",
    "Every added dependency's licence is compatible with the project's or waived",
    indexes,
    counter,
    reasonOf([
      [count.unwaived, "dependency change(s) pin a licence that is not permissive, or unlisted licences, with no licence waiver in force"],
      [count.unchecked, "dependency change(s) sent no lock file, so their licences were never checked"],
      [count.unlicensed, "dependency change(s) were judged for a run-set that declares no licence"],
    ]),
  );
}
