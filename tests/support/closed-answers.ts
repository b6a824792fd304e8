// A closed copy of a response schema, for the exchange check only: every object the document describes field by field
// refuses a field it does not list, so a server that adds a field to an answer without documenting it fails the test.
//
// Why here and not `additionalProperties: false` in schemas/**: the published document stays open for extension
// (a field added to an answer later is a compatible change for clients that validate with it, as API guidelines ask:
// Zalando's "treat OpenAPI specification as open for extension by default"), and schemas/** are shared with what the
// server and the offline verifier accept (requests through common/ajv.ts, signed documents through evidence/formats),
// whose behaviour closing them would change. Our own test suite is the one client that must not tolerate drift.
//
// A schema that says `additionalProperties` (or `unevaluatedProperties`, `patternProperties`) at some level keeps what
// it says there: `"additionalProperties": true` marks an object open on purpose (a format that is someone else's,
// such as CycloneDX or OpenAPI itself).

type Schema = Record<string, unknown>;

const isSchema = (node: unknown): node is Schema => node !== null && typeof node === "object" && !Array.isArray(node);

/** Keywords whose subschemas describe the same instance as their parent: they must not be closed on their own. */
const IN_PLACE_LISTS = ["allOf", "anyOf", "oneOf"] as const;
const IN_PLACE_ONE = ["then", "else"] as const;
/** Keywords whose subschemas describe other instances (members, items): each is closed in its own right. */
const MEMBER_MAPS = ["properties", "patternProperties"] as const;
const MEMBER_ONE = ["items", "additionalProperties", "unevaluatedProperties", "unevaluatedItems"] as const;
const SAYS_OPEN_OR_CLOSED = ["additionalProperties", "unevaluatedProperties", "patternProperties"];

/**
 * The copy of `schema` (dereferenced: openapi-backend inlines every $ref) with `unevaluatedProperties: false` on each
 * object it describes field by field. unevaluatedProperties, not additionalProperties: it sees the fields that allOf,
 * oneOf and friends declare (JSON Schema 2020-12 §11.3), so `allOf: [subscription, {secret}]` stays satisfiable.
 * `not`, `if`, `contains` and `propertyNames` are kept as they are: closing inside them would change what they mean.
 */
export function closedAnswer(schema: unknown): unknown {
  return close(schema, true, { alone: new WeakMap(), part: new WeakMap() });
}

/** The copies made so far, one per schema object and role: a dereferenced document shares one object between uses. */
interface Copies {
  alone: WeakMap<object, unknown>;
  part: WeakMap<object, unknown>;
}

function close(node: unknown, standsAlone: boolean, copies: Copies): unknown {
  if (Array.isArray(node)) return node.map((n) => close(n, standsAlone, copies));
  if (!isSchema(node)) return node;
  const seen = standsAlone ? copies.alone : copies.part;
  const done = seen.get(node);
  if (done !== undefined) return done;
  const out: Schema = { ...node };
  seen.set(node, out); // before recursing: a schema that contains itself gets a copy that contains itself
  // An object described by its fields, or by the parts of an allOf, is closed here, where the whole of it is known;
  // a part of an allOf (or a branch whose parent lists fields too) is not: the parent closes it with what it adds.
  const closesHere = standsAlone && ("properties" in node || "allOf" in node) && !SAYS_OPEN_OR_CLOSED.some((k) => k in node);
  const partsStandAlone = !("properties" in node || "allOf" in node);
  for (const key of IN_PLACE_LISTS) {
    const parts = node[key];
    if (Array.isArray(parts)) out[key] = parts.map((p) => close(p, key !== "allOf" && partsStandAlone, copies));
  }
  for (const key of IN_PLACE_ONE) if (key in node) out[key] = close(node[key], false, copies);
  if (isSchema(node.dependentSchemas)) {
    out.dependentSchemas = Object.fromEntries(Object.entries(node.dependentSchemas).map(([name, s]) => [name, close(s, false, copies)]));
  }
  for (const key of MEMBER_MAPS) {
    const members = node[key];
    if (isSchema(members)) out[key] = Object.fromEntries(Object.entries(members).map(([name, s]) => [name, close(s, true, copies)]));
  }
  for (const key of MEMBER_ONE) if (isSchema(node[key])) out[key] = close(node[key], true, copies);
  if (Array.isArray(node.prefixItems)) out.prefixItems = node.prefixItems.map((s) => close(s, true, copies));
  if (closesHere) out.unevaluatedProperties = false;
  return out;
}
