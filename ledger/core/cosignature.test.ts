// Tests for C2SP tlog-cosignature/v1, cosigned notes and the tlog-witness wire formats.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { formatCheckpoint } from "./checkpoint.ts";
import { countWitnesses, mergeSignatureLines, splitNote } from "./cosigned-note.ts";
import { cosignedMessage, formatCosignerVkey, parseCosignerVkey, signCosignature, verifyCosignature } from "./cosignature.ts";
import { signNote } from "./note.ts";
import { ed25519PublicRaw, formatVkey, openNote, parseVkey } from "./index.ts";
import { formatAddCheckpoint, parseConflictSize, parseCosignatureLines } from "./witness-protocol.ts";
import { errorCode } from "./error-code.test-support.ts";
import { present } from "../../common/present.ts";

function witness(name: string) {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { name, privateKey, vkey: formatCosignerVkey(name, ed25519PublicRaw(privateKey)) };
}

const log = generateKeyPairSync("ed25519").privateKey;
const body = formatCheckpoint({ origin: "example.test/log", size: 3, rootHash: new Uint8Array(32).fill(7) });
const note = signNote(body, { name: "example.test/log", privateKey: log });

const code = errorCode;

describe("cosignature/v1", () => {
  it("signs the header, time line and body, and verifies with the witness vkey", () => {
    const w = witness("witness.test/w1");
    const line = signCosignature(body, w, 1679315147);
    const check = verifyCosignature(body, line, parseCosignerVkey(w.vkey));
    expect(check?.timestamp).toBe(1679315147);
    expect(cosignedMessage(body, 1679315147).toString()).toBe(`cosignature/v1\ntime 1679315147\n${body}`);
  });

  it("uses type byte 0x04, so a log vkey of the same key is a different key", () => {
    const w = witness("witness.test/w1");
    expect(Buffer.from(present(w.vkey.split("+")[2], "the vkey's key"), "base64")[0]).toBe(4);
    const logForm = formatVkey("witness.test/w1", ed25519PublicRaw(w.privateKey));
    expect(code(() => parseCosignerVkey(logForm))).toBe("bad_request");
    expect(code(() => parseVkey(w.vkey))).toBe("bad_request");
  });

  it("ignores another key's line and refuses a bad signature under the witness's key ID", () => {
    const [w1, w2] = [witness("witness.test/w1"), witness("witness.test/w2")];
    const line = signCosignature(body, w2, 5);
    expect(verifyCosignature(body, line, parseCosignerVkey(w1.vkey))).toBeNull();
    const other = formatCheckpoint({ origin: "example.test/log", size: 4, rootHash: new Uint8Array(32).fill(7) });
    expect(code(() => verifyCosignature(other, line, parseCosignerVkey(w2.vkey)))).toBe("signature_invalid");
    // Same name, another key: the key ID differs, so the line is someone else's and is not counted.
    const impostor = { ...witness("witness.test/w1") };
    expect(verifyCosignature(body, signCosignature(body, impostor, 5), parseCosignerVkey(w1.vkey))).toBeNull();
  });

  it("refuses a vkey whose key ID does not match", () => {
    const w = witness("witness.test/w1");
    const [n, , k] = w.vkey.split("+");
    expect(code(() => parseCosignerVkey(`${n}+00000000+${k}`))).toBe("bad_request");
  });
});

describe("cosigned notes", () => {
  it("merges witness lines once and the log signature still opens", () => {
    const w = witness("witness.test/w1");
    const line = signCosignature(body, w, 9);
    const merged = mergeSignatureLines(mergeSignatureLines(note, [line]), [line]);
    expect(splitNote(merged).lines).toHaveLength(2);
    expect(openNote(merged, [parseVkey(formatVkey("example.test/log", ed25519PublicRaw(log)))]).unverifiedSigs).toHaveLength(1);
  });

  it("counts distinct witnesses against the quorum", () => {
    const [w1, w2, w3] = [witness("w.test/1"), witness("w.test/2"), witness("w.test/3")];
    const cosigners = [w1, w2, w3].map((w) => parseCosignerVkey(w.vkey));
    const one = mergeSignatureLines(note, [signCosignature(body, w1, 1), signCosignature(body, w1, 2)]);
    expect(countWitnesses(one, cosigners, 2)).toMatchObject({ witnessed: false });
    expect(countWitnesses(one, cosigners, 1).valid[0]?.timestamp).toBe(2);
    const two = mergeSignatureLines(one, [signCosignature(body, w3, 1)]);
    expect(countWitnesses(two, cosigners, 2).witnessed).toBe(true);
    expect(code(() => countWitnesses(two, cosigners, 4))).toBe("invalid_field");
    expect(code(() => countWitnesses(two, cosigners, 0))).toBe("invalid_field");
  });
});

describe("tlog-witness wire formats", () => {
  it("formats add-checkpoint bodies as the spec shows", () => {
    expect(formatAddCheckpoint(0, [], note)).toBe(`old 0\n\n${note}`);
    const h = new Uint8Array(32).fill(1);
    expect(formatAddCheckpoint(2, [h], note)).toBe(`old 2\n${Buffer.from(h).toString("base64")}\n\n${note}`);
    expect(code(() => formatAddCheckpoint(0, [h], note))).toBe("bad_request");
    expect(code(() => formatAddCheckpoint(1, Array(64).fill(h), note))).toBe("bad_request");
  });

  it("parses a 409 size strictly and 200 lines", () => {
    expect(parseConflictSize("20852014\n")).toBe(20852014);
    for (const b of ["012\n", "12", "-1\n", "1 \n", ""]) expect(code(() => parseConflictSize(b))).toBe("bad_request");
    expect(parseCosignatureLines("\u2014 a b\n\u2014 c d\n")).toEqual(["\u2014 a b", "\u2014 c d"]);
    expect(code(() => parseCosignatureLines("hello\n"))).toBe("bad_request");
    expect(code(() => parseCosignatureLines(""))).toBe("bad_request");
  });
});
