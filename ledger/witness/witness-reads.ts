// Read side of witnessing: the checkpoint note with its cosignature lines, the newest witnessed checkpoint, each witness's status.
import type { Kysely } from "kysely";
import { countWitnesses, mergeSignatureLines } from "../core/index.ts";
import type { LedgerTables } from "../store/schema.ts";
import type { WitnessPolicy } from "./witness-list.ts";

export interface WitnessedCheckpoint {
  id: number;
  size: number;
  root: Uint8Array;
  /** The log's note with every stored cosignature line. */
  note: string;
  /** The configured witnesses whose cosignature verified, by name. */
  cosigners: string[];
}

export interface WitnessState {
  name: string;
  vkey: string;
  url: string;
  cosignedSize: number | null;
  cosignedAt: string | null;
  error: { code: string; message: string; at: string } | null;
}

/** How many candidates to try when the newest ones fail re-verification (a tampered row): enough, and bounded. */
const MAX_CANDIDATES = 20;

export class WitnessReads {
  readonly #db: Kysely<LedgerTables>;
  readonly policy: WitnessPolicy;

  constructor(db: Kysely<LedgerTables>, policy: WitnessPolicy) {
    this.#db = db;
    this.policy = policy;
  }

  /** The stored note plus every cosignature line stored for it (signed-note allows any number of signatures). */
  async cosignedNote(cp: { id: number; note: string }): Promise<string> {
    const rows = await this.#db
      .selectFrom("ledger_cosignatures")
      .select("line")
      .where("checkpoint_id", "=", cp.id)
      .orderBy("witness")
      .execute();
    return rows.length === 0
      ? cp.note
      : mergeSignatureLines(
          cp.note,
          rows.map((r) => r.line),
        );
  }

  /** cosignedNote for many checkpoints with one query (every checkpoint of a log, for verifiers). */
  async cosignedNotes(cps: Array<{ id: number; note: string }>): Promise<string[]> {
    const rows =
      cps.length === 0
        ? []
        : await this.#db.selectFrom("ledger_cosignatures").select(["checkpoint_id", "line"]).orderBy("witness").execute();
    const lines = new Map<number, string[]>();
    for (const r of rows) lines.set(Number(r.checkpoint_id), [...(lines.get(Number(r.checkpoint_id)) ?? []), r.line]);
    return cps.map((cp) => (lines.has(cp.id) ? mergeSignatureLines(cp.note, lines.get(cp.id)!) : cp.note));
  }

  /**
   * The largest checkpoint a quorum of the configured witnesses cosigned. The stored lines are verified
   * again here (not trusted because they were checked on the way in), so a changed row is not counted.
   */
  async newestWitnessed(): Promise<WitnessedCheckpoint | null> {
    const { witnesses, quorum } = this.policy;
    if (witnesses.length === 0) return null;
    const vkeys = witnesses.map((w) => w.cosigner.vkey);
    const candidates = await this.#db
      .selectFrom("ledger_cosignatures as s")
      .innerJoin("ledger_checkpoints as c", "c.id", "s.checkpoint_id")
      .select(["c.id", "c.size", "c.root", "c.note"])
      .where("s.witness", "in", vkeys)
      .groupBy(["c.id", "c.size", "c.root", "c.note"])
      .having((eb) => eb.fn.countAll(), ">=", quorum)
      .orderBy("c.size", "desc")
      .orderBy("c.id", "desc")
      .limit(MAX_CANDIDATES)
      .execute();
    for (const row of candidates) {
      const note = await this.cosignedNote({ id: Number(row.id), note: row.note });
      let count;
      try {
        count = countWitnesses(
          note,
          witnesses.map((w) => w.cosigner),
          quorum,
        );
      } catch {
        continue; // a stored line under a witness's key that no longer verifies: not evidence
      }
      if (count.witnessed) {
        return {
          id: Number(row.id),
          size: Number(row.size),
          root: new Uint8Array(row.root),
          note,
          cosigners: count.valid.map((v) => v.cosigner.name),
        };
      }
    }
    return null;
  }

  async status(): Promise<WitnessState[]> {
    const rows = await this.#db.selectFrom("ledger_witness_status").selectAll().execute();
    return this.policy.witnesses.map((w) => {
      const r = rows.find((x) => x.witness === w.cosigner.vkey);
      const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
      return {
        name: w.cosigner.name,
        vkey: w.cosigner.vkey,
        url: w.url,
        cosignedSize: r?.cosigned_size == null ? null : Number(r.cosigned_size),
        cosignedAt: iso(r?.cosigned_at),
        error: r?.error_code ? { code: r.error_code, message: r.error ?? "", at: iso(r.error_at) ?? "" } : null,
      };
    });
  }
}
