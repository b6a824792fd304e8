import { itemAt } from "../../common/present.ts";
// Host implementations of the Rego builtins the shipped policies use that OPA's Wasm runtime does not compile in.
// OPA Wasm ABI: builtins missing from the module are listed by its `builtins()` export and dispatched to the
// host through `opa_builtin<N>` (https://www.openpolicyagent.org/docs/wasm#builtin-functions); the JS SDK
// looks them up in the `customBuiltins` map handed to `loadPolicy`. Today that is only time.parse_rfc3339_ns
// (glob.match, concat, json.marshal, sort, ... are native). The engine refuses any bundle that needs a
// builtin not in `CUSTOM_BUILTINS`, so a policy change cannot silently depend on an untested host function.

const NS_PER_SECOND = 1_000_000_000n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// Go's time.Parse(time.RFC3339, s) grammar (general parser, which also accepts what its fast path rejects):
// 4-digit year, 2-digit month/day/minute/second, 1- or 2-digit hour, optional "." or "," fraction of any
// length (only the first 9 digits count), then "Z" or ±hh:mm with hh <= 24 and mm <= 60. Case-sensitive.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : itemAt(DAYS_IN_MONTH, month - 1, "days in month");
}

// Days since 1970-01-01 in the proleptic Gregorian calendar (Hinnant's days_from_civil), valid for years 0-9999
// where JS Date.UTC would remap years 0-99.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Nanoseconds since the Unix epoch for an RFC 3339 timestamp, exactly as OPA's time.parse_rfc3339_ns computes
 * it (Go time.Parse + the int64 range check), or undefined where OPA raises an error.
 */
export function parseRfc3339Ns(value: unknown): bigint | undefined {
  if (typeof value !== "string") return undefined;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  // Groups 1-6 are not optional: a match has them all.
  const field = (group: number) => Number(itemAt(m, group, "RFC 3339 fields"));
  const [year, month, day, hour, minute, second] = [field(1), field(2), field(3), field(4), field(5), field(6)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetSeconds = 0;
  if (m[8] !== undefined) {
    const offHour = Number(m[9]);
    const offMinute = Number(m[10]);
    if (offHour > 24 || offMinute > 60) return undefined;
    offsetSeconds = (offHour * 60 + offMinute) * 60 * (m[8] === "-" ? -1 : 1);
  }
  const fraction = BigInt((m[7] ?? "").slice(0, 9).padEnd(9, "0"));
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  const ns = BigInt(seconds) * NS_PER_SECOND + fraction;
  return ns < INT64_MIN || ns > INT64_MAX ? undefined : ns;
}

const encoder = new TextEncoder();

/** A host builtin: JSON-decoded arguments in; a JSON value, raw JSON text (ArrayBuffer) or undefined out. */
export type CustomBuiltin = (...args: unknown[]) => unknown;

/**
 * The builtins handed to opa-wasm. An undefined return becomes Rego "undefined", matching `opa eval` where a
 * builtin error makes the expression undefined. Nanosecond values exceed 2^53, so they are returned as JSON
 * text (the SDK copies an ArrayBuffer verbatim into Wasm memory) instead of a lossy JS number.
 */
export const CUSTOM_BUILTINS: Readonly<Record<string, CustomBuiltin>> = Object.freeze({
  "time.parse_rfc3339_ns": (value: unknown) => {
    const ns = parseRfc3339Ns(value);
    return ns === undefined ? undefined : encoder.encode(ns.toString()).buffer;
  },
});
