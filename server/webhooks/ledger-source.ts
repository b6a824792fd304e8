// Which ledger entries in a range a subscription wants: kinds from their own column, release.blocked from mediations.
import type { Kysely } from "kysely";
import { parseCanonicalEvent, type LedgerEvent } from "../../ledger/event/envelope.ts";
import { ledgerKindsFor, type WebhookKind, webhookKindOf } from "./event-kinds.ts";
import type { AppDb } from "../db/app-db.ts";

export interface Candidate {
  index: number;
  kind: WebhookKind;
}

/**
 * Entries in [from, to) a subscription to `wanted` gets, in ledger order. Both reads use an index (the primary key
 * of ledger_entries with its kind column; the partial index on blocked release decisions), so a log full of
 * ordinary decisions costs a range scan of two columns, never a parse of each event.
 */
export async function candidatesIn(db: Kysely<AppDb>, wanted: readonly WebhookKind[], from: number, to: number): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const kinds = ledgerKindsFor(wanted);
  if (kinds.length > 0) {
    const rows = await db
      .selectFrom("ledger_entries")
      .select(["idx", "kind"])
      .where("idx", ">=", from)
      .where("idx", "<", to)
      .where("kind", "in", kinds)
      .orderBy("idx")
      .execute();
    for (const r of rows) found.push({ index: Number(r.idx), kind: webhookKindOf(r.kind)! });
  }
  if (wanted.includes("release.blocked")) {
    const rows = await db
      .selectFrom("mediations")
      .select("ledger_index")
      .where("capability", "=", "release.publish")
      .where("decision", "<>", "allow")
      .where("ledger_index", ">=", from)
      .where("ledger_index", "<", to)
      .execute();
    for (const r of rows) found.push({ index: Number(r.ledger_index), kind: "release.blocked" });
  }
  return found.sort((a, b) => a.index - b.index);
}

/** The events and signatures at `indexes`, in one read (a step's candidates), rather than one query per delivery. */
export async function entriesAt(db: Kysely<AppDb>, indexes: number[]): Promise<Map<number, { event: LedgerEvent; signature: string }>> {
  const found = new Map<number, { event: LedgerEvent; signature: string }>();
  if (indexes.length === 0) return found;
  const rows = await db.selectFrom("ledger_entries").select(["idx", "canonical", "signature"]).where("idx", "in", indexes).execute();
  for (const r of rows) found.set(Number(r.idx), { event: parseCanonicalEvent(new Uint8Array(r.canonical)), signature: r.signature });
  return found;
}
