// Releases: create (admin, security; agents through a mediated release.publish decision) and publish (always mediated);
// list, one release with what to check, its safety case (GSN or Sigstore bundle), SBOM, and evidence bundle.
import type { Services } from "../../compose.ts";
import { LIMIT_PARAM, listReleases } from "../../releases/release-queries.ts";
import { BUNDLE_V03_MEDIA_TYPE, type ReleaseRecord } from "../../../evidence/index.ts";
import { readJson } from "../params.ts";
import { EVIDENCE, json, type Route } from "../route.ts";
import { jsonWithEtag, nextLink } from "./json-etag.ts";

/** What an auditor should check for this release, each step with the command or route that does it. */
function auditorGuide(r: ReleaseRecord): { checks: string[]; links: Record<string, string> } {
  const base = `/v1/releases/${encodeURIComponent(r.id)}`;
  const links: Record<string, string> = {
    self: base,
    safetyCase: `${base}/safety-case`,
    sigstoreBundle: `${base}/safety-case?format=sigstore`,
    sbom: `${base}/sbom`,
    evidenceBundle: `${base}/bundle`,
    decisions: `/v1/decisions?release=${encodeURIComponent(r.id)}`,
    created: `/v1/ledger/entries/${r.createdIndex}`,
    checkpoint: "/v1/ledger/checkpoint",
    eventKeys: "/.well-known/jwks.json",
    checkpointKey: "/v1/ledger/key",
    guide: "docs/governance/auditor-guide.md",
  };
  if (r.published) {
    links.published = `/v1/ledger/entries/${r.published.index}`;
    links.publishedInclusion = `/v1/ledger/proofs/inclusion?index=${r.published.index}&size={checkpoint size}`;
    links.publishDecision = `/v1/decisions/${encodeURIComponent(r.published.decisionId)}`;
  }
  const checks = r.published
    ? [
        `Download the evidence bundle (${links.evidenceBundle}) and run: maestro evidence verify FILE --key jwks.json (or the vkey from ${links.checkpointKey}); it must exit 0.`,
        "Pin the key out of band: compare the JWKS/vkey with the ones your organisation recorded, not only with what this server serves.",
        `Check the Sigstore bundle independently with @sigstore/verify (public key, tlog/timestamp thresholds 0); its in-toto subject must list the artifact digests you ship.`,
        "Read the safety case: every goal should be 'supported'; an 'unsupported' goal names its counterexamples by ledger index.",
        `Check the SBOM (${links.sbom}) against the CycloneDX ${r.sbom?.specVersion ?? "1.7"} schema and your vulnerability feed.`,
        "Check that the checkpoint in the bundle is consistent with a checkpoint you saved earlier (GET /v1/ledger/proofs/consistency).",
      ]
    : ["This release is a draft: its safety case is an unsigned preview. Verify it after publication."];
  return { checks, links };
}

type Releases = Pick<Services, "releases">;

export const releaseRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/v1/releases",
    roles: ["admin", "security", "agent"],
    does: "create a release from collected evidence",
    body: "release.release-create",
    bodyExample: {
      id: "app-1.2.0",
      repository: "acme/app",
      version: "1.2.0",
      artifacts: [{ name: "app-1.2.0.tgz", digest: { sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" } }],
      runsets: ["fix-login"],
      sbom: { packageLock: { name: "app", version: "1.2.0", lockfileVersion: 3, packages: { "": { name: "app", version: "1.2.0" } } } },
    },
    status: 201,
    response: json("release.answer", "the release"),
    handler: (s: Releases) => async (c) => {
      const release = await s.releases.create(await readJson(c.req), c.get("principal"));
      return c.json({ release }, 201, { Location: `/v1/releases/${encodeURIComponent(release.id)}` });
    },
  },
  {
    method: "POST",
    path: "/v1/releases/:id/publish",
    roles: ["admin", "security", "agent"],
    does: "publish a release (policy decides; holds deny)",
    response: json("release.answer", "the release"),
    handler: (s: Releases) => async (c) => c.json({ release: await s.releases.publish(c.req.param("id")!, c.get("principal")) }),
  },
  {
    method: "GET",
    path: "/v1/releases",
    ...EVIDENCE,
    etag: true,
    does: "releases",
    query: ["cursor", "limit", "state"],
    params: { limit: LIMIT_PARAM, state: { type: "string", enum: ["draft", "published"] } },
    response: json("release.page", "releases, newest first"),
    handler: (s: Pick<Services, "db">) => async (c) => {
      const page = await listReleases(s.db, { cursor: c.req.query("cursor"), limit: c.req.query("limit"), state: c.req.query("state") });
      return jsonWithEtag(c, page, nextLink(c, page.nextCursor));
    },
  },
  {
    method: "GET",
    path: "/v1/releases/:id",
    ...EVIDENCE,
    etag: true,
    does: "one release",
    response: json("release.detail", "the release and what an auditor should check"),
    handler: (s: Releases) => async (c) => {
      const release = await s.releases.get(c.req.param("id")!);
      return jsonWithEtag(c, { release, auditor: auditorGuide(release) });
    },
  },
  {
    method: "GET",
    path: "/v1/releases/:id/safety-case",
    ...EVIDENCE,
    etag: true,
    does: "its GSN safety case",
    query: ["format"],
    response: {
      description: "the GSN safety case, or with format=sigstore the Sigstore bundle v0.3 that signs it",
      content: { "application/json": "gsn.safety-case", [BUNDLE_V03_MEDIA_TYPE]: "release.sigstore-bundle" },
    },
    handler: (s: Releases) => async (c) => {
      const { document, signed, bundle } = await s.releases.safetyCase(c.req.param("id")!);
      if (c.req.query("format") === "sigstore") {
        if (!bundle)
          return c.json({ error: { code: "conflict", message: "a draft release has no signed safety case yet", field: "id" } }, 409);
        return jsonWithEtag(c, bundle, { "Content-Type": BUNDLE_V03_MEDIA_TYPE });
      }
      return jsonWithEtag(c, document, { "X-Maestro-Signed": String(signed) });
    },
  },
  {
    method: "GET",
    path: "/v1/releases/:id/sbom",
    ...EVIDENCE,
    etag: true,
    does: "its CycloneDX SBOM",
    response: { description: "CycloneDX JSON (ECMA-424)", content: { "application/vnd.cyclonedx+json": "release.sbom" } },
    handler: (s: Releases) => async (c) => {
      const sbom = await s.releases.sbom(c.req.param("id")!);
      return jsonWithEtag(c, sbom, { "Content-Type": `application/vnd.cyclonedx+json; version=${String(sbom.specVersion)}` });
    },
  },
  {
    method: "GET",
    path: "/v1/releases/:id/bundle",
    ...EVIDENCE,
    does: "its signed evidence bundle",
    response: json("gsn.evidence-export", "self-contained evidence bundle (maestro evidence verify checks it offline)"),
    handler: (s: Releases) => async (c) => {
      const id = c.req.param("id")!;
      return c.body(await s.releases.exportEvidence(id), 200, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="${id.replace(/[^\w.-]/g, "_")}.evidence.json"`,
        "Cache-Control": "no-store",
      });
    },
  },
];
