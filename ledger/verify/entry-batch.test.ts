import { describe, expect, it } from "vitest";
import { packEntries, unpackEntries } from "./entry-batch.ts";
import type { VerifyEntry } from "./types.ts";

const entry = (index: number, columns = true): VerifyEntry => ({
  index,
  leafHash: new Uint8Array(32).fill(index),
  canonical: new TextEncoder().encode(`{"id":"e${index}","note":"ünïcödé ✓ 𝄞"}`),
  signature: `eyJhbGciOiJFZERTQSJ9..sig${index}`,
  ...(columns ? { columns: { eventId: `e${index}`, kind: "decision", subject: index % 2 ? null : `decision:d${index} ✓` } } : {}),
});

describe("packed entry batches", () => {
  it("unpack to the entries packed: every field, NULL subjects, UTF-8, with and without columns", () => {
    const entries = [entry(0), entry(1), entry(2, false), { ...entry(3), canonical: new Uint8Array(0) }];
    const unpacked = unpackEntries(packEntries(entries));
    expect(unpacked.map((e) => ({ ...e, leafHash: [...e.leafHash], canonical: [...e.canonical] }))).toEqual(
      entries.map((e) => ({ ...e, leafHash: [...e.leafHash], canonical: [...e.canonical] })),
    );
    expect(unpacked[2]).not.toHaveProperty("columns");
    expect(unpackEntries(packEntries([]))).toEqual([]);
  });

  it("carry a field that is not what the type says as absent, for the checks to report", () => {
    const bad = { index: 7, leafHash: "not bytes", canonical: null, signature: 42 } as unknown as VerifyEntry;
    const [out] = unpackEntries(packEntries([bad]));
    expect(out).toEqual({ index: 7, leafHash: undefined, canonical: undefined, signature: undefined });
  });

  it("hand the worker views of one moved buffer, not copies", () => {
    const packed = packEntries([entry(0), entry(1)]);
    const [a, b] = unpackEntries(packed);
    expect(a!.canonical.buffer).toBe(packed);
    expect(b!.leafHash.buffer).toBe(packed);
  });

  it("refuse a buffer cut short or with bytes left over", () => {
    const packed = new Uint8Array(packEntries([entry(0), entry(1)]));
    const used = new DataView(packed.buffer).getUint32(4, true);
    expect(() => unpackEntries(packed.slice(0, used - 10).buffer)).toThrow(/shorter than its contents/);
    const lying = packed.slice();
    new DataView(lying.buffer).setUint32(0, 1, true); // says one entry, holds two
    expect(() => unpackEntries(lying.buffer)).toThrow(/bytes after the last entry/);
    const long = packed.slice();
    new DataView(long.buffer).setInt32(8 + 9, 1 << 30, true); // the first field's length runs past the end
    expect(() => unpackEntries(long.buffer)).toThrow(/runs past the end/);
    const negative = packed.slice();
    new DataView(negative.buffer).setInt32(8 + 9, -2, true); // only -1 means absent
    expect(() => unpackEntries(negative.buffer)).toThrow(/a field of length -2/);
  });
});
