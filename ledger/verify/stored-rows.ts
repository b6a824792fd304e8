// Rows stored beside signed material, recomputed from it: checkpoint rows from their notes, cosignature rows from their lines, key rows from their keys.
//
// The server picks the latest checkpoint and serves /v1/ledger/checkpoints from `size` and `root`, and finds a key by
// `kid`, without opening the signed text each time; so each such column must say what the signed text says.
import { formatVkey, parseCheckpoint, parseCosignerVkey, splitNote, toBase64, verifyCosignature } from "../core/index.ts";
import { jwkThumbprint } from "../event/key-events.ts";
import type { RowMismatch, VerifyProblem } from "./types.ts";

export interface CheckpointRow {
  id: number;
  size: number;
  root: Uint8Array;
  /** The log's own signed note (without witness lines). */
  note: string;
}

export interface CosignatureRow {
  checkpointId: number;
  /** The witness's vkey. */
  witness: string;
  line: string;
  signedAt: number;
}

export interface KeyRow {
  kid: string;
  purpose: string;
  publicJwk: string;
  vkey: string | null;
}

export interface StoredRows {
  checkpoints: CheckpointRow[];
  cosignatures: CosignatureRow[];
  keys: KeyRow[];
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function mismatch(row: RowMismatch, why?: string): VerifyProblem {
  const said = why ?? `is ${JSON.stringify(row.stored)}, but the signed text says ${JSON.stringify(row.expected)}`;
  return { ok: false, part: "column", row, reason: `${row.table}.${row.column} (${row.key}) ${said}` };
}

/**
 * Checks every row against the signed text it was derived from. The checkpoint notes must already have been opened
 * with trusted keys (verifyLog does that first); `keyPurposes` are the purposes ledgered `key.added` events give.
 */
export function checkStoredRows(rows: StoredRows, keyPurposes: ReadonlyMap<string, string> = new Map()): VerifyProblem | null {
  return checkCheckpointRows(rows.checkpoints) ?? checkCosignatureRows(rows) ?? checkKeyRows(rows.keys, keyPurposes);
}

function checkCheckpointRows(rows: CheckpointRow[]): VerifyProblem | null {
  for (const row of rows) {
    const key = `id=${row.id}`;
    let body;
    try {
      body = parseCheckpoint(splitNote(row.note).body);
    } catch (err) {
      return mismatch({ table: "ledger_checkpoints", key, column: "note", stored: row.note, expected: "a C2SP checkpoint" }, message(err));
    }
    if (body.size !== row.size) {
      return mismatch({ table: "ledger_checkpoints", key, column: "size", stored: String(row.size), expected: String(body.size) });
    }
    if (toBase64(body.rootHash) !== toBase64(row.root)) {
      return mismatch({ table: "ledger_checkpoints", key, column: "root", stored: toBase64(row.root), expected: toBase64(body.rootHash) });
    }
  }
  return null;
}

/** Each line must be a valid cosignature by the row's witness over the row's checkpoint, at the row's time. */
function checkCosignatureRows(rows: StoredRows): VerifyProblem | null {
  const notes = new Map(rows.checkpoints.map((c) => [c.id, c.note]));
  for (const row of rows.cosignatures) {
    const key = `checkpoint_id=${row.checkpointId}, witness=${row.witness}`;
    const at = (column: string, stored: string, expected: string, why?: string) =>
      mismatch({ table: "ledger_cosignatures", key, column, stored, expected }, why);
    const note = notes.get(row.checkpointId);
    if (note === undefined)
      return at("checkpoint_id", String(row.checkpointId), "the id of a stored checkpoint", "names no stored checkpoint");
    let witness;
    try {
      witness = parseCosignerVkey(row.witness);
    } catch (err) {
      return at("witness", row.witness, "a witness vkey", `is not a witness vkey: ${message(err)}`);
    }
    let check;
    try {
      check = verifyCosignature(splitNote(note).body, row.line, witness);
    } catch (err) {
      return at("line", row.line, "a valid cosignature of the checkpoint", `does not verify: ${message(err)}`);
    }
    if (!check) {
      // Not this witness's line: a line in its name was altered; one in another name belongs to another witness.
      const named = row.line.split(" ")[1] === row.witness.slice(0, row.witness.indexOf("+"));
      return named
        ? at("line", row.line, `a cosignature by ${row.witness}`, "is not a valid cosignature line of the row's witness")
        : at("witness", row.witness, "the key that made the line", "is not the key that made the line");
    }
    if (check.timestamp !== row.signedAt) return at("signed_at", String(row.signedAt), String(check.timestamp));
  }
  return null;
}

function checkKeyRows(rows: KeyRow[], keyPurposes: ReadonlyMap<string, string>): VerifyProblem | null {
  for (const row of rows) {
    const at = (column: string, stored: string, expected: string, why?: string) =>
      mismatch({ table: "signing_keys", key: `kid=${row.kid}`, column, stored, expected }, why);
    let jwk: { crv?: unknown; kty?: unknown; x?: unknown; kid?: unknown };
    try {
      jwk = JSON.parse(row.publicJwk) as typeof jwk;
    } catch {
      return at("public_jwk", row.publicJwk, "an Ed25519 public JWK", "is not JSON");
    }
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") {
      return at("public_jwk", row.publicJwk, "an Ed25519 public JWK", "is not an Ed25519 public JWK");
    }
    const kid = jwkThumbprint(jwk);
    if (row.kid !== kid) return at("kid", row.kid, kid, `is not the RFC 7638 thumbprint of public_jwk (${kid})`);
    if (jwk.kid !== undefined && jwk.kid !== kid) return at("public_jwk", String(jwk.kid), kid, "names another kid");
    const ledgered = keyPurposes.get(kid);
    if (ledgered !== undefined && ledgered !== row.purpose) {
      return at(
        "purpose",
        row.purpose,
        ledgered,
        `is ${JSON.stringify(row.purpose)}, but the key.added event says ${JSON.stringify(ledgered)}`,
      );
    }
    if (row.purpose === "checkpoint" || row.vkey !== null) {
      const name = row.vkey?.slice(0, Math.max(0, row.vkey.indexOf("+"))) ?? "";
      let expected: string;
      try {
        expected = formatVkey(name, new Uint8Array(Buffer.from(jwk.x, "base64url")));
      } catch {
        expected = "a signed-note vkey of public_jwk";
      }
      if (row.vkey !== expected) return at("vkey", String(row.vkey), expected, "is not the signed-note vkey of public_jwk");
    }
  }
  return null;
}
