// Worker thread body: checks packed batches of entries (entry-batch.ts) for entry-check-pool.ts: leaf hash,
// canonical form, signature.
import type { JWK } from "jose";
import { unpackEntries } from "./entry-batch.ts";
import type { EntryCheckRequest } from "./entry-check-pool.ts";
import { checkEntries } from "./entry-check.ts";
import { type EventKeys, eventKeySet } from "./event-signature.ts";
import { serveRequests } from "../../common/worker-pool.ts";

/** The key set of the last batch: batches come with the same keys until a key event changes them. */
let current: { json: string; keys: EventKeys } | null = null;

serveRequests(({ keys, packed }: EntryCheckRequest) => {
  if (current?.json !== keys) current = { json: keys, keys: eventKeySet(JSON.parse(keys) as JWK[]) };
  return checkEntries(unpackEntries(packed), current.keys);
});
