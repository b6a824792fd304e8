// Canonical resources end to end (issue 14, items 3 and 4): the spellings that were allowed under run-set rs1 are denied,
// the ledger keeps the raw and the canonical resource, and property tests tie every allow to a grant on the canonical form.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalRelease, canonicalRepositoryPath } from "../../common/canonical-resource.ts";
import { type Fixture, openFixture } from "../exceptions/support.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { itemAt } from "../../common/present.ts";

const call = (agent: string, capability: string, resource: string, extra: Record<string, unknown> = {}) => ({
  runset: "rs1",
  agent,
  session: `s-${agent}`,
  tool: capability === "release.publish" ? "publish" : "write_file",
  capability,
  resource,
  args: {},
  ...extra,
});

describe.each(STORE_KINDS)("canonical resources (%s store)", (kind) => {
  let f: Fixture;
  const decide = async (body: ReturnType<typeof call>) => {
    // The agent token names the agent it acts as (tokens are bound to their agent).
    const res = await f.call("POST", "/v1/mediate", "agent", body, body.agent);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { decision: string; allow: boolean; reasons: Array<{ code: string; message: string }>; ledgerIndex: number };
  };
  const codes = (d: { reasons: Array<{ code: string }> }) => d.reasons.map((r) => r.code);
  const ledgered = async (index: number) => (await f.call("GET", `/v1/ledger/entries/${index}`, "auditor")).body.event.payload;

  beforeAll(async () => {
    f = await openFixture(kind);
    // The trial's run-set rs1: coder may repo.write src/**; releaser may release.publish acme/* and acme/app@*.
    const registered = await f.call("POST", "/v1/runsets", "admin", {
      name: "rs1",
      grants: [
        { agent: "coder", capability: "repo.write", resource: "src/**", approval: "none" },
        { agent: "releaser", capability: "release.publish", resource: "acme/*", approval: "none" },
        { agent: "releaser", capability: "release.publish", resource: "acme/app@*", approval: "none" },
      ],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  });
  afterAll(async () => f?.close());

  it.each([
    "src/../../etc/passwd",
    "src/../.git/hooks/pre-commit",
    "src/./../package.json",
    "src//../../x",
    "src/%2e%2e/%2e%2e/etc/passwd",
    "src/**/../../../root",
    "src/%252e%252e/x",
    "src\\..\\..\\etc\\passwd",
    "/etc/passwd",
    "src/a\u202Egnp.exe",
    "src/.../x",
  ])("denies the traversal %j with invalid_resource, recorded with the raw resource and no canonical one", async (resource) => {
    const d = await decide(call("coder", "repo.write", resource));
    expect(d.allow).toBe(false);
    expect(codes(d)).toEqual(["invalid_resource"]);
    const payload = await ledgered(d.ledgerIndex);
    expect(payload.call).toMatchObject({ resource, canonicalResource: null });
    expect(payload.reasons[0].code).toBe("invalid_resource");
  });

  it("folds . and empty segments: allowed inside the grant on the canonical path, which the ledger keeps beside the raw one", async () => {
    const d = await decide(call("coder", "repo.write", "./src//lib/./app.ts/"));
    expect(d.decision).toBe("allow");
    expect((await ledgered(d.ledgerIndex)).call).toMatchObject({ resource: "./src//lib/./app.ts/", canonicalResource: "src/lib/app.ts" });
    const listed = await f.call("GET", "/v1/decisions?session=s-coder", "auditor");
    expect(listed.body.items.find((i: any) => i.ledgerIndex === d.ledgerIndex).resource).toBe("src/lib/app.ts");
    // Outside the grant once folded: denied no_grant, not invalid.
    expect(codes(await decide(call("coder", "repo.write", "./package.json")))).toEqual(["no_grant"]);
  });

  it("a hold on acme/app denies every spelling the trial used (hold_active or invalid_resource); acme/app@1.0.0 too", async () => {
    const placed = await f.call(
      "POST",
      "/v1/holds",
      "auditor",
      { scope: { type: "repository", id: "acme/App" }, reason: "audit" },
      "aud-1",
    );
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    // Canonical at placement; the auditor's spelling is kept on the ledger.
    expect(placed.body.scope).toEqual({ type: "repository", id: "acme/app" });
    const entries = await f.ctx.ledger.reader.entriesFor("hold.placed", `hold:${placed.body.id}`);
    const event = itemAt(entries, 0, "hold.placed entries").event.payload as any;
    expect(event).toMatchObject({ scope: { type: "repository", id: "acme/app" }, requestedScopeId: "acme/App" });
    try {
      const expected: Record<string, string> = {
        "acme/app": "invalid_resource",
        "acme/app/@1.0.0": "invalid_resource",
        "acme/app @1.0.0": "invalid_resource",
        "acme//app@1.0.0": "invalid_resource",
        "acme/./app@1.0.0": "invalid_resource",
        "acme/App@1.0.0": "hold_active",
        "ACME/APP@1.0.0": "hold_active",
        "acme/app#1.0.0": "invalid_resource",
        "acme/app@1.0.0": "hold_active",
        "acme/app@1.0.0@x": "invalid_resource",
      };
      for (const [resource, code] of Object.entries(expected)) {
        const d = await decide(call("releaser", "release.publish", resource));
        expect(d.allow, resource).toBe(false);
        expect(codes(d), resource).toContain(code);
      }
      // args.repository is compared canonically too, and must be in the grammar.
      expect(codes(await decide(call("releaser", "release.publish", "acme/lib@2.0.0", { args: { repository: "ACME/app" } })))).toContain(
        "hold_active",
      );
      expect(codes(await decide(call("releaser", "release.publish", "acme/lib@2.0.0", { args: { repository: "acme//app" } })))).toEqual([
        "invalid_resource",
      ]);
      expect((await decide(call("releaser", "release.publish", "acme/lib@2.0.0"))).decision).toBe("allow");
    } finally {
      await f.call("POST", `/v1/holds/${placed.body.id}/clear`, "auditor", { reason: "done" }, "aud-2");
    }
    expect((await decide(call("releaser", "release.publish", "acme/App@1.0.0"))).decision).toBe("allow");
  });

  it("refuses hold scopes outside the grammar with 400 naming /scope/id", async () => {
    // The first two fit the document's id pattern and only the grammar refuses them; a space breaks the pattern too.
    for (const [scope, invalid] of [
      [{ type: "repository", id: "acme//app" }, undefined],
      [{ type: "repository", id: "acme/app#x" }, undefined],
      [{ type: "release", id: "acme/app @1" }, "a space in the scope id"],
    ] as const) {
      const body = { scope, reason: "audit" };
      const res = invalid
        ? await f.callInvalid(invalid, "POST", "/v1/holds", "auditor", body)
        : await f.call("POST", "/v1/holds", "auditor", body);
      expect(res.status, JSON.stringify(scope)).toBe(400);
      expect(res.body.error.field).toBe("/scope/id");
    }
  });
});

// Independent of the product's glob code: the grant shapes the property tests generate.
function inside(pattern: string, path: string): boolean {
  if (pattern === "**") return true;
  if (pattern.endsWith("/**")) return path.startsWith(pattern.slice(0, -2));
  if (pattern.endsWith("/*")) return path.startsWith(pattern.slice(0, -1)) && !path.slice(pattern.length - 1).includes("/");
  return pattern === path;
}

describe("canonical resources, property tests (embedded store)", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture("embedded");
  });
  afterAll(async () => f?.close());

  const segment = fc.constantFrom("src", "lib", "app.ts", ".git", "hooks", "etc", "passwd", "a b", "x.y", "node_modules");
  const dirty = fc.constantFrom("", ".", "..", "%2e%2e", "%2E", "\\..", "...", "~");
  // A spelling: real segments with dot, empty and traversal segments mixed in, an optional leading ./ or /.
  const spelling = fc
    .tuple(
      fc.array(fc.oneof({ weight: 4, arbitrary: segment }, { weight: 1, arbitrary: dirty }), { minLength: 1, maxLength: 6 }),
      fc.constantFrom("", "./", "/", "//"),
    )
    .map(([parts, lead]) => lead + parts.join("/"));
  const grant = fc.oneof(
    segment.map((s) => `${s}/**`),
    fc.tuple(segment, segment).map(([a, b]) => `${a}/${b}/*`),
    fc.tuple(segment, segment).map(([a, b]) => `${a}/${b}`),
    fc.constant("**"),
  );

  it("an allow implies the canonical resource lies inside a grant, for random grants and random spellings", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(grant, { minLength: 1, maxLength: 3 }), spelling, async (grants, resource) => {
        const runset = `rs-prop-${n++}`;
        const registered = await f.call("POST", "/v1/runsets", "admin", {
          name: runset,
          grants: grants.map((g) => ({ agent: "coder", capability: "repo.write", resource: g, approval: "none" })),
        });
        expect(registered.status).toBe(201);
        const body = { runset, agent: "coder", session: runset, tool: "write_file", capability: "repo.write", resource, args: {} };
        const d = (await f.call("POST", "/v1/mediate", "agent", body, "coder")).body;
        if (!d.allow) return;
        const canonical = canonicalRepositoryPath(resource);
        expect(canonical.split("/")).not.toContain("..");
        expect(
          grants.some((g) => inside(g, canonical)),
          `${resource} → ${canonical} under ${grants.join(", ")}`,
        ).toBe(true);
      }),
      { numRuns: 120, seed: 14 },
    );
  });

  it("a hold on repository R denies every spelling whose canonical repository is R", async () => {
    await f.call("POST", "/v1/runsets", "admin", {
      name: "rs-hold",
      grants: [{ agent: "releaser", capability: "release.publish", resource: "*", approval: "none" }],
    });
    const held = await f.call("POST", "/v1/holds", "auditor", { scope: { type: "repository", id: "acme/app" }, reason: "audit" });
    expect(held.status).toBe(201);
    const caseOf = (text: string) =>
      fc
        .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
        .map((up) => [...text].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(""));
    const repo = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(caseOf("acme"), caseOf("app")) },
      { weight: 1, arbitrary: fc.constant(["acme", "lib"] as [string, string]) },
    );
    const joiner = fc.constantFrom("/", "/", "/", "//", "/./", " /", "\\");
    const separator = fc.constantFrom("@", "@", "@", "/@", " @", "#", ":", "@@");
    const version = fc.constantFrom("1.0.0", "v2", "1.0.0-rc.1", "");
    const release = fc.tuple(repo, joiner, separator, version).map(([[owner, name], j, s, v]) => `${owner}${j}${name}${s}${v}`);
    await fc.assert(
      fc.asyncProperty(release, async (resource) => {
        const body = {
          runset: "rs-hold",
          agent: "releaser",
          session: "s-hold",
          tool: "publish",
          capability: "release.publish",
          resource,
          args: {},
        };
        const d = (await f.call("POST", "/v1/mediate", "agent", body, "releaser")).body;
        let repository: string | undefined;
        try {
          repository = canonicalRelease(resource).repository;
        } catch {}
        if (repository === "acme/app")
          expect(
            d.reasons.map((r: any) => r.code),
            resource,
          ).toContain("hold_active");
        if (repository === undefined)
          expect(
            d.reasons.map((r: any) => r.code),
            resource,
          ).toEqual(["invalid_resource"]);
        if (d.allow) expect(repository, resource).toBe("acme/lib");
      }),
      { numRuns: 150, seed: 4 },
    );
  });
});
