// Assembles the self-contained evidence export of a published release: events with inclusion proofs against one signed
// checkpoint, consistency proofs (evidence tree → checkpoint → newest), keys, signed safety case, SBOM, summaries; then signs it.
import type { Kysely } from "kysely";
import { inclusionPlan, planCoords, resolvePlan, toBase64, type NodeCoord } from "../../../ledger/core/index.ts";
import { eventSigner } from "../../../ledger/append/event-signer.ts";
import type { Ledger } from "../../../ledger/open-ledger.ts";
import { readNodeHashes } from "../../../ledger/store/node-hashes.ts";
import { MaestroError } from "../../../common/errors.ts";
import type { Clock } from "../../../common/clock.ts";
import {
  classifyEvents,
  type EvidenceExport,
  EXPORT_FORMAT,
  type ExportedEvent,
  releaseFromEvents,
  type SafetyCaseStatement,
  summarize,
} from "../../../evidence/index.ts";
import { entriesByIndex } from "../gather/ledger-queries.ts";
import type { ReleasesTable } from "../tables.ts";
import { exportedCheckpointKeys, signedBy } from "./checkpoint-keys.ts";
import { type AppDb, ledgerTablesOf } from "../../db/app-db.ts";
import { itemAt } from "../../../common/present.ts";

export interface ExportDeps {
  db: Kysely<AppDb>;
  ledger: Ledger<AppDb>;
  clock: Clock;
  /** The key this process signs checkpoints with: first in the export's `keys.vkey`, the ledger's retired ones after it. */
  checkpointVkey: string;
  eventJwks(): Promise<Array<Record<string, unknown>>>;
}

const CHUNK = 500;

/** RFC 6962 audit paths for many leaves at once: one batched read of every subtree hash they need. */
async function inclusionProofs(db: Kysely<AppDb>, indexes: number[], size: number): Promise<Map<number, string[]>> {
  const plans = new Map(indexes.map((i) => [i, inclusionPlan(i, size)]));
  const unique = new Map<string, NodeCoord>();
  for (const plan of plans.values()) for (const c of planCoords(plan)) unique.set(`${c.level}/${c.index}`, c);
  const coords = [...unique.values()];
  const hashes = new Map<string, Uint8Array>();
  for (let i = 0; i < coords.length; i += CHUNK) {
    const part = coords.slice(i, i + CHUNK);
    const read = await readNodeHashes(ledgerTablesOf(db), part);
    part.forEach((c, k) => hashes.set(`${c.level}/${c.index}`, itemAt(read, k, "node hashes")));
  }
  const out = new Map<number, string[]>();
  for (const [i, plan] of plans) out.set(i, resolvePlan(plan, (c) => hashes.get(`${c.level}/${c.index}`)!).map(toBase64));
  return out;
}

/** The newest quorum-witnessed checkpoint at or beyond `size` signed by the current key; null without witnesses or when none can be had. */
async function witnessedCovering(
  ledger: Ledger<AppDb>,
  size: number,
  vkey: string,
): Promise<{ id: number; size: number; note: string } | null> {
  if (ledger.witnesses.policy.witnesses.length === 0) return null;
  const ok = (w: { size: number; note: string } | null) => w !== null && w.size >= size && signedBy(w.note, vkey);
  let w = await ledger.witnesses.newestWitnessed();
  if (!ok(w)) {
    await ledger.checkpointer.issueAndCosign();
    w = await ledger.witnesses.newestWitnessed();
  }
  return ok(w) ? w : null;
}

/** The export as its exact bytes: JSON ending in the exportSignature member, which signs every byte before it. */
export async function buildEvidenceExport(deps: ExportDeps, row: ReleasesTable): Promise<string> {
  if (row.state !== "published" || !row.bundle || row.published_index === null) {
    throw new MaestroError("conflict", `release ${row.id} is not published; only a published release has signed evidence to export`, {
      field: "id",
    });
  }
  const { reader, checkpointer } = deps.ledger;
  const bundle = JSON.parse(row.bundle) as Record<string, any>;
  const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, "base64").toString("utf8")) as SafetyCaseStatement;
  const evidence = statement.predicate.evidence;

  // One checkpoint that covers the publish event: the first such one, so repeated exports agree; issue one if none yet.
  const covering = (await reader.checkpoints()).filter((c) => c.size > row.published_index!).sort((a, b) => a.size - b.size)[0];
  const checkpoint = covering ?? (await checkpointer.issue());
  // The newest checkpoint is signed by the current key, so that the vkey an auditor pins now (GET /v1/ledger/key)
  // signs it; the first export after a checkpoint key rotation signs the head anew. An older checkpoint signed by the
  // retired key then verifies as a prefix of it (checkpointToLatest): the bundle itself shows the rotation.
  let latest: { id: number; size: number; note: string } = (await reader.latestCheckpoint()) ?? checkpoint;
  if (!signedBy(latest.note, deps.checkpointVkey)) latest = await checkpointer.issue({ force: true });
  // With witnesses, the latest checkpoint is the newest one a quorum cosigned, so the file carries the cosignatures
  // that put the evidence inside a witnessed tree (`maestro evidence verify --witness`); asked for now if none covers it.
  const witnessed = await witnessedCovering(deps.ledger, checkpoint.size, deps.checkpointVkey);
  if (witnessed) latest = witnessed;

  const indexes = [...evidence.events.map((e) => e.index), row.published_index];
  const entries = (await entriesByIndex(deps.db, indexes, checkpoint.size)).sort((a, b) => a.index - b.index);
  if (entries.length !== indexes.length) throw new MaestroError("internal", `ledger is missing evidence events of release ${row.id}`);
  const proofs = await inclusionProofs(deps.db, indexes, checkpoint.size);
  const events: ExportedEvent[] = entries.map((e) => ({
    index: e.index,
    canonical: toBase64(e.canonical),
    signature: e.signature,
    proof: proofs.get(e.index)!,
  }));

  const consistency = async (from: number, to: number) => ({
    from,
    to,
    hashes: from === to ? [] : (await reader.consistencyProof(from, to)).hashes.map(toBase64),
  });
  const created = entries.find((e) => e.event.kind === "release.created")!;
  const published = entries.find((e) => e.index === row.published_index)!;
  const classified = classifyEvents(entries, {
    releaseId: row.id,
    sessions: JSON.parse(row.sessions),
    runsets: JSON.parse(row.runsets),
    publishDecisionId: evidence.publishDecision.id,
  });
  const unsigned: Omit<EvidenceExport, "exportSignature"> = {
    format: EXPORT_FORMAT,
    exportedAt: deps.clock.now().toISOString(),
    release: releaseFromEvents(created, published),
    keys: {
      jwks: { keys: (await deps.eventJwks()) as EvidenceExport["keys"]["jwks"]["keys"] },
      vkey: await exportedCheckpointKeys(reader, deps.checkpointVkey),
    },
    checkpoint: await deps.ledger.witnesses.cosignedNote(checkpoint),
    latestCheckpoint: await deps.ledger.witnesses.cosignedNote(latest),
    consistency: {
      evidenceToCheckpoint: await consistency(evidence.tree.size, checkpoint.size),
      checkpointToLatest: await consistency(checkpoint.size, latest.size),
    },
    events,
    safetyCase: { bundle, document: statement.predicate.safetyCase },
    sbom: row.sbom ? (JSON.parse(row.sbom) as Record<string, unknown>) : null,
    waivers: summarize(classified.set.waivers),
    holds: summarize(classified.set.holds),
    breakglass: summarize(classified.set.breakglass),
  };
  // Signed with the event key over the exact file bytes, so bytes no other check reads (e.g. exportedAt) are covered
  // too; hashing the bytes as written avoids re-canonicalizing a many-megabyte document on every verification.
  const text = JSON.stringify(unsigned);
  const exportSignature = await eventSigner(deps.ledger.keyring.event).sign(Buffer.from(text));
  return `${text.slice(0, -1)},"exportSignature":${JSON.stringify(exportSignature)}}`;
}
