// A minimal reader for the gzip'd tar archives OPA writes as bundles (ustar + PAX/GNU long names; regular files only).
// Format: POSIX.1-2001 ustar/pax (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html#tag_20_94_13).
// Bundles are untrusted input: sizes are capped, checksums checked, and anything but plain files is refused.
import { gunzipSync } from "node:zlib";
import { MaestroError } from "../../common/errors.ts";

const BLOCK = 512;
/** Upper bound on the unpacked archive: a policy bundle is a few MiB; this stops gzip bombs. */
export const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;

const decoder = new TextDecoder();

function invalid(message: string): MaestroError {
  return new MaestroError("policy_bundle_invalid", `policy bundle is not a valid tar.gz: ${message}`);
}

function text(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

// Numeric fields are NUL/space-terminated octal, or big-endian base-256 when the high bit of the first byte is set.
function numeric(block: Uint8Array, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  const lead = field[0] ?? 0;
  if (lead & 0x80) {
    let value = lead & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const digits = text(block, offset, length).trim();
  if (digits === "") return 0;
  if (!/^[0-7]+$/.test(digits)) throw invalid(`bad numeric field ${JSON.stringify(digits)}`);
  return Number.parseInt(digits, 8);
}

function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  block.forEach((byte, i) => (sum += i >= 148 && i < 156 ? 0x20 : byte));
  return sum === numeric(block, 148, 8);
}

// PAX extended header records: "<len> <key>=<value>\n".
function paxPath(data: Uint8Array): string | undefined {
  let path: string | undefined;
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    const len = Number.parseInt(decoder.decode(data.subarray(i, space)), 10);
    if (space === -1 || !Number.isInteger(len) || len <= 0) throw invalid("bad pax record");
    const record = decoder.decode(data.subarray(space + 1, i + len - 1));
    const eq = record.indexOf("=");
    if (record.slice(0, eq) === "path") path = record.slice(eq + 1);
    i += len;
  }
  return path;
}

/** Normalises an archive member name to the bundle path form OPA uses in signatures: no leading "/" or "./". */
export function normaliseName(name: string): string {
  const trimmed = name.replace(/^(\.\/|\/)+/, "");
  if (trimmed.split("/").some((part) => part === "..")) throw invalid(`path escapes the bundle: ${name}`);
  return trimmed;
}

/** Gunzips and unpacks a bundle; returns its regular files keyed by normalised path. */
export function readTarGz(bytes: Uint8Array): Map<string, Uint8Array> {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(bytes, { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (cause) {
    throw new MaestroError("policy_bundle_invalid", "policy bundle is not a valid tar.gz: gunzip failed", { cause });
  }
  const files = new Map<string, Uint8Array>();
  let pendingName: string | undefined;
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return files; // end-of-archive marker
    if (!checksumOk(header)) throw invalid(`header checksum mismatch at offset ${offset}`);
    const size = numeric(header, 124, 12);
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.length) throw invalid("truncated member");
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    const type = String.fromCharCode(header[156] || 0x30);
    const prefix = text(header, 345, 155);
    const name = pendingName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    if (type === "x") pendingName = paxPath(data);
    else if (type === "L") pendingName = text(data, 0, data.length);
    else if (type === "g" || type === "5") pendingName = undefined;
    else if (type === "0" || type === "7") {
      pendingName = undefined;
      const path = normaliseName(name);
      if (files.has(path)) throw invalid(`duplicate member ${path}`);
      files.set(path, data);
    } else throw invalid(`unsupported member type ${JSON.stringify(type)} for ${name}`);
  }
  if (offset === 0 && tar.length === 0) throw invalid("empty archive");
  return files;
}
