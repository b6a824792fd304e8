// Releases end to end on both stores: create (bad input → 400 naming the field), publish through the mediator (a hold blocks it),
// then every Evidence API route, and an offline verification of the exported bundle.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleFromJSON } from "@sigstore/bundle";
import { toSignedEntity, Verifier } from "@sigstore/verify";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { cycloneDxProblem, gsnProblem, verifyEvidenceFile } from "../../evidence/index.ts";
import { keyTrustMaterial } from "../../evidence/bundle/sigstore-bundle.ts";
import { parsePinnedKey } from "../../evidence/verify/keys.ts";
import { publishedFixture, REPO, releaseBody, type PublishedFixture } from "./support.ts";

describe.each(STORE_KINDS)("releases and evidence on %s store", (kind) => {
  let server: TestServer;
  let fixture: PublishedFixture;
  let auditor: string;
  let security: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    fixture = await publishedFixture(server);
    auditor = await server.token("auditor", "aud-1");
    security = await server.token("security", "sec-1");
  });
  afterAll(() => server.close());

  it("rejects bad release input with a 400 naming the field", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [releaseBody({ id: "r-x", repository: undefined }), "/repository"],
      [releaseBody({ id: "r-x", artifacts: [{ name: "a", digest: { sha256: "nothex" } }] }), "/artifacts/0/digest/sha256"],
      [releaseBody({ id: "r-x", sessions: [], runsets: [] }), "/sessions"],
      [
        releaseBody({ id: "r-x", sbom: { cyclonedx: { bomFormat: "CycloneDX", specVersion: "1.7", components: [{ type: "library" }] } } }),
        "/sbom/cyclonedx/components/0/name",
      ],
      [releaseBody({ id: "r-x", sbom: { cyclonedx: { bomFormat: "CycloneDX", specVersion: "1.2" } } }), "/sbom/cyclonedx/specVersion"],
      [releaseBody({ id: "r-x", sbom: { packageLock: { lockfileVersion: 1, dependencies: {} } } }), "/sbom/packageLock/packages"],
      // Entries npm would never write answered 500 before.
      [
        releaseBody({ id: "r-x", sbom: { packageLock: { packages: { "node_modules/x": null } } } }),
        "/sbom/packageLock/packages/node_modules~1x",
      ],
      [
        releaseBody({ id: "r-x", sbom: { packageLock: { packages: { "node_modules/x": { version: "1.0.0", name: 5 } } } } }),
        "/sbom/packageLock/packages/node_modules~1x/name",
      ],
      [
        releaseBody({ id: "r-x", sbom: { packageLock: { packages: { "": { dependencies: { x: 1 } } } } } }),
        "/sbom/packageLock/packages//dependencies",
      ],
      [releaseBody({ id: "r-x", extra: 1 }), "/extra"],
      // Outside the release grammar (docs/governance/capabilities.md#canonical-resources): no publish could ever match it.
      [releaseBody({ id: "r-x", repository: "acme//api" }), "/repository"],
      [releaseBody({ id: "r-x", repository: "acme/api#x" }), "/repository"],
      [releaseBody({ id: "r-x", version: "1.0/x" }), "/version"],
    ];
    for (const [body, field] of cases) {
      const res = await server.call("POST", "/v1/releases", { token: security, body, invalidOnPurpose: `${field} is wrong` });
      expect(res.status, field).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
    expect((await server.call("POST", "/v1/releases", { token: security, rawBody: "{nope", invalidOnPurpose: "not JSON" })).status).toBe(
      400,
    );
    expect(
      (await server.call("POST", "/v1/releases", { token: await server.token("engineer"), body: releaseBody({ id: "r-y" }) })).status,
    ).toBe(403);
    expect((await server.call("POST", "/v1/releases", { body: releaseBody({ id: "r-y" }) })).status).toBe(401);
    // Same id, or same repository and version: conflict, and nothing was appended for it.
    const dup = await server.call("POST", "/v1/releases", { token: security, body: releaseBody({ id: "other" }) });
    expect(dup.status).toBe(409);
    expect(await server.ctx.ledger.reader.entriesFor(null, "release:other")).toEqual([]);
    // The repository is stored canonical, so another spelling of it is the same release line: still a conflict.
    const shouted = await server.call("POST", "/v1/releases", {
      token: security,
      body: releaseBody({ id: "other", repository: REPO.toUpperCase() }),
    });
    expect(shouted.status, JSON.stringify(shouted.body)).toBe(409);
  });

  it("accepts an uploaded CycloneDX 1.6 SBOM and publishing twice conflicts", async () => {
    const bom = {
      bomFormat: "CycloneDX",
      specVersion: "1.6",
      version: 1,
      components: [{ type: "library", name: "left-pad", version: "1.3.0" }],
    };
    const res = await server.call("POST", "/v1/releases", {
      token: security,
      body: releaseBody({ id: "api-1.3.0", version: "1.3.0", sbom: { cyclonedx: bom } }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("/v1/releases/api-1.3.0");
    expect(res.body.release).toMatchObject({ state: "draft", sbom: { specVersion: "1.6", source: "cyclonedx-upload" } });
    expect((await server.call("POST", "/v1/releases/api-1.2.0/publish", { token: security })).status).toBe(409);
    expect((await server.call("POST", "/v1/releases/nope/publish", { token: security })).status).toBe(404);
  });

  it("records the blocked publish as a deny decision citing the hold", async () => {
    const res = await server.call("GET", `/v1/decisions/${fixture.blockedDecisionId}`, { token: auditor });
    expect(res.status).toBe(200);
    expect(res.body.decision.event.payload).toMatchObject({
      allow: false,
      call: { capability: "release.publish", resource: "acme/api@1.2.0" },
    });
    expect(JSON.stringify(res.body.decision.event.payload.reasons)).toContain("hold");
    expect(res.body.outcome).toBeNull();
  });

  it("serves the release with what an auditor should check, with ETags", async () => {
    const res = await server.app.request("/v1/releases/api-1.2.0", { headers: { authorization: `Bearer ${auditor}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.release).toMatchObject({ id: "api-1.2.0", state: "published", repository: "acme/api", sessions: ["s-1"] });
    expect(body.auditor.links.evidenceBundle).toBe("/v1/releases/api-1.2.0/bundle");
    expect(body.auditor.checks.join(" ")).toContain("maestro evidence verify");
    const etag = res.headers.get("etag")!;
    const again = await server.app.request("/v1/releases/api-1.2.0", {
      headers: { authorization: `Bearer ${auditor}`, "if-none-match": etag },
    });
    expect(again.status).toBe(304);
    expect((await server.call("GET", "/v1/releases/api-1.2.0")).status).toBe(401);
    expect(
      (await server.call("DELETE", "/v1/releases/api-1.2.0", { token: auditor, invalidOnPurpose: "the API deletes nothing" })).status,
    ).toBe(405);
    expect((await server.call("GET", "/v1/releases/missing", { token: auditor })).status).toBe(404);
  });

  it("paginates releases and decisions with cursors", async () => {
    const page1 = await server.call("GET", "/v1/releases?limit=1", { token: auditor });
    expect(page1.body.items).toHaveLength(1);
    expect(page1.headers.get("link")).toContain('rel="next"');
    const page2 = await server.call("GET", `/v1/releases?limit=1&cursor=${page1.body.nextCursor}`, { token: auditor });
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    expect(page2.body.nextCursor).toBeNull();
    expect((await server.call("GET", "/v1/releases?cursor=garbage", { token: auditor })).body.error.field).toBe("cursor");
    expect(
      (await server.call("GET", "/v1/releases?limit=0", { token: auditor, invalidOnPurpose: "limit starts at 1" })).body.error.field,
    ).toBe("limit");
    const unknownRelease = await server.call("GET", "/v1/decisions?release=nope", { token: auditor });
    expect(unknownRelease.status).toBe(404);
    expect(unknownRelease.body.error.field).toBe("release");

    const seen: string[] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const page = await server.call("GET", `/v1/decisions?release=api-1.2.0&limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
        token: auditor,
      });
      seen.push(...page.body.items.map((d: any) => d.decisionId));
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    expect(seen).toHaveLength(4); // read, denied read, tests, the waiver-covered fetch
    expect(new Set(seen).size).toBe(4);
  });

  it("serves a valid GSN safety case, a Sigstore bundle @sigstore/verify accepts, and a valid SBOM", async () => {
    const sc = await server.call("GET", "/v1/releases/api-1.2.0/safety-case", { token: auditor });
    expect(sc.status).toBe(200);
    expect(sc.headers.get("x-maestro-signed")).toBe("true");
    expect(gsnProblem(sc.body)).toBeNull();
    const status = Object.fromEntries(sc.body.nodes.filter((n: any) => n.type === "Goal").map((n: any) => [n.claim, n.status]));
    expect(status).toMatchObject({
      mediated: "supported",
      "denies-respected": "supported",
      "breakglass-reviewed": "supported",
      "tests-passed": "supported",
      "sbom-present": "supported",
      "no-active-hold": "supported",
    });

    const bundle = await server.call("GET", "/v1/releases/api-1.2.0/safety-case?format=sigstore", { token: auditor });
    expect(bundle.headers.get("content-type")).toContain("application/vnd.dev.sigstore.bundle.v0.3+json");
    const pinned = await parsePinnedKey(fixture.jwks);
    if (pinned.kind !== "jwks") throw new Error("expected a JWKS");
    const verifier = new Verifier(keyTrustMaterial(pinned.keys), { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(bundle.body)))).not.toThrow();
    // With the library's defaults it demands a timestamp we deliberately do not have (no network witnesses).
    expect(() => new Verifier(keyTrustMaterial(pinned.keys)).verify(toSignedEntity(bundleFromJSON(bundle.body)))).toThrow(/timestamp/);

    const sbom = await server.call("GET", "/v1/releases/api-1.2.0/sbom", { token: auditor });
    expect(sbom.headers.get("content-type")).toContain("application/vnd.cyclonedx+json");
    expect(sbom.body.specVersion).toBe("1.7");
    expect(cycloneDxProblem(sbom.body)).toBeNull();
  });

  it("shows a draft's case as an unsigned preview and has no Sigstore bundle for it", async () => {
    const sc = await server.call("GET", "/v1/releases/api-1.3.0/safety-case", { token: auditor });
    expect(sc.headers.get("x-maestro-signed")).toBe("false");
    expect(gsnProblem(sc.body)).toBeNull();
    expect((await server.call("GET", "/v1/releases/api-1.3.0/safety-case?format=sigstore", { token: auditor })).status).toBe(409);
    expect((await server.call("GET", "/v1/releases/api-1.3.0/bundle", { token: auditor })).status).toBe(409);
  });

  it("exports a bundle that verifies offline with the JWKS and with the vkey, and not with another key", async () => {
    const byJwks = await verifyEvidenceFile(fixture.exportText, fixture.jwks);
    expect(byJwks.failedParts).toEqual([]);
    expect(byJwks.ok).toBe(true);
    expect(byJwks.release).toEqual({ id: "api-1.2.0", repository: "acme/api", version: "1.2.0" });
    expect((await verifyEvidenceFile(fixture.exportText, fixture.vkey)).ok).toBe(true);
    const other = JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }] });
    const wrong = await verifyEvidenceFile(fixture.exportText, other);
    expect(wrong.ok).toBe(false);
    expect(wrong.failedParts[0]).toBe("keys");
  });
});
