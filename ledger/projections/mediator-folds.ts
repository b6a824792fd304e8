// Folds of the mediator's events: a decision (its mediations row, the session it opens, the uses of the exceptions it
// cites), an outcome (its row, and the taint, spend or secret read it carries) and a run-set registration (grants and
// cap; spend is kept).
import { MaestroError } from "../../common/errors.ts";
import { canonicalJson } from "../event/canonical-json.ts";
import type { LedgerEvent } from "../event/envelope.ts";
import { exceptionUses } from "./exception-uses.ts";
import { FoldRefused, type ProjectionView, type Row, type RowChange } from "./row-change.ts";

interface DecisionPayload {
  call: {
    agent: string;
    session: string;
    runset: string;
    tool: string;
    capability: string;
    resource: string;
    canonicalResource?: string | null;
  };
  decision: string;
  policy: { digest: string };
  waivers: unknown[];
}

interface OutcomePayload {
  status: string;
  taint?: { source: string };
  costUsd?: number;
  /** Facts of what the tool read: findings mean the session now holds a secret. */
  content?: { findings: Array<{ rule: string; path: string; line: number }>; unlisted: number };
}

/** Where a session's secrets came from, listed at most this many (the session row stays small; the ledger has all). */
export const MAX_SECRET_SOURCES = 32;
/** A source names its path (a file, a host, a command line) clipped to this many characters. */
const SOURCE_PATH_CHARS = 200;

interface RunsetPayload {
  name: string;
  grants: unknown[];
  budget_cap_usd: number | null;
  license?: string;
}

export function foldDecision(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as unknown as DecisionPayload;
  const decisionId = event.subject!.id;
  const changes: RowChange[] = [
    {
      op: "insert",
      table: "mediations",
      key: { decision_id: decisionId },
      values: {
        ledger_index: index,
        runset: p.call.runset,
        agent: p.call.agent,
        session: p.call.session,
        tool: p.call.tool,
        capability: p.call.capability,
        // The canonical identity, so evidence queries find every spelling of one resource; the raw one is in the event.
        resource: p.call.canonicalResource ?? p.call.resource,
        decision: p.decision,
        policy_digest: p.policy.digest,
        waiver_ids: canonicalJson(p.waivers),
        created_at: event.time,
        decided_by: event.actor.id,
      },
    },
  ];
  // The session's first decision claims it for its token; a session another token owns refuses the decision.
  const session = view.get("sessions", { session: p.call.session });
  const owner = event.actor.id;
  if (session === null)
    changes.push({
      op: "insert",
      table: "sessions",
      key: { session: p.call.session },
      values: { tainted: false, taint_sources: "[]", secret_sources: "[]", owner },
    });
  else if (session.owner === null) changes.push({ op: "update", table: "sessions", key: { session: p.call.session }, values: { owner } });
  else if (session.owner !== owner) throw sessionMismatch(p.call.session, "/session");
  // Each waiver and break-glass override the decision relied on counts one more use.
  changes.push(...exceptionUses(event, view));
  return changes;
}

export function foldOutcome(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as unknown as OutcomePayload;
  const decisionId = event.subject!.id;
  const reporter = event.actor.id;
  const changes: RowChange[] = [
    {
      op: "insert",
      table: "outcomes",
      key: { decision_id: decisionId },
      values: {
        ledger_index: index,
        status: p.status,
        cost_usd: p.costUsd ?? 0,
        created_at: event.time,
        reported_by: reporter,
        decision: "allow",
      },
      // Only an allowed decision asked for by the same token has an outcome (the store's foreign keys say so too).
      references: { table: "mediations", key: { decision_id: decisionId }, values: { decision: "allow", decided_by: reporter } },
    },
  ];
  const secrets = secretSources(p.content);
  if (!p.taint && !p.costUsd && secrets.length === 0) return changes;
  // Taint and spend change what the session's and run-set's next decisions read: they need the decision's row.
  const mediation = view.get("mediations", { decision_id: decisionId });
  if (mediation === null || mediation.decision !== "allow" || mediation.decided_by !== reporter)
    throw new FoldRefused("missing", `no allowed decision ${decisionId} by ${reporter}`);
  const sessionKey = { session: String(mediation.session) };
  const session = view.get("sessions", sessionKey);
  if (session !== null && session.owner !== null && session.owner !== reporter)
    throw sessionMismatch(String(mediation.session), "decisionId");
  const values: Row = {};
  if (p.taint) {
    const sources = session ? (JSON.parse(String(session.taint_sources)) as string[]) : [];
    if (!sources.includes(p.taint.source)) sources.push(p.taint.source);
    Object.assign(values, { tainted: true, taint_sources: canonicalJson(sources) });
  }
  if (secrets.length > 0) {
    // A secret read stays with the session: every later egress or release from it needs a person (content.rego).
    const held = session ? (JSON.parse(String(session.secret_sources)) as string[]) : [];
    for (const source of secrets) if (held.length < MAX_SECRET_SOURCES && !held.includes(source)) held.push(source);
    values.secret_sources = canonicalJson(held);
  }
  if (Object.keys(values).length > 0)
    changes.push(
      session === null
        ? {
            op: "insert",
            table: "sessions",
            key: sessionKey,
            values: { tainted: false, taint_sources: "[]", secret_sources: "[]", ...values, owner: null },
          }
        : { op: "update", table: "sessions", key: sessionKey, values },
    );
  if (p.costUsd) {
    const runsetKey = { name: String(mediation.runset) };
    const runset = view.get("runsets", runsetKey);
    if (runset !== null)
      changes.push({ op: "update", table: "runsets", key: runsetKey, values: { spent_usd: Number(runset.spent_usd) + p.costUsd } });
  }
  return changes;
}

export function foldRunsetRegistered(event: LedgerEvent, index: number, view: ProjectionView): RowChange[] {
  const p = event.payload as unknown as RunsetPayload;
  const key = { name: p.name };
  const values = {
    spec: canonicalJson(p.license === undefined ? { grants: p.grants } : { grants: p.grants, license: p.license }),
    budget_cap_usd: p.budget_cap_usd,
    registered_by: event.actor.id,
    ledger_index: index,
  };
  // Re-registering replaces grants and cap but keeps what was already spent.
  return [
    view.get("runsets", key) === null
      ? { op: "insert", table: "runsets", key, values: { ...values, spent_usd: 0 } }
      : { op: "update", table: "runsets", key, values },
  ];
}

/** The secret findings of a read as the session lists them: "rule in path line N", never the matched text. */
function secretSources(content: OutcomePayload["content"]): string[] {
  if (!content) return [];
  const sources = content.findings.map((f) => `${f.rule} in ${clipped(f.path)} line ${f.line}`);
  // Unlisted findings come only after the listed ones, so there is always a listed one to name.
  return content.unlisted > 0 && sources.length === 0 ? ["unlisted secret findings"] : sources;
}

function clipped(path: string): string {
  return path.length > SOURCE_PATH_CHARS ? `${path.slice(0, SOURCE_PATH_CHARS)}…` : path;
}

function sessionMismatch(session: string, field: string): FoldRefused {
  const message = `session ${JSON.stringify(session)} belongs to another token: a session is used only by the token that opened it`;
  return new FoldRefused("mismatch", message, new MaestroError("session_mismatch", message, { field }));
}
