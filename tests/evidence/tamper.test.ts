// Flips one byte in each part of an exported evidence bundle: offline verification must catch each and name the part.
// Also runs the `maestro evidence export|verify` commands as an auditor would, with their exit codes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { flattenedVerify, importJWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { verifyEvidenceFile } from "../../evidence/index.ts";
import { verifyEvidence } from "../../evidence/verify/verify-evidence.ts";
import { webCryptoPlatform } from "../../evidence/verify/webcrypto-platform.ts";
import { publishedFixture, type PublishedFixture } from "./support.ts";
import { itemAt, present } from "../../common/present.ts";

type Path = Array<string | number>;

/** Replaces one ASCII character of the string at `path` with another of the same class, so the JSON stays valid. */
function flipByte(text: string, path: Path, at?: number): string {
  const doc = JSON.parse(text);
  let parent = doc;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = itemAt(path, path.length - 1, "path");
  const value = parent[last];
  if (typeof value !== "string") throw new Error(`${path.join(".")} is not a string`);
  const i = at ?? Math.floor(value.length / 2);
  const c = itemAt(value, i, path.join("."));
  const swap = /[0-9]/.test(c) ? (c === "1" ? "2" : "1") : /[A-Za-z]/.test(c) ? (c === "A" ? "B" : "A") : c === "+" ? "/" : "A";
  parent[last] = value.slice(0, i) + swap + value.slice(i + 1);
  const out = JSON.stringify(doc);
  const before = Buffer.from(text);
  const after = Buffer.from(out);
  let diff = 0;
  for (let k = 0; k < after.length; k++) if (after[k] !== before[k]) diff++;
  if (out.length !== text.length || diff !== 1) throw new Error(`flip at ${path.join(".")} changed ${diff} bytes`);
  return out;
}

describe("tampering with an exported evidence bundle", () => {
  let server: TestServer;
  let fixture: PublishedFixture;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer("embedded");
    fixture = await publishedFixture(server);
    dir = mkdtempSync(join(tmpdir(), "maestro-evidence-"));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await server.close().catch(() => {});
  });

  /** The console's verifier (the same code on WebCrypto, as "Verify in this browser" runs it) reports check for check alike. */
  async function expectSameOnWebCrypto(text: string, key: string, checks: unknown, name = "") {
    expect((await verifyEvidence(text, key, webCryptoPlatform)).checks, name).toEqual(checks);
  }

  it("verifies untouched", async () => {
    const result = await verifyEvidenceFile(fixture.exportText, fixture.jwks);
    expect(result.failedParts).toEqual([]);
    await expectSameOnWebCrypto(fixture.exportText, fixture.jwks, result.checks);
    await expectSameOnWebCrypto(fixture.exportText, fixture.vkey, (await verifyEvidenceFile(fixture.exportText, fixture.vkey)).checks);
  });

  it("checks the parts in the order of the auditor guide's table", async () => {
    const guide = readFileSync(new URL("../../docs/governance/auditor-guide.md", import.meta.url), "utf8");
    const table = guide.slice(guide.indexOf("| part | checked |"));
    const rows = table.slice(0, table.indexOf("\n\n")).split("\n").slice(2);
    const guideOrder = rows.flatMap((row) =>
      [...present(row.split("|")[1], "the guide table's part column").matchAll(/`([^`]+)`/g)].map((m) => m[1]),
    );
    const result = await verifyEvidenceFile(fixture.exportText, fixture.jwks);
    // The line that says every event held is the events[i] row's; without --witness there is no witness line.
    const reported = result.checks
      .filter((c) => c.part !== "key")
      .map((c) => (/^\d+ events: canonical bytes/.test(c.message) ? "events[i]" : c.part))
      .filter((part, i, all) => part !== all[i - 1]);
    expect(reported).toEqual(guideOrder.filter((part) => part !== "witness"));
  });

  it("catches one flipped byte in every part and names that part first", async () => {
    const doc = JSON.parse(fixture.exportText);
    const eventIdx = doc.events.length - 1;
    const checkpointRoot = doc.checkpoint.split("\n")[0].length + doc.checkpoint.split("\n")[1].length + 2 + 10;
    const cases: Array<[string, Path, string, number?]> = [
      ["format", ["format"], "format", 3],
      ["exportedAt", ["exportedAt"], "exportSignature", 3],
      ["release", ["release", "version"], "release", 0],
      ["keys (JWKS)", ["keys", "jwks", "keys", 0, "x"], "keys"],
      ["keys (vkey)", ["keys", "vkey"], "keys", doc.keys.vkey.length - 10],
      ["checkpoint", ["checkpoint"], "checkpoint", checkpointRoot],
      ["latestCheckpoint", ["latestCheckpoint"], "latestCheckpoint", doc.latestCheckpoint.length - 20],
      ["consistency", ["consistency", "evidenceToCheckpoint", "hashes", 0], "consistency"],
      ["event bytes", ["events", 2, "canonical"], "events[2]"],
      ["event signature", ["events", 0, "signature"], "events[0]", doc.events[0].signature.length - 10],
      ["event proof", ["events", eventIdx, "proof", 0], `events[${eventIdx}]`],
      ["bundle signature", ["safetyCase", "bundle", "dsseEnvelope", "signatures", 0, "sig"], "safetyCase.bundle", 10],
      ["bundle payload", ["safetyCase", "bundle", "dsseEnvelope", "payload"], "safetyCase.bundle"],
      ["safety case", ["safetyCase", "document", "nodes", 0, "statement"], "safetyCase.document", 0],
      ["sbom", ["sbom", "components", 0, "name"], "sbom", 0],
      ["waivers", ["waivers", 0, "state"], "waivers", 0],
      ["holds", ["holds", 0, "id"], "holds", 0],
      ["breakglass", ["breakglass", 0, "state"], "breakglass", 0],
      ["exportSignature", ["exportSignature"], "exportSignature", doc.exportSignature.length - 10],
    ];
    for (const [name, path, part, at] of cases) {
      const tampered = flipByte(fixture.exportText, path, at);
      const result = await verifyEvidenceFile(tampered, fixture.jwks);
      expect(result.ok, name).toBe(false);
      expect(result.failedParts[0], `${name}: ${JSON.stringify(result.failedParts)}`).toBe(part);
      await expectSameOnWebCrypto(tampered, fixture.jwks, result.checks, name);
    }
  });

  it("an event whose signature fails supports no claim: the release half is checked again without it, reported once", async () => {
    const doc = JSON.parse(fixture.exportText);
    // Well-formed JWS of another event: only the Ed25519 check, which finishes last on the pool, can catch it.
    [doc.events[0].signature, doc.events[1].signature] = [doc.events[1].signature, doc.events[0].signature];
    const result = await verifyEvidenceFile(JSON.stringify(doc), fixture.jwks);
    expect(result.failedParts.slice(0, 2)).toEqual(["events[0]", "events[1]"]);
    await expectSameOnWebCrypto(JSON.stringify(doc), fixture.jwks, result.checks);
    expect(result.checks.filter((c) => c.part === "safetyCase.bundle")).toHaveLength(1);
    expect(result.checks.find((c) => c.part === "events[0]")?.message).toMatch(/does not verify/);
    expect(result.stats.events).toBe(doc.events.length - 2);
  });

  it("names the part when a member has the wrong type instead of failing with a JavaScript error", async () => {
    const doc = JSON.parse(fixture.exportText);
    doc.events = { "0": doc.events[0] };
    const result = await verifyEvidenceFile(JSON.stringify(doc), fixture.jwks);
    expect(result.ok).toBe(false);
    expect(result.checks.find((c) => c.part === "events" && !c.ok)?.message).toMatch(/^schema: events must be an array/);
  });

  it("the export signature verifies with jose, as the auditor guide says (our verifier uses node:crypto)", async () => {
    const marker = fixture.exportText.lastIndexOf(',"exportSignature":');
    const signed = Buffer.from(`${fixture.exportText.slice(0, marker)}}`);
    const jws = (JSON.parse(fixture.exportText).exportSignature as string).split(".");
    const [header, signature] = [itemAt(jws, 0, "JWS parts"), itemAt(jws, 2, "JWS parts")];
    const kid = JSON.parse(Buffer.from(header, "base64url").toString("utf8")).kid;
    const jwk = JSON.parse(fixture.jwks).keys.find((k: { kid: string }) => k.kid === kid);
    const key = await importJWK(jwk, "EdDSA");
    await expect(flattenedVerify({ protected: header, payload: signed.toString("base64url"), signature }, key)).resolves.toBeDefined();
    signed[10] = itemAt(signed, 10, "signed bytes") ^ 1;
    await expect(flattenedVerify({ protected: header, payload: signed.toString("base64url"), signature }, key)).rejects.toThrow();
  });

  it("pinning the vkey also catches a swapped event key", async () => {
    const result = await verifyEvidenceFile(flipByte(fixture.exportText, ["keys", "jwks", "keys", 0, "x"]), fixture.vkey);
    expect(result.failedParts[0]).toBe("keys");
  });

  it("runs as `maestro evidence verify` offline: exit 0 when intact, exit 1 naming the part when not", () => {
    const file = join(dir, "release.evidence.json");
    const key = join(dir, "jwks.json");
    writeFileSync(file, fixture.exportText);
    writeFileSync(key, fixture.jwks);
    const ok = spawnSync(process.execPath, ["cli/main.ts", "evidence", "verify", file, "--key", key], { encoding: "utf8" });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("verified:");
    writeFileSync(file, flipByte(fixture.exportText, ["sbom", "components", 0, "name"], 0));
    const bad = spawnSync(process.execPath, ["cli/main.ts", "evidence", "verify", file, "--key", key], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("does not verify: sbom");
    const usage = spawnSync(process.execPath, ["cli/main.ts", "evidence", "verify", file], { encoding: "utf8" });
    expect(usage.status).toBe(2);
  });

  it("runs as `maestro evidence export` on the store and the file verifies", async () => {
    await server.ctx.close();
    const file = join(dir, "exported.json");
    const key = join(dir, "vkey");
    writeFileSync(key, fixture.vkey);
    const run = spawnSync(
      process.execPath,
      ["cli/main.ts", "evidence", "export", fixture.releaseId, "-o", file, "--data-dir", server.ctx.config.dataDir],
      {
        encoding: "utf8",
        env: { ...process.env, DATABASE_URL: "" },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const result = await verifyEvidenceFile(readFileSync(file, "utf8"), fixture.vkey);
    expect(result.failedParts).toEqual([]);
  });
});
