// The claims no-unwaived-secret, licences-compatible and policy-mutation-score, end to end on both stores: argued from
// the ledgered findings, licences, waivers and bundle activations of a published release, and recomputed offline.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyEvidenceFile } from "../../evidence/index.ts";
import { DEFAULT_BUNDLE_FILE, DEFAULT_MUTATION_REPORT } from "../../server/policy/default-bundle.ts";
import { readTarGz } from "../../server/policy/tar.ts";
import { writeTarGz } from "../../server/policy/test-helpers.ts";
import { waiverRequest } from "../exceptions/support.ts";
import { SECRETS } from "../fixtures/content/secret-corpus.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { releaseBody, REPO } from "./support.ts";
import { itemAt } from "../../common/present.ts";

const stripe = SECRETS.find((s) => s.name === "Stripe live secret key")!;
const REPORT = JSON.parse(readFileSync(DEFAULT_MUTATION_REPORT, "utf8")) as { score: number; threshold: number };
const REPORT_DIGEST = `sha256:${createHash("sha256").update(readFileSync(DEFAULT_MUTATION_REPORT)).digest("hex")}`;

const lockFile = (packages: Record<string, { version: string; license: string }>) =>
  JSON.stringify({
    name: "app",
    lockfileVersion: 3,
    packages: { "": { name: "app" }, ...Object.fromEntries(Object.entries(packages).map(([n, p]) => [`node_modules/${n}`, p])) },
  });
const GPL_LOCK = lockFile({ "gpl-thing": { version: "3.1.0", license: "GPL-3.0-only" }, ok: { version: "1.0.0", license: "MIT" } });

const write = (session: string, resource: string, content: string) => ({
  runset: "rs-cc",
  agent: "coder",
  session,
  tool: "write_file",
  capability: "repo.write",
  resource,
  args: { path: resource },
  content,
});

type Claims = Record<string, { status: string; reason?: string; counterexamples: number[] }>;

describe.each(STORE_KINDS)("release claims on content and the policy's mutation score (%s store)", (kind) => {
  let server: TestServer;
  let agent: string;
  let auditor: string;
  let waivedExport: string;
  let jwks: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    agent = await server.token("agent", "coder");
    auditor = await server.token("auditor", "aud-1");
    jwks = JSON.stringify(await (await server.app.request("/.well-known/jwks.json")).json());
    await server.registerRunset(
      {
        name: "rs-cc",
        license: "MIT",
        grants: [
          { agent: "coder", capability: "repo.write", resource: "**" },
          { agent: "coder", capability: "repo.read", resource: "**" },
          { agent: "sec-1", capability: "release.publish", resource: `${REPO}@*`, approval: "none" },
        ],
      },
      "sec-1",
    );
  });
  afterAll(() => server.close());

  const mediate = async (body: Record<string, unknown>) => {
    const res = await server.call("POST", "/v1/mediate", { token: agent, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { decision: string; ledgerIndex: number; waivers: string[] };
  };

  /** A waiver requested by an engineer and approved by security (someone else). */
  const waive = async (overrides: Record<string, unknown>) => {
    const requested = await server.call("POST", "/v1/waivers", {
      token: await server.token("engineer", "eng-1"),
      body: waiverRequest({ runsets: ["rs-cc"], ...overrides }),
    });
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    const approved = await server.call("POST", `/v1/waivers/${requested.body.id}/approve`, {
      token: await server.token("security", "sec-2"),
      body: {},
    });
    expect(approved.body.state).toBe("active");
    return requested.body.id as string;
  };

  /** Creates and publishes a release of `sessions`; returns its claims as the served safety case states them, and its export. */
  const publish = async (version: string, sessions: string[]): Promise<{ claims: Claims; exportText: string }> => {
    const security = await server.token("security", "sec-1");
    const id = `api-${version}`;
    expect((await server.call("POST", "/v1/releases", { token: security, body: releaseBody({ id, version, sessions }) })).status).toBe(201);
    const published = await server.call("POST", `/v1/releases/${id}/publish`, { token: security });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const sc = await server.call("GET", `/v1/releases/${id}/safety-case`, { token: auditor });
    const claims = Object.fromEntries(
      sc.body.nodes
        .filter((n: { type: string; claim?: string }) => n.type === "Goal" && n.claim !== "release-acceptable")
        .map((n: { claim: string; status: string; reason?: string; id: string }) => {
          const solution = sc.body.nodes.find((s: { id: string }) => s.id === n.id.replace(/^G/, "Sn"));
          return [n.claim, { status: n.status, reason: n.reason, counterexamples: solution.evidence[0].counterexamples ?? [] }];
        }),
    );
    const exported = await server.app.request(`/v1/releases/${id}/bundle`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(exported.status).toBe(200);
    return { claims, exportText: await exported.text() };
  };

  it("ledgers the committed bundle's mutation report digest and score when the server starts on it", async () => {
    const status = await server.call("GET", "/v1/policy/status", { token: auditor });
    const entry = await server.ctx.ledger.reader.entry(status.body.ledgerIndex);
    expect(entry.event.kind).toBe("policy.activated");
    expect(entry.event.payload).toMatchObject({
      digest: status.body.digest,
      mutation: { digest: REPORT_DIGEST, score: REPORT.score, threshold: REPORT.threshold },
    });
  });

  it("a secret and a GPL package let through only by waivers support both claims, and the export verifies them", async () => {
    const denied = await mediate(write("s-ok", "src/billing.ts", stripe.content));
    expect(denied.decision).toBe("deny");
    const entry = await server.ctx.ledger.reader.entry(denied.ledgerIndex);
    const findings = (entry.event.payload as { content: { findings: Array<{ fingerprint: string }> } }).content.findings;
    const { fingerprint } = itemAt(findings, 0, "findings");
    const secretWaiver = await waive({ resource: "src/billing.ts", waives: ["secret_detected"], fingerprints: [fingerprint] });
    expect(await mediate(write("s-ok", "src/billing.ts", stripe.content))).toMatchObject({ decision: "allow", waivers: [secretWaiver] });

    expect((await mediate(write("s-ok", "package-lock.json", GPL_LOCK))).decision).toBe("deny");
    const licenceWaiver = await waive({ resource: "package-lock.json", waives: ["licence_incompatible"] });
    const allowed = await mediate(write("s-ok", "package-lock.json", GPL_LOCK));
    expect(allowed).toMatchObject({ decision: "allow", waivers: [licenceWaiver] });
    const lock = await server.ctx.ledger.reader.entry(allowed.ledgerIndex);
    expect((lock.event.payload as { content: unknown }).content).toMatchObject({
      licences: ["GPL-3.0-only", "MIT"],
      packages: 2,
      projectLicence: "MIT",
    });

    const { claims, exportText } = await publish("2.0.0", ["s-ok"]);
    expect(claims["no-unwaived-secret"]).toMatchObject({ status: "supported", counterexamples: [] });
    expect(claims["licences-compatible"]).toMatchObject({ status: "supported", counterexamples: [] });
    expect(claims["policy-mutation-score"]).toMatchObject({ status: "supported", counterexamples: [] });
    const verified = await verifyEvidenceFile(exportText, jwks);
    expect(verified.failedParts).toEqual([]);
    expect(verified.claims.filter((c) => ["no-unwaived-secret", "licences-compatible", "policy-mutation-score"].includes(c.claim))).toEqual(
      [
        expect.objectContaining({ claim: "no-unwaived-secret", status: "supported" }),
        expect.objectContaining({ claim: "licences-compatible", status: "supported" }),
        expect.objectContaining({ claim: "policy-mutation-score", status: "supported" }),
      ],
    );
    waivedExport = exportText;
  });

  it("an allowed write with an unwaived secret finding, and an unwaived GPL lock file, leave their claims unsupported", async () => {
    // The default policy denies both, so the decisions are written as a policy that let them through would have had
    // the mediator write them (real payloads: the decision's fold records the mediation).
    const policy = server.ctx.policy.status();
    const call = (resource: string) => ({
      agent: "coder",
      args: { path: resource },
      canonicalResource: resource,
      capability: "repo.write",
      resource,
      runset: "rs-cc",
      session: "s-bad",
      tool: "write_file",
    });
    const decide = (resource: string, content: Record<string, unknown>) =>
      server.ctx.ledger.writer.append({
        kind: "decision",
        actor: { type: "agent", id: "coder", role: "agent" },
        subject: { type: "decision", id: crypto.randomUUID() },
        payload: {
          allow: true,
          breakglass: [],
          call: call(resource),
          content,
          decision: "allow",
          policy: { digest: policy.digest, revision: policy.revision },
          reasons: [],
          waivers: [],
        },
      });
    const digest = `sha256:${"0".repeat(64)}`;
    const finding = { fingerprint: `hmac-sha256:${"1".repeat(64)}`, line: 1, path: "src/config.ts", rule: "stripe/STRIPE_SECRET_KEY" };
    const leaked = await decide("src/config.ts", { bytes: 40, digest, findings: [finding], unlisted: 0 });
    const gpl = await decide("package-lock.json", {
      bytes: 200,
      digest,
      findings: [],
      licences: ["GPL-3.0-only"],
      packages: 1,
      projectLicence: "MIT",
      unlisted: 0,
    });

    const { claims, exportText } = await publish("2.0.1", ["s-bad"]);
    expect(claims["no-unwaived-secret"]).toMatchObject({ status: "unsupported", counterexamples: [leaked.index] });
    expect(claims["licences-compatible"]).toMatchObject({ status: "unsupported", counterexamples: [gpl.index] });
    // Authentic evidence that does not support a claim verifies (exit 0); the claim shows as unsupported, with its reason.
    const verified = await verifyEvidenceFile(exportText, jwks);
    expect(verified.failedParts).toEqual([]);
    expect(verified.claims.find((c) => c.claim === "no-unwaived-secret")).toMatchObject({
      status: "unsupported",
      reason: "1 allowed write(s) carry a secret finding that no cited waiver in force lifts",
    });
  });

  it("fails verify naming the claim when an exported claim's status is edited", async () => {
    const doc = JSON.parse(waivedExport);
    const node = doc.safetyCase.document.nodes.find((n: { claim?: string }) => n.claim === "no-unwaived-secret");
    node.status = "unsupported";
    const result = await verifyEvidenceFile(JSON.stringify(doc), jwks);
    expect(result.ok).toBe(false);
    expect(result.failedParts[0]).toBe("safetyCase.document");
    expect(result.checks.find((c) => !c.ok)?.message).toBe(
      `the safety case differs from the signed one at node ${node.id} (no-unwaived-secret)`,
    );
  });

  it("a bundle whose recorded mutation score is below its threshold leaves policy-mutation-score unsupported", async () => {
    // The committed bundle with its manifest saying 0.5 against 0.94: activated (and ledgered) like any other bundle.
    const files = readTarGz(readFileSync(DEFAULT_BUNDLE_FILE));
    const manifest = JSON.parse(new TextDecoder().decode(files.get(".manifest")));
    manifest.metadata = { mutation: { digest: REPORT_DIGEST, score: 0.5, threshold: 0.94 } };
    files.set(".manifest", new TextEncoder().encode(JSON.stringify(manifest)));
    const bundle = writeTarGz([...files].map(([name, data]) => ({ name, data })));
    const security = await server.token("security", "sec-1");
    const activated = await server.call("POST", "/v1/policy/activate", {
      token: security,
      body: { bundle: Buffer.from(bundle).toString("base64") },
    });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    expect(activated.body.mutation).toEqual({ digest: REPORT_DIGEST, score: 0.5, threshold: 0.94 });
    const activation = server.ctx.policy.status().ledgerIndex;

    await mediate({
      runset: "rs-cc",
      agent: "coder",
      session: "s-low",
      tool: "read",
      capability: "repo.read",
      resource: "src/a.ts",
      args: {},
    });
    const { claims } = await publish("2.0.2", ["s-low"]);
    expect(claims["policy-mutation-score"]).toMatchObject({
      status: "unsupported",
      reason: "1 bundle activation(s) record a mutation score below the threshold (at least 0.94)",
      counterexamples: [activation],
    });
    expect((await server.call("POST", "/v1/policy/activate", { token: security, body: { default: true } })).status).toBe(200);
  });
});
