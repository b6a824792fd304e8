// The console's router: #/path routes to a page; without a token every page but sign-in sends the auditor there.
import { ApiError, token } from "./api.ts";
import { h } from "./dom.ts";
import { decision, decisions } from "./decision-pages.ts";
import { checkpoints, entry, tail } from "./ledger-pages.ts";
import { finishOidcSignIn } from "./oidc.ts";
import { exceptions, release, releases, signIn } from "./pages.ts";

const ROUTES: [RegExp, (main: HTMLElement, params: string[]) => Promise<void>, string][] = [
  [/^#\/signin$/, signIn, "Sign in"],
  [/^#\/releases$/, releases, "Releases"],
  [/^#\/releases\/([^/]+)$/, release, "Release"],
  [/^#\/exceptions$/, exceptions, "Exceptions"],
  [/^#\/ledger$/, checkpoints, "Ledger"],
  [/^#\/ledger\/entries\/([^/]+)$/, entry, "Ledger entry"],
  [/^#\/ledger\/tail$/, tail, "Live tail"],
  [/^#\/decisions(?:\?.*)?$/, decisions, "Decisions"],
  [/^#\/decisions\/([^/?]+)$/, decision, "Decision"],
];

function nav(): void {
  const links = token.get()
    ? [
        h("a", { href: "#/releases" }, "Releases"),
        h("a", { href: "#/exceptions" }, "Exceptions"),
        h("a", { href: "#/decisions" }, "Decisions"),
        h("a", { href: "#/ledger" }, "Ledger"),
        h("button", { type: "button", class: "link", onclick: () => (token.clear(), (location.hash = "#/signin")) }, "Sign out"),
      ]
    : [h("a", { href: "#/signin" }, "Sign in")];
  document.getElementById("nav")?.replaceChildren(...links);
}

async function route(): Promise<void> {
  const main = document.getElementById("main");
  if (!main) return;
  const hash = location.hash || "#/releases";
  if (!token.get() && hash !== "#/signin") {
    location.hash = "#/signin";
    return;
  }
  nav();
  for (const [pattern, page, title] of ROUTES) {
    const match = pattern.exec(hash);
    if (!match) continue;
    document.title = `${title} · Maestro console`;
    main.replaceChildren(h("p", { role: "status" }, "Loading…"));
    try {
      await page(main, match.slice(1).map(decodeURIComponent));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        token.clear();
        location.hash = "#/signin";
        return;
      }
      main.replaceChildren(
        h("h1", {}, "Could not load this page"),
        h("p", { class: "error", role: "alert" }, String(err instanceof Error ? err.message : err)),
      );
    }
    main.focus();
    return;
  }
  main.replaceChildren(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/releases" }, "Releases")));
}

window.addEventListener("hashchange", () => void route());
// A sign-in the issuer sent back is finished first; whatever happens there, the page then routes.
void finishOidcSignIn()
  .catch((err: unknown) => console.error("OIDC sign-in failed", err))
  .then(route);
