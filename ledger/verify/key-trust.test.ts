// Trust grows only along key.added events signed by trusted keys, and a retired key signs nothing later.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ed25519PublicRaw, formatVkey, leafHash, signCheckpoint } from "../core/index.ts";
import { canonicalBytes, type EventInput, stampEvent } from "../event/envelope.ts";
import { jwkThumbprint, keyAddedEvent, keyRetiredEvent } from "../event/key-events.ts";
import { CompactRange } from "./compact-range.ts";
import { ORIGIN } from "./test-log.ts";
import type { VerifyEntry, VerifyLogInput } from "./types.ts";
import { verifyLog } from "./verify-log.ts";

function newKey() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const x = String(publicKey.export({ format: "jwk" }).x);
  const kid = jwkThumbprint({ crv: "Ed25519", kty: "OKP", x });
  const jwk = { kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA", use: "sig" };
  return { kid, x, jwk, privateKey, publicKey, signer: { sign: async (canonical: Uint8Array) => detachedJws(kid, privateKey, canonical) } };
}

/** RFC 7515 compact JWS, EdDSA, with the payload detached (Appendix F), as the ledger signs events. */
function detachedJws(kid: string, privateKey: KeyObject, canonical: Uint8Array): string {
  const header = Buffer.from(JSON.stringify({ alg: "EdDSA", kid, typ: "maestro-event+jcs" })).toString("base64url");
  const input = Buffer.from(`${header}.${Buffer.from(canonical).toString("base64url")}`, "ascii");
  return `${header}..${sign(null, input, privateKey).toString("base64url")}`;
}
type Key = ReturnType<typeof newKey>;

const decision = (n: number): EventInput => ({
  kind: "decision",
  actor: { type: "agent", id: "a" },
  subject: { type: "decision", id: `d${n}` },
  payload: { n },
});

/** A log of the given events, each signed by the key named beside it. */
async function buildLog(items: Array<[EventInput, Key]>) {
  const entries: VerifyEntry[] = [];
  for (const [i, [input, key]] of items.entries()) {
    const canonical = canonicalBytes(stampEvent(input, new Date(Date.UTC(2026, 11, 3, 0, 0, i))));
    entries.push({ index: i, leafHash: leafHash(canonical), canonical, signature: await key.signer.sign(canonical) });
  }
  const rootAt = (n: number) => {
    const r = new CompactRange();
    for (const e of entries.slice(0, n)) r.append(e.leafHash);
    return r.root();
  };
  return { entries, rootAt };
}

const base = (entries: VerifyEntry[], anchors: Key[], over: Partial<VerifyLogInput> = {}): VerifyLogInput => ({
  entries,
  checkpoints: [],
  eventKeys: anchors.map((k) => k.jwk),
  checkpointKeys: [],
  workers: 0,
  batchSize: 2,
  ...over,
});

describe("key.added / key.retired", () => {
  it("a key introduced by a trusted key signs later entries; one that is not introduced signs nothing", async () => {
    const [k1, k2] = [newKey(), newKey()];
    const log = await buildLog([
      [decision(0), k1],
      [keyAddedEvent({ purpose: "event", kid: k2.kid, x: k2.x }), k1],
      [decision(2), k2],
      [decision(3), k2],
    ]);
    expect(await verifyLog(base(log.entries, [k1]))).toMatchObject({ ok: true, size: 4 });
    expect(await verifyLog(base(log.entries, [k1], { workers: 2, batchSize: 1 }))).toMatchObject({ ok: true, size: 4 });
    // The same entries without the introduction: k2 is unknown however many database rows name it.
    const bare = await buildLog([
      [decision(0), k1],
      [decision(1), k1],
      [decision(2), k2],
    ]);
    const res = await verifyLog(base(bare.entries, [k1]));
    expect(res).toMatchObject({ ok: false, index: 2, part: "signature" });
  });

  it("a key.added signed by an untrusted key introduces nothing", async () => {
    const [k1, evil] = [newKey(), newKey()];
    const log = await buildLog([
      [decision(0), k1],
      [keyAddedEvent({ purpose: "event", kid: evil.kid, x: evil.x }), evil],
      [decision(2), evil],
    ]);
    expect(await verifyLog(base(log.entries, [k1]))).toMatchObject({ ok: false, index: 1, part: "signature" });
  });

  it("a retired event key signs no entry after its retirement", async () => {
    const [k1, k2] = [newKey(), newKey()];
    const head: Array<[EventInput, Key]> = [
      [decision(0), k1],
      [keyAddedEvent({ purpose: "event", kid: k2.kid, x: k2.x }), k1],
      [keyRetiredEvent("event", k1.kid), k2],
    ];
    expect(await verifyLog(base((await buildLog([...head, [decision(3), k2]])).entries, [k1]))).toMatchObject({ ok: true });
    const late = await verifyLog(base((await buildLog([...head, [decision(3), k1]])).entries, [k1]));
    expect(late).toMatchObject({ ok: false, index: 3, part: "signature" });
  });

  it("a key.added whose kid is not its key's thumbprint is refused", async () => {
    const [k1, k2] = [newKey(), newKey()];
    const log = await buildLog([[keyAddedEvent({ purpose: "event", kid: k1.kid, x: k2.x }), k1]]);
    expect(await verifyLog(base(log.entries, [k1]))).toMatchObject({ ok: false, index: 0, part: "key" });
  });

  it("checkpoint keys: introduced ones verify checkpoints, retired ones only up to their retirement", async () => {
    const [k1, cp1, cp2] = [newKey(), newKey(), newKey()];
    const vkey = (k: Key) => formatVkey(ORIGIN, ed25519PublicRaw(k.privateKey));
    const log = await buildLog([
      [decision(0), k1],
      [keyAddedEvent({ purpose: "checkpoint", kid: cp2.kid, x: cp2.x, vkey: vkey(cp2) }), k1],
      [keyRetiredEvent("checkpoint", cp1.kid), k1],
      [decision(3), k1],
    ]);
    const cp = (k: Key, n: number) =>
      signCheckpoint({ origin: ORIGIN, size: n, rootHash: log.rootAt(n) }, { name: ORIGIN, privateKey: k.privateKey });
    const input = (checkpoints: string[]) => base(log.entries, [k1], { checkpoints, checkpointKeys: [vkey(cp1)] });
    expect(await verifyLog(input([cp(cp1, 1), cp(cp1, 3), cp(cp2, 4)]))).toMatchObject({ ok: true, checkpoints: 3 });
    // cp2 unknown without its key.added: a log whose first entry is not the introduction.
    const unknown = await verifyLog({ ...input([cp(cp2, 4)]), entries: log.entries.filter((e) => e.index !== 1) });
    expect(unknown).toMatchObject({ ok: false });
    const retired = await verifyLog(input([cp(cp1, 4)]));
    expect(retired).toMatchObject({ ok: false, part: "checkpoint", checkpoint: { position: 0 } });
    expect((retired as { reason: string }).reason).toMatch(/retired/);
  });
});
