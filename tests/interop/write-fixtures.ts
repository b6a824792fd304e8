// Writes what third-party Go tools check (tests/interop/*_test.go) into one folder: a published release's Sigstore bundle,
// SBOM and evidence export, the signing keys, every stored checkpoint and the C2SP tiles, all read from a real server.
// Usage: node tests/interop/write-fixtures.ts OUT_DIR
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { entriesPath, tilePath, TILE_HEIGHT, tileWidth } from "../../ledger/core/index.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const out = process.argv[2] ?? "";
if (!out) {
  process.stderr.write("usage: node tests/interop/write-fixtures.ts OUT_DIR\n");
  process.exit(2);
}

/** Events appended after the release, with checkpoints along the way: three level-0 tiles, a level-1 tile, several consistency proofs. */
const FILLER = 700;

function write(name: string, data: string | Uint8Array): void {
  const file = join(out, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

async function ok(server: TestServer, method: string, path: string, token: string, body?: unknown): Promise<any> {
  const res = await server.call(method, path, { token, body });
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A release of one real artifact file (so cosign can check the in-toto subject against it), published through the mediator. */
async function publishRelease(server: TestServer, artifact: Buffer): Promise<string> {
  await server.registerRunset(
    {
      name: "rs-interop",
      budget_cap_usd: 1,
      grants: [
        { agent: "coder", capability: "repo.read", resource: "src/**" },
        { agent: "sec-1", capability: "release.publish", resource: "acme/api@*", approval: "none" },
      ],
    },
    "sec-1",
  );
  const agent = await server.token("agent", "coder");
  const security = await server.token("security", "sec-1");
  const call = {
    runset: "rs-interop",
    agent: "coder",
    session: "s-1",
    tool: "read",
    capability: "repo.read",
    resource: "src/a.ts",
    args: {},
  };
  await ok(server, "POST", "/v1/mediate", agent, call);
  await ok(server, "POST", "/v1/releases", security, {
    id: "api-1.0.0",
    repository: "acme/api",
    version: "1.0.0",
    artifacts: [{ name: "acme-api-1.0.0.tgz", digest: { sha256: createHash("sha256").update(artifact).digest("hex") } }],
    sessions: ["s-1"],
    runsets: [],
    sbom: { packageLock: JSON.parse(readFileSync("package-lock.json", "utf8")) },
  });
  await ok(server, "POST", "/v1/releases/api-1.0.0/publish", security);
  return "api-1.0.0";
}

/** Every hash tile and entry bundle of a tree of `size`, read as a tile client would: tokenless, with MAESTRO_PUBLIC_LOG on. */
async function writeTiles(server: TestServer, size: number): Promise<void> {
  const paths: string[] = [];
  for (let level = 0; size >= 2 ** (TILE_HEIGHT * level); level++) {
    for (let index = 0; tileWidth(level, index, size) > 0; index++) {
      const width = tileWidth(level, index, size);
      paths.push(tilePath(level, index, width < 256 ? width : undefined));
      if (level === 0) paths.push(entriesPath(index, width < 256 ? width : undefined));
    }
  }
  for (const path of paths) {
    const res = await server.app.request(`/tlog/${path}`);
    if (res.status !== 200) throw new Error(`GET /tlog/${path} answered ${res.status}`);
    write(`tlog/${path}`, new Uint8Array(await res.arrayBuffer()));
  }
}

const server = await startTestServer("embedded", { publicLog: true });
try {
  const { writer, checkpointer, reader } = server.ctx.ledger;
  const artifact = Buffer.from("the release artifact the in-toto statement names\n");
  write("artifact.tgz", artifact);
  const releaseId = await publishRelease(server, artifact);
  await checkpointer.issue();
  const actor = { type: "user" as const, id: "aud-1", role: "auditor" };
  for (let i = 0; i < FILLER; i++) {
    // Filler of a kind no projection folds: only the log's size matters here.
    await writer.append({ kind: "test.filler", actor, subject: { type: "test", id: `f-${i}` }, payload: { n: i } });
    if (i === 300 || i === 511) await checkpointer.issue();
  }
  const latest = await checkpointer.issue();

  const auditor = await server.token("auditor", "aud-1");
  const sigstore = await server.app.request(`/v1/releases/${releaseId}/safety-case?format=sigstore`, {
    headers: { authorization: `Bearer ${auditor}` },
  });
  write("sigstore-bundle.json", await sigstore.text());
  write(
    "sbom.cdx.json",
    await (await server.app.request(`/v1/releases/${releaseId}/sbom`, { headers: { authorization: `Bearer ${auditor}` } })).text(),
  );
  write(
    "evidence-export.json",
    await (await server.app.request(`/v1/releases/${releaseId}/bundle`, { headers: { authorization: `Bearer ${auditor}` } })).text(),
  );
  write("event-key.pem", server.ctx.ledger.keyring.event.publicKey.export({ type: "spki", format: "pem" }).toString());
  write("jwks.json", JSON.stringify(await (await server.app.request("/.well-known/jwks.json")).json()));
  write("checkpoint.vkey", `${await (await server.app.request("/v1/ledger/key")).text()}\n`);
  for (const cp of await reader.checkpoints()) write(`checkpoints/${cp.size}.note`, cp.note);
  write("tlog/checkpoint", await (await server.app.request("/tlog/checkpoint")).text());
  await writeTiles(server, latest.size);
  write("manifest.json", JSON.stringify({ origin: server.ctx.ledger.origin, treeSize: latest.size, artifact: "artifact.tgz" }, null, 2));
  process.stdout.write(`wrote interop fixtures for a tree of ${latest.size} entries to ${out}\n`);
} finally {
  await server.close();
}
