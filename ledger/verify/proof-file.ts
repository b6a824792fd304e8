// Self-contained proof for one entry: a C2SP tlog-proof (https://c2sp.org/tlog-proof) whose `extra` carries the event.
//
//   c2sp.org/tlog-proof@v1
//   extra <base64 of {"format":"maestro-ledger-entry@v1","canonical":"<base64 event bytes>","signature":"<JWS>"}>
//   index <decimal>
//   <base64 audit path hash, leaf side first>...
//   <empty line>
//   <the checkpoint signed note, verbatim>
//
// Any tlog-proof reader can check inclusion of SHA-256(0x00 ‖ canonical); ours also checks the event.
import { itemAt } from "../../common/present.ts";
import { Buffer } from "node:buffer";
import type { JWK } from "jose";
import { MaestroError } from "../../common/errors.ts";
import { decodeHash, fromBase64, leafHash, toBase64, verifyInclusion } from "../core/index.ts";
import { type LedgerEvent, parseCanonicalEvent } from "../event/envelope.ts";
import { openCheckpoints } from "./checkpoint-set.ts";
import { checkEventSignature, eventKeySet } from "./event-signature.ts";

export const PROOF_HEADER = "c2sp.org/tlog-proof@v1";
const ENTRY_FORMAT = "maestro-ledger-entry@v1";

export interface ProofFile {
  index: number;
  hashes: Uint8Array[];
  /** The checkpoint signed note the audit path leads to. */
  checkpoint: string;
  entry: { canonical: Uint8Array; signature: string };
}

function bad(reason: string): never {
  throw new MaestroError("verification_failed", `proof file: ${reason}`, { details: { reason } });
}

export function formatProofFile(p: ProofFile): string {
  const extra = JSON.stringify({ format: ENTRY_FORMAT, canonical: toBase64(p.entry.canonical), signature: p.entry.signature });
  const lines = [PROOF_HEADER, `extra ${Buffer.from(extra, "utf8").toString("base64")}`, `index ${p.index}`, ...p.hashes.map(toBase64)];
  return `${lines.join("\n")}\n\n${p.checkpoint}`;
}

export function parseProofFile(text: string): ProofFile {
  const split = text.indexOf("\n\n");
  if (split < 0) bad("no empty line before the checkpoint");
  const lines = text.slice(0, split).split("\n");
  const checkpoint = text.slice(split + 2);
  if (lines[0] !== PROOF_HEADER) bad(`first line must be ${PROOF_HEADER}`);
  let at = 1;
  let extraText: string | undefined;
  const extraLine = lines[at];
  if (extraLine?.startsWith("extra ")) {
    extraText = extraLine.slice("extra ".length);
    at++;
  }
  const m = /^index (0|[1-9][0-9]*)$/.exec(lines[at++] ?? "");
  if (!m || !Number.isSafeInteger(Number(m[1]))) bad("missing or malformed index line");
  const hashes = lines.slice(at).map((l, i) => decodeHash(l, `hash ${i}`));
  if (extraText === undefined) bad("no extra line: a Maestro proof carries the event in it");
  let extra: { format?: unknown; canonical?: unknown; signature?: unknown };
  try {
    extra = JSON.parse(Buffer.from(fromBase64(extraText, "extra")).toString("utf8"));
  } catch {
    bad("extra is not base64 of a JSON object");
  }
  if (extra?.format !== ENTRY_FORMAT || typeof extra.canonical !== "string" || typeof extra.signature !== "string") {
    bad(`extra must be {"format":"${ENTRY_FORMAT}","canonical","signature"}`);
  }
  const canonical = fromBase64(extra.canonical, "extra.canonical");
  return { index: Number(m[1]), hashes, checkpoint, entry: { canonical, signature: extra.signature } };
}

export interface ProofFileResult {
  index: number;
  size: number;
  root: string;
  event: LedgerEvent;
  /** "verified" when event keys were given and the JWS verifies; "not_checked" without keys. */
  eventSignature: "verified" | "not_checked";
}

/** Checkpoint signature → inclusion of SHA-256(0x00 ‖ canonical) → canonical envelope → (event signature). */
export function verifyProofFile(text: string, keys: { checkpointKeys: string[]; eventKeys?: JWK[]; origin?: string }): ProofFileResult {
  const proof = parseProofFile(text);
  const opened = openCheckpoints([proof.checkpoint], keys.checkpointKeys, keys.origin);
  if ("problem" in opened) throw new MaestroError("signature_invalid", opened.problem.reason);
  const cp = itemAt(opened.checkpoints, 0, "opened checkpoints"); // one note in, one checkpoint out (or a problem)
  verifyInclusion({ leafHash: leafHash(proof.entry.canonical), index: proof.index, size: cp.size, proof: proof.hashes, root: cp.root });
  const event = parseCanonicalEvent(proof.entry.canonical);
  if (!keys.eventKeys) return { index: proof.index, size: cp.size, root: toBase64(cp.root), event, eventSignature: "not_checked" };
  const why = checkEventSignature(proof.entry.canonical, proof.entry.signature, eventKeySet(keys.eventKeys));
  if (why) throw new MaestroError("signature_invalid", `event signature: ${why}`);
  return { index: proof.index, size: cp.size, root: toBase64(cp.root), event, eventSignature: "verified" };
}
