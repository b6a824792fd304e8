// A seeded, bounded fuzzer over every write route that takes a JSON body (found in the OpenAPI document, which reads
// the route table and schemas/): each body is a well-formed seed with one fault — a required member missing, an
// unknown member, a wrong type, a huge string, 65-deep nesting, a NUL, a lone surrogate, a __proto__ key or a number
// out of range. No answer may be a 5xx; a 400 or 413 names its field; the server is healthy after.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ruleFor } from "../../server/auth/route-roles.ts";
import { bodyLimitOf } from "../../server/http/route.ts";
import type { Role } from "../../server/auth/roles.ts";
import { openApiDocument } from "../../server/http/openapi.ts";
import { MEDIATE_BODY, writeBodies } from "../support/write-bodies.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { itemAt, present } from "../../common/present.ts";

const SEED = 1414;
const RUNS = 2_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

const FAULTS = ["missing", "extra", "wrongType", "huge", "tooLarge", "deep", "nul", "surrogate", "proto", "outOfRange"] as const;
type Fault = (typeof FAULTS)[number];
/** Faults the schema or the boundary must refuse, whatever the route: a 400 (413 for tooLarge), never anything else. */
const ALWAYS_REFUSED = new Set<Fault>(["missing", "extra", "wrongType", "tooLarge", "deep", "nul", "surrogate", "proto"]);

/** Write routes whose JSON body has a schema of its own, as `:param` paths (the route table's spelling). */
function writeRoutes(): string[] {
  const paths = openApiDocument().paths as Record<
    string,
    { post?: { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } } }
  >;
  return Object.entries(paths)
    .filter(([, ops]) => ops.post?.requestBody?.content["application/json"]?.schema.$ref !== undefined)
    .map(([path]) => path.replace(/\{(\w+)\}/g, ":$1"));
}

function leaves(value: Json, path: Path = []): Array<{ path: Path; value: Json }> {
  if (value === null || typeof value !== "object") return [{ path, value }];
  const entries: Array<[string | number, Json]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const inner = entries.flatMap(([k, v]) => leaves(v, [...path, k]));
  return path.length === 0 ? inner : [{ path, value }, ...inner];
}

function setAt(body: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const copy = structuredClone(body) as Record<string | number, Json>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[itemAt(path, path.length - 1, "path")] = value;
  return copy as Json;
}

const nested = (depth: number): Json => (depth === 0 ? 1 : { a: nested(depth - 1) });
const otherType = (v: Json): Json =>
  typeof v === "string" ? 7 : typeof v === "number" || typeof v === "boolean" ? "7" : Array.isArray(v) ? "x" : v === null ? "x" : [1];

/** The body's JSON text with one fault; `pick` chooses where, `text` is random material. */
function faulty(fault: Fault, seed: Record<string, Json>, required: string[], pick: number, text: string, maxBody: number): string {
  const all = leaves(seed);
  const strings = all.filter((l) => typeof l.value === "string");
  const numbers = all.filter((l) => typeof l.value === "number");
  const at = <T>(list: T[]): T | undefined => (list.length === 0 ? undefined : list[pick % list.length]);
  switch (fault) {
    case "missing": {
      const key = at(required) ?? Object.keys(seed)[0];
      if (key === undefined) return JSON.stringify({ ["unexpected" + text.length]: 1 });
      const { [key]: _, ...rest } = seed;
      return JSON.stringify(rest);
    }
    case "extra":
      return JSON.stringify({ ...seed, [`zz_${text.replace(/\W/g, "")}`]: text });
    case "wrongType": {
      const member = at(Object.entries(seed));
      return JSON.stringify(member === undefined ? [seed] : { ...seed, [member[0]]: otherType(member[1]) });
    }
    case "huge": {
      const leaf = at(strings);
      const big = "x".repeat(100_000 + (pick % 50_000));
      return JSON.stringify(leaf ? setAt(seed, leaf.path, big) : { ...seed, huge: big });
    }
    case "tooLarge":
      return JSON.stringify({ ...seed, pad: "y".repeat(maxBody + 1) });
    case "deep": {
      const objects = all.filter((l) => l.value !== null && typeof l.value === "object" && !Array.isArray(l.value));
      const where = at([{ path: [] as Path, value: seed as Json }, ...objects])!;
      const inside = setAt(where.value, ["deep"], nested(66));
      return JSON.stringify(where.path.length === 0 ? inside : setAt(seed, where.path, inside));
    }
    case "nul":
    case "surrogate": {
      const bad = fault === "nul" ? "\u0000" : pick % 2 === 0 ? "\ud800" : "\udfff";
      const leaf = at(strings);
      if (leaf && pick % 3 !== 0) {
        const s = leaf.value as string;
        const cut = pick % (s.length + 1);
        return JSON.stringify(setAt(seed, leaf.path, s.slice(0, cut) + bad + s.slice(cut)));
      }
      return JSON.stringify({ ...seed, [`k${bad}`]: 1 }); // in a key
    }
    case "proto":
      // JSON.stringify cannot write an own "__proto__" member, so it goes in as text; JSON.parse makes it a member.
      return `{"__proto__":{"polluted":true,"role":"admin"},${JSON.stringify(seed).slice(1)}`.replace(",}", "}");
    case "outOfRange": {
      const leaf = at(numbers) ?? at(strings);
      const values = ["1e309", "-1e309", "-1", "1.5", "9007199254740993", "1e300", "-0"];
      const raw = itemAt(values, pick % values.length, "out-of-range values");
      const marker = "\u0001MARK\u0001";
      const text = JSON.stringify(leaf ? setAt(seed, leaf.path, marker) : { ...seed, n: marker });
      return text.replace(JSON.stringify(marker), raw);
    }
  }
}

describe("write-route fuzzer (seeded, bounded)", () => {
  let server: TestServer;
  const tokens = new Map<Role, string>();
  let decisionId: string;

  beforeAll(async () => {
    server = await startTestServer("embedded");
    for (const role of ["agent", "admin", "security", "auditor", "engineer"] as Role[])
      tokens.set(role, await server.token(role, role === "agent" ? "coder" : `${role}-1`));
    await server.registerRunset({ name: "rs", grants: [{ agent: "coder", capability: "repo.write", resource: "src/**" }] });
    decisionId = (await server.call("POST", "/v1/mediate", { token: tokens.get("agent"), body: MEDIATE_BODY })).body.decisionId;
  });
  afterAll(() => server?.close());

  it(`${RUNS} faulty bodies: no 5xx, every 400/413 names its field, and the server is healthy after`, async () => {
    const routes = writeRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(12);
    const seeds = writeBodies();
    const schemas = openApiDocument() as { components: { schemas: Record<string, { required?: string[] }> }; paths: Record<string, any> };
    const requiredOf = (route: string): string[] => {
      const operation = present(schemas.paths[route.replace(/:(\w+)/g, "{$1}")], `${route} in the document`).post;
      const ref: string = operation.requestBody.content["application/json"].schema.$ref;
      return present(schemas.components.schemas[ref.split("/").pop()!], ref).required ?? [];
    };
    const cases = fc.sample(
      fc.record({
        route: fc.constantFrom(...routes),
        fault: fc.constantFrom(...FAULTS),
        pick: fc.nat(),
        text: fc.string({ maxLength: 12 }),
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const failures: string[] = [];
    const seen = new Map<string, number>();
    for (const { route, fault, pick, text } of cases) {
      const seed = seeds[route] as Record<string, Json>;
      expect(seed, route).toBeDefined();
      const required = requiredOf(route);
      const rule = ruleFor("POST", route)!;
      const body = faulty(fault, seed, required, pick, text, bodyLimitOf(rule));
      // A schema with no required member (waiver approval's optional comment) still takes a body without it.
      const mustRefuse = ALWAYS_REFUSED.has(fault) && !(fault === "missing" && required.length === 0);
      const role = itemAt(rule.roles as readonly Role[], 0, `${route}'s roles`);
      const path = route
        .replace(":decisionId", decisionId)
        .replace(":runId", "run-1")
        .replace(":id", "00000000-0000-4000-8000-000000000000");
      const res = await server.call("POST", path, { token: tokens.get(role), rawBody: body, invalidOnPurpose: `fuzz: ${fault}` });
      const key = `${fault} ${res.status}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const problem =
        res.status >= 500
          ? "5xx"
          : (res.status === 400 || res.status === 413) && !res.body?.error?.field
            ? "no field"
            : mustRefuse && res.status !== (fault === "tooLarge" ? 413 : 400)
              ? `accepted (${res.status})`
              : res.status >= 400 && typeof res.body?.error?.code !== "string"
                ? "no error code"
                : undefined;
      if (problem)
        failures.push(
          `${problem}: ${fault} on ${route} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)} body=${body.slice(0, 200)}`,
        );
    }
    expect(failures, failures.slice(0, 10).join("\n")).toEqual([]);
    // Each fault was tried on the routes many times.
    for (const fault of FAULTS)
      expect([...seen].filter(([k]) => k.startsWith(`${fault} `)).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(100);
    // Nothing leaked onto Object.prototype, and the server still decides.
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect((await server.call("GET", "/healthz")).status).toBe(200);
    expect((await server.call("POST", "/v1/mediate", { token: tokens.get("agent"), body: MEDIATE_BODY })).body.allow).toBe(true);
  }, 120_000);
});
