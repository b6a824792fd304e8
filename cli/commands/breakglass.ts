// `maestro breakglass open|review|list`: the emergency-override procedure over the HTTP API.
import { type Command, parseFlags, printJson, requireFlag, UsageError } from "../command.ts";
import { count, fromNow, table } from "../format.ts";
import { CLIENT_FLAGS, clientFrom, parseDuration, requirePositional } from "../http-client.ts";

const CONNECT = "[--url URL] [--token TOKEN] [--json]   (MAESTRO_URL, MAESTRO_TOKEN also work)";

const scopeOf = (b: any) => (b.scope.type === "all" ? "everything" : `${b.scope.type} ${b.scope.id}`);

/** "expires in 40 minutes" while open, "expired at T" after: never "until" a time already past. */
function lifetime(b: any): string {
  return Date.parse(b.expiresAt) > Date.now() ? `expires ${fromNow(b.expiresAt)} (${b.expiresAt})` : `expired at ${b.expiresAt}`;
}

function review(b: any): string {
  return b.state === "reviewed"
    ? `reviewed by ${b.reviewedBy} (${b.verdict})`
    : `review due ${fromNow(b.reviewDeadline)}${b.overdue ? " (OVERDUE)" : ""}`;
}

function summary(b: any): string {
  const flags = [b.active ? "ACTIVE" : null, b.overdue ? "OVERDUE REVIEW" : null].filter(Boolean).join(" ");
  return `break-glass ${b.id}: ${b.state}${flags ? ` ${flags}` : ""}; on ${scopeOf(b)}, opened by ${b.openedBy}, ${lifetime(b)}; ${review(b)}; used ${count(b.uses.count, "time")}; ledger ${b.ledger.map((r: any) => r.index).join(",")}`;
}

function breakglassTable(list: any[]): string {
  return table(
    ["ID", "STATE", "SCOPE", "OPENED BY", "LIFETIME", "REVIEW", "USED"],
    list.map((b) => [
      b.id,
      `${b.state}${b.active ? " (active)" : ""}`,
      scopeOf(b),
      b.openedBy,
      lifetime(b),
      review(b),
      String(b.uses.count),
    ]),
  );
}

function parseScope(text: string): { type: string; id?: string } {
  if (text === "all") return { type: "all" };
  const [, type, id] = /^(runset|agent):(.+)$/.exec(text) ?? [];
  if (type === undefined || id === undefined) throw new UsageError(`--scope must be all, runset:NAME or agent:NAME, got "${text}"`);
  return { type, id };
}

export const breakglassOpenCommand: Command = {
  name: "breakglass open",
  usage: `
Usage: maestro breakglass open --scope all|runset:NAME|agent:NAME [--capability GLOB...]
         --counter-claim TEXT --control TEXT [--control TEXT...] (--review-by RFC3339 | --review-in 24h)
         [--duration 1h] ${CONNECT}

The counter-claim says why the deny is wrong right now; each --control names a compensating control.
A security reviewer must close it with a finding before the review deadline, or it is flagged overdue.`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...CLIENT_FLAGS,
        scope: { type: "string" },
        capability: { type: "string", multiple: true },
        "counter-claim": { type: "string" },
        control: { type: "string", multiple: true },
        "review-by": { type: "string" },
        "review-in": { type: "string" },
        duration: { type: "string" },
      },
      breakglassOpenCommand,
    );
    if (!values.control?.length) throw new UsageError("missing --control (repeat it for each compensating control)");
    if (Boolean(values["review-by"]) === Boolean(values["review-in"]))
      throw new UsageError("give exactly one of --review-by or --review-in");
    const reviewDeadline =
      values["review-by"] ?? new Date(Date.now() + parseDuration(values["review-in"]!, "review-in") * 1000).toISOString();
    const scope = { ...parseScope(requireFlag(values.scope, "scope")), ...(values.capability ? { capabilities: values.capability } : {}) };
    const body = {
      counterClaim: requireFlag(values["counter-claim"], "counter-claim"),
      compensatingControls: values.control,
      reviewDeadline,
      scope,
      ...(values.duration ? { durationSeconds: parseDuration(values.duration, "duration") } : {}),
    };
    const opened = await clientFrom(values).post("/v1/breakglass", body);
    if (values.json) printJson(opened);
    else process.stdout.write(`opened ${summary(opened)}\n`);
  },
};

export const breakglassReviewCommand: Command = {
  name: "breakglass review",
  usage: `
Usage: maestro breakglass review BREAKGLASS_ID --finding TEXT --verdict justified|unjustified ${CONNECT}`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { ...CLIENT_FLAGS, finding: { type: "string" }, verdict: { type: "string" } },
      breakglassReviewCommand,
      true,
    );
    const id = requirePositional(positionals, "BREAKGLASS_ID");
    const body = { finding: requireFlag(values.finding, "finding"), verdict: requireFlag(values.verdict, "verdict") };
    const reviewed = await clientFrom(values).post(`/v1/breakglass/${encodeURIComponent(id)}/review`, body);
    if (values.json) printJson(reviewed);
    else process.stdout.write(`reviewed ${summary(reviewed)}\n`);
  },
};

export const breakglassListCommand: Command = {
  name: "breakglass list",
  usage: `
Usage: maestro breakglass list [--state open|reviewed] [--overdue] ${CONNECT}`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { ...CLIENT_FLAGS, state: { type: "string" }, overdue: { type: "boolean" } },
      breakglassListCommand,
    );
    const query = new URLSearchParams();
    if (values.state) query.set("state", values.state);
    if (values.overdue) query.set("overdue", "true");
    const { breakglass } = await clientFrom(values).get(`/v1/breakglass${query.size ? `?${query}` : ""}`);
    const ordered = [...breakglass].sort((a: any, b: any) => Number(b.overdue) - Number(a.overdue));
    if (values.json) printJson({ breakglass });
    else process.stdout.write(ordered.length ? breakglassTable(ordered) : "no break-glass overrides\n");
  },
};
