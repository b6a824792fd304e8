// Bench-only: fills a ledger store FAST by writing leaves and nodes directly (computeAppend in big batches, no signing appends).
import { createHash, type KeyObject, sign } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { computeAppend, coordKey, EMPTY_ROOT, leafHash, rootCoords } from "../ledger/core/index.ts";
import type { LedgerTables } from "../ledger/store/schema.ts";

export interface FillKey {
  kid: string;
  privateKey: KeyObject;
}

/** The event at index i: its RFC 8785 text and the columns stored beside it. */
export interface FillEvent {
  json: string;
  id: string;
  kind: string;
  subject: string | null;
}

/** The filler event: a kind no projection folds. */
export function benchEvent(i: number): FillEvent {
  const id = fillEventId(i);
  const json = `{"actor":{"id":"bench","type":"service"},"id":"${id}","kind":"bench","payload":{"i":${i}},"time":"2026-01-01T00:00:00.000Z","v":1}`;
  return { json, id, kind: "bench", subject: null };
}

/** A UUID-shaped event id unique to index i. */
export function fillEventId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
}

/** A signed, valid envelope for index i (so the same rows also serve the verify benchmark). */
function entryAt(i: number, key: FillKey | null, eventAt: (i: number) => FillEvent) {
  const event = eventAt(i);
  const canonical = Buffer.from(event.json);
  if (!key) return { ...event, canonical, signature: "unsigned" };
  const header = Buffer.from(JSON.stringify({ alg: "EdDSA", kid: key.kid, typ: "maestro-event+jcs" })).toString("base64url");
  const sig = sign(null, Buffer.from(`${header}.${canonical.toString("base64url")}`), key.privateKey).toString("base64url");
  return { ...event, canonical, signature: `${header}..${sig}` };
}

/**
 * Appends `count` entries after the current head: leaf rows, every newly complete node, and the
 * head, batch by batch through unnest() arrays (one statement per table per batch). With `key` the
 * events are really signed, so `maestro ledger verify` accepts the result.
 */
export async function fastFill(
  db: Kysely<LedgerTables>,
  count: number,
  key: FillKey | null,
  batch = 20_000,
  eventAt: (i: number) => FillEvent = benchEvent,
): Promise<void> {
  const head = await db.selectFrom("ledger_head").select(["size", "root"]).where("id", "=", 1).executeTakeFirstOrThrow();
  let size = Number(head.size);
  let frontier = new Map<string, Uint8Array>();
  if (size > 0) throw new Error("fastFill starts from an empty ledger");
  let root = EMPTY_ROOT;
  for (let done = 0; done < count;) {
    const n = Math.min(batch, count - done);
    const rows = Array.from({ length: n }, (_, j) => entryAt(size + j, key, eventAt));
    const leaves = rows.map((r) => leafHash(r.canonical));
    const { nodes, root: newRoot } = computeAppend(frontier, size, leaves);
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    await sql`insert into ledger_entries (idx, event_id, kind, subject, leaf_hash, canonical, signature)
      select i, e, k, sb, decode(l, 'hex'), decode(c, 'hex'), s
      from unnest(${rows.map((_, j) => size + j)}::bigint[], ${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.kind)}::text[],
                  ${rows.map((r) => r.subject)}::text[], ${leaves.map(hex)}::text[],
                  ${rows.map((r) => r.canonical.toString("hex"))}::text[], ${rows.map((r) => r.signature)}::text[]) as t(i, e, k, sb, l, c, s)`.execute(
      db,
    );
    if (nodes.length > 0) {
      await sql`insert into ledger_nodes (level, idx, hash)
        select lv, i, decode(h, 'hex') from unnest(${nodes.map((x) => x.level)}::int[], ${nodes.map((x) => x.index)}::bigint[], ${nodes.map((x) => hex(x.hash))}::text[]) as t(lv, i, h)`.execute(
        db,
      );
    }
    // Keep only the peaks at the new size: memory stays flat however large the fill.
    const known = new Map(frontier);
    leaves.forEach((h, j) => {
      known.set(coordKey({ level: 0, index: size + j }), h);
    });
    for (const x of nodes) known.set(coordKey(x), x.hash);
    size += n;
    frontier = new Map(rootCoords(size).map((c) => [coordKey(c), known.get(coordKey(c)) as Uint8Array]));
    root = newRoot;
    done += n;
  }
  await db.updateTable("ledger_head").set({ size, root }).where("id", "=", 1).execute();
}

export const sha256hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
