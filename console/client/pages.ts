// The console's pages. Each reads the Evidence API and builds its DOM; none keeps state beyond the token.
import { ApiError, download, getJson, token } from "./api.ts";
import { verifyPanel } from "./verify-panel.ts";
import { badge, h, table, when } from "./dom.ts";
import { gsnDiagram, type GsnLink, type GsnNode } from "./gsn.ts";
import { ledgerLinks } from "./ledger-pages.ts";
import { oidcSignInPart } from "./oidc.ts";

type Json = Record<string, unknown>;
type Page = (main: HTMLElement, params: string[]) => Promise<void>;

/** The first of several spellings a field may have in a row (API views are camelCase, older rows snake_case). */
function field(row: Json, ...names: string[]): unknown {
  for (const name of names) if (row[name] !== undefined && row[name] !== null) return row[name];
  return undefined;
}
const text = (value: unknown): string =>
  value === undefined || value === null ? "—" : typeof value === "string" ? value : JSON.stringify(value);

/** A hold's scope as the API gives it: {type, id} (ids canonical, so compared case-folded, as the policy does). */
function holdScope(hold: Json): { type: string; id?: string } {
  const scope = hold.scope as { type?: string; id?: string } | undefined;
  return {
    type: text(scope?.type ?? field(hold, "scopeType", "scope_type")),
    id: (scope?.id ?? field(hold, "scopeId", "scope_id")) as string | undefined,
  };
}

function holdCovers(scope: { type: string; id?: string }, release: Json): boolean {
  const id = scope.id?.toLowerCase();
  const repository = text(release.repository).toLowerCase();
  if (scope.type === "all") return true;
  if (scope.type === "repository") return id === repository;
  return scope.type === "release" && id === `${repository}@${text(release.version).toLowerCase()}`;
}

export const signIn: Page = async (main) => {
  const error = h("p", { class: "error", role: "alert" });
  const input = h("input", { id: "token", type: "password", autocomplete: "off", required: true, spellcheck: "false" }) as HTMLInputElement;
  const form = h(
    "form",
    { class: "signin" },
    h("h1", {}, "Sign in"),
    h("p", {}, "Paste an auditor token. It stays in this tab (sessionStorage) and is sent only to this server."),
    h("label", { for: "token" }, "Auditor token"),
    input,
    h("button", { type: "submit" }, "Sign in"),
    error,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    token.set(input.value.trim());
    getJson("/v1/releases?limit=1")
      .then(() => (location.hash = "#/releases"))
      .catch((err: unknown) => {
        token.clear();
        error.textContent = err instanceof ApiError ? `Not signed in: ${err.message}` : String(err);
      });
  });
  main.replaceChildren(form, ...oidcSignInPart());
  input.focus();
};

export const releases: Page = async (main) => {
  const [page, holds] = await Promise.all([
    getJson<{ releases?: Json[]; items?: Json[] }>("/v1/releases?limit=100"),
    getJson<{ holds: Json[] }>("/v1/holds?state=active"),
  ]);
  const rows = page.releases ?? page.items ?? [];
  const held = (release: Json) => holds.holds.some((hold) => holdCovers(holdScope(hold), release));
  main.replaceChildren(
    h("h1", {}, "Releases"),
    rows.length === 0
      ? h("p", {}, "No releases yet.")
      : table(
          ["Repository", "Version", "State", "Published", "Hold", "Release"],
          rows.map((r) => [
            text(r.repository),
            text(r.version),
            r.state === "published" ? badge("published", "good") : badge("draft", "plain"),
            when((r.published as Json | null)?.at),
            held(r) ? badge("on hold", "bad") : badge("no hold", "plain"),
            h("a", { href: `#/releases/${encodeURIComponent(text(r.id))}` }, text(r.id)),
          ]),
          "Releases",
        ),
  );
};

export const release: Page = async (main, [id = ""]) => {
  const base = `/v1/releases/${encodeURIComponent(id)}`;
  const [{ release: r }, safetyCase] = await Promise.all([
    getJson<{ release: Json }>(base),
    getJson<{ nodes: (GsnNode & Json)[]; links: GsnLink[] }>(`${base}/safety-case`),
  ]);
  const sbom = await getJson<{ components?: Json[] }>(`${base}/sbom`).catch(() => null);
  const claims = safetyCase.nodes.filter((n) => n.type === "Goal" && typeof n.claim === "string");
  const published = r.state === "published";
  const filename = id.replace(/[^\w.-]/g, "_");
  main.replaceChildren(
    h("h1", {}, `${text(r.repository)} ${text(r.version)}`),
    h(
      "p",
      {},
      published ? badge("published", "good") : badge("draft: the safety case is an unsigned preview", "warn"),
      ` Created ${when(r.createdAt)} by ${text(r.createdBy)}`,
    ),
    h(
      "p",
      { class: "actions" },
      h(
        "button",
        { type: "button", onclick: () => void download(`${base}/bundle`, `${filename}.evidence.json`) },
        "Download evidence export",
      ),
      published &&
        h(
          "button",
          { type: "button", onclick: () => void download(`${base}/safety-case?format=sigstore`, `${filename}.sigstore.json`) },
          "Download Sigstore bundle",
        ),
    ),
    ...(published ? [verifyPanel(`${base}/bundle`)] : []),
    h("h2", {}, "Claims"),
    table(
      ["Claim", "Status", "Reason"],
      claims.map((c) => [
        text(c.statement),
        c.status === "supported"
          ? badge("pass", "good")
          : c.status === "unsupported"
            ? badge("fail", "bad")
            : badge(text(c.status), "warn"),
        text(c.reason ?? ""),
      ]),
      "Claims",
    ),
    h("h2", {}, "Safety case"),
    h("p", { class: "hint" }, "Scroll to zoom, drag to pan, double-click to reset. Hover a node for its full statement."),
    h("figure", { class: "diagram" }, gsnDiagram(safetyCase.nodes, safetyCase.links)),
    h("h2", {}, "Software bill of materials"),
    sbom ? sbomTable(sbom.components ?? []) : h("p", {}, "No SBOM was attached to this release."),
  );
  performance.mark("maestro:release:interactive"); // read by bench/console.ts
};

/** A table of thousands of rows helps nobody; the search reaches every component. */
const SBOM_ROWS = 100;

function sbomTable(components: Json[]): HTMLElement {
  const licence = (c: Json) =>
    ((c.licenses as Json[] | undefined) ?? [])
      .map((l) => text((l.license as Json | undefined)?.id ?? (l.license as Json | undefined)?.name ?? l.expression))
      .join(", ") || "—";
  const rows = components.map((c) => [text(c.name), text(c.version), licence(c), text(c.purl)]);
  const body = h("div", {});
  const render = (needle: string) => {
    const found = rows.filter((row) => row.some((cell) => cell.toLowerCase().includes(needle)));
    body.replaceChildren(
      h(
        "p",
        { class: "hint", role: "status" },
        found.length > SBOM_ROWS ? `Showing ${SBOM_ROWS} of ${found.length}: search to narrow.` : `${found.length} shown.`,
      ),
      table(["Name", "Version", "Licence", "purl"], found.slice(0, SBOM_ROWS), "SBOM components"),
    );
  };
  const search = h("input", { id: "sbom-search", type: "search", placeholder: "name, version, licence or purl" }) as HTMLInputElement;
  search.addEventListener("input", () => render(search.value.trim().toLowerCase()));
  render("");
  return h("section", {}, h("label", { for: "sbom-search" }, `Search ${components.length} components`), search, body);
}

export const exceptions: Page = async (main) => {
  const [waivers, holds, breakglass] = await Promise.all([
    getJson<{ waivers: Json[] }>("/v1/waivers"),
    getJson<{ holds: Json[] }>("/v1/holds?state=active"),
    getJson<{ breakglass: Json[] }>("/v1/breakglass?state=open"),
  ]);
  const now = Date.now();
  const expiresAt = (w: Json) => Date.parse(text(field(w, "expiresAt", "expires_at")));
  const groups: [string, Json[]][] = [
    ["Pending approval", waivers.waivers.filter((w) => w.state === "pending")],
    // Finally approved, its activation event not yet written (the next use or approval retry writes it).
    ["Approved, awaiting activation", waivers.waivers.filter((w) => w.state === "approved")],
    ["Active", waivers.waivers.filter((w) => w.state === "active" && !(expiresAt(w) - now < 86_400_000))],
    ["Expiring within 24 h", waivers.waivers.filter((w) => w.state === "active" && expiresAt(w) - now < 86_400_000)],
    ["Expired", waivers.waivers.filter((w) => w.state === "expired")],
  ];
  const waiverRows = (rows: Json[]) =>
    table(
      ["Waiver", "Capability", "Resource", "Waives", "Requested by", "Expires", "Justification", "Ledger"],
      rows.map((w) => [
        text(w.id),
        text(w.capability),
        text(w.resource),
        text(w.waives),
        text(field(w, "requestedBy", "requested_by")),
        when(field(w, "expiresAt", "expires_at")),
        text(w.justification),
        ledgerLinks(w),
      ]),
      "Waivers",
    );
  main.replaceChildren(
    h("h1", {}, "Exceptions at a glance"),
    ...groups.flatMap(([title, rows]) => [
      h("h2", {}, `Waivers: ${title.toLowerCase()} (${rows.length})`),
      rows.length ? waiverRows(rows) : h("p", {}, "None."),
    ]),
    h("h2", {}, `Active holds (${holds.holds.length})`),
    holds.holds.length
      ? table(
          ["Hold", "Scope", "Reason", "Placed by", "Placed", "Ledger"],
          holds.holds.map((hold) => [
            text(hold.id),
            `${holdScope(hold).type} ${holdScope(hold).id ?? ""}`.trim(),
            text(hold.reason),
            text(field(hold, "placedBy", "placed_by")),
            when(field(hold, "placedAt", "placed_at")),
            ledgerLinks(hold),
          ]),
          "Active holds",
        )
      : h("p", {}, "None."),
    h("h2", {}, `Break-glass sessions open (${breakglass.breakglass.length})`),
    breakglass.breakglass.length
      ? table(
          ["Session", "Opened by", "Expires", "Review by", "Overdue", "Ledger"],
          breakglass.breakglass.map((b) => [
            text(b.id),
            text(field(b, "openedBy", "opened_by")),
            when(field(b, "expiresAt", "expires_at")),
            when(field(b, "reviewDeadline", "review_deadline")),
            field(b, "overdue") === true ? badge("overdue", "bad") : badge("in time", "plain"),
            ledgerLinks(b),
          ]),
          "Break-glass sessions",
        )
      : h("p", {}, "None."),
  );
};
