// The ledger pages: checkpoints over time with their witnesses, one entry checked in the page, and the live tail.
import { getJson, getText } from "./api.ts";
import { badge, h, table, when } from "./dom.ts";
import { type EventJwk, fromBase64, openCheckpointNote, verifyEventSignature, verifyInclusion } from "./ledger-checks.ts";
import { readSse } from "./sse.ts";

type Json = Record<string, unknown>;
type Page = (main: HTMLElement, params: string[]) => Promise<void>;

/** Checkpoints listed at once; the newest matter, and the API serves every one. */
const CHECKPOINT_ROWS = 200;
/** Entries the tail keeps on screen. */
const TAIL_ROWS = 200;

export const entryLink = (index: number, label = `#${index}`): HTMLElement => h("a", { href: `#/ledger/entries/${index}` }, label);

/** The ledger entries behind a waiver, hold or break-glass (`ledger: [{kind, index}]`), each a link to its entry page. */
export function ledgerLinks(row: Json): HTMLElement {
  const refs = Array.isArray(row.ledger) ? (row.ledger as { kind?: string; index?: number }[]) : [];
  const links = refs.filter((r) => typeof r.index === "number").map((r) => entryLink(r.index!, `${r.kind ?? "entry"} #${r.index}`));
  return h("span", { class: "refs" }, ...(links.length ? links : ["—"]));
}

/** Signature lines on a checkpoint note that are not the log's own: the witnesses' cosignatures. */
function cosigners(note: string, origin: string): string[] {
  const block = note.slice(note.lastIndexOf("\n\n") + 2);
  return block
    .split("\n")
    .map((line) => /^\u2014 (\S+) /.exec(line)?.[1])
    .filter((name): name is string => !!name && name !== origin);
}

export const checkpoints: Page = async (main) => {
  const [{ checkpoints: all }, witnessed] = await Promise.all([
    getJson<{ checkpoints: { size: number; rootHash: string; note: string; createdAt: string }[] }>("/v1/ledger/checkpoints"),
    getJson<{ quorum: number; witnesses: Json[]; checkpoint: { size: number; cosigners: string[] } | null }>("/v1/ledger/witnessed"),
  ]);
  const newest = [...all].reverse().slice(0, CHECKPOINT_ROWS);
  const origin = (note: string) => note.slice(0, note.indexOf("\n"));
  const jump = h("input", { id: "entry-index", type: "number", min: 0, step: 1, required: true }) as HTMLInputElement;
  const form = h(
    "form",
    { class: "inline" },
    h("label", { for: "entry-index" }, "Open entry"),
    jump,
    h("button", { type: "submit" }, "Open"),
    h("a", { href: "#/ledger/tail" }, "Live tail"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/ledger/entries/${Number(jump.value)}`;
  });
  main.replaceChildren(
    h("h1", {}, "Ledger"),
    form,
    h("h2", {}, "Witnesses"),
    witnessed.witnesses.length === 0
      ? h("p", {}, "No witnesses are configured: checkpoints carry the log's signature only.")
      : h(
          "section",
          {},
          h(
            "p",
            {},
            `Quorum ${witnessed.quorum} of ${witnessed.witnesses.length}. `,
            witnessed.checkpoint
              ? `Newest checkpoint a quorum cosigned: size ${witnessed.checkpoint.size} (${witnessed.checkpoint.cosigners.join(", ")}).`
              : "No checkpoint has a quorum of cosignatures yet.",
          ),
          table(
            ["Witness", "Cosigned size", "Cosigned", "Last error"],
            witnessed.witnesses.map((w) => [
              String(w.name),
              w.cosignedSize === null ? "—" : String(w.cosignedSize),
              when(w.cosignedAt),
              w.error ? badge(String((w.error as Json).message ?? (w.error as Json).code), "bad") : badge("none", "good"),
            ]),
            "Witnesses",
          ),
        ),
    h("h2", {}, `Checkpoints (${all.length})`),
    ...(all.length > CHECKPOINT_ROWS ? [h("p", { class: "hint" }, `The newest ${CHECKPOINT_ROWS} of ${all.length}.`)] : []),
    all.length === 0
      ? h("p", {}, "No checkpoint has been issued yet.")
      : table(
          ["Tree size", "Issued", "Root hash", "Witness cosignatures", "Last entry"],
          newest.map((cp) => {
            const names = cosigners(cp.note, origin(cp.note));
            return [
              String(cp.size),
              when(cp.createdAt),
              h("code", {}, cp.rootHash),
              names.length ? `${names.length}: ${names.join(", ")}` : "none",
              cp.size > 0 ? entryLink(cp.size - 1) : "—",
            ];
          }),
          "Checkpoints",
        ),
  );
};

interface Check {
  name: string;
  run: () => Promise<string>;
}

/** One row per check, filled in as each passes or fails; a check that cannot run yet says why, as a warning. */
async function runChecks(list: HTMLElement, checks: Check[]): Promise<void> {
  for (const check of checks) {
    const result = h("span", {}, badge("checking", "plain"));
    list.append(h("li", { "data-check": check.name }, h("strong", {}, `${check.name}: `), result));
    try {
      const detail = await check.run();
      result.replaceChildren(badge("verified", "good"), ` ${detail}`);
    } catch (err) {
      const pending = err instanceof NotYet;
      result.replaceChildren(
        badge(pending ? "not yet" : "failed", pending ? "warn" : "bad"),
        ` ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}

class NotYet extends Error {}

export const entry: Page = async (main, [index = ""]) => {
  if (!/^\d{1,15}$/.test(index)) throw new Error("an entry is named by its ledger index, a number");
  const e = await getJson<{ index: number; leafHash: string; canonical: string; signature: string }>(`/v1/ledger/entries/${index}`);
  const canonical = fromBase64(e.canonical);
  // What is shown is what was hashed and signed: the canonical bytes, not a second copy of the event beside them.
  const event = JSON.parse(new TextDecoder().decode(canonical)) as Json;
  const checks = h("ul", { class: "checks", "aria-label": "Checks" });
  main.replaceChildren(
    h("h1", {}, `Ledger entry #${e.index}`),
    h(
      "p",
      {},
      e.index > 0 && h("a", { href: `#/ledger/entries/${e.index - 1}` }, "← previous"),
      e.index > 0 && " · ",
      h("a", { href: `#/ledger/entries/${e.index + 1}` }, "next →"),
      " · ",
      h("a", { href: "#/ledger" }, "checkpoints"),
    ),
    table(
      ["Field", "Value"],
      [
        ["Kind", String(event.kind)],
        ["Time", when(event.time)],
        ["Actor", JSON.stringify(event.actor)],
        ["Subject", JSON.stringify(event.subject ?? null)],
        ["Leaf hash", h("code", {}, e.leafHash)],
        ["Signature (detached JWS)", h("code", { class: "wrap" }, e.signature)],
        ...(event.kind === "decision" || event.kind === "outcome"
          ? [["Decision", h("a", { href: `#/decisions/${encodeURIComponent(String((event.subject as Json)?.id))}` }, "open the decision")]]
          : []),
      ],
      "Entry",
    ),
    h("h2", {}, "Checked in this browser"),
    checks,
    h("h2", {}, "Event"),
    h("pre", { class: "event", tabindex: 0, "aria-label": "Event JSON" }, JSON.stringify(event, null, 2)),
  );
  // The checkpoint the proof is checked against is the newest; its signature is checked with the log's published key.
  let checkpoint: Awaited<ReturnType<typeof openCheckpointNote>>["checkpoint"] | undefined;
  await runChecks(checks, [
    {
      name: "Checkpoint signature",
      run: async () => {
        const [note, vkey] = await Promise.all([getText("/v1/ledger/checkpoint"), getText("/v1/ledger/key")]);
        const opened = await openCheckpointNote(note, vkey);
        checkpoint = opened.checkpoint;
        const witnesses = opened.signers.slice(1);
        return `newest checkpoint, tree size ${checkpoint.size}, signed by ${opened.signers[0]} (key ${vkey.trim()})${witnesses.length ? `; cosigned by ${witnesses.join(", ")}` : ""}`;
      },
    },
    {
      name: "Inclusion proof",
      run: async () => {
        if (!checkpoint) throw new Error("no signed checkpoint to check against");
        if (e.index >= checkpoint.size)
          throw new NotYet(`the newest checkpoint (size ${checkpoint.size}) does not cover this entry yet; reload in a few seconds`);
        const proof = await getJson<{ hashes: string[] }>(`/v1/ledger/proofs/inclusion?index=${e.index}&size=${checkpoint.size}`);
        await verifyInclusion(canonical, e.index, checkpoint, proof.hashes.map(fromBase64));
        return `leaf ${e.index} of ${checkpoint.size}: SHA-256 of the entry's bytes and ${proof.hashes.length} proof hashes lead to the checkpoint's root`;
      },
    },
    {
      name: "Event signature",
      run: async () => {
        const jwks = await getJson<{ keys: EventJwk[] }>("/.well-known/jwks.json");
        return `Ed25519 signature by key ${await verifyEventSignature(e.signature, canonical, jwks)} over the entry's canonical bytes`;
      },
    },
  ]);
};

export const tail: Page = async (main) => {
  const controller = new AbortController();
  // The page's stream ends when the auditor leaves it (the router replaces the page on every hash change).
  window.addEventListener("hashchange", () => controller.abort(), { once: true });
  const status = h("p", { role: "status" }, "Connecting…");
  const rows = h("tbody", {});
  main.replaceChildren(
    h("h1", {}, "Live tail"),
    h("p", { class: "hint" }, "Entries as the ledger commits them, newest first (from /v1/ledger/stream)."),
    status,
    h(
      "table",
      { "aria-label": "Live entries" },
      h("thead", {}, h("tr", {}, ...["Index", "Kind", "Event id", "Received"].map((t) => h("th", { scope: "col" }, t)))),
      rows,
    ),
  );
  const stream = readSse(
    "/v1/ledger/stream",
    controller.signal,
    (event) => {
      if (event.event === "dropped") {
        status.textContent = `The server dropped this stream: ${JSON.parse(event.data).message ?? event.data}`;
        return;
      }
      if (event.event !== "entry") return;
      const { index, kind, eventId } = JSON.parse(event.data) as { index: number; kind: string; eventId: string };
      rows.prepend(
        h(
          "tr",
          { "data-index": index },
          h("td", {}, entryLink(index)),
          h("td", {}, kind),
          h("td", {}, h("code", {}, eventId)),
          h("td", {}, when(new Date().toISOString())),
        ),
      );
      while (rows.childElementCount > TAIL_ROWS) rows.lastElementChild?.remove();
    },
    () => (status.textContent = "Following the ledger: new entries appear below."),
  );
  stream
    .then(() => !controller.signal.aborted && (status.textContent = "The stream ended."))
    .catch((err: unknown) => (status.textContent = `The stream failed: ${err instanceof Error ? err.message : String(err)}`));
};
