// `maestro mediate`: one tool call through the mediator by hand, to see the decision and its reasons (and what is ledgered).
import { type Command, parseFlags, printJson, requireFlag, UsageError } from "../command.ts";
import { CLIENT_FLAGS, clientFrom } from "../http-client.ts";

const CAPABILITIES = ["repo.read", "repo.write", "tests.run", "network.egress", "package.install", "secrets.read", "release.publish"];

/** --arg key=value, repeatable: a flat object of strings, the common case; --args takes any JSON object. */
function argsFrom(pairs: string[] | undefined, json: string | undefined): Record<string, unknown> {
  if (pairs?.length && json) throw new UsageError("give --arg or --args, not both");
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new UsageError("--args must be a JSON object");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError("--args must be a JSON object");
    return parsed as Record<string, unknown>;
  }
  const args: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new UsageError(`--arg "${pair}" must look like key=value`);
    args[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return args;
}

export const mediateCommand: Command = {
  name: "mediate",
  usage: `
Usage: maestro mediate --runset NAME --agent NAME --session ID --capability CAP --resource R
         [--tool NAME] [--arg key=value…| --args JSON] [--url URL] [--token TOKEN] [--json]

Sends one tool call to POST /v1/mediate with an agent token and prints the decision (allow, deny or
require_approval), each reason's code and message, the waivers it used, and the ledger index where the
decision was recorded. The call is real: it is ledgered like any agent's. Nothing is run.
Capabilities: ${CAPABILITIES.join(", ")}.
Exit 0 when the server answered (whatever it decided; --json gives "allow" for scripts), 1 or 2 on errors.`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...CLIENT_FLAGS,
        runset: { type: "string" },
        agent: { type: "string" },
        session: { type: "string" },
        tool: { type: "string" },
        capability: { type: "string" },
        resource: { type: "string" },
        arg: { type: "string", multiple: true },
        args: { type: "string" },
      },
      mediateCommand,
    );
    const capability = requireFlag(values.capability, "capability");
    if (!CAPABILITIES.includes(capability)) throw new UsageError(`--capability must be one of ${CAPABILITIES.join(", ")}`);
    const body = {
      runset: requireFlag(values.runset, "runset"),
      agent: requireFlag(values.agent, "agent"),
      session: requireFlag(values.session, "session"),
      tool: values.tool ?? "maestro-cli",
      capability,
      resource: requireFlag(values.resource, "resource"),
      args: argsFrom(values.arg, values.args),
    };
    const result = await clientFrom(values).post("/v1/mediate", body);
    if (values.json) return printJson(result);
    const out = [`${result.decision}: ${capability} on ${body.resource} for agent ${body.agent} in run-set ${body.runset}`];
    for (const r of result.reasons ?? []) out.push(`  ${r.code}: ${r.message}`);
    if (result.waivers?.length) out.push(`  waivers used: ${result.waivers.join(", ")}`);
    out.push(`decision ${result.decisionId}, ledger index ${result.ledgerIndex}`);
    process.stdout.write(`${out.join("\n")}\n`);
  },
};
