import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { CopyQueryError, readCopyOut, simpleQuery } from "./copy-stdout.ts";

/** One backend message: type, int32 length (itself included), body. */
const msg = (type: string, body: Buffer | string = Buffer.alloc(0)) => {
  const b = typeof body === "string" ? Buffer.from(body, "latin1") : body;
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(4 + b.length, 1);
  return Buffer.concat([head, b]);
};
const start = msg("H", Buffer.from([1, 0, 0]));
const done = [msg("c"), msg("C", "COPY 2\0"), msg("Z", "I")];

describe("COPY TO STDOUT answers", () => {
  it("frames a simple query and refuses a NUL inside it", () => {
    expect([...simpleQuery("select 1")]).toEqual([0x51, 0, 0, 0, 13, ...Buffer.from("select 1"), 0]);
    expect(() => simpleQuery("select '\0'")).toThrow(/NUL/);
  });

  it("joins the CopyData messages in order and takes the row count from the command tag, past notices", () => {
    const answer = Buffer.concat([start, msg("d", "ab"), msg("N", "Snotice\0\0"), msg("d", "cde"), ...done]);
    const out = readCopyOut(answer);
    expect(Buffer.from(out.data).toString()).toBe("abcde");
    expect(out.rows).toBe(2);
    expect(readCopyOut(Buffer.concat([start, msg("c"), msg("C", "COPY 0\0"), msg("Z", "I")]))).toMatchObject({ rows: 0 });
  });

  it("throws PostgreSQL's error with its SQLSTATE", () => {
    const error = msg("E", "SERROR\0C22012\0Mdivision by zero\0\0");
    let thrown: unknown;
    try {
      readCopyOut(Buffer.concat([start, msg("d", "ab"), error, msg("Z", "E")]));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CopyQueryError);
    expect(thrown).toMatchObject({ code: "22012", message: "division by zero" });
  });

  it("refuses any other exchange: data outside a COPY, another tag, no end, bytes after the end, cut short", () => {
    expect(() => readCopyOut(Buffer.concat([msg("d", "ab"), ...done]))).toThrow(/CopyData outside a COPY/);
    expect(() => readCopyOut(Buffer.concat([start, msg("c"), msg("C", "SELECT 1\0"), msg("Z", "I")]))).toThrow(/command tag/);
    expect(() => readCopyOut(Buffer.concat([start, msg("d", "ab"), msg("c"), msg("C", "COPY 1\0")]))).toThrow(/no ReadyForQuery/);
    expect(() => readCopyOut(Buffer.concat([start, ...done, msg("Z", "I")]))).toThrow(/bytes after ReadyForQuery/);
    expect(() => readCopyOut(Buffer.concat([start, msg("Z", "I")]))).toThrow(/before the COPY completed/);
    expect(() => readCopyOut(Buffer.concat([start, msg("T", "x"), ...done]))).toThrow(/unexpected message "T"/);
    const whole = Buffer.concat([start, msg("d", "abc"), ...done]);
    expect(() => readCopyOut(whole.subarray(0, start.length + 6))).toThrow(/does not fit/);
    expect(() => readCopyOut(whole.subarray(0, start.length + 3))).toThrow(/cut short/);
  });
});
