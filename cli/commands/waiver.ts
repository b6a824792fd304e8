// `maestro waiver request|approve|revoke|list`: the governed-exception procedure over the HTTP API.
import { type Command, parseFlags, printJson, requireFlag, UsageError } from "../command.ts";
import { count, durationWords, fromNow, table } from "../format.ts";
import { CLIENT_FLAGS, clientFrom, parseDuration, requirePositional } from "../http-client.ts";

const CONNECT = "[--url URL] [--token TOKEN] [--json]   (MAESTRO_URL, MAESTRO_TOKEN also work)";

function scopeOf(w: any): string {
  return [w.agents ? `agents ${w.agents.join(",")}` : null, w.runsets ? `runsets ${w.runsets.join(",")}` : null].filter(Boolean).join(", ");
}

/** When the waiver lives, in words: each state has its own instant ("revoked at", "expired at", "expires in"). */
function when(w: any): string {
  switch (w.state) {
    case "active":
      return w.expiresAt ? `expires ${fromNow(w.expiresAt)} (${w.expiresAt})` : "active";
    case "expired":
      return w.expiresAt ? `expired at ${w.expiresAt} (${fromNow(w.expiresAt)})` : "expired";
    case "revoked":
      return `revoked at ${w.revokedAt}${w.revokedBy ? ` by ${w.revokedBy}` : ""}${w.revokeReason ? `: ${w.revokeReason}` : ""}`;
    default:
      return `lasts ${durationWords(w.durationSeconds)} once approved`;
  }
}

function summary(w: any): string {
  const approvals = `${w.approvals.length} of ${w.approvalsRequired} ${w.approvalsRequired === 1 ? "approval" : "approvals"}`;
  return `waiver ${w.id}: ${w.state}, ${w.capability} on ${w.resource} for ${scopeOf(w)}, waives ${w.waives.join(",")}; ${approvals}; used ${count(w.uses.count, "time")}; ${when(w)}`;
}

function waiverTable(waivers: any[]): string {
  return table(
    ["ID", "STATE", "CAPABILITY", "RESOURCE", "SCOPE", "WAIVES", "APPROVALS", "USED", "WHEN"],
    waivers.map((w) => [
      w.id,
      w.state,
      w.capability,
      w.resource,
      scopeOf(w),
      w.waives.join(","),
      `${w.approvals.length}/${w.approvalsRequired}`,
      String(w.uses.count),
      when(w),
    ]),
  );
}

export const waiverRequestCommand: Command = {
  name: "waiver request",
  usage: `
Usage: maestro waiver request --capability CAP --resource GLOB (--agent NAME... | --runset NAME...)
         --waives no_grant[,session_tainted,approval_required,budget_exceeded,secret_detected,secret_file,
                  licence_incompatible,licence_unknown,session_holds_secret] --justification TEXT
         --duration 8h [--fingerprint hmac-sha256:HEX...] [--ticket REF] ${CONNECT}

The policy sets the longest duration per capability and whether it can be waived at all.
Security approves it (never the requester); high-risk capabilities need two approvers.
--fingerprint (repeatable, with secret_detected) lifts only the findings a deny named by that fingerprint.`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...CLIENT_FLAGS,
        capability: { type: "string" },
        resource: { type: "string" },
        agent: { type: "string", multiple: true },
        runset: { type: "string", multiple: true },
        waives: { type: "string" },
        justification: { type: "string" },
        duration: { type: "string" },
        ticket: { type: "string" },
        fingerprint: { type: "string", multiple: true },
      },
      waiverRequestCommand,
    );
    if (!values.agent && !values.runset) throw new UsageError("give --agent or --runset (repeatable): a waiver is always scoped");
    const body = {
      capability: requireFlag(values.capability, "capability"),
      resource: requireFlag(values.resource, "resource"),
      ...(values.agent ? { agents: values.agent } : {}),
      ...(values.runset ? { runsets: values.runset } : {}),
      waives: requireFlag(values.waives, "waives")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      justification: requireFlag(values.justification, "justification"),
      durationSeconds: parseDuration(requireFlag(values.duration, "duration"), "duration"),
      ...(values.ticket ? { ticket: values.ticket } : {}),
      ...(values.fingerprint ? { fingerprints: values.fingerprint } : {}),
    };
    const waiver = await clientFrom(values).post("/v1/waivers", body);
    if (values.json) printJson(waiver);
    else process.stdout.write(`requested ${summary(waiver)}\n`);
  },
};

export const waiverApproveCommand: Command = {
  name: "waiver approve",
  usage: `
Usage: maestro waiver approve WAIVER_ID [--comment TEXT] ${CONNECT}`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { ...CLIENT_FLAGS, comment: { type: "string" } }, waiverApproveCommand, true);
    const id = requirePositional(positionals, "WAIVER_ID");
    const waiver = await clientFrom(values).post(
      `/v1/waivers/${encodeURIComponent(id)}/approve`,
      values.comment ? { comment: values.comment } : {},
    );
    if (values.json) printJson(waiver);
    else process.stdout.write(`approved ${summary(waiver)}\n`);
  },
};

export const waiverRevokeCommand: Command = {
  name: "waiver revoke",
  usage: `
Usage: maestro waiver revoke WAIVER_ID --reason TEXT ${CONNECT}`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { ...CLIENT_FLAGS, reason: { type: "string" } }, waiverRevokeCommand, true);
    const id = requirePositional(positionals, "WAIVER_ID");
    const waiver = await clientFrom(values).post(`/v1/waivers/${encodeURIComponent(id)}/revoke`, {
      reason: requireFlag(values.reason, "reason"),
    });
    if (values.json) printJson(waiver);
    else process.stdout.write(`revoked ${summary(waiver)}\n`);
  },
};

export const waiverListCommand: Command = {
  name: "waiver list",
  usage: `
Usage: maestro waiver list [--state pending|active|revoked|expired] [--capability CAP] ${CONNECT}

Security, admin and auditors see every waiver; an engineer sees the waivers they requested.`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...CLIENT_FLAGS, state: { type: "string" }, capability: { type: "string" } }, waiverListCommand);
    const query = new URLSearchParams();
    if (values.state) query.set("state", values.state);
    if (values.capability) query.set("capability", values.capability);
    const { waivers } = await clientFrom(values).get(`/v1/waivers${query.size ? `?${query}` : ""}`);
    if (values.json) printJson({ waivers });
    else process.stdout.write(waivers.length ? waiverTable(waivers) : "no waivers\n");
  },
};
