// RFC 8785 (JCS) text of a value on the append path, without the general serializer when it is not needed.
//
// RFC 8785 serializes primitives exactly as ECMAScript's JSON.stringify does (§3.2.2) and sorts object keys by UTF-16
// code units (§3.2.3). So for plain JSON data whose keys are already in that order, the native JSON.stringify writes
// the canonical text; for plain data with keys out of order, it does once those objects are copied with their keys
// sorted. Anything else (toJSON, boxed primitives, non-finite numbers, lone surrogates, integer-like keys V8 would list
// first, cycles) goes to the canonicalize library, which also throws where RFC 8785 has no text. The library had been
// ~15 % of the bytes a decision allocated and 5 % of the server's CPU; canonical-json.test.ts holds this to its output.
import canonicalize from "canonicalize";

/** Plain JSON data, every object's keys in RFC 8785 order: JSON.stringify is canonical. */
const SORTED = 0;
/** Plain JSON data, some keys out of order (none integer-like): a copy with those objects' keys sorted is canonical. */
const UNSORTED = 1;
/** Anything else: the general serializer. */
const OTHER = 2;
type Shape = typeof SORTED | typeof UNSORTED | typeof OTHER;

/** RFC 8785 text of `value`; throws where there is none (NaN, Infinity, lone surrogates, cycles, undefined). */
export function canonicalJson(value: unknown): string {
  const shape = shapeOf(value, 0);
  if (shape === SORTED) return JSON.stringify(value);
  if (shape === UNSORTED) return JSON.stringify(inOrder(value));
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("value is not representable as JSON");
  return text;
}

/** Deeper than any event nests; past it (or in a cycle) the general serializer decides. */
const MAX_DEPTH = 64;

function shapeOf(value: unknown, depth: number): Shape {
  switch (typeof value) {
    case "string":
      return value.isWellFormed() ? SORTED : OTHER;
    case "number":
      return Number.isFinite(value) ? SORTED : OTHER;
    case "boolean":
      return SORTED;
    case "object":
      break;
    default:
      return OTHER;
  }
  if (value === null) return SORTED;
  if (depth > MAX_DEPTH) return OTHER;
  let shape: Shape = SORTED;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      // An array's undefined (or hole) is "null" to both, but rare enough to leave to the library.
      if (value[i] === undefined) return OTHER;
      shape = Math.max(shape, shapeOf(value[i], depth + 1)) as Shape;
      if (shape === OTHER) return shape;
    }
    return shape;
  }
  const proto = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || "toJSON" in value) return OTHER;
  const keys = Object.keys(value);
  let ordered = true;
  let previous: string | undefined;
  for (const key of keys) {
    if (ordered && previous !== undefined && !(previous < key)) {
      // V8 lists integer-like keys first whatever the insertion order, so no copy can put them in RFC 8785 order.
      if (keys.some(isArrayIndex)) return OTHER;
      ordered = false;
      shape = Math.max(shape, UNSORTED) as Shape;
    }
    previous = key;
    const member = (value as Record<string, unknown>)[key];
    // An object member that is undefined is left out by both serializers.
    if (member !== undefined) shape = Math.max(shape, shapeOf(member, depth + 1)) as Shape;
    if (shape === OTHER) return shape;
  }
  return shape;
}

function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * Plain data only (shapeOf said UNSORTED): the value itself where its subtree is already in order, else a copy whose
 * objects list their keys in order. One walk, and subtrees in order are shared, not copied.
 */
function inOrder(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = inOrder(value[i]);
      if (item !== value[i]) (copy ??= value.slice())[i] = item;
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  let changed = false;
  let previous: string | undefined;
  const members = keys.map((key) => {
    if (previous !== undefined && !(previous < key)) changed = true;
    previous = key;
    const member = inOrder(object[key]);
    changed ||= member !== object[key];
    return { key, member };
  });
  if (!changed) return value;
  const copy: Record<string, unknown> = {};
  for (const { key, member } of members.sort((a, b) => (a.key < b.key ? -1 : 1))) {
    // Assigning "__proto__" would set the prototype; JSON.parse makes it a member, and so does this.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: member, enumerable: true, writable: true, configurable: true });
    else copy[key] = member;
  }
  return copy;
}
