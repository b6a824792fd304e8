// One well-formed body per write route (keyed by its path in server/auth/route-roles.ts), for tests that must reach
// past validation: the outage walk and the fuzzer's seeds. Each passes its route's JSON Schema.
import { createHash } from "node:crypto";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export const MEDIATE_BODY = {
  runset: "rs",
  agent: "coder",
  session: "s",
  tool: "write_file",
  capability: "repo.write",
  resource: "src/a.ts",
  args: {},
};

export function writeBodies(now: Date = new Date()): Record<string, Record<string, unknown>> {
  return {
    "/v1/mediate": MEDIATE_BODY,
    "/v1/mediate/:decisionId/outcome": { status: "ok", summary: "wrote 3 lines", outputDigest: `sha256:${sha256("out")}` },
    "/v1/ledger/checkpoint": {},
    "/v1/runs/:runId/events": { kind: "run.finished", payload: { runset: "rs", agent: "coder", status: "ok", turns: 3 } },
    "/v1/runsets": { name: "rs2", grants: [{ agent: "coder", capability: "repo.read", resource: "**" }] },
    "/v1/policy/activate": { bundle: "AAAA" },
    "/v1/waivers": {
      capability: "repo.write",
      resource: "src/**",
      agents: ["coder"],
      waives: ["no_grant"],
      justification: "hotfix for INC-42, see ticket",
      durationSeconds: 3600,
    },
    "/v1/waivers/:id/approve": { comment: "ok" },
    "/v1/waivers/:id/revoke": { reason: "done with it" },
    "/v1/holds": { scope: { type: "repository", id: "acme/app" }, reason: "audit in progress" },
    "/v1/holds/:id/clear": { reason: "audit done" },
    "/v1/breakglass": {
      counterClaim: "prod is down and the deploy agent lacks a grant for the hotfix path",
      compensatingControls: ["pair-reviewed live on the incident call"],
      reviewDeadline: new Date(now.getTime() + 24 * 3600_000).toISOString(),
      scope: { type: "agent", id: "coder" },
    },
    "/v1/breakglass/:id/review": { finding: "the override was needed", verdict: "justified" },
    "/v1/releases": {
      repository: "acme/app",
      version: "1.0.0",
      artifacts: [{ name: "app-1.0.0.tgz", digest: { sha256: sha256("a") } }],
      runsets: ["rs"],
    },
    "/v1/releases/:id/publish": {},
    "/v1/webhooks": { url: "https://hooks.example.com/maestro", events: ["waiver.requested", "hold.placed"] },
    "/v1/webhooks/:id/remove": { reason: "receiver retired" },
    "/v1/webhooks/:id/test": {},
    "/v1/webhooks/failures/:id/redeliver": {},
  };
}
