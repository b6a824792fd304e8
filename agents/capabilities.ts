// The capability vocabulary every agent path (runner, MCP proxy, hooks) speaks; mirrors policies/rego/capabilities.rego.

export const CAPABILITIES = [
  "repo.read",
  "repo.write",
  "tests.run",
  "network.egress",
  "package.install",
  "secrets.read",
  "release.publish",
] as const;

export type Capability = (typeof CAPABILITIES)[number];

export function isCapability(value: unknown): value is Capability {
  return typeof value === "string" && (CAPABILITIES as readonly string[]).includes(value);
}
