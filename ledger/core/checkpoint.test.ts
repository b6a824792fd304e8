// Tests for C2SP tlog-checkpoint bodies: format, strict parsing, signing and verification.
import { describe, expect, it } from "vitest";
import { formatCheckpoint, parseCheckpoint, signCheckpoint, verifyCheckpoint } from "./checkpoint.ts";
import { EMPTY_ROOT, toBase64 } from "./hash.ts";
import { generateNoteKey, parseSignerKey, parseVkey } from "./note-keys.ts";
import { errorCode } from "./error-code.test-support.ts";

const code = errorCode;

const R = toBase64(EMPTY_ROOT);

describe("checkpoint body", () => {
  it("formats and parses", () => {
    const body = formatCheckpoint({ origin: "maestro.test/log", size: 7, rootHash: EMPTY_ROOT });
    expect(body).toBe(`maestro.test/log\n7\n${R}\n`);
    expect(parseCheckpoint(body)).toEqual({
      origin: "maestro.test/log",
      size: 7,
      rootHash: EMPTY_ROOT,
      extensions: [],
    });
    const ext = formatCheckpoint({ origin: "o", size: 0, rootHash: EMPTY_ROOT, extensions: ["— ext a", "b"] });
    expect(parseCheckpoint(ext).extensions).toEqual(["— ext a", "b"]);
  });

  it("parses strictly", () => {
    for (const bad of [
      `o\n7\n${R}`, // no final newline
      `o\n7\n`,
      `\n7\n${R}\n`,
      `o\n07\n${R}\n`,
      `o\n+7\n${R}\n`,
      `o\n7.0\n${R}\n`,
      `o\n 7\n${R}\n`,
      `o\n9007199254740992\n${R}\n`,
      `o\n7\n${R.slice(0, -4)}\n`,
      `o\n7\n${toBase64(new Uint8Array(33))}\n`,
      `o\n7\n${R}\n\n`, // empty extension line
    ]) {
      expect(
        code(() => parseCheckpoint(bad)),
        JSON.stringify(bad),
      ).toBe("bad_request");
    }
    expect(parseCheckpoint(`o\n0\n${R}\n`).size).toBe(0);
    expect(parseCheckpoint(`o\n9007199254740991\n${R}\n`).size).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("refuses to format bad fields", () => {
    expect(code(() => formatCheckpoint({ origin: "", size: 1, rootHash: EMPTY_ROOT }))).toBe("bad_request");
    expect(code(() => formatCheckpoint({ origin: "a\nb", size: 1, rootHash: EMPTY_ROOT }))).toBe("bad_request");
    expect(code(() => formatCheckpoint({ origin: "o", size: -1, rootHash: EMPTY_ROOT }))).toBe("bad_request");
    expect(code(() => formatCheckpoint({ origin: "o", size: 1, rootHash: new Uint8Array(31) }))).toBe("bad_request");
    expect(code(() => formatCheckpoint({ origin: "o", size: 1, rootHash: EMPTY_ROOT, extensions: [""] }))).toBe("bad_request");
  });
});

describe("signed checkpoints", () => {
  const { signerKey, vkey } = generateNoteKey("maestro.test/log");
  const signer = parseSignerKey(signerKey);
  const cp = { origin: "maestro.test/log", size: 12, rootHash: EMPTY_ROOT };

  it("sign then verify with a vkey string or a verifier", () => {
    const note = signCheckpoint(cp, signer);
    expect(verifyCheckpoint(note, vkey)).toEqual({ ...cp, extensions: [] });
    expect(verifyCheckpoint(note, parseVkey(vkey), "maestro.test/log").size).toBe(12);
  });

  it("rejects another key, a tampered size and a foreign origin", () => {
    const note = signCheckpoint(cp, signer);
    expect(code(() => verifyCheckpoint(note, generateNoteKey("maestro.test/log").vkey))).toBe("signature_invalid");
    expect(code(() => verifyCheckpoint(note.replace("\n12\n", "\n13\n"), vkey))).toBe("signature_invalid");
    expect(code(() => verifyCheckpoint(note, vkey, "other/log"))).toBe("verification_failed");
  });
});
