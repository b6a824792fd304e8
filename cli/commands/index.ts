// Every `maestro` subcommand, in the order `maestro --help` lists them. Modules load only when their command runs:
// a hook on every tool call, or `evidence verify`, should not pay for loading the server, the SDKs and the stores.
import type { Command } from "../command.ts";

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  { name: "serve", summary: "run the control and evidence APIs", load: async () => (await import("./serve.ts")).serveCommand },
  { name: "token issue", summary: "print a bearer token for a role", load: async () => (await import("./token.ts")).tokenIssueCommand },
  {
    name: "policy build",
    summary: "compile policies/rego to an OPA Wasm bundle (pinned opa)",
    load: async () => (await import("./policy.ts")).policyBuildCommand,
  },
  {
    name: "policy test",
    summary: "opa fmt/check --strict/test with coverage ≥ 90 %, and bundle freshness",
    load: async () => (await import("./policy.ts")).policyTestCommand,
  },
  {
    name: "policy mutate",
    summary: "mutation testing of the Rego policies: score ≥ 94 %, survivors with file:line and a diff",
    load: async () => (await import("./policy-mutate.ts")).policyMutateCommand,
  },
  {
    name: "policy activate",
    summary: "activate a policy bundle (or --default) on a running server (ledgered, survives restarts)",
    load: async () => (await import("./policy.ts")).policyActivateCommand,
  },
  {
    name: "policy status",
    summary: "the policy bundle a server enforces, its source, who activated it and when",
    load: async () => (await import("./policy.ts")).policyStatusCommand,
  },
  {
    name: "runset register",
    summary: "register a run-set's grants and budget cap with the server",
    load: async () => (await import("./runset.ts")).runsetRegisterCommand,
  },
  {
    name: "runset run",
    summary: "run a run-set's agents in parallel, every tool call through the mediator",
    load: async () => (await import("./runset.ts")).runsetRunCommand,
  },
  {
    name: "mediate",
    summary: "send one tool call to the mediator and print the decision and its reasons",
    load: async () => (await import("./mediate.ts")).mediateCommand,
  },
  {
    name: "mcp-proxy",
    summary: "serve an upstream MCP server's tools on stdio, every tools/call mediated",
    load: async () => (await import("./mcp-proxy.ts")).mcpProxyCommand,
  },
  {
    name: "hook install",
    summary: "write Claude Code's or Codex's hook settings: this installation's maestro, anchored matchers, timeout",
    load: async () => (await import("./hook.ts")).hookInstallCommand,
  },
  {
    name: "hook doctor",
    summary: "check installed hook settings, token and server; say what to fix",
    load: async () => (await import("./hook.ts")).hookDoctorCommand,
  },
  {
    name: "hook claude-code",
    summary: "the Claude Code hook (SessionStart, Pre/PostToolUse, PostToolUseFailure): mediate each tool call (fails closed)",
    load: async () => (await import("./hook.ts")).hookClaudeCodeCommand,
  },
  {
    name: "hook codex",
    summary: "the Codex hook (SessionStart, Pre/PostToolUse): mediate each tool call (fails closed)",
    load: async () => (await import("./hook.ts")).hookCodexCommand,
  },
  { name: "waiver request", summary: "request a waiver (engineer)", load: async () => (await import("./waiver.ts")).waiverRequestCommand },
  {
    name: "waiver approve",
    summary: "approve a waiver (security; never your own)",
    load: async () => (await import("./waiver.ts")).waiverApproveCommand,
  },
  {
    name: "waiver revoke",
    summary: "revoke a waiver with a reason (security, admin)",
    load: async () => (await import("./waiver.ts")).waiverRevokeCommand,
  },
  {
    name: "waiver list",
    summary: "list waivers with state, approvals and use counts",
    load: async () => (await import("./waiver.ts")).waiverListCommand,
  },
  {
    name: "hold place",
    summary: "place a hold that stops releases (auditor)",
    load: async () => (await import("./hold.ts")).holdPlaceCommand,
  },
  { name: "hold clear", summary: "clear a hold with a reason (auditor)", load: async () => (await import("./hold.ts")).holdClearCommand },
  {
    name: "hold list",
    summary: "list holds with what they block and who clears them",
    load: async () => (await import("./hold.ts")).holdListCommand,
  },
  {
    name: "breakglass open",
    summary: "open an emergency override, at most 1 hour (admin)",
    load: async () => (await import("./breakglass.ts")).breakglassOpenCommand,
  },
  {
    name: "breakglass review",
    summary: "close a break-glass with a finding (security)",
    load: async () => (await import("./breakglass.ts")).breakglassReviewCommand,
  },
  {
    name: "breakglass list",
    summary: "list break-glass overrides, overdue reviews first",
    load: async () => (await import("./breakglass.ts")).breakglassListCommand,
  },
  {
    name: "webhook add",
    summary: "subscribe a URL to events (signed, Standard Webhooks or Slack); prints the secret once",
    load: async () => (await import("./webhook.ts")).webhookAddCommand,
  },
  {
    name: "webhook list",
    summary: "list webhook subscriptions and where their delivery stands",
    load: async () => (await import("./webhook.ts")).webhookListCommand,
  },
  {
    name: "webhook remove",
    summary: "remove a webhook subscription with a reason",
    load: async () => (await import("./webhook.ts")).webhookRemoveCommand,
  },
  { name: "webhook test", summary: "send a signed test message now", load: async () => (await import("./webhook.ts")).webhookTestCommand },
  {
    name: "webhook failures",
    summary: "list deliveries given up after the retry window",
    load: async () => (await import("./webhook.ts")).webhookFailuresCommand,
  },
  {
    name: "webhook redeliver",
    summary: "deliver one failed message once more",
    load: async () => (await import("./webhook.ts")).webhookRedeliverCommand,
  },
  {
    name: "release create",
    summary: "record a draft release: artifacts (file or digest), run-sets, SBOM from package-lock.json",
    load: async () => (await import("./release.ts")).releaseCreateCommand,
  },
  {
    name: "release publish",
    summary: "publish a release (a mediated release.publish decision; holds deny)",
    load: async () => (await import("./release.ts")).releasePublishCommand,
  },
  { name: "release list", summary: "list releases", load: async () => (await import("./release.ts")).releaseListCommand },
  {
    name: "release show",
    summary: "one release and what an auditor should check",
    load: async () => (await import("./release.ts")).releaseShowCommand,
  },
  {
    name: "ledger verify",
    summary: "recompute the ledger tree and check every signature and checkpoint",
    load: async () => (await import("./ledger.ts")).ledgerVerifyCommand,
  },
  {
    name: "ledger proof",
    summary: "write a self-contained, offline-verifiable proof file for one entry",
    load: async () => (await import("./ledger.ts")).ledgerProofCommand,
  },
  {
    name: "ledger verify-proof",
    summary: "check a proof file offline against the checkpoint verifier key",
    load: async () => (await import("./ledger.ts")).ledgerVerifyProofCommand,
  },
  {
    name: "ledger checkpoint",
    summary: "issue a signed checkpoint of the current tree now",
    load: async () => (await import("./ledger.ts")).ledgerCheckpointCommand,
  },
  {
    name: "keys rotate",
    summary: "replace a signing key; the retired public key stays published",
    load: async () => (await import("./keys.ts")).keysRotateCommand,
  },
  {
    name: "evidence export",
    summary: "write a published release's evidence bundle (events, proofs, keys, signed safety case, SBOM) to a file",
    load: async () => (await import("./evidence.ts")).evidenceExportCommand,
  },
  {
    name: "evidence verify",
    summary: "verify an evidence bundle offline against a pinned key (JWKS, JWK, Ed25519 PEM or checkpoint vkey)",
    load: async () => (await import("./evidence.ts")).evidenceVerifyCommand,
  },
  {
    name: "completion",
    summary: "print a shell completion script: maestro completion bash|zsh|fish",
    load: async () => (await import("./completion.ts")).completionCommand,
  },
];
