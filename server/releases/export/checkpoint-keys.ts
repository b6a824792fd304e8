// The checkpoint keys an export carries across key rotations: every one the ledger publishes, the signing one first.
import { openNote, parseVkey } from "../../../ledger/core/index.ts";
import type { LedgerReader } from "../../../ledger/read/ledger-reader.ts";
import { formatVkeyList } from "../../../evidence/index.ts";

/**
 * `keys.vkey` of an export: the key this process signs checkpoints with, then every other checkpoint key the ledger
 * publishes (retired by `maestro keys rotate --purpose checkpoint`, kept so their checkpoints still verify), in the
 * order the ledger published them: the same keys `maestro ledger verify` accepts. Only keys named after this log's
 * origin, the only ones that can sign its checkpoints (signed-note key name = origin).
 */
export async function exportedCheckpointKeys(reader: LedgerReader, current: string): Promise<string> {
  const logName = parseVkey(current).name;
  const published = (await reader.publicKeys("checkpoint")).flatMap((row) => (row.vkey ? [row.vkey] : []));
  const retired = published.filter((vkey) => vkey !== current && parseVkey(vkey).name === logName);
  return formatVkeyList([current, ...new Set(retired)]);
}

/** Whether `vkey` signed the C2SP signed note. */
export function signedBy(note: string, vkey: string): boolean {
  try {
    openNote(note, [parseVkey(vkey)]);
    return true;
  } catch {
    return false;
  }
}
