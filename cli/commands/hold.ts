// `maestro hold place|clear|list`: the auditor's hold procedure over the HTTP API.
import { type Command, parseFlags, printJson, requireFlag, UsageError } from "../command.ts";
import { table } from "../format.ts";
import { CLIENT_FLAGS, clientFrom, requirePositional } from "../http-client.ts";

const CONNECT = "[--url URL] [--token TOKEN] [--json]   (MAESTRO_URL, MAESTRO_TOKEN also work)";

const scopeOf = (h: any) => (h.scope.type === "all" ? "everything" : `${h.scope.type} ${h.scope.id}`);

function summary(h: any): string {
  const end = h.state === "cleared" ? ` by ${h.clearedBy}: ${h.clearReason}` : "";
  return `hold ${h.id}: ${h.state}${end}; on ${scopeOf(h)}, placed by ${h.placedBy}: ${h.reason}`;
}

function holdTable(holds: any[]): string {
  return table(
    ["ID", "STATE", "SCOPE", "PLACED BY", "REASON"],
    holds.map((h) => [
      h.id,
      h.state,
      scopeOf(h),
      h.placedBy,
      h.state === "cleared" ? `${h.reason} (cleared by ${h.clearedBy}: ${h.clearReason})` : h.reason,
    ]),
  );
}

export const holdPlaceCommand: Command = {
  name: "hold place",
  usage: `
Usage: maestro hold place (--release OWNER/REPO@VERSION | --repository OWNER/REPO | --all) --reason TEXT ${CONNECT}

While the hold is active every release.* decision in its scope is denied (reason hold_active).`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...CLIENT_FLAGS,
        release: { type: "string" },
        repository: { type: "string" },
        all: { type: "boolean" },
        reason: { type: "string" },
      },
      holdPlaceCommand,
    );
    const scopes = [
      values.release && { type: "release", id: values.release },
      values.repository && { type: "repository", id: values.repository },
      values.all && { type: "all" },
    ].filter(Boolean);
    if (scopes.length !== 1) throw new UsageError("give exactly one of --release, --repository or --all");
    const hold = await clientFrom(values).post("/v1/holds", { scope: scopes[0], reason: requireFlag(values.reason, "reason") });
    if (values.json) printJson(hold);
    else process.stdout.write(`placed ${summary(hold)}\n`);
  },
};

export const holdClearCommand: Command = {
  name: "hold clear",
  usage: `
Usage: maestro hold clear HOLD_ID --reason TEXT ${CONNECT}`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { ...CLIENT_FLAGS, reason: { type: "string" } }, holdClearCommand, true);
    const id = requirePositional(positionals, "HOLD_ID");
    const hold = await clientFrom(values).post(`/v1/holds/${encodeURIComponent(id)}/clear`, {
      reason: requireFlag(values.reason, "reason"),
    });
    if (values.json) printJson(hold);
    else process.stdout.write(`cleared ${summary(hold)}\n`);
  },
};

export const holdListCommand: Command = {
  name: "hold list",
  usage: `
Usage: maestro hold list [--state active|cleared] ${CONNECT}`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...CLIENT_FLAGS, state: { type: "string" } }, holdListCommand);
    const { holds } = await clientFrom(values).get(`/v1/holds${values.state ? `?state=${encodeURIComponent(values.state)}` : ""}`);
    if (values.json) printJson({ holds });
    else process.stdout.write(holds.length ? holdTable(holds) : "no holds\n");
  },
};
