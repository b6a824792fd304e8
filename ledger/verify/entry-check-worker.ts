// Worker thread body: checks batches of entries (leaf hash, canonical form, signature) for entry-check-pool.ts.
import { workerData } from "node:worker_threads";
import type { JWK } from "jose";
import { checkEntries } from "./entry-check.ts";
import { eventKeySet } from "./event-signature.ts";
import type { VerifyEntry } from "./types.ts";
import { serveRequests } from "../../common/worker-pool.ts";

const keys = eventKeySet((workerData as { eventKeys: JWK[] }).eventKeys);

serveRequests((entries: VerifyEntry[]) => checkEntries(entries, keys));
