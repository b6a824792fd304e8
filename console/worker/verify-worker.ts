// The console's "Verify in this browser", off the page's thread: the CLI's offline verifier (evidence/browser.ts) on
// WebCrypto. Receives the export's text and the pinned key's text; posts each check as it is made, then the result.
import "../shims/buffer-global.ts"; // before anything reads globalThis.Buffer
import { type Check, verifyEvidence, webCryptoPlatform } from "../../evidence/browser.ts";

interface WorkerScope {
  onmessage: ((event: { data: { exportText: string; keyText: string } }) => void) | null;
  postMessage(message: unknown): void;
}
const scope = globalThis as unknown as WorkerScope;

scope.onmessage = ({ data }) => {
  const onCheck = (check: Check) => scope.postMessage({ type: "check", check });
  verifyEvidence(data.exportText, data.keyText, webCryptoPlatform, { onCheck }).then(
    (result) => scope.postMessage({ type: "done", result }),
    (err: Error) => scope.postMessage({ type: "error", message: err.message }),
  );
};
