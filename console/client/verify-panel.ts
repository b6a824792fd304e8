// "Verify in this browser": the release's evidence export checked in the page, against a key the auditor pins, by the
// CLI's own offline verifier (`maestro evidence verify`) bundled into a worker on WebCrypto (console/worker/). Each check
// is listed as the verifier makes it; nothing is trusted from the server but the bytes it is asked to prove.
import { getText } from "./api.ts";
import { badge, h } from "./dom.ts";

/** One verifier check as evidence/verify/verify-report.ts records it: the part or step, and what held or why not. */
interface Check {
  part: string;
  ok: boolean;
  message: string;
}
interface Result {
  ok: boolean;
  failedParts: string[];
  stats: { events: number; ms: number };
}
type WorkerMessage = { type: "check"; check: Check } | { type: "done"; result: Result } | { type: "error"; message: string };

/** Performance marks and the measure the console bench reads (bench/console.ts): Chromium's own clock. */
export const VERIFY_MARKS = { start: "maestro:verify:start", done: "maestro:verify:done", measure: "maestro:verify" } as const;

const KEY_HELP =
  "Paste the key you trust, obtained apart from this server (as for maestro evidence verify --key): a JWKS or one JWK of " +
  "the event signing key, an Ed25519 public key in PEM (BEGIN PUBLIC KEY), or the ledger's checkpoint vkey(s), one per line.";

export function verifyPanel(exportPath: string): HTMLElement {
  const keyInput = h("textarea", {
    id: "pinned-key",
    rows: 4,
    spellcheck: "false",
    "aria-describedby": "pinned-key-help",
    placeholder: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"…"}]}',
  }) as HTMLTextAreaElement;
  const fileInput = h("input", { id: "export-file", type: "file", accept: ".json,application/json" }) as HTMLInputElement;
  const status = h("p", { role: "status", class: "verify-status" });
  const rows = h("tbody", {});
  const checks = h(
    "table",
    { "aria-label": "Verification checks", class: "verify-checks", hidden: true },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Result"), h("th", { scope: "col" }, "Step"), h("th", { scope: "col" }, "Check"))),
    rows,
  );
  const button = h("button", { type: "button", id: "verify" }, "Verify in this browser") as HTMLButtonElement;

  const run = async (): Promise<void> => {
    const keyText = keyInput.value.trim();
    if (!keyText) {
      status.replaceChildren(badge("no key", "bad"), " Pin a public key first: verification against the server's own word proves nothing.");
      keyInput.focus();
      return;
    }
    button.disabled = true;
    rows.replaceChildren();
    checks.hidden = false;
    try {
      const file = fileInput.files?.[0];
      status.replaceChildren(file ? `Reading ${file.name}…` : "Downloading the evidence export…");
      const exportText = file ? await file.text() : await getText(exportPath);
      status.replaceChildren("Verifying…");
      const listed = batchedRows(rows);
      const result = await verifyInWorker(exportText, keyText, listed.add).finally(listed.flush);
      status.replaceChildren(...verdict(result));
    } catch (err) {
      status.replaceChildren(badge("error", "bad"), ` ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener("click", () => void run());

  return h(
    "section",
    { class: "verify", "aria-labelledby": "verify-title" },
    h("h2", { id: "verify-title" }, "Verify in this browser"),
    h(
      "p",
      { class: "hint" },
      "Runs the same offline checks as maestro evidence verify, here in the page with WebCrypto (Ed25519, SHA-256): " +
        "signed checkpoints, every event's signature and inclusion proof, the signed statement, the SBOM, the safety case " +
        "and the export signature.",
    ),
    h("label", { for: "pinned-key" }, "Pinned public key"),
    h("p", { id: "pinned-key-help", class: "hint" }, KEY_HELP),
    keyInput,
    h(
      "p",
      {},
      h("label", { for: "export-file" }, "Evidence export"),
      h("span", { class: "hint" }, " this release's, downloaded now, or a file you saved: "),
      fileInput,
    ),
    h("p", { class: "actions" }, button),
    status,
    checks,
  );
}

/** Rows join the table once per frame: a stranger's key fails every event, and each may not cost a layout. */
function batchedRows(tbody: HTMLElement): { add: (check: Check) => void; flush: () => void } {
  let queued: Check[] = [];
  const flush = () => {
    tbody.append(...queued.map(checkRow));
    queued = [];
  };
  return {
    add: (check) => {
      if (queued.push(check) === 1) requestAnimationFrame(flush);
    },
    flush,
  };
}

function checkRow(check: Check): HTMLElement {
  return h(
    "tr",
    { class: check.ok ? "pass" : "fail" },
    h("td", {}, check.ok ? badge("pass", "good") : badge("fail", "bad")),
    h("td", {}, h("code", {}, check.part)),
    h("td", {}, check.message),
  );
}

function verdict(result: Result): Array<Node | string> {
  const seconds = (result.stats.ms / 1000).toFixed(2);
  if (result.ok) return [badge("verified", "good"), ` Every check passes: ${result.stats.events} events, ${seconds} s in this browser.`];
  return [badge("failed", "bad"), ` Verification fails at: ${result.failedParts.join(", ")}.`];
}

/** One worker per verification: it holds the whole export, and is gone with it. */
function verifyInWorker(exportText: string, keyText: string, onCheck: (check: Check) => void): Promise<Result> {
  performance.mark(VERIFY_MARKS.start);
  const worker = new Worker("/console/assets/verify-worker.js", { type: "module", name: "maestro-verify" });
  return new Promise<Result>((resolve, reject) => {
    worker.onmessage = ({ data }: MessageEvent<WorkerMessage>) => {
      if (data.type === "check") return onCheck(data.check);
      worker.terminate();
      performance.mark(VERIFY_MARKS.done);
      performance.measure(VERIFY_MARKS.measure, VERIFY_MARKS.start, VERIFY_MARKS.done);
      if (data.type === "done") resolve(data.result);
      else reject(new Error(`the verifier stopped: ${data.message}`));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`the verifier could not run: ${event.message}`));
    };
    worker.postMessage({ exportText, keyText });
  });
}
