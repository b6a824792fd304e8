// Run lifecycle events reported by agent runners (budget exhausted, finished…), validated and ledgered.
import { MaestroError } from "../../common/errors.ts";
import { compileSchema, validated } from "../../common/ajv.ts";
import type { LedgerWriter } from "../../ledger/append/ledger-writer.ts";
import { requireActsAs } from "../auth/agent-binding.ts";
import type { Principal } from "../auth/roles.ts";
import runEventSchema from "../../schemas/mediate/run-event.schema.json" with { type: "json" };
import type { AppDb } from "../db/app-db.ts";

const checkRunEvent = compileSchema(runEventSchema);
/** A run id as the path names it (the OpenAPI document gives the same pattern). */
export const RUN_ID = /^[A-Za-z0-9][\w.:-]{0,127}$/;

export async function recordRunEvent(
  writer: LedgerWriter<AppDb>,
  runId: string,
  body: unknown,
  principal: Principal,
): Promise<{ ledgerIndex: number }> {
  if (!RUN_ID.test(runId)) throw new MaestroError("invalid_field", "runId must be 1-128 letters, digits, _ . : -", { field: "runId" });
  const event = validated<{ kind: string; payload: { runset: string; agent: string } & Record<string, unknown> }>(checkRunEvent, body);
  // A run's events are reported as the agent that ran: another token would put words in its mouth on the ledger.
  requireActsAs(principal, event.payload, { agent: "/payload/agent", runset: "/payload/runset" });
  const entry = await writer.append({
    kind: event.kind,
    actor: { type: "agent", id: principal.sub, role: principal.role },
    subject: { type: "run", id: runId },
    payload: event.payload,
  });
  return { ledgerIndex: entry.index };
}
