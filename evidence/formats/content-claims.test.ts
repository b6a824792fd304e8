// The content claims follow from the decisions' ledgered findings, licences and the waivers they cite.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { licencesCompatible, noUnwaivedSecret, PERMISSIVE_LICENCES } from "./content-claims.ts";
import type { EvidenceSet, IndexedEvent } from "./types.ts";

let next = 0;
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString();
function ev(kind: string, subject: { type: string; id: string }, payload: Record<string, unknown>, minute = next): IndexedEvent {
  return { index: next++, event: { v: 1, id: `e${next}`, kind, time: at(minute), actor: { type: "agent", id: "a" }, subject, payload } };
}

const FP = `hmac-sha256:${"1".repeat(64)}`;
const OTHER_FP = `hmac-sha256:${"2".repeat(64)}`;
const finding = (fingerprint = FP) => ({ fingerprint, line: 3, path: "src/config.ts", rule: "aws/AWS_ACCESS_KEY_ID" });

function write(
  resource: string,
  content: Record<string, unknown> | undefined,
  waivers: string[] = [],
  allow = true,
  capability = "repo.write",
) {
  return ev(
    "decision",
    { type: "decision", id: `d${next}` },
    {
      allow,
      call: { capability, canonicalResource: resource, resource, session: "s1" },
      ...(content && { content }),
      decision: allow ? "allow" : "deny",
      policy: { digest: "sha256:p" },
      waivers,
    },
  );
}

/** A waiver's events as the waiver service writes them: requested, then approved by someone else (optionally revoked). */
function waiver(id: string, request: Record<string, unknown>, revoked = false): IndexedEvent[] {
  const subject = { type: "waiver", id };
  const events = [
    ev("waiver.requested", subject, { capability: "repo.write", fingerprints: null, resource: "**", ...request }),
    ev("waiver.approved", subject, { approvals: 1, approvalsRequired: 1, final: true }),
  ];
  if (revoked) events.push(ev("waiver.revoked", subject, { reason: "done" }));
  return events;
}

function set(decisions: IndexedEvent[], waivers: IndexedEvent[] = []): EvidenceSet {
  return {
    decisions,
    outcomes: [],
    waivers,
    holds: [],
    breakglass: [],
    policies: [],
    sbom: null,
    target: { repository: "a/b", version: "1" },
  };
}

const scanned = (findings: unknown[] = [], unlisted = 0) => ({ bytes: 10, digest: `sha256:${"0".repeat(64)}`, findings, unlisted });
const lockFile = (licences: string[] | null, projectLicence: string | null = "MIT") => ({
  ...scanned(),
  licences,
  packages: licences === null ? null : licences.length,
  projectLicence,
});

describe("no-unwaived-secret", () => {
  it("holds when writes were scanned clean, and when the only finding was denied", () => {
    next = 0;
    const clean = write("src/a.ts", scanned());
    const denied = write("src/b.ts", scanned([finding()]), [], false);
    expect(noUnwaivedSecret(set([clean, denied]))).toMatchObject({ status: "supported", indexes: [clean.index], counterexamples: [] });
  });

  it("fails on an allowed write with a finding no waiver lifts, naming the decision", () => {
    next = 0;
    const leaked = write("src/config.ts", scanned([finding()]));
    const c = noUnwaivedSecret(set([leaked]));
    expect(c).toMatchObject({ status: "unsupported", counterexamples: [leaked.index] });
    expect(c.reason).toBe("1 allowed write(s) carry a secret finding that no cited waiver in force lifts");
  });

  it("is supported by a cited waiver of secret_detected in force for that fingerprint or the whole path", () => {
    next = 0;
    const byFingerprint = waiver("w1", { waives: ["secret_detected"], fingerprints: [FP] });
    const byPath = waiver("w2", { waives: ["secret_detected"] });
    const d1 = write("src/config.ts", scanned([finding()]), ["w1"]);
    const d2 = write("src/config.ts", scanned([finding(), finding(OTHER_FP)], 3), ["w2"]);
    const c = noUnwaivedSecret(set([d1, d2], [...byFingerprint, ...byPath]));
    expect(c).toMatchObject({ status: "supported", counterexamples: [] });
    expect(c.indexes).toEqual(expect.arrayContaining([d1.index, d2.index, ...byFingerprint.map((e) => e.index)]));
  });

  it("fails when the cited waiver names another fingerprint, another reason or capability, or was revoked", () => {
    next = 0;
    const other = waiver("w1", { waives: ["secret_detected"], fingerprints: [OTHER_FP] });
    const reason = waiver("w2", { waives: ["secret_file"] });
    const capability = waiver("w3", { waives: ["secret_detected"], capability: "network.egress" });
    const revoked = waiver("w4", { waives: ["secret_detected"] }, true);
    const listedOnly = waiver("w5", { waives: ["secret_detected"], fingerprints: [FP] });
    const decisions = [
      write("src/config.ts", scanned([finding()]), ["w1"]),
      write("src/config.ts", scanned([finding()]), ["w2"]),
      write("src/config.ts", scanned([finding()]), ["w3"]),
      write("src/config.ts", scanned([finding()]), ["w4"]),
      // Unlisted findings have no fingerprint: only a waiver naming none lifts them.
      write("src/config.ts", scanned([finding()], 1), ["w5"]),
    ];
    const c = noUnwaivedSecret(set(decisions, [...other, ...reason, ...capability, ...revoked, ...listedOnly]));
    expect(c.status).toBe("unsupported");
    expect(c.counterexamples).toEqual(decisions.map((d) => d.index));
  });

  it("fails on an allowed repository write that sent no content: it was never scanned", () => {
    next = 0;
    const blind = write("src/a.ts", undefined);
    const install = write("npm:left-pad", undefined, [], true, "package.install");
    const c = noUnwaivedSecret(set([blind, install]));
    expect(c).toMatchObject({ status: "unsupported", counterexamples: [blind.index] });
    expect(c.reason).toBe("1 allowed repo.write call(s) sent no content, so they were never scanned");
  });
});

describe("licences-compatible", () => {
  it("holds for permissive licences (any alternative wholly permissive) and ignores writes that change no dependency", () => {
    next = 0;
    const lock = write("package-lock.json", lockFile(["(MIT OR GPL-3.0-only)", "Apache-2.0", "ISC"]));
    const install = write("npm:left-pad", lockFile(["WTFPL"]), [], true, "package.install");
    const code = write("src/a.ts", scanned());
    expect(licencesCompatible(set([lock, install, code]))).toMatchObject({
      status: "supported",
      indexes: [lock.index, install.index],
      counterexamples: [],
    });
  });

  it("a GPL package into an MIT run-set holds only with a licence waiver in force", () => {
    next = 0;
    const granted = waiver("w1", { waives: ["licence_incompatible"], resource: "package-lock.json" });
    const revoked = waiver("w2", { waives: ["licence_incompatible"], resource: "package-lock.json" }, true);
    const waived = write("package-lock.json", lockFile(["GPL-3.0-only", "MIT"]), ["w1"]);
    expect(licencesCompatible(set([waived], granted))).toMatchObject({ status: "supported", counterexamples: [] });

    const unwaived = write("package-lock.json", lockFile(["GPL-3.0-only", "MIT"]));
    const lapsed = write("package-lock.json", lockFile(["GPL-3.0-only"]), ["w2"]);
    const c = licencesCompatible(set([waived, unwaived, lapsed], [...granted, ...revoked]));
    expect(c).toMatchObject({ status: "unsupported", counterexamples: [unwaived.index, lapsed.index] });
    expect(c.reason).toMatch(/^2 dependency change\(s\) pin a licence that is not permissive/);
  });

  it("fails when licences were never checked: no lock file sent, no run-set licence, or an unreadable lock file", () => {
    next = 0;
    const noContent = write("npm:left-pad", undefined, [], true, "package.install");
    const patch = write("web/package-lock.json", scanned());
    const noProject = write("package-lock.json", lockFile(["MIT"], null));
    const unreadable = write("package-lock.json", lockFile(null));
    const c = licencesCompatible(set([noContent, patch, noProject, unreadable]));
    expect(c.counterexamples).toEqual([noContent.index, patch.index, noProject.index, unreadable.index]);
    expect(c.reason).toBe(
      "1 dependency change(s) pin a licence that is not permissive, or unlisted licences, with no licence waiver in force; " +
        "2 dependency change(s) sent no lock file, so their licences were never checked; " +
        "1 dependency change(s) were judged for a run-set that declares no licence",
    );
  });

  it("reads the same permissive licences as policies/rego/licence.rego", () => {
    const rego = readFileSync(new URL("../../policies/rego/licence.rego", import.meta.url), "utf8");
    const block = /^permissive := \{([^}]*)\}/m.exec(rego)?.[1] ?? "";
    const ids = [...block.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids)).toEqual(PERMISSIVE_LICENCES);
  });
});
