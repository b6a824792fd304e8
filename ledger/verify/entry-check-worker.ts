// Worker thread body: checks packed batches of entries (entry-batch.ts) (leaf hash, canonical form, signature) for entry-check-pool.ts.
import { workerData } from "node:worker_threads";
import type { JWK } from "jose";
import { checkEntries } from "./entry-check.ts";
import { eventKeySet } from "./event-signature.ts";
import { unpackEntries } from "./entry-batch.ts";
import { serveRequests } from "../../common/worker-pool.ts";

const keys = eventKeySet((workerData as { eventKeys: JWK[] }).eventKeys);

serveRequests((packed: ArrayBuffer) => checkEntries(unpackEntries(packed), keys));
