// The route × role matrix: the one table routes enforce, docs/governance/roles.md shows and tests/exceptions walk.
import type { MiddlewareHandler } from "hono";
import { type AuthEnv, requireRole } from "./middleware.ts";
import { ROLES, type Role } from "./roles.ts";

/** Who reads the Evidence API when the operator has not turned on public read (MAESTRO_PUBLIC_READ=1). */
export const EVIDENCE_READERS: readonly Role[] = ["auditor", "admin", "security"];

export interface RouteRule {
  method: "GET" | "POST";
  /** The Hono path pattern exactly as registered, e.g. "/v1/waivers/:id/approve". */
  path: string;
  /** Roles allowed; "public" routes need no token at all. */
  roles: readonly Role[] | "public";
  does: string;
  /** Served without a token when the operator opts in with MAESTRO_PUBLIC_LOG=1 (what standard tile clients need). */
  publicLog?: true;
}

const E = EVIDENCE_READERS;

export const ROUTE_ROLES: readonly RouteRule[] = [
  { method: "GET", path: "/healthz", roles: "public", does: "liveness and tree size" },
  { method: "GET", path: "/.well-known/jwks.json", roles: "public", does: "event-signing public keys" },
  { method: "GET", path: "/openapi.json", roles: "public", does: "the OpenAPI document" },
  { method: "POST", path: "/v1/mediate", roles: ["agent"], does: "a tool call in, a decision out" },
  { method: "POST", path: "/v1/mediate/:decisionId/outcome", roles: ["agent"], does: "the tool's outcome" },
  { method: "POST", path: "/v1/ledger/checkpoint", roles: ["admin", "security"], does: "issue a checkpoint now" },
  { method: "POST", path: "/v1/runs/:runId/events", roles: ["agent"], does: "a run's lifecycle event (budget exhausted, finished)" },
  { method: "POST", path: "/v1/runsets", roles: ["admin", "security"], does: "register a run-set (grants, budget)" },
  {
    method: "POST",
    path: "/v1/policy/activate",
    roles: ["security", "admin"],
    does: 'activate a signed policy bundle, or the committed one ({"default": true})',
  },
  { method: "POST", path: "/v1/waivers", roles: ["engineer"], does: "request a waiver" },
  { method: "POST", path: "/v1/waivers/:id/approve", roles: ["security"], does: "approve a waiver (never your own)" },
  { method: "POST", path: "/v1/waivers/:id/revoke", roles: ["security", "admin"], does: "revoke a waiver with a reason" },
  { method: "POST", path: "/v1/holds", roles: ["auditor"], does: "place a hold on releases" },
  { method: "POST", path: "/v1/holds/:id/clear", roles: ["auditor"], does: "clear a hold with a reason" },
  { method: "POST", path: "/v1/breakglass", roles: ["admin"], does: "open a break-glass override (at most 1 hour)" },
  { method: "POST", path: "/v1/breakglass/:id/review", roles: ["security"], does: "review and close a break-glass" },
  { method: "POST", path: "/v1/releases", roles: ["admin", "security", "agent"], does: "create a release from collected evidence" },
  {
    method: "POST",
    path: "/v1/releases/:id/publish",
    roles: ["admin", "security", "agent"],
    does: "publish a release (policy decides; holds deny)",
  },
  {
    method: "POST",
    path: "/v1/webhooks",
    roles: ["admin", "security"],
    does: "subscribe a URL to event kinds (the signing secret is answered once)",
  },
  { method: "POST", path: "/v1/webhooks/:id/remove", roles: ["admin", "security"], does: "remove a webhook subscription with a reason" },
  { method: "POST", path: "/v1/webhooks/:id/test", roles: ["admin", "security"], does: "send a signed test message now" },
  { method: "POST", path: "/v1/webhooks/failures/:id/redeliver", roles: ["admin", "security"], does: "deliver a dead letter once more" },
  { method: "GET", path: "/v1/webhooks", roles: ["admin", "security"], does: "webhook subscriptions and where delivery stands" },
  { method: "GET", path: "/v1/webhooks/failures", roles: ["admin", "security"], does: "deliveries given up after the retry window" },
  { method: "GET", path: "/v1/webhooks/:id", roles: ["admin", "security"], does: "one webhook subscription" },
  { method: "GET", path: "/v1/ledger/checkpoint", roles: E, does: "latest signed checkpoint", publicLog: true },
  { method: "GET", path: "/v1/ledger/key", roles: E, does: "checkpoint verifier key", publicLog: true },
  { method: "GET", path: "/v1/ledger/keys", roles: E, does: "every published public key" },
  { method: "GET", path: "/v1/ledger/entries", roles: E, does: "a range of ledger entries" },
  { method: "GET", path: "/v1/ledger/entries/:index", roles: E, does: "one ledger entry" },
  { method: "GET", path: "/v1/ledger/proofs/inclusion", roles: E, does: "RFC 6962 inclusion proof" },
  { method: "GET", path: "/v1/ledger/proofs/consistency", roles: E, does: "RFC 6962 consistency proof" },
  { method: "GET", path: "/v1/ledger/checkpoints", roles: E, does: "every checkpoint" },
  { method: "GET", path: "/metrics", roles: E, does: "Prometheus metrics (text exposition format)" },
  { method: "GET", path: "/v1/ledger/witnessed", roles: E, does: "newest checkpoint a witness quorum cosigned, and each witness's status" },
  { method: "GET", path: "/v1/ledger/stream", roles: E, does: "Server-Sent Events of new entries" },
  { method: "GET", path: "/tlog/checkpoint", roles: E, does: "C2SP tlog-tiles checkpoint", publicLog: true },
  { method: "GET", path: "/tlog/tile/*", roles: E, does: "C2SP tlog-tiles tiles and entry bundles", publicLog: true },
  // Engineers request waivers, so they may follow their own (and only their own: the routes filter by requester).
  {
    method: "GET",
    path: "/v1/waivers",
    roles: [...E, "engineer"],
    does: "waivers with state, approvals and use counts (an engineer: their own)",
  },
  {
    method: "GET",
    path: "/v1/waivers/:id",
    roles: [...E, "engineer"],
    does: "one waiver and the decisions that used it (an engineer: their own)",
  },
  { method: "GET", path: "/v1/holds", roles: E, does: "holds with their explanation" },
  { method: "GET", path: "/v1/breakglass", roles: E, does: "break-glass overrides, overdue flags, ledger indexes" },
  { method: "GET", path: "/v1/releases", roles: E, does: "releases" },
  { method: "GET", path: "/v1/releases/:id", roles: E, does: "one release" },
  { method: "GET", path: "/v1/releases/:id/safety-case", roles: E, does: "its GSN safety case" },
  { method: "GET", path: "/v1/releases/:id/sbom", roles: E, does: "its CycloneDX SBOM" },
  { method: "GET", path: "/v1/releases/:id/bundle", roles: E, does: "its signed evidence bundle" },
  { method: "GET", path: "/v1/decisions", roles: E, does: "decisions" },
  { method: "GET", path: "/v1/decisions/:id", roles: E, does: "one decision and its outcome" },
  { method: "GET", path: "/v1/policy/status", roles: E, does: "the policy bundle in force: digest, source, who activated it and when" },
];

/** Whether a request path is one of the public-log routes (exact, or under a `/*` route). */
export function isPublicLogPath(path: string): boolean {
  return ROUTE_ROLES.some((r) => r.publicLog && (r.path.endsWith("/*") ? path.startsWith(r.path.slice(0, -1)) : path === r.path));
}

export function ruleFor(method: string, path: string): RouteRule | undefined {
  return ROUTE_ROLES.find((r) => r.method === method && r.path === path);
}

/** The role check for one route, taken from the table; a route missing from the table fails at startup. */
export function requireRoute(method: "GET" | "POST", path: string): MiddlewareHandler<AuthEnv> {
  const rule = ruleFor(method, path);
  if (!rule || rule.roles === "public") throw new Error(`route ${method} ${path} has no role rule in server/auth/route-roles.ts`);
  return requireRole(...rule.roles);
}

/** The GET rule whose pattern matches a concrete path ("/v1/waivers/w-1" → "/v1/waivers/:id"), if any. */
export function evidenceRuleFor(path: string): RouteRule | undefined {
  return ROUTE_ROLES.find((r) => r.method === "GET" && patternOf(r.path).test(path));
}

const patterns = new Map<string, RegExp>();
function patternOf(path: string): RegExp {
  let re = patterns.get(path);
  if (!re) {
    const body = path
      .split("/")
      .map((part) => (part === "*" ? ".*" : part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    patterns.set(path, (re = new RegExp(`^${body}$`)));
  }
  return re;
}

/** The Evidence API's role check, per route from the table; a path the table does not name needs an evidence reader. */
export function requireEvidenceRoute(): MiddlewareHandler<AuthEnv> {
  const readers = requireRole(...EVIDENCE_READERS);
  return (c, next) => {
    const rule = evidenceRuleFor(c.req.path);
    return rule && rule.roles !== "public" ? requireRole(...rule.roles)(c, next) : readers(c, next);
  };
}

/** The matrix as the Markdown table in docs/governance/roles.md (a test keeps the two identical). */
export function renderRoleMatrix(): string {
  const header = `| route | ${ROLES.join(" | ")} | no token |`;
  const rule = `|---|${ROLES.map(() => "---").join("|")}|---|`;
  const rows = ROUTE_ROLES.map((r) => {
    const cells = ROLES.map((role) => (r.roles === "public" || r.roles.includes(role) ? "✓" : "403"));
    const anonymous = r.roles === "public" ? "✓" : r.publicLog ? "401 (✓ with MAESTRO_PUBLIC_LOG=1)" : "401";
    return `| \`${r.method} ${r.path}\` | ${cells.join(" | ")} | ${anonymous} |`;
  });
  return [header, rule, ...rows].join("\n");
}
