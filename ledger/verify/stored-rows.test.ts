// Stored checkpoint, cosignature and key rows are recomputed from their signed text: each edited column is named.
import { generateKeyPairSync } from "node:crypto";
import { calculateJwkThumbprint, exportJWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { ed25519PublicRaw, formatCosignerVkey, formatVkey, signCosignature, splitNote, toBase64 } from "../core/index.ts";
import { checkStoredRows, type StoredRows } from "./stored-rows.ts";
import { buildTestLog, ORIGIN } from "./test-log.ts";
import { itemAt } from "../../common/present.ts";

let rows: StoredRows;

beforeAll(async () => {
  const log = await buildTestLog(5);
  const note = log.checkpointAt(5);
  const { privateKey } = generateKeyPairSync("ed25519");
  const witness = { name: "witness.test/w1", privateKey };
  const cpKey = generateKeyPairSync("ed25519");
  const cpJwk = await exportJWK(cpKey.publicKey);
  const cpKid = await calculateJwkThumbprint(cpJwk);
  rows = {
    checkpoints: [{ id: 1, size: 5, root: log.rootAt(5), note }],
    cosignatures: [
      {
        checkpointId: 1,
        witness: formatCosignerVkey(witness.name, ed25519PublicRaw(privateKey)),
        line: signCosignature(splitNote(note).body, witness, 1_790_000_000),
        signedAt: 1_790_000_000,
      },
    ],
    keys: [
      { kid: log.kid, purpose: "event", publicJwk: JSON.stringify(log.eventKeys[0]), vkey: null },
      {
        kid: cpKid,
        purpose: "checkpoint",
        publicJwk: JSON.stringify({ ...cpJwk, kid: cpKid }),
        vkey: formatVkey(ORIGIN, ed25519PublicRaw(cpKey.privateKey)),
      },
    ],
  };
});

/** A copy of the rows with one field of one row changed. */
function edit<T extends keyof StoredRows>(table: T, at: number, change: Partial<StoredRows[T][number]>): StoredRows {
  return { ...rows, [table]: rows[table].map((r, i) => (i === at ? { ...r, ...change } : r)) };
}

describe("checkStoredRows", () => {
  it("passes rows that say what their signed text says", () => {
    expect(checkStoredRows(rows)).toBeNull();
  });

  it("names a checkpoint row whose size or root is not its note's", () => {
    expect(checkStoredRows(edit("checkpoints", 0, { size: 4 }))).toMatchObject({
      part: "column",
      row: { table: "ledger_checkpoints", key: "id=1", column: "size", stored: "4", expected: "5" },
    });
    const zero = new Uint8Array(32);
    expect(checkStoredRows(edit("checkpoints", 0, { root: zero }))).toMatchObject({
      row: {
        table: "ledger_checkpoints",
        column: "root",
        stored: toBase64(zero),
        expected: toBase64(itemAt(rows.checkpoints, 0, "checkpoint rows").root),
      },
    });
  });

  it("names a cosignature row whose line, witness, time or checkpoint was changed", () => {
    const other = formatCosignerVkey("witness.test/w2", ed25519PublicRaw(generateKeyPairSync("ed25519").privateKey));
    const line = itemAt(rows.cosignatures, 0, "cosignature rows").line;
    const forged = line.slice(0, -4) + (line.at(-4) === "A" ? "B" : "A") + line.slice(-3);
    const cases: Array<[Partial<StoredRows["cosignatures"][number]>, string]> = [
      [{ signedAt: 1_790_000_001 }, "signed_at"],
      [{ witness: other }, "witness"],
      [{ line: forged }, "line"],
      [{ checkpointId: 2 }, "checkpoint_id"],
    ];
    for (const [change, column] of cases) {
      expect(checkStoredRows(edit("cosignatures", 0, change))).toMatchObject({ row: { table: "ledger_cosignatures", column } });
    }
  });

  it("names a key row whose kid, public key, vkey or ledgered purpose does not match", () => {
    expect(checkStoredRows(edit("keys", 0, { kid: "another" }))).toMatchObject({
      row: { table: "signing_keys", key: "kid=another", column: "kid", expected: itemAt(rows.keys, 0, "key rows").kid },
    });
    const otherVkey = formatVkey(ORIGIN, ed25519PublicRaw(generateKeyPairSync("ed25519").privateKey));
    expect(checkStoredRows(edit("keys", 1, { vkey: otherVkey }))).toMatchObject({ row: { column: "vkey", stored: otherVkey } });
    expect(checkStoredRows(edit("keys", 1, { vkey: null }))).toMatchObject({ row: { column: "vkey" } });
    expect(checkStoredRows(edit("keys", 0, { publicJwk: "{" }))).toMatchObject({ row: { column: "public_jwk" } });
    const purposes = new Map([[itemAt(rows.keys, 0, "key rows").kid, "event"]]);
    expect(checkStoredRows(rows, purposes)).toBeNull();
    expect(checkStoredRows(edit("keys", 0, { purpose: "token" }), purposes)).toMatchObject({
      row: { column: "purpose", stored: "token", expected: "event" },
    });
  });
});
