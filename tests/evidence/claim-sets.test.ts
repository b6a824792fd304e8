// Evidence exports stay verifiable when the claim set grows: an export signed with claim set 1 (a committed fixture made
// by the old code) still verifies, a new one names its set under the signature, and no signed case can drop a claim.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { signStatement, verifyEvidenceFile, type SafetyCaseDocument, type SafetyCaseStatement } from "../../evidence/index.ts";
import { verifyEvidence } from "../../evidence/verify/verify-evidence.ts";
import { webCryptoPlatform } from "../../evidence/verify/webcrypto-platform.ts";
import { publishedFixture, type PublishedFixture } from "./support.ts";

const OLD = new URL("../fixtures/evidence-claim-set-1/", import.meta.url);
const old = (name: string) => readFileSync(new URL(name, OLD), "utf8");
const claimsCheck = (result: { checks: Array<{ part: string; ok: boolean; message: string }> }) =>
  result.checks.find((c) => c.part === "safetyCase.claims");

describe("an evidence export signed with claim set 1, before claim sets had versions", () => {
  it("still verifies offline with either pin, on Node and in a browser's WebCrypto, as claim set 1", async () => {
    const text = old("export.json");
    expect(JSON.parse(text).safetyCase.document.claimSet).toBeUndefined();
    for (const key of [old("jwks.json"), old("checkpoint.vkey")]) {
      const result = await verifyEvidenceFile(text, key);
      expect(result.failedParts).toEqual([]);
      expect(claimsCheck(result)?.message).toMatch(/^every claim of claim set 1 \(signed before claim sets were named\), all 7,/);
      expect(result.claims.map((c) => c.claim)).toEqual([
        "release-acceptable",
        "mediated",
        "denies-respected",
        "breakglass-reviewed",
        "tests-passed",
        "sbom-present",
        "no-active-hold",
        "policy-known",
      ]);
      expect((await verifyEvidence(text, key, webCryptoPlatform)).checks).toEqual(result.checks);
    }
  });
});

describe("an auditor who requires a newer claim set than an export argues", () => {
  const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [MAIN, "evidence", "verify", ...args]).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it("fails the claims step, naming the claims the older set lacks; the same set or an older one passes", async () => {
    const text = old("export.json");
    const strict = await verifyEvidenceFile(text, old("jwks.json"), { minClaimSet: 2 });
    expect(strict.ok).toBe(false);
    expect(strict.failedParts).toEqual(["safetyCase.claims"]);
    expect(claimsCheck(strict)?.message).toBe(
      "the safety case argues claim set 1, older than the required 2: it does not argue no-unwaived-secret, licences-compatible, policy-mutation-score",
    );
    expect(strict.claimSet).toBe(1);
    const lenient = await verifyEvidenceFile(text, old("jwks.json"), { minClaimSet: 1 });
    expect(lenient.failedParts).toEqual([]);
    expect(lenient.claimSet).toBe(1);
    // The browser's verifier is the same code: it refuses the same way.
    expect((await verifyEvidence(text, old("jwks.json"), webCryptoPlatform, { minClaimSet: 2 })).checks).toEqual(strict.checks);
  });

  it("maestro evidence verify --min-claim-set exits 1 naming the part, and refuses a set it does not know", async () => {
    const file = fileURLToPath(new URL("export.json", OLD));
    const key = fileURLToPath(new URL("jwks.json", OLD));
    const refused = await cli(file, "--key", key, "--min-claim-set", "2", "--json");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("maestro: evidence does not verify: safetyCase.claims\n");
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, claimSet: 1 });
    expect((await cli(file, "--key", key, "--min-claim-set", "1")).code).toBe(0);
    for (const bad of ["0", "3", "two", "1.5", ""]) {
      const usage = await cli(file, "--key", key, "--min-claim-set", bad);
      expect(usage.code, bad).toBe(2);
      expect(usage.stderr).toBe(
        `maestro: --min-claim-set must be one of 1, 2 (the claim sets this maestro knows), not ${JSON.stringify(bad)}\n`,
      );
    }
  });
});

describe.each(STORE_KINDS)("the claim set of a new evidence export (%s store)", (kind) => {
  let server: TestServer;
  let fixture: PublishedFixture;
  let doc: any;
  let statement: SafetyCaseStatement;

  beforeAll(async () => {
    server = await startTestServer(kind);
    fixture = await publishedFixture(server);
    doc = JSON.parse(fixture.exportText);
    statement = JSON.parse(Buffer.from(doc.safetyCase.bundle.dsseEnvelope.payload, "base64").toString("utf8"));
  });
  afterAll(() => server.close());

  /** The export with its statement replaced by `change` of it, signed again with the server's own event key. */
  async function resigned(change: (c: SafetyCaseDocument) => SafetyCaseDocument): Promise<string> {
    const edited = structuredClone(statement);
    edited.predicate.safetyCase = change(edited.predicate.safetyCase);
    const { bundle } = await signStatement(edited, server.ctx.ledger.keyring.event);
    return JSON.stringify({ ...doc, safetyCase: { bundle, document: edited.predicate.safetyCase } });
  }

  it("names claim set 2 inside the signed statement and verifies all ten claims of it", async () => {
    expect(statement.predicate.safetyCase.claimSet).toBe(2);
    expect(doc.safetyCase.document.claimSet).toBe(2);
    const result = await verifyEvidenceFile(fixture.exportText, fixture.jwks);
    expect(result.failedParts).toEqual([]);
    expect(claimsCheck(result)?.message).toMatch(/^every claim of claim set 2, all 10,/);
  });

  it("a claim set changed after signing fails: in the readable case, and in the signed payload", async () => {
    const readable = structuredClone(doc);
    readable.safetyCase.document.claimSet = 1;
    expect((await verifyEvidenceFile(JSON.stringify(readable), fixture.jwks)).failedParts[0]).toBe("safetyCase.document");

    const payload = structuredClone(doc);
    const text = Buffer.from(payload.safetyCase.bundle.dsseEnvelope.payload, "base64").toString("utf8");
    expect(text).toContain('"claimSet":2');
    payload.safetyCase.bundle.dsseEnvelope.payload = Buffer.from(text.replace('"claimSet":2', '"claimSet":1')).toString("base64");
    expect((await verifyEvidenceFile(JSON.stringify(payload), fixture.jwks)).failedParts[0]).toBe("safetyCase.bundle");
  });

  it("a case signed with a claim dropped, a version it does not know, or no version is refused with the reason", async () => {
    const dropLicences = (c: SafetyCaseDocument): SafetyCaseDocument => {
      const goal = c.nodes.find((n) => n.claim === "licences-compatible")!;
      const gone = new Set([goal.id, goal.id.replace(/^G/, "Sn")]);
      return { ...c, nodes: c.nodes.filter((n) => !gone.has(n.id)), links: c.links.filter((l) => !gone.has(l.from) && !gone.has(l.to)) };
    };
    const cases: Array<[string, (c: SafetyCaseDocument) => SafetyCaseDocument, string]> = [
      ["claim dropped", dropLicences, "the safety case names claim set 2 but omits licences-compatible"],
      ["unknown version", (c) => ({ ...c, claimSet: 3 }), "claim set 3 is unknown to this verifier (it knows 1, 2): use a newer maestro"],
      [
        "version and a claim dropped",
        (c) => {
          const { claimSet: _, ...rest } = dropLicences(c);
          return rest as SafetyCaseDocument;
        },
        "the safety case names no claim set and argues neither claim set 1 nor 2",
      ],
    ];
    for (const [name, change, message] of cases) {
      const result = await verifyEvidenceFile(await resigned(change), fixture.jwks);
      expect(result.ok, name).toBe(false);
      // The signature holds (same key); the case is refused for what it argues.
      expect(result.checks.find((c) => c.part === "safetyCase.bundle")?.ok, name).toBe(true);
      expect(claimsCheck(result), name).toMatchObject({ ok: false, message: expect.stringContaining(message) });
    }
  });
});
