// C2SP signed-note (https://c2sp.org/signed-note): signing a text and opening a signed note.

import { Buffer } from "node:buffer";
import { sign } from "node:crypto";
import { MaestroError } from "../../common/errors.ts";
import { fromBase64, toBase64 } from "./hash.ts";
import type { NoteSigner, NoteVerifier } from "./note-keys.ts";
import { checkName, ed25519PublicRaw, isValidKeyName, keyIdHex, noteKeyId } from "./note-keys.ts";

const SIG_PREFIX = "\u2014 "; // em dash, space
const MAX_SIGNATURES = 100; // same bound as the Go reference: avoid unbounded work on hostile notes

export interface NoteSignature {
  name: string;
  keyId: number;
  base64: string;
}

export interface OpenedNote {
  text: string;
  sigs: NoteSignature[];
  unverifiedSigs: NoteSignature[];
}

function bad(reason: string, field = "note"): never {
  throw new MaestroError("bad_request", reason, { field, details: { reason } });
}

/** text + "\n" + "— name base64(keyID || sig)\n"; the signed message is the text, final newline included. */
export function signNote(text: string, signer: NoteSigner): string {
  checkName(signer.name);
  if (!text.endsWith("\n")) bad("note text must end in a newline", "text");
  checkText(text);
  const msg = Buffer.from(text, "utf8");
  const sig = sign(null, msg, signer.privateKey);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(noteKeyId(signer.name, ed25519PublicRaw(signer.privateKey)));
  return `${text}\n${SIG_PREFIX}${signer.name} ${toBase64(Buffer.concat([id, sig]))}\n`;
}

/** Valid UTF-8 with no control characters other than newline (signed-note "Format"). */
function checkText(text: string): void {
  if (!text.isWellFormed()) bad("note is not valid UTF-8");
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) bad("note contains a control character other than newline");
  }
}

/**
 * Splits at the last blank line, verifies the signatures of known keys and keeps the others as
 * unverified. A known key with a bad signature fails outright, as does a note no known key signed.
 */
export function openNote(note: string | Uint8Array, verifiers: NoteVerifier[]): OpenedNote {
  const str = typeof note === "string" ? note : decodeUtf8(note);
  checkText(str);
  const split = str.lastIndexOf("\n\n");
  if (split < 0) bad("malformed note: no blank line before the signatures");
  const text = str.slice(0, split + 1);
  const block = str.slice(split + 2);
  if (block.length === 0 || !block.endsWith("\n")) bad("malformed note: signature block must end in a newline");
  const out: OpenedNote = { text, sigs: [], unverifiedSigs: [] };
  const seen = new Set<string>();
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) bad("malformed note: too many signatures");
  const msg = Buffer.from(text, "utf8");
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) bad("malformed note: signature line must start with an em dash and a space");
    const rest = line.slice(SIG_PREFIX.length);
    const sp = rest.indexOf(" ");
    const name = sp < 0 ? rest : rest.slice(0, sp);
    const b64 = sp < 0 ? "" : rest.slice(sp + 1);
    if (!isValidKeyName(name) || b64 === "") bad("malformed note: bad signature line");
    const raw = fromBase64(b64, "note");
    if (raw.length < 5) bad("malformed note: signature too short");
    const sig: NoteSignature = { name, keyId: Buffer.from(raw).readUInt32BE(0), base64: b64 };
    const key = `${name}\n${sig.keyId}`;
    const v = verifiers.find((x) => x.name === name && x.keyId === sig.keyId);
    if (!v) {
      if (!out.unverifiedSigs.some((s) => s.name === name && s.base64 === b64)) out.unverifiedSigs.push(sig);
      continue;
    }
    if (seen.has(key)) continue; // repeated signatures by one key count once
    seen.add(key);
    if (!v.verify(msg, raw.subarray(4))) {
      throw new MaestroError("signature_invalid", `invalid signature by ${name}+${keyIdHex(sig.keyId)}`, {
        details: { name, keyId: keyIdHex(sig.keyId) },
      });
    }
    out.sigs.push(sig);
  }
  if (out.sigs.length === 0) {
    throw new MaestroError("signature_invalid", "note has no signature from a known key", {
      details: { unverified: out.unverifiedSigs.map((s) => `${s.name}+${keyIdHex(s.keyId)}`) },
    });
  }
  return out;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    bad("note is not valid UTF-8");
  }
}
