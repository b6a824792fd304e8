// Tests for C2SP signed notes: key formats, key IDs, round trips and rejection of bad notes.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openNote, signNote } from "./note.ts";
import { errorCode } from "./error-code.test-support.ts";
import { ed25519PublicRaw, formatSignerKey, formatVkey, generateNoteKey, noteKeyId, parseSignerKey, parseVkey } from "./note-keys.ts";
import { itemAt, present } from "../../common/present.ts";

const VECTOR_VKEY = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
// The signer key from the Go x/mod/sumdb/note documentation, with its published vkey.
const GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_NOTE =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

const code = errorCode;

describe("keys", () => {
  it("the vector vkey parses and its key ID matches the hash of name and key", () => {
    const v = parseVkey(VECTOR_VKEY);
    expect(v.name).toBe("example.com/log/testdata");
    expect(v.keyId).toBe(0x33d7b496);
    const pub = Buffer.from("AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx", "base64").subarray(1);
    expect(noteKeyId(v.name, pub)).toBe(0x33d7b496);
    expect(formatVkey(v.name, pub)).toBe(VECTOR_VKEY);
  });

  it("the Go reference signer key gives its published vkey and opens its published note", () => {
    const s = parseSignerKey(GO_SKEY);
    expect(s.vkey).toBe(GO_VKEY);
    expect(formatSignerKey(s)).toBe(GO_SKEY);
    expect(openNote(GO_NOTE, [parseVkey(GO_VKEY)]).text).toBe(GO_NOTE.slice(0, GO_NOTE.indexOf("\n\n") + 1));
    expect(signNote(openNote(GO_NOTE, [parseVkey(GO_VKEY)]).text, s)).toBe(GO_NOTE); // Ed25519 is deterministic
  });

  it("generated keys round trip", () => {
    const { signerKey, vkey } = generateNoteKey("maestro.test/log");
    const s = parseSignerKey(signerKey);
    expect(s.vkey).toBe(vkey);
    expect(formatVkey(s.name, ed25519PublicRaw(s.privateKey))).toBe(vkey);
  });

  it("rejects bad names and malformed keys", () => {
    const pub = ed25519PublicRaw(generateKeyPairSync("ed25519").publicKey);
    for (const name of ["", "a b", "a+b", "tab\there", "nbsp\u00a0x"])
      expect(
        code(() => formatVkey(name, pub)),
        name,
      ).toBe("bad_request");
    const [n, id, key] = VECTOR_VKEY.split("+");
    const k = present(key, "the vector vkey's key");
    for (const bad of [
      `${n}+${id}`,
      `${n}+33D7B496+${k}`,
      `${n}+33d7b497+${k}`,
      `other+${id}+${k}`,
      `${n}+${id}+${k.slice(0, -4)}`,
      `${n}+${id}+A${k.slice(1)}`,
      `${n}+${id}+${k}+x`,
    ]) {
      expect(
        code(() => parseVkey(bad)),
        bad,
      ).toBe("bad_request");
    }
    expect(code(() => parseSignerKey(GO_SKEY.replace("PRIVATE+KEY+", "")))).toBe("bad_request");
    expect(code(() => parseSignerKey(GO_SKEY.replace("c74f20a3", "c74f20a4")))).toBe("bad_request");
  });
});

describe("notes", () => {
  const { signerKey, vkey } = generateNoteKey("maestro.test/log");
  const signer = parseSignerKey(signerKey);
  const verifier = parseVkey(vkey);
  const text = "maestro.test/log\n42\nAAAA\n";
  const note = signNote(text, signer);

  it("round trips", () => {
    expect(note.startsWith(`${text}\n\u2014 maestro.test/log `)).toBe(true);
    const opened = openNote(note, [verifier]);
    expect(opened.text).toBe(text);
    expect(opened.sigs).toHaveLength(1);
    expect(itemAt(opened.sigs, 0, "signatures").keyId).toBe(verifier.keyId);
    expect(openNote(new TextEncoder().encode(note), [verifier]).text).toBe(text);
  });

  it("keeps other keys' signatures as unverified and ignores repeats", () => {
    const other = parseSignerKey(generateNoteKey("witness.test").signerKey);
    const extra = signNote(text, other).slice(text.length + 1);
    const two = note + extra + extra;
    const opened = openNote(two, [verifier]);
    expect(opened.sigs).toHaveLength(1);
    expect(opened.unverifiedSigs.map((s) => s.name)).toEqual(["witness.test"]);
    expect(openNote(two + note.slice(text.length + 1), [verifier]).sigs).toHaveLength(1);
  });

  it("rejects tampered text and signatures", () => {
    expect(code(() => openNote(note.replace("42", "43"), [verifier]))).toBe("signature_invalid");
    const sigLine = note.slice(text.length + 1);
    const b64 = present(sigLine.split(" ")[2], "the signature line's signature").trim();
    const raw = Buffer.from(b64, "base64");
    raw[10] = itemAt(raw, 10, "signature bytes") ^ 1;
    expect(code(() => openNote(note.replace(b64, raw.toString("base64")), [verifier]))).toBe("signature_invalid");
  });

  it("rejects a note signed by an unknown key", () => {
    const stranger = parseVkey(generateNoteKey("maestro.test/log").vkey);
    expect(code(() => openNote(note, [stranger]))).toBe("signature_invalid");
    expect(code(() => openNote(note, []))).toBe("signature_invalid");
  });

  it("rejects malformed notes", () => {
    const sig = note.slice(text.length + 1);
    for (const bad of [
      text, // no signature block
      `${text}\n`, // empty signature block
      note.slice(0, -1), // no final newline
      `${text}\n${sig.replace("\u2014 ", "- ")}`, // not an em dash
      `${text}\n${sig.replace(" ", "  ")}`,
      `${text}\n${sig.replace(/ [^ ]+\n$/, " \n")}`, // empty signature
      `${text}\n${sig.replace(/ [^ ]+\n$/, " AAAA\n")}`, // too short for key ID + sig
      `${text}\n${sig.replace(/ [^ ]+\n$/, " !!!!\n")}`, // not base64
      `ctl\u0001${note}`, // control character
    ]) {
      expect(
        code(() => openNote(bad, [verifier])),
        JSON.stringify(bad),
      ).toBe("bad_request");
    }
    expect(code(() => openNote(Uint8Array.of(0xff, 10, 10), [verifier]))).toBe("bad_request");
    expect(code(() => signNote("no newline", signer))).toBe("bad_request");
  });
});
