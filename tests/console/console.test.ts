// The auditor's console in a real Chromium (Debian's, driven by playwright-core; nothing is downloaded), against a
// real server with a published release, a pending waiver and an active hold: the auditor's journey, content asserted,
// axe-core on every page, and a screenshot of each page for docs/governance/console/.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import type { ServerType } from "@hono/node-server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { publishedFixture } from "../evidence/support.ts";
import { verifyEvidenceFile } from "../../evidence/index.ts";
import { waiverRequest } from "../exceptions/support.ts";
import { axeViolations, CHROMIUM, haveBrowser, launchChromium, openConsolePage, serveOverHttp, SHOTS } from "./support.ts";

vi.setConfig({ testTimeout: 60_000 });
if (!haveBrowser) console.warn(`console tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!haveBrowser)("the auditor's console in Chromium", () => {
  let server: TestServer;
  let http: ServerType;
  let base: string;
  let browser: Browser;
  let page: Page;
  let auditor: string;
  let releaseId: string;
  let pinnedJwks: string;
  let holdId: string;
  let waiverId: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ["console/build.mjs"], { cwd: new URL("../..", import.meta.url).pathname, stdio: "pipe" });
    server = await startTestServer("embedded");
    const fixture = await publishedFixture(server);
    releaseId = fixture.releaseId;
    pinnedJwks = fixture.jwks; // the auditor's copy of the event key, taken apart from the page
    auditor = await server.token("auditor", "aud-1");
    const engineer = await server.token("engineer", "eng-1");
    const waiver = await server.call("POST", "/v1/waivers", {
      token: engineer,
      body: waiverRequest({
        capability: "network.egress",
        resource: "registry.npmjs.org",
        justification: "mirror is down; fetch one tarball",
      }),
    });
    expect(waiver.status, JSON.stringify(waiver.body)).toBe(201);
    waiverId = waiver.body.id;
    const hold = await server.call("POST", "/v1/holds", {
      token: auditor,
      body: { scope: { type: "repository", id: "acme/api" }, reason: "open audit finding F-7" },
    });
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    holdId = hold.body.id;
    ({ base, http } = await serveOverHttp(server));
    browser = await launchChromium();
    page = await openConsolePage(browser, [base], consoleErrors);
    mkdirSync(SHOTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    http?.close();
    await server?.close();
  });

  it("serves the page with a strict CSP and sends a visitor without a token to sign-in", async () => {
    const response = await page.goto(`${base}/console`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    await page.waitForURL(/#\/signin$/);
    await expect(page.getByRole("heading", { name: "Sign in" }).isVisible()).resolves.toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}signin.png` });
  });

  it("refuses a wrong token with the server's reason and keeps nothing", async () => {
    await page.fill("#token", "not-a-token");
    await page.click("button[type=submit]");
    // The alert is on the page, empty, from the start: wait for the server's answer to fill it, not for the element.
    const alert = page.getByRole("alert").filter({ hasText: /\S/ });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Not signed in: \S/); // the server's reason follows
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it("signs in with an auditor token kept in sessionStorage only, and lists the release with its hold", async () => {
    await page.fill("#token", auditor);
    await page.click("button[type=submit]");
    await page.waitForURL(/#\/releases$/);
    const table = page.getByRole("table", { name: "Releases" });
    await table.waitFor();
    const row = table.getByRole("row").filter({ hasText: releaseId });
    await expect(row.textContent()).resolves.toMatch(/acme\/api.*published.*on hold/s);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem("maestro.token"))).toBe(auditor);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}releases.png` });
  });

  it("opens the release: claims table, the GSN diagram with every node of the case, and the SBOM", async () => {
    await page.click(`a[href="#/releases/${encodeURIComponent(releaseId)}"]`);
    const claims = page.getByRole("table", { name: "Claims" });
    await claims.waitFor();
    const safetyCase = (await server.call("GET", `/v1/releases/${releaseId}/safety-case`, { token: auditor })).body;
    const claimGoals = safetyCase.nodes.filter((n: { type: string; claim?: string }) => n.type === "Goal" && n.claim);
    expect(await claims.getByRole("row").count()).toBe(claimGoals.length + 1);
    for (const goal of claimGoals) await expect(claims.textContent()).resolves.toContain(goal.statement);
    const drawn = await page.locator("svg.gsn g.node").count();
    expect(drawn).toBe(safetyCase.nodes.length);
    for (const type of ["Goal", "Strategy", "Solution", "Context"])
      expect(await page.locator(`svg.gsn g[data-gsn-type=${type}]`).count()).toBe(
        safetyCase.nodes.filter((n: { type: string }) => n.type === type).length,
      );
    expect(await page.locator("svg.gsn path.link").count()).toBe(safetyCase.links.length);
    const components = page.getByRole("table", { name: "SBOM components" });
    const all = await components.getByRole("row").count();
    expect(all).toBeGreaterThan(1);
    await page.fill("#sbom-search", "zzz-no-such-package");
    expect(await components.getByRole("row").count()).toBe(1);
    await page.fill("#sbom-search", "");
    expect(await axeViolations(page)).toEqual([]);
    await page.locator("figure.diagram").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}release.png` });
  });

  it("downloads the evidence export with the token, byte for byte what the API serves", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Download evidence export")]);
    const saved = readFileSync(await download.path());
    const served = await server.app.request(`/v1/releases/${releaseId}/bundle`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(JSON.parse(saved.toString()).release?.id ?? JSON.parse(saved.toString())).toBeTruthy();
    expect(saved.length).toBe((await served.arrayBuffer()).byteLength);
  });

  /** Pins `key`, runs "Verify in this browser" and returns the verdict, the checks as listed and the export verified. */
  async function verifyInPage(key: string): Promise<{ status: string; rows: string[][]; exportText: string }> {
    await page.fill("#pinned-key", key);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/v1/releases/${releaseId}/bundle`)),
      page.click("#verify"),
    ]);
    const status = page.locator(".verify-status");
    await status.getByText(/^(verified|failed)/).waitFor({ timeout: 60_000 });
    const rows = await page
      .getByRole("table", { name: "Verification checks" })
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
    return { status: (await status.textContent()) ?? "", rows, exportText: await response.text() };
  }

  /** The CLI's verdict on the same bytes, as the page lists it: result, part, message. */
  async function cliRows(exportText: string, key: string): Promise<string[][]> {
    const cli = await verifyEvidenceFile(exportText, key);
    return cli.checks.map((c) => [c.ok ? "pass" : "fail", c.part, c.message]);
  }

  it("verifies the release in the browser against a pinned key: the CLI's checks, every one passing", async () => {
    await page.getByRole("heading", { name: "Verify in this browser" }).waitFor();
    const { status, rows, exportText } = await verifyInPage(pinnedJwks);
    expect(status).toMatch(/^verified Every check passes: \d+ events/);
    for (const part of [
      "format",
      "keys",
      "checkpoint",
      "latestCheckpoint",
      "consistency",
      "events",
      "safetyCase.bundle",
      "release",
      "sbom",
    ])
      expect(rows.map((r) => r[1])).toContain(part);
    expect(rows.at(-1)?.slice(0, 2)).toEqual(["pass", "exportSignature"]);
    expect(rows.every((r) => r[0] === "pass")).toBe(true);
    // The same verifier, not a second one: step for step, the CLI's report on the bytes the page verified.
    expect(rows).toEqual(await cliRows(exportText, pinnedJwks));
    expect(await axeViolations(page)).toEqual([]);
    await page.locator(".verify").screenshot({ path: `${SHOTS}verify.png` });
  });

  it("fails a tampered export in the browser and names the part that was changed", async () => {
    // One byte of one part changes on the way (storage or a proxy): a component's version in the SBOM.
    await page.route(`**/v1/releases/${releaseId}/bundle`, async (route) => {
      const response = await route.fetch();
      const text = await response.text();
      const at = text.indexOf('"version":"', text.indexOf('"components":')) + '"version":"'.length;
      expect(at).toBeGreaterThan('"version":"'.length);
      const tampered = text.slice(0, at) + (text[at] === "9" ? "8" : "9") + text.slice(at + 1);
      await route.fulfill({ response, body: tampered });
    });
    try {
      const { status, rows, exportText } = await verifyInPage(pinnedJwks);
      expect(status).toMatch(/^failed Verification fails at: .*\bsbom\b/);
      expect(rows.filter((r) => r[0] === "fail").map((r) => r[1])).toEqual(["sbom", "exportSignature"]);
      expect(rows.find((r) => r[1] === "sbom" && r[0] === "fail")?.[2]).toMatch(/SBOM digest .* is not the signed/);
      expect(rows).toEqual(await cliRows(exportText, pinnedJwks));
    } finally {
      await page.unroute(`**/v1/releases/${releaseId}/bundle`);
    }
    expect(await axeViolations(page)).toEqual([]);
  });

  it("fails an event whose signature changed, and names the event", async () => {
    // The second event's JWS has one character of its Ed25519 signature changed: still canonical base64url, not valid.
    // The handler never throws (an unfulfilled route would hang the page's download): what went wrong is asserted below.
    let tampering: unknown;
    await page.route(`**/v1/releases/${releaseId}/bundle`, async (route) => {
      const response = await route.fetch();
      const text = await response.text();
      try {
        const jws = (JSON.parse(text) as { events: Array<{ signature: string }> }).events[1]?.signature ?? "";
        const at = text.indexOf(jws) + jws.lastIndexOf(".") + 20; // inside the signature, clear of its last bits
        if (!jws || text.indexOf(jws) !== text.lastIndexOf(jws)) throw new Error("the second event's JWS is not unique");
        await route.fulfill({ response, body: text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1) });
      } catch (err) {
        tampering = err;
        await route.fulfill({ response, body: text });
      }
    });
    try {
      const { status, rows, exportText } = await verifyInPage(pinnedJwks);
      expect(tampering).toBeUndefined();
      expect(status).toMatch(/^failed Verification fails at: events\[1\]/);
      expect(rows.find((r) => r[1] === "events[1]")?.[2]).toMatch(/Ed25519 signature does not verify over the canonical bytes$/);
      expect(rows).toEqual(await cliRows(exportText, pinnedJwks));
    } finally {
      await page.unroute(`**/v1/releases/${releaseId}/bundle`);
    }
  });

  it("fails verification against a key that is not the ledger's", async () => {
    const stranger = JSON.stringify({ keys: [generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" })] });
    const { status, rows, exportText } = await verifyInPage(stranger);
    expect(status).toMatch(/^failed Verification fails at: keys/);
    expect(rows.find((r) => r[1] === "keys")).toEqual(["fail", "keys", "none of the pinned keys is among the bundle's keys"]);
    expect(rows.find((r) => r[1] === "exportSignature")?.[0]).toBe("fail");
    expect(rows).toEqual(await cliRows(exportText, stranger));
  });

  it("verifies with the checkpoint key pinned as a vkey, and refuses to run with no key", async () => {
    const vkey = await (await server.app.request("/v1/ledger/key", { headers: { authorization: `Bearer ${auditor}` } })).text();
    const { status } = await verifyInPage(vkey);
    expect(status).toMatch(/^verified/);
    await page.fill("#pinned-key", "");
    await page.click("#verify");
    await expect(page.locator(".verify-status").textContent()).resolves.toMatch(/^no key Pin a public key first/);
  });

  it("shows the pending waiver and the active hold on the exceptions page", async () => {
    await page.click("a[href='#/exceptions']");
    await page.getByRole("heading", { name: "Exceptions at a glance" }).waitFor();
    await expect(page.getByRole("heading", { name: /Waivers: pending approval \(1\)/ }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole("table", { name: "Waivers" }).first().textContent()).resolves.toContain(waiverId);
    const holds = page.getByRole("table", { name: "Active holds" });
    await expect(holds.textContent()).resolves.toContain(holdId);
    await expect(holds.textContent()).resolves.toContain("open audit finding F-7");
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}exceptions.png`, fullPage: true });
  });

  it("signs out, forgetting the token", async () => {
    await page.click("text=Sign out");
    await page.waitForURL(/#\/signin$/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(consoleErrors.filter((e) => !/401|Unauthorized/.test(e))).toEqual([]);
  });
});
