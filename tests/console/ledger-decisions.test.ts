// The console's ledger and decision pages in a real Chromium against a real server with a published release (whose
// publish a hold once denied): checkpoints, an entry whose checkpoint signature, inclusion proof and event signature
// verify in the page (and a proof that does not), the decision search by reason code, a decision's page, the live
// tail showing a decision made after it opened, and the exceptions page's ledger links. axe on every page.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import type { ServerType } from "@hono/node-server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { whileInvalidOnPurpose } from "../support/invalid-on-purpose.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { publishedFixture, type PublishedFixture } from "../evidence/support.ts";
import { waiverRequest } from "../exceptions/support.ts";
import { axeViolations, haveBrowser, launchChromium, openConsolePage, serveOverHttp, SHOTS } from "./support.ts";

vi.setConfig({ testTimeout: 60_000 });
if (!haveBrowser) console.warn("console ledger tests skipped: /usr/bin/chromium is missing (apt-get install chromium)");

describe.skipIf(!haveBrowser)("the console's ledger and decision pages in Chromium", () => {
  let server: TestServer;
  let http: ServerType;
  let base: string;
  let browser: Browser;
  let page: Page;
  let auditor: string;
  let fixture: PublishedFixture;
  let blockedIndex: number;
  let checkpointSize: number;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ["console/build.mjs"], { cwd: new URL("../..", import.meta.url).pathname, stdio: "pipe" });
    server = await startTestServer("embedded");
    fixture = await publishedFixture(server);
    auditor = await server.token("auditor", "aud-1");
    const engineer = await server.token("engineer", "eng-1");
    const waiver = await server.call("POST", "/v1/waivers", {
      token: engineer,
      body: waiverRequest({ capability: "network.egress", resource: "registry.npmjs.org", justification: "mirror is down" }),
    });
    expect(waiver.status, JSON.stringify(waiver.body)).toBe(201);
    const hold = await server.call("POST", "/v1/holds", {
      token: auditor,
      body: { scope: { type: "repository", id: "acme/web" }, reason: "open audit finding F-9" },
    });
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    const blocked = await server.call("GET", `/v1/decisions/${fixture.blockedDecisionId}`, { token: auditor });
    blockedIndex = blocked.body.decision.index;
    // A checkpoint now, so the newest one covers every entry the pages open.
    const issued = await server.call("POST", "/v1/ledger/checkpoint", { token: await server.token("security", "sec-1") });
    expect(issued.status).toBe(200);
    checkpointSize = issued.body.size;
    ({ base, http } = await serveOverHttp(server));
    browser = await launchChromium();
    page = await openConsolePage(browser, [base], consoleErrors);
    await page.goto(`${base}/console`);
    await page.locator("#token").waitFor();
    await page.evaluate((t) => sessionStorage.setItem("maestro.token", t), auditor);
    mkdirSync(SHOTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    http?.close();
    await server?.close();
  });

  it("offers only the token paste on a server with no OIDC issuer", async () => {
    await expect(page.locator("#token").isVisible()).resolves.toBe(true);
    expect(await page.locator("#oidc-sign-in").count()).toBe(0);
  });

  it("lists checkpoints over time with their size, and says when no witness is configured", async () => {
    await page.goto(`${base}/console#/ledger`);
    const table = page.getByRole("table", { name: "Checkpoints" });
    await table.waitFor();
    const row = table.getByRole("row").filter({ has: page.getByRole("cell", { name: String(checkpointSize), exact: true }) });
    expect(await row.count()).toBeGreaterThanOrEqual(1);
    await expect(row.first().textContent()).resolves.toContain(`#${checkpointSize - 1}`);
    await expect(page.getByText("No witnesses are configured").isVisible()).resolves.toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}ledger.png` });
  });

  it("opens an entry and verifies its checkpoint signature, inclusion proof and event signature in the page", async () => {
    await page.fill("#entry-index", String(blockedIndex));
    await page.click("form.inline button[type=submit]");
    await page.getByRole("heading", { name: `Ledger entry #${blockedIndex}` }).waitFor();
    const checks = page.getByRole("list", { name: "Checks" });
    for (const name of ["Checkpoint signature", "Inclusion proof", "Event signature"]) {
      const item = checks.locator(`li[data-check="${name}"]`);
      await item
        .locator(".badge")
        .filter({ hasText: /verified|failed|not yet/ })
        .waitFor();
      expect(await item.textContent()).toMatch(new RegExp(`^${name}: verified `));
    }
    await expect(checks.locator('li[data-check="Inclusion proof"]').textContent()).resolves.toContain(
      `leaf ${blockedIndex} of ${checkpointSize}`,
    );
    const json = await page.getByLabel("Event JSON").textContent();
    expect(JSON.parse(json ?? "{}")).toMatchObject({ kind: "decision", subject: { id: fixture.blockedDecisionId } });
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}ledger-entry.png`, fullPage: true });
  });

  it("fails the inclusion check when the proof it is given is altered", async () => {
    await page.route("**/v1/ledger/proofs/inclusion*", async (route) => {
      const proof = await (await route.fetch()).json();
      proof.hashes[0] = Buffer.alloc(32, 7).toString("base64");
      await route.fulfill({ json: proof });
    });
    try {
      await page.goto(`${base}/console#/ledger/entries/${blockedIndex - 1}`);
      const item = page.locator('li[data-check="Inclusion proof"]');
      await expect(
        item
          .locator(".badge")
          .filter({ hasText: /verified|failed|not yet/ })
          .textContent(),
      ).resolves.toBe("failed");
      await expect(item.textContent()).resolves.toContain("different root");
    } finally {
      await page.unroute("**/v1/ledger/proofs/inclusion*");
    }
  });

  it("finds the decision a hold denied by its reason code, and opens it", async () => {
    await page.goto(`${base}/console#/decisions`);
    await page.fill("#q-reason", "hold_active");
    await page.click("form.search button[type=submit]");
    await page.waitForURL(/reason=hold_active/);
    const found = page.getByRole("table", { name: "Decisions found" });
    await found.waitFor();
    expect(await found.getByRole("row").count()).toBe(2);
    await expect(found.textContent()).resolves.toContain(fixture.blockedDecisionId);
    await expect(found.textContent()).resolves.toMatch(/deny/);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}decisions.png` });
    // The page sends what was typed; the server refuses it, and the page says why.
    await whileInvalidOnPurpose("a reason that is no reason code", async () => {
      await page.goto(`${base}/console#/decisions?reason=Not%20A%20Code`);
      await expect(page.getByRole("alert").textContent()).resolves.toMatch(/Not searched: reason must be a reason code/);
    });
    await expect(page.locator("#q-reason").inputValue()).resolves.toBe("Not A Code");
    await page.goto(`${base}/console#/decisions?reason=hold_active`);
    await found.waitFor();

    await page.click(`a[href="#/decisions/${fixture.blockedDecisionId}"]`);
    const reasons = page.getByRole("table", { name: "Reasons" });
    await reasons.waitFor();
    await expect(reasons.textContent()).resolves.toContain("hold_active");
    const served = (await server.call("GET", `/v1/decisions/${fixture.blockedDecisionId}`, { token: auditor })).body;
    const summary = page.getByRole("table", { name: "Decision" });
    await expect(summary.textContent()).resolves.toContain(served.decision.event.payload.policy.digest);
    await expect(summary.locator(`a[href="#/ledger/entries/${blockedIndex}"]`).count()).resolves.toBe(1);
    await expect(
      page
        .getByRole("heading", { name: /Decision/ })
        .first()
        .textContent(),
    ).resolves.toContain("deny");
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}decision.png`, fullPage: true });
  });

  it("shows in the live tail a decision made after the page opened", async () => {
    await page.goto(`${base}/console#/ledger/tail`);
    await page.getByText("Following the ledger").waitFor();
    const agent = await server.token("agent", "coder");
    const made = await server.call("POST", "/v1/mediate", {
      token: agent,
      body: { runset: "rs-rel", agent: "coder", session: "s-1", tool: "read", capability: "repo.read", resource: "src/b.ts", args: {} },
    });
    expect(made.status).toBe(200);
    const row = page.locator(`table[aria-label="Live entries"] tr[data-index="${made.body.ledgerIndex}"]`);
    await row.waitFor({ timeout: 10_000 });
    await expect(row.textContent()).resolves.toContain("decision");
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}ledger-tail.png` });
    // Leaving the page ends its stream.
    await page.goto(`${base}/console#/decisions`);
    await page.getByRole("heading", { name: "Decisions" }).waitFor();
  });

  it("links each exception on the exceptions page to its ledger entries", async () => {
    await page.goto(`${base}/console#/exceptions`);
    await page.getByRole("heading", { name: "Exceptions at a glance" }).waitFor();
    await expect(page.getByRole("table", { name: "Waivers" }).first().textContent()).resolves.toContain("waiver.requested #");
    const hold = page.getByRole("table", { name: "Active holds" }).getByRole("row").filter({ hasText: "open audit finding F-9" });
    const link = hold.getByRole("link", { name: /^hold\.placed #\d+$/ });
    const index = Number((await link.textContent())!.split("#")[1]);
    await link.click();
    await page.getByRole("heading", { name: `Ledger entry #${index}` }).waitFor();
    expect(JSON.parse((await page.getByLabel("Event JSON").textContent()) ?? "{}")).toMatchObject({
      kind: "hold.placed",
      payload: { reason: "open audit finding F-9" },
    });
    // The one refused search above is the only failed request the browser may report.
    expect(consoleErrors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });
});
