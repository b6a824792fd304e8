// Every route's success answer matches the schema its declaration names (issue 17): one walk calls each documented
// route once, as a role it allows, on a server holding a published release, waivers, holds, break-glass, webhooks and
// decisions, and checks the answer against the served document, whatever its media type (the SBOM and the Sigstore
// bundle are served as their own +json types, which the test server's per-exchange check leaves out).
import { randomUUID } from "node:crypto";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument, OUTSIDE_DOCUMENT } from "../../server/http/openapi.ts";
import { routeKey } from "../../server/http/route.ts";
import { ROUTES } from "../../server/http/route-table.ts";
import { publishedFixture, REPO } from "../evidence/support.ts";
import { STORE_KINDS } from "../support/test-stores.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { writeBodies } from "../support/write-bodies.ts";

const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, any> }>> };
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats.default(ajv);
ajv.addSchema({ $id: "urn:maestro:openapi", ...doc });

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

/** The problems of one answer against the schema the document gives its route, status and media type. */
function answerProblems(method: string, path: string, status: number, mediaType: string, body: unknown): string[] {
  const openApiPath = path.replace(/:(\w+)/g, "{$1}");
  const content = doc.paths[openApiPath]?.[method.toLowerCase()]?.responses[String(status)]?.content;
  if (!content?.[mediaType]) return [`${method} ${path}: ${status} ${mediaType} is not documented`];
  if (!mediaType.endsWith("json")) return typeof body === "string" ? [] : [`${method} ${path}: expected text`];
  const ref = `urn:maestro:openapi#/${pointer("paths", openApiPath, method.toLowerCase(), "responses", String(status), "content", mediaType, "schema")}`;
  const validate = ajv.compile({ $ref: ref });
  return validate(body) ? [] : [`${method} ${path} → ${status}: ${ajv.errorsText(validate.errors)}`];
}

// The stream never ends by itself and says only "a string"; it is walked by tests/stream.
const UNWALKED = new Set(["GET /v1/ledger/stream", ...OUTSIDE_DOCUMENT]);

describe.each(STORE_KINDS)("every answer matches its declared schema on %s store", (kind) => {
  let server: TestServer;
  const walked = new Map<string, number>();
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startTestServer(kind, { webhooks: { allowance: { hosts: ["127.0.0.1"] } } });
    await publishedFixture(server);
  }, 180_000);
  afterAll(() => server?.close());

  async function call(route: string, path: string, role: Parameters<TestServer["token"]>[0], sub: string, body?: unknown) {
    const [method] = route.split(" ");
    const headers: Record<string, string> = { authorization: `Bearer ${await server.token(role, sub)}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await server.app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
    const text = await res.text();
    const parsed: any = mediaType.endsWith("json") ? JSON.parse(text) : text;
    expect(res.status, `${route}: ${text.slice(0, 300)}`).toBeLessThan(300);
    walked.set(route, res.status);
    problems.push(...answerProblems(method!, route.slice(method!.length + 1), res.status, mediaType, parsed));
    return parsed;
  }

  it("walks every documented route, and each answer matches", async () => {
    const bodies = writeBodies();
    const release = `/v1/releases/api-1.2.0`;
    await call("GET /healthz", "/healthz", "auditor", "aud-1");
    await call("GET /.well-known/jwks.json", "/.well-known/jwks.json", "auditor", "aud-1");
    await call("GET /openapi.json", "/openapi.json", "auditor", "aud-1");
    await call("GET /console", "/console", "auditor", "aud-1");
    await call("GET /console/assets/console.js", "/console/assets/console.js", "auditor", "aud-1");
    await call("GET /console/assets/verify-worker.js", "/console/assets/verify-worker.js", "auditor", "aud-1");
    await call("GET /console/assets/console.css", "/console/assets/console.css", "auditor", "aud-1");

    const runset = { name: "rs-walk", grants: [{ agent: "coder", capability: "repo.read", resource: "**" }] };
    await call("POST /v1/runsets", "/v1/runsets", "security", "sec-1", runset);
    const mediated = await call("POST /v1/mediate", "/v1/mediate", "agent", "coder", {
      ...bodies["/v1/mediate"],
      runset: "rs-walk",
      capability: "repo.read",
      tool: "read_file",
    });
    const outcome = bodies["/v1/mediate/:decisionId/outcome"];
    await call("POST /v1/mediate/:decisionId/outcome", `/v1/mediate/${mediated.decisionId}/outcome`, "agent", "coder", outcome);
    const runEvent = { kind: "run.finished", payload: { runset: "rs-walk", agent: "coder", status: "ok", turns: 1 } };
    await call("POST /v1/runs/:runId/events", "/v1/runs/run-1/events", "agent", "coder", runEvent);
    await call("POST /v1/ledger/checkpoint", "/v1/ledger/checkpoint", "security", "sec-1", {});
    await call("POST /v1/policy/activate", "/v1/policy/activate", "security", "sec-1", { default: true });

    const waiver = await call("POST /v1/waivers", "/v1/waivers", "engineer", "eng-1", bodies["/v1/waivers"]);
    await call("POST /v1/waivers/:id/approve", `/v1/waivers/${waiver.id}/approve`, "security", "sec-1", { comment: "ok" });
    await call("POST /v1/waivers/:id/revoke", `/v1/waivers/${waiver.id}/revoke`, "security", "sec-1", { reason: "done" });
    await call("GET /v1/waivers", "/v1/waivers", "auditor", "aud-1");
    await call("GET /v1/waivers/:id", `/v1/waivers/${waiver.id}`, "auditor", "aud-1");

    const hold = await call("POST /v1/holds", "/v1/holds", "auditor", "aud-1", { scope: { type: "repository", id: REPO }, reason: "look" });
    await call("POST /v1/holds/:id/clear", `/v1/holds/${hold.id}/clear`, "auditor", "aud-1", { reason: "looked" });
    await call("GET /v1/holds", "/v1/holds", "auditor", "aud-1");

    const opened = await call("POST /v1/breakglass", "/v1/breakglass", "admin", "adm-1", bodies["/v1/breakglass"]);
    const review = bodies["/v1/breakglass/:id/review"];
    await call("POST /v1/breakglass/:id/review", `/v1/breakglass/${opened.id}/review`, "security", "sec-1", review);
    await call("GET /v1/breakglass", "/v1/breakglass", "auditor", "aud-1");

    const hook = await call("POST /v1/webhooks", "/v1/webhooks", "admin", "adm-1", {
      url: "http://127.0.0.1:9/hook",
      events: ["hold.placed"],
    });
    await call("POST /v1/webhooks/:id/test", `/v1/webhooks/${hook.id}/test`, "admin", "adm-1");
    // A dead letter as the dispatcher leaves one after the retry window.
    const deadLetter = randomUUID();
    await server.ctx.db
      .insertInto("webhook_dead_letters")
      .values({
        ...{ id: deadLetter, webhook_id: hook.id, ledger_index: 1, kind: "hold.placed", state: "dead", attempts: 3 },
        ...{ first_failure_at: new Date(), dead_at: new Date(), last_error: "connection refused" },
      })
      .execute();
    await call("GET /v1/webhooks/failures", "/v1/webhooks/failures", "security", "sec-1");
    await call("POST /v1/webhooks/failures/:id/redeliver", `/v1/webhooks/failures/${deadLetter}/redeliver`, "admin", "adm-1");
    await call("GET /v1/webhooks", "/v1/webhooks", "security", "sec-1");
    await call("GET /v1/webhooks/:id", `/v1/webhooks/${hook.id}`, "security", "sec-1");
    await call("POST /v1/webhooks/:id/remove", `/v1/webhooks/${hook.id}/remove`, "admin", "adm-1", { reason: "walked" });

    await call("GET /v1/ledger/checkpoint", "/v1/ledger/checkpoint", "auditor", "aud-1");
    await call("GET /tlog/checkpoint", "/tlog/checkpoint", "auditor", "aud-1");
    await call("GET /v1/ledger/key", "/v1/ledger/key", "auditor", "aud-1");
    await call("GET /v1/ledger/keys", "/v1/ledger/keys", "auditor", "aud-1");
    const page = await call("GET /v1/ledger/entries", "/v1/ledger/entries?from=0&limit=5", "auditor", "aud-1");
    await call("GET /v1/ledger/entries/:index", "/v1/ledger/entries/0", "auditor", "aud-1");
    await call("GET /v1/ledger/proofs/inclusion", `/v1/ledger/proofs/inclusion?index=0&size=${page.size}`, "auditor", "aud-1");
    await call("GET /v1/ledger/proofs/consistency", `/v1/ledger/proofs/consistency?from=1&to=${page.size}`, "auditor", "aud-1");
    await call("GET /v1/ledger/checkpoints", "/v1/ledger/checkpoints", "auditor", "aud-1");
    await call("GET /v1/ledger/witnessed", "/v1/ledger/witnessed", "auditor", "aud-1");
    await call("GET /metrics", "/metrics", "auditor", "aud-1");
    await call("GET /v1/policy/status", "/v1/policy/status", "auditor", "aud-1");

    await call("POST /v1/releases", "/v1/releases", "security", "sec-1", {
      ...bodies["/v1/releases"],
      id: "walk-1",
      repository: REPO,
      runsets: ["rs-rel"],
    });
    await call("POST /v1/releases/:id/publish", "/v1/releases/walk-1/publish", "security", "sec-1");
    await call("GET /v1/releases", "/v1/releases", "auditor", "aud-1");
    await call("GET /v1/releases/:id", release, "auditor", "aud-1");
    await call("GET /v1/releases/:id/safety-case", `${release}/safety-case`, "auditor", "aud-1");
    await call("GET /v1/releases/:id/sbom", `${release}/sbom`, "auditor", "aud-1");
    await call("GET /v1/releases/:id/bundle", `${release}/bundle`, "auditor", "aud-1");
    const decisions = await call("GET /v1/decisions", `/v1/decisions?release=api-1.2.0`, "auditor", "aud-1");
    await call("GET /v1/decisions/:id", `/v1/decisions/${decisions.items[0].decisionId}`, "auditor", "aud-1");

    expect(problems).toEqual([]);
    const documented = ROUTES.map(routeKey).filter((key) => !UNWALKED.has(key));
    expect([...walked.keys()].sort()).toEqual(documented.sort());
  }, 180_000);

  it("the safety case's Sigstore bundle, under its own media type, matches its schema too", async () => {
    const before = problems.length;
    await call("GET /v1/releases/:id/safety-case", "/v1/releases/api-1.2.0/safety-case?format=sigstore", "auditor", "aud-1");
    expect(problems.slice(before)).toEqual([]);
  });

  it("finds an answer that does not match (the check can fail)", () => {
    expect(answerProblems("GET", "/v1/holds", 200, "application/json", { holds: [{ id: "h" }] })[0]).toMatch(/must have required/);
    expect(answerProblems("GET", "/v1/releases/:id/sbom", 200, "application/vnd.cyclonedx+json", { bomFormat: "SPDX" })).not.toEqual([]);
    expect(answerProblems("GET", "/v1/holds", 200, "text/html", "")[0]).toMatch(/not documented/);
  });
});
