// A nested worker of the console's verifier (verify-worker.ts): checks the batches of event signatures it is sent with
// WebCrypto, by the verifier's own code (evidence/verify/webcrypto-signatures.ts), and answers each with its failures.
import "../shims/buffer-global.ts"; // before anything reads globalThis.Buffer
import type { JWK } from "jose";
import {
  type WebCryptoBatch,
  webCryptoBatchFailures,
  type WebCryptoKeys,
  webCryptoKeys,
} from "../../evidence/verify/webcrypto-signatures.ts";

interface WorkerScope {
  onmessage: ((event: { data: WebCryptoBatch }) => void) | null;
  postMessage(message: unknown): void;
}
const scope = globalThis as unknown as WorkerScope;

// Every batch carries the key set; it is the same one each time, so its keys are built once.
let known: { text: string; keys: WebCryptoKeys } | undefined;
const keysOf = (jwks: JWK[]): WebCryptoKeys => {
  const text = JSON.stringify(jwks);
  if (known?.text !== text) known = { text, keys: webCryptoKeys(jwks) };
  return known.keys;
};

scope.onmessage = ({ data }) => {
  // Anything that throws, even building the keys, answers the batch with an error: the verifier fails its events.
  Promise.resolve(data)
    .then((batch) => webCryptoBatchFailures(batch, keysOf(batch.eventKeys)))
    .then(
      (failures) => scope.postMessage({ id: data.id, failures }),
      (err: Error) => scope.postMessage({ id: data.id, error: err.message }),
    );
};
