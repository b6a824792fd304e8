// Worker thread body: checks batches of event signatures for signature-batch.ts.
import { serveRequests } from "../../common/worker-pool.ts";
import { eventKeySet, type EventKeys } from "./event-signature.ts";
import { CLAIMED_BY_WORKER, claimBatch, type SignatureBatch, signatureFailures } from "./signature-batch.ts";

// Every batch carries the key set; it is the same one each time, so its KeyObjects are built once.
let known: { text: string; keys: EventKeys } | undefined;

serveRequests((batch: SignatureBatch) => {
  if (!claimBatch(batch, CLAIMED_BY_WORKER)) return null;
  const text = JSON.stringify(batch.eventKeys);
  if (known?.text !== text) known = { text, keys: eventKeySet(batch.eventKeys) };
  return signatureFailures(batch, known.keys);
});
