// Licences on lock file writes, end to end on both stores: the run-set declares MIT; a GPL-3.0 package is denied,
// an Apache-2.0 one allowed, one without a licence needs approval; the project licence is checked at registration.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const lockFile = (packages: Record<string, { version: string; license?: string }>) =>
  `${JSON.stringify(
    {
      name: "app",
      lockfileVersion: 3,
      packages: {
        "": { name: "app", license: "MIT" },
        ...Object.fromEntries(Object.entries(packages).map(([n, p]) => [`node_modules/${n}`, p])),
      },
    },
    null,
    2,
  )}\n`;

const write = (content: string) => ({
  runset: "rs-lic",
  agent: "coder",
  session: "sess-lic",
  tool: "write_file",
  capability: "repo.write",
  resource: "package-lock.json",
  args: { path: "package-lock.json" },
  content,
});

describe.each(STORE_KINDS)("licences on lock file writes (%s store)", (kind) => {
  let server: TestServer;
  let agent: string;
  beforeAll(async () => {
    server = await startTestServer(kind);
    agent = await server.token("agent", "coder");
    await server.registerRunset({
      name: "rs-lic",
      license: "MIT",
      grants: [
        { agent: "coder", capability: "repo.write", resource: "**" },
        { agent: "coder", capability: "package.install", resource: "npm:*" },
        { agent: "coder", capability: "package.install", resource: "pypi:*" },
      ],
    });
  });
  afterAll(() => server.close());

  const mediate = async (content: string) => (await server.call("POST", "/v1/mediate", { token: agent, body: write(content) })).body;

  it("denies a GPL-3.0 package in an MIT run-set, naming package and licence; allows an Apache-2.0 one", async () => {
    const denied = await mediate(
      lockFile({ "gpl-thing": { version: "3.1.0", license: "GPL-3.0-only" }, ok: { version: "1.0.0", license: "ISC" } }),
    );
    expect(denied.decision).toBe("deny");
    expect(denied.reasons.map((r: { code: string }) => r.code)).toEqual(["licence_incompatible"]);
    expect(denied.reasons[0].message).toContain("gpl-thing@3.1.0 (GPL-3.0-only)");
    const allowed = await mediate(lockFile({ "apache-thing": { version: "2.0.0", license: "Apache-2.0" } }));
    expect(allowed.decision).toBe("allow");
    const entry = await server.ctx.ledger.reader.entry(allowed.ledgerIndex);
    expect((entry.event.payload as { content: { packages: number } }).content.packages).toBe(1);
  });

  it("asks for approval when a package declares no licence", async () => {
    const res = await mediate(lockFile({ mystery: { version: "0.0.1" } }));
    expect(res.decision).toBe("require_approval");
    expect(res.reasons[0].message).toContain("mystery@0.0.1 (no licence declared)");
  });

  // package.install: the client sends the lock file the install is about to write (agents/tools/command-tools.ts).
  const install = async (resource: string, content: string) =>
    (
      await server.call("POST", "/v1/mediate", {
        token: agent,
        body: { ...write(content), tool: "install_package", capability: "package.install", resource, args: { version: "latest" } },
      })
    ).body;

  it("checks an install against the lock file it will write: GPL denied, Apache allowed, a lock file not pinning it asked", async () => {
    const gpl = await install("npm:gpl-thing", lockFile({ "gpl-thing": { version: "3.1.0", license: "GPL-3.0-only" } }));
    expect(gpl.decision).toBe("deny");
    expect(gpl.reasons.map((r: { code: string }) => r.code)).toEqual(["licence_incompatible"]);
    expect(gpl.reasons[0].message).toContain("gpl-thing@3.1.0 (GPL-3.0-only)");
    const apache = await install("npm:Apache-Thing", lockFile({ "apache-thing": { version: "2.0.0", license: "Apache-2.0" } }));
    expect(apache.decision).toBe("allow");
    const entry = await server.ctx.ledger.reader.entry(apache.ledgerIndex);
    expect((entry.event.payload as { content: { packages: number } }).content.packages).toBe(1);
    for (const [resource, content] of [
      ["npm:left-pad", lockFile({ "apache-thing": { version: "2.0.0", license: "Apache-2.0" } })],
      ["npm:left-pad", lockFile({ "x/node_modules/left-pad": { version: "1.3.0", license: "MIT" } })],
      ["pypi:requests", lockFile({ requests: { version: "2.0.0", license: "Apache-2.0" } })],
    ] as const) {
      const unpinned = await install(resource, content);
      expect(unpinned.decision, resource).toBe("require_approval");
      expect(unpinned.reasons[0].message).toContain(`the lock file sent with ${resource} does not pin it`);
    }
    const notALock = await install("npm:left-pad", "left-pad@1.3.0\n");
    expect(notALock.decision).toBe("require_approval");
    expect(notALock.reasons[0].message).toContain("not a lock file with a packages map");
    // Without content an install is decided on its name alone, as before.
    const bare = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: {
        ...write(""),
        tool: "install_package",
        capability: "package.install",
        resource: "npm:left-pad",
        args: {},
        content: undefined,
      },
    });
    expect(bare.body.decision).toBe("allow");
  });

  it("refuses a run-set licence that is not an SPDX expression (400 naming license)", async () => {
    const res = await server.call("POST", "/v1/runsets", {
      token: await server.token("security"),
      body: { name: "rs-bad", license: "MIT and whatever", grants: [] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("/license");
  });
});
