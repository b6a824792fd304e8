// The decision pages: a search (run-set, agent, session, capability, result, reason code, time range) kept in the
// page's address so it can be shared, and one decision with its reasons, waivers, policy digest, outcome and entries.
import { ApiError, getJson } from "./api.ts";
import { badge, h, table, when } from "./dom.ts";
import { entryLink } from "./ledger-pages.ts";

type Json = Record<string, unknown>;
type Page = (main: HTMLElement, params: string[]) => Promise<void>;

const FIELDS = [
  ["runset", "Run-set", "text"],
  ["agent", "Agent", "text"],
  ["session", "Session", "text"],
  ["capability", "Capability", "text"],
  ["reason", "Reason code", "text"],
  ["since", "From (UTC)", "datetime-local"],
  ["until", "Until (UTC)", "datetime-local"],
] as const;

const verdict = (d: unknown) =>
  d === "allow" ? badge("allow", "good") : d === "deny" ? badge("deny", "bad") : badge(String(d).replace("_", " "), "warn");

/** datetime-local gives a zoneless time; the form says UTC, and the API wants an explicit offset. */
const toApiTime = (local: string) => (local ? `${local.length === 16 ? `${local}:00` : local}Z` : "");
const fromApiTime = (iso: string) => iso.replace(/Z$/, "").replace(/:00$/, "");

export const decisions: Page = async (main) => {
  // Read raw from the address: the router decodes what it captures, which would break values holding & or =.
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const inputs = FIELDS.map(([name, label, type]) => {
    const value = params.get(name) ?? "";
    const input = h("input", {
      id: `q-${name}`,
      name,
      type,
      value: type === "datetime-local" ? fromApiTime(value) : value,
      spellcheck: "false",
      autocomplete: "off",
    }) as HTMLInputElement;
    return [h("label", { for: `q-${name}` }, label), input] as const;
  });
  const result = h(
    "select",
    { id: "q-decision", name: "decision" },
    ...["", "allow", "deny", "require_approval"].map((v) => h("option", { value: v }, v || "any")),
  );
  (result as HTMLSelectElement).value = params.get("decision") ?? "";
  const form = h(
    "form",
    { class: "search", role: "search", "aria-label": "Search decisions" },
    ...inputs.flatMap(([label, input]) => [h("div", {}, label, input)]),
    h("div", {}, h("label", { for: "q-decision" }, "Result"), result),
    h("div", {}, h("button", { type: "submit" }, "Search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [, input] of inputs) {
      const value = input.value.trim();
      if (value) next.set(input.name, input.type === "datetime-local" ? toApiTime(value) : value);
    }
    if ((result as HTMLSelectElement).value) next.set("decision", (result as HTMLSelectElement).value);
    location.hash = `#/decisions?${next.toString()}`;
  });

  const api = new URLSearchParams(params);
  api.set("limit", "50");
  let page: { items: Json[]; nextCursor: string | null };
  try {
    page = await getJson<{ items: Json[]; nextCursor: string | null }>(`/v1/decisions?${api.toString()}`);
  } catch (err) {
    // A search the API refuses (a malformed reason code, an empty range) keeps the form, with the API's reason.
    if (!(err instanceof ApiError) || err.status !== 400) throw err;
    main.replaceChildren(h("h1", {}, "Decisions"), form, h("p", { class: "error", role: "alert" }, `Not searched: ${err.message}`));
    return;
  }
  const more = new URLSearchParams(params);
  if (page.nextCursor) more.set("cursor", page.nextCursor);
  main.replaceChildren(
    h("h1", {}, "Decisions"),
    form,
    h(
      "p",
      { role: "status" },
      `${page.items.length}${page.nextCursor ? "+" : ""} decision${page.items.length === 1 ? "" : "s"} found, newest first.`,
    ),
    page.items.length === 0
      ? h("p", {}, "No decision matches.")
      : table(
          ["Decided", "Result", "Agent", "Session", "Capability", "Resource", "Run-set", "Decision", "Entry"],
          page.items.map((d) => [
            when(d.createdAt),
            verdict(d.decision),
            String(d.agent),
            String(d.session),
            String(d.capability),
            String(d.resource),
            String(d.runset),
            h("a", { href: `#/decisions/${encodeURIComponent(String(d.decisionId))}` }, String(d.decisionId)),
            entryLink(Number(d.ledgerIndex)),
          ]),
          "Decisions found",
        ),
    ...(page.nextCursor ? [h("p", {}, h("a", { href: `#/decisions?${more.toString()}` }, "Older decisions →"))] : []),
  );
};

interface EntryView {
  index: number;
  event: { time: string; actor: Json; payload: Json };
  links: { inclusion: string | null };
}

export const decision: Page = async (main, [id = ""]) => {
  const { decision: d, outcome } = await getJson<{ decision: EntryView; outcome: EntryView | null }>(
    `/v1/decisions/${encodeURIComponent(id)}`,
  );
  const p = d.event.payload as {
    call: Json;
    decision: string;
    reasons?: { code: string; message: string }[];
    waivers?: string[];
    breakglass?: string[];
    policy: { digest: string; revision?: string };
  };
  const o = outcome?.event.payload as Json | undefined;
  main.replaceChildren(
    h("h1", {}, "Decision ", verdict(p.decision)),
    h("p", { class: "hint" }, h("code", {}, id)),
    table(
      ["Field", "Value"],
      [
        ["Decided", when(d.event.time)],
        ["Asked by", `${String(d.event.actor.id)} (${String(d.event.actor.role)})`],
        ["Run-set", String(p.call.runset)],
        ["Agent", String(p.call.agent)],
        ["Session", h("a", { href: `#/decisions?session=${encodeURIComponent(String(p.call.session))}` }, String(p.call.session))],
        ["Tool", String(p.call.tool)],
        ["Capability", String(p.call.capability)],
        ["Resource", String(p.call.resource)],
        ["Policy digest", h("code", {}, p.policy.digest)],
        ["Policy revision", String(p.policy.revision ?? "—")],
        [
          "Ledger entry",
          h(
            "span",
            {},
            entryLink(d.index),
            d.links.inclusion ? " (a signed checkpoint covers it)" : " (no signed checkpoint covers it yet)",
          ),
        ],
      ],
      "Decision",
    ),
    h("h2", {}, "Reasons"),
    p.reasons?.length
      ? table(
          ["Code", "Message"],
          p.reasons.map((r) => [h("a", { href: `#/decisions?reason=${encodeURIComponent(r.code)}` }, r.code), r.message]),
          "Reasons",
        )
      : h("p", {}, "No reasons were given."),
    h("h2", {}, "Exceptions cited"),
    p.waivers?.length || p.breakglass?.length
      ? table(
          ["Kind", "Id"],
          [...(p.waivers ?? []).map((w) => ["waiver", w]), ...(p.breakglass ?? []).map((b) => ["break-glass", b])],
          "Exceptions cited",
        )
      : h("p", {}, "None: no waiver or break-glass was applied."),
    h("h2", {}, "Outcome"),
    outcome && o
      ? table(
          ["Field", "Value"],
          [
            ["Status", String(o.status)],
            ["Reported", when(outcome.event.time)],
            ["Summary", String(o.summary ?? "—")],
            ["Cost (USD)", o.costUsd === undefined ? "—" : String(o.costUsd)],
            ["Ledger entry", entryLink(outcome.index)],
          ],
          "Outcome",
        )
      : h("p", {}, p.decision === "allow" ? "No outcome has been reported for this call yet." : "None: the tool did not run."),
  );
};
