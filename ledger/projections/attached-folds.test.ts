import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../event/canonical-json.ts";
import type { LedgerEvent } from "../event/envelope.ts";
import { compareTable } from "./compare-rows.ts";
import { ProjectionReplay } from "./replay.ts";
import { tableSpec } from "./table-specs.ts";

const TIME = "2026-12-03T07:00:00.000Z";
const sha256 = (data: string | Uint8Array) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

function event(kind: string, subject: { type: string; id: string }, payload: Record<string, unknown>, actor = "sec-1"): LedgerEvent {
  return { v: 1, id: `${kind}-${subject.id}`, kind, time: TIME, actor: { type: "user", id: actor, role: "security" }, subject, payload };
}

const SBOM = { bomFormat: "CycloneDX", specVersion: "1.6", components: [{ name: "left-pad", version: "1.3.0", type: "library" }] };
const STATEMENT = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
const BUNDLE = {
  mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
  dsseEnvelope: { payload: STATEMENT.toString("base64"), signatures: [] },
};

describe("folds of values the ledger names by digest", () => {
  it("keeps a release's SBOM and signed bundle as the digests their events name, and compares what is stored by digest", () => {
    const r = new ProjectionReplay();
    const subject = { type: "release", id: "rel-1" };
    const sbomRef = { digest: sha256(canonicalJson(SBOM)), specVersion: "1.6", source: "package-lock" };
    r.add(
      event("release.created", subject, {
        repository: "acme/api",
        version: "2.0.0",
        artifacts: [{ name: "a.tgz" }],
        runsets: ["rs"],
        sessions: [],
        sbom: sbomRef,
      }),
      7,
    );
    r.add(
      event("release.published", subject, {
        decisionId: "d-1",
        decisionIndex: 8,
        statementDigest: sha256(STATEMENT),
        signerKid: "k",
        tree: { size: 9, rootHash: "r" },
      }),
      9,
    );
    r.add(
      event("release.published", subject, {
        decisionId: "d-2",
        decisionIndex: 10,
        statementDigest: sha256(STATEMENT),
        signerKid: "k",
        tree: { size: 11, rootHash: "r" },
      }),
      11,
    );
    expect(r.refused.map((x) => [x.index, x.reason])).toEqual([[11, "release rel-1 was published concurrently"]]);
    const expected = r.get("releases", { id: "rel-1" })!;
    expect(expected).toMatchObject({
      state: "published",
      created_index: 7,
      published_index: 9,
      sbom: sbomRef.digest,
      bundle: sha256(STATEMENT),
    });

    // As the store holds it: the documents themselves (the SBOM in its producer's key order), times as Dates.
    const stored = {
      ...expected,
      sbom: JSON.stringify({ specVersion: "1.6", bomFormat: "CycloneDX", components: SBOM.components }),
      bundle: JSON.stringify(BUNDLE),
      created_at: new Date(TIME),
      published_at: new Date(TIME),
    };
    const rows = r.tables.get("releases")!;
    expect(compareTable(tableSpec("releases"), [stored], rows)).toEqual([]);
    const altered = {
      ...stored,
      bundle: JSON.stringify({ ...BUNDLE, dsseEnvelope: { ...BUNDLE.dsseEnvelope, payload: Buffer.from("{}").toString("base64") } }),
    };
    expect(compareTable(tableSpec("releases"), [altered], rows)).toEqual([
      { table: "releases", key: "id=rel-1", column: "bundle", stored: sha256("{}"), expected: sha256(STATEMENT) },
    ]);
  });

  it("subscribes a webhook with its URL and secret named by digest, and drops the secret when it is removed", () => {
    const r = new ProjectionReplay();
    const subject = { type: "webhook", id: "wh-1" };
    const url = "https://hooks.example.com/maestro";
    const secret = "whsec_c2VjcmV0";
    r.add(
      event(
        "webhook.subscribed",
        subject,
        { url, urlDigest: sha256(url), events: ["hold.placed"], format: "standard", secretDigest: sha256(secret) },
        "adm-1",
      ),
      3,
    );
    expect(r.get("webhook_secrets", { webhook_id: "wh-1" })).toEqual({ webhook_id: "wh-1", secret: sha256(secret) });
    // A stored secret is compared, and reported, by its digest only.
    const findings = compareTable(
      tableSpec("webhook_secrets"),
      [{ webhook_id: "wh-1", secret: `${secret}x` }],
      r.tables.get("webhook_secrets")!,
    );
    expect(findings).toEqual([
      { table: "webhook_secrets", key: "webhook_id=wh-1", column: "secret", stored: sha256(`${secret}x`), expected: sha256(secret) },
    ]);
    expect(JSON.stringify(findings)).not.toContain(secret);
    r.add(event("webhook.removed", subject, { reason: "done", fromVersion: 1 }, "adm-1"), 4);
    expect(r.get("webhook_secrets", { webhook_id: "wh-1" })).toBeNull();
    expect(r.get("webhooks", { id: "wh-1" })).toMatchObject({ state: "removed", version: 2, url: sha256(url), removed_by: "adm-1" });
  });

  it("stores an activated bundle once under its digest and counts every policy-data event in the data version", () => {
    const r = new ProjectionReplay();
    const policy = { type: "policy", id: "active" };
    expect(r.get("policy_data_version", { id: 1 })).toEqual({ id: 1, version: 0 });
    r.add(event("policy.activated", policy, { digest: "sha256:c", revision: "r", source: "default", reason: "startup" }), 0);
    r.add(event("policy.activated", policy, { digest: "sha256:a", revision: "r", source: "activated" }), 1);
    r.add(event("policy.activated", { ...policy }, { digest: "sha256:a", revision: "r", source: "activated" }), 2);
    r.add(event("test.entry", { type: "test", id: "t" }, {}), 3);
    expect([...r.tables.get("policy_bundles")!.values()]).toEqual([{ digest: "sha256:a", bytes: "sha256:a" }]);
    expect(r.get("policy_data_version", { id: 1 })).toEqual({ id: 1, version: 3 });
    const bytes = new Uint8Array([1, 2, 3]);
    expect(compareTable(tableSpec("policy_bundles"), [{ digest: "sha256:a", bytes }], r.tables.get("policy_bundles")!)).toEqual([
      { table: "policy_bundles", key: "digest=sha256:a", column: "bytes", stored: sha256(bytes), expected: "sha256:a" },
    ]);
  });
});
