// The COPY binary reader against hand-built buffers in PostgreSQL's documented layout, and against cut or foreign ones.
import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { CopyBinaryReader } from "./copy-binary.ts";

const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int8 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};
const header = (flags = 0, extension = Buffer.alloc(0)) =>
  Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), int32(flags), int32(extension.length), extension]);
/** A tuple: each field a byte string, or null for NULL. */
const tuple = (...fields: Array<Buffer | null>) =>
  Buffer.concat([int16(fields.length), ...fields.flatMap((f) => (f === null ? [int32(-1)] : [int32(f.length), f]))]);
const TRAILER = int16(-1);

describe("CopyBinaryReader", () => {
  it("reads bigint, bytea, UTF-8 text and NULL fields tuple by tuple, then stops at the trailer", () => {
    const data = Buffer.concat([
      header(0, Buffer.from("ext")),
      tuple(int8(7n), Buffer.from([0, 1, 255]), Buffer.from("é ✓", "utf8"), null),
      tuple(int8(2n ** 53n - 1n), Buffer.alloc(0), Buffer.alloc(0), Buffer.from("s")),
      TRAILER,
    ]);
    const rows = new CopyBinaryReader(data, 4);
    expect(rows.next()).toBe(true);
    expect(rows.int8(0)).toBe(7);
    expect([...rows.bytes(1)]).toEqual([0, 1, 255]);
    expect(rows.text(2)).toBe("é ✓");
    expect(rows.isNull(3)).toBe(true);
    expect(rows.textOrNull(3)).toBeNull();
    expect(() => rows.text(3)).toThrow(/field 3 is NULL/);
    expect(rows.next()).toBe(true);
    expect(rows.int8(0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(rows.bytes(1)).toEqual(new Uint8Array(0));
    expect(rows.text(2)).toBe("");
    expect(rows.textOrNull(3)).toBe("s");
    expect(rows.next()).toBe(false);
    expect(rows.next()).toBe(false);
  });

  it("reads bytea as a view of the page: exactly the field's bytes, nothing copied", () => {
    const data = Buffer.concat([header(), tuple(Buffer.from("abc")), tuple(Buffer.from("de")), TRAILER]);
    const rows = new CopyBinaryReader(data, 1);
    rows.next();
    const field = rows.bytes(0);
    expect(field.buffer).toBe(data.buffer);
    expect(Buffer.from(field).toString()).toBe("abc");
    rows.next();
    expect(Buffer.from(rows.bytes(0)).toString()).toBe("de");
  });

  it("refuses what is not its format: no signature, OIDs, another field count, a bigint of the wrong width", () => {
    expect(() => new CopyBinaryReader(Buffer.from("idx\tleaf\n"), 1)).toThrow(/no PGCOPY signature/);
    expect(() => new CopyBinaryReader(Buffer.concat([header(1 << 16), TRAILER]), 1)).toThrow(/OIDs/);
    const three = new CopyBinaryReader(Buffer.concat([header(), tuple(null, null, null), TRAILER]), 2);
    expect(() => three.next()).toThrow(/a tuple of 3 fields, expected 2/);
    const narrow = new CopyBinaryReader(Buffer.concat([header(), tuple(int32(5)), TRAILER]), 1);
    narrow.next();
    expect(() => narrow.int8(0)).toThrow(/4 bytes, not a bigint/);
    const huge = new CopyBinaryReader(Buffer.concat([header(), tuple(int8(2n ** 53n)), TRAILER]), 1);
    huge.next();
    expect(() => huge.int8(0)).toThrow(/beyond 2\^53/);
  });

  it("refuses data cut short anywhere and bytes after the trailer", () => {
    const whole = Buffer.concat([header(), tuple(int8(1n), Buffer.from("canonical")), TRAILER]);
    for (let cut = header().length; cut < whole.length; cut++) {
      const rows = new CopyBinaryReader(whole.subarray(0, cut), 2);
      expect(() => {
        while (rows.next());
      }, `cut at ${cut}`).toThrow(/ends inside|fields/);
    }
    expect(() => new CopyBinaryReader(whole.subarray(0, 12), 2)).toThrow(/no PGCOPY signature/);
    const extra = new CopyBinaryReader(Buffer.concat([whole, Buffer.from([0])]), 2);
    expect(() => {
      while (extra.next());
    }).toThrow(/1 bytes after the trailer/);
    const negative = new CopyBinaryReader(Buffer.concat([header(), int16(1), int32(-2), TRAILER]), 1);
    expect(() => negative.next()).toThrow(/field length -2/);
  });
});
