// Integer helpers for tree-size arithmetic past 2^32 (JS bit operators truncate to 32 bits, so we divide).
import { MaestroError } from "../../common/errors.ts";

/** Throws bad_request unless `n` is a non-negative safe integer (sizes and indexes are < 2^53). */
export function assertIndex(n: unknown, field: string): asserts n is number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new MaestroError("bad_request", `${field} must be a non-negative safe integer`, {
      field,
      details: { value: String(n) },
    });
  }
}

/** 2^level, exact for level <= 53. */
export function pow2(level: number): number {
  return 2 ** level;
}

/** The largest power of two strictly less than n (n >= 2): the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The smallest power of two >= n (n >= 1). */
export function ceilPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** The largest power of two <= n (n >= 1). */
export function floorPow2(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** log2 of a power of two. */
export function log2Exact(p: number): number {
  let l = 0;
  while (p > 1) {
    p /= 2;
    l++;
  }
  return l;
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** n >> 1 without the 32-bit truncation of `>>`. */
export function half(n: number): number {
  return Math.floor(n / 2);
}
