// Kysely table types of the ledger's own tables (server modules declare theirs beside their code).
import type { Generated } from "kysely";

export interface LedgerEntriesTable {
  idx: number;
  event_id: string;
  kind: string;
  subject: string | null;
  leaf_hash: Uint8Array;
  canonical: Uint8Array;
  signature: string;
  created_at: Generated<Date>;
}

/** Complete, aligned subtree hashes of level >= 1 (level 0 lives in ledger_entries.leaf_hash). */
export interface LedgerNodesTable {
  level: number;
  idx: number;
  hash: Uint8Array;
}

/** One row (id = 1): the committed tree size and root; its row lock is the single-writer lock. */
export interface LedgerHeadTable {
  id: number;
  size: number;
  root: Uint8Array;
}

export interface LedgerCheckpointsTable {
  id: Generated<number>;
  size: number;
  root: Uint8Array;
  note: string;
  created_at: Generated<Date>;
}

/** Public halves of every key we ever signed with; private keys never enter the database. */
export interface SigningKeysTable {
  kid: string;
  purpose: "event" | "token" | "checkpoint";
  public_jwk: string;
  vkey: string | null;
  created_at: Generated<Date>;
  retired_at: Date | null;
}

/** A witness's verified cosignature of one stored checkpoint (C2SP tlog-cosignature line, no newline). */
export interface LedgerCosignaturesTable {
  checkpoint_id: number;
  /** The witness's vkey (name+keyid+key). */
  witness: string;
  line: string;
  /** The POSIX seconds inside the cosignature. */
  signed_at: number;
  created_at: Generated<Date>;
}

/** Per witness: the last size it cosigned for us, and the last refusal or failure (cleared on success). */
export interface LedgerWitnessStatusTable {
  witness: string;
  cosigned_size: number | null;
  cosigned_at: Date | null;
  error_code: string | null;
  error: string | null;
  error_at: Date | null;
}

export interface LedgerTables {
  ledger_entries: LedgerEntriesTable;
  ledger_nodes: LedgerNodesTable;
  ledger_head: LedgerHeadTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  signing_keys: SigningKeysTable;
  ledger_cosignatures: LedgerCosignaturesTable;
  ledger_witness_status: LedgerWitnessStatusTable;
}
