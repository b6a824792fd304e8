// The bundle tar reader: plain and long names, and refusal of anything that is not a plain, well-formed file.
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readTarGz } from "./tar.ts";
import { writeTarGz } from "./test-helpers.ts";
import { itemAt } from "../../common/present.ts";

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

describe("readTarGz", () => {
  it("reads files, normalising leading slashes", () => {
    const files = readTarGz(
      writeTarGz([
        { name: "/data.json", data: "{}" },
        { name: "dir/", type: "5" },
        { name: "./a/b.rego", data: "x" },
      ]),
    );
    expect([...files.keys()]).toEqual(["data.json", "a/b.rego"]);
    expect(text(files.get("data.json"))).toBe("{}");
  });

  it("reads PAX long names and multi-block files", () => {
    const long = `/${"d/".repeat(80)}policy.rego`;
    const big = "x".repeat(1500);
    const files = readTarGz(writeTarGz([{ name: long, data: big }]));
    expect(text(files.get(long.slice(1)))).toBe(big);
  });

  it("reads GNU long names", () => {
    const long = "n".repeat(150);
    const files = readTarGz(
      writeTarGz([
        { name: "././@LongLink", type: "L", data: `${long}\0` },
        { name: "short", data: "1" },
      ]),
    );
    expect(text(files.get(long))).toBe("1");
  });

  it.each([
    ["symlinks", [{ name: "link", type: "2", linkname: "/etc/passwd" }]],
    ["path traversal", [{ name: "../escape", data: "x" }]],
    [
      "duplicates",
      [
        { name: "/a", data: "1" },
        { name: "a", data: "2" },
      ],
    ],
  ])("refuses %s", (_label, entries) => {
    expect(() => readTarGz(writeTarGz(entries))).toThrow(expect.objectContaining({ code: "policy_bundle_invalid" }));
  });

  it("refuses corrupt headers, truncation and non-gzip input", () => {
    const raw = Buffer.from(writeTarGz([{ name: "a", data: "hello" }]));
    const tar = Buffer.from(gunzipSync(raw));
    tar[0] = itemAt(tar, 0, "tar bytes") ^ 1;
    expect(() => readTarGz(gzipSync(tar))).toThrow(/checksum/);
    expect(() => readTarGz(gzipSync(Buffer.from(gunzipSync(raw)).subarray(0, 514)))).toThrow(/truncated/);
    expect(() => readTarGz(new TextEncoder().encode("not gzip"))).toThrow(/gunzip/);
  });
});
