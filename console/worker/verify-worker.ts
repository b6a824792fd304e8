// The console's "Verify in this browser", off the page's thread: the CLI's offline verifier (evidence/browser.ts) on
// WebCrypto. Receives the export's text and the pinned key's text; posts each check as it is made, then the result.
// Event signatures go to nested workers (signature-worker.ts): Chromium runs each crypto.subtle.verify on the calling
// thread, and 10,000 of them were a third of this thread's time (docs/benchmarks.md, the console's profile).
import "../shims/buffer-global.ts"; // before anything reads globalThis.Buffer
import { type Check, type SignatureWorker, verifyEvidence, webCryptoPlatformWithWorkers } from "../../evidence/browser.ts";

interface WorkerScope {
  onmessage: ((event: { data: { exportText: string; keyText: string } }) => void) | null;
  postMessage(message: unknown): void;
  navigator?: { hardwareConcurrency?: number };
}
declare const Worker: new (url: URL, options: { type: "module"; name: string }) => SignatureWorker;
const scope = globalThis as unknown as WorkerScope;

/** One per core but the one this thread hashes and parses on; at least one, so the signatures leave this thread. */
const SIGNATURE_WORKERS = Math.min(4, Math.max(1, (scope.navigator?.hardwareConcurrency ?? 2) - 1));
const spawn = () => new Worker(new URL("./signature-worker.js", import.meta.url), { type: "module", name: "maestro-signatures" });
const platform = webCryptoPlatformWithWorkers(spawn, SIGNATURE_WORKERS);

scope.onmessage = ({ data }) => {
  const onCheck = (check: Check) => scope.postMessage({ type: "check", check });
  verifyEvidence(data.exportText, data.keyText, platform, { onCheck }).then(
    (result) => scope.postMessage({ type: "done", result }),
    (err: Error) => scope.postMessage({ type: "error", message: err.message }),
  );
};
