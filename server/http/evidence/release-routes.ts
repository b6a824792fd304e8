// Evidence API, releases: list, one release with what to check, its safety case (GSN or Sigstore bundle), SBOM, and evidence bundle.
import { Hono } from "hono";
import type { Kysely } from "kysely";
import { listReleases } from "../../releases/release-queries.ts";
import type { ReleaseService } from "../../releases/release-service.ts";
import { BUNDLE_V03_MEDIA_TYPE, type ReleaseRecord } from "../../../evidence/index.ts";
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

export function releaseEvidenceRoutes(db: Kysely<any>, releases: ReleaseService): Hono {
  const app = new Hono();

  app.get("/v1/releases", async (c) => {
    const page = await listReleases(db, { cursor: c.req.query("cursor"), limit: c.req.query("limit"), state: c.req.query("state") });
    return jsonWithEtag(c, page, nextLink(c, page.nextCursor));
  });

  app.get("/v1/releases/:id", async (c) => {
    const release = await releases.get(c.req.param("id"));
    return jsonWithEtag(c, { release, auditor: auditorGuide(release) });
  });

  app.get("/v1/releases/:id/safety-case", async (c) => {
    const { document, signed, bundle } = await releases.safetyCase(c.req.param("id"));
    if (c.req.query("format") === "sigstore") {
      if (!bundle)
        return c.json({ error: { code: "conflict", message: "a draft release has no signed safety case yet", field: "id" } }, 409);
      return jsonWithEtag(c, bundle, { "Content-Type": BUNDLE_V03_MEDIA_TYPE });
    }
    return jsonWithEtag(c, document, { "X-Maestro-Signed": String(signed) });
  });

  app.get("/v1/releases/:id/sbom", async (c) => {
    const sbom = await releases.sbom(c.req.param("id"));
    return jsonWithEtag(c, sbom, { "Content-Type": `application/vnd.cyclonedx+json; version=${String(sbom.specVersion)}` });
  });

  app.get("/v1/releases/:id/bundle", async (c) => {
    const id = c.req.param("id");
    const exported = await releases.exportEvidence(id);
    return c.body(exported, 200, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${id.replace(/[^\w.-]/g, "_")}.evidence.json"`,
      "Cache-Control": "no-store",
    });
  });

  return app;
}
