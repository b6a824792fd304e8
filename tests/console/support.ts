// What the console's browser tests share: Debian's Chromium (skipped outside CI when missing), the test server served
// over a socket (the page needs real HTTP and streaming), and axe-core run through the devtools protocol.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import type { TestServer } from "../support/test-server.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const SHOTS = new URL("../../docs/governance/console/", import.meta.url).pathname;
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

// Outside CI a missing browser skips these tests with a note; CI sets MAESTRO_REQUIRE_BROWSER so they cannot skip there.
export const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.MAESTRO_REQUIRE_BROWSER) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);

/** Serves the test server's app on a free local port; resolves its base URL. */
export function serveOverHttp(server: TestServer): Promise<{ base: string; http: ServerType }> {
  return new Promise((resolve) => {
    const http: ServerType = serve({ fetch: server.app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve({ base: `http://127.0.0.1:${info.port}`, http }),
    );
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A new page at the console's test size that fails the test on any request outside `origins` (the server under test,
 * and whatever else the test names, such as an OIDC issuer): nothing may leave for another origin. `blob:` and `data:`
 * URLs stay in the page, so they are always allowed. Console and page errors are pushed onto `errors` when given.
 */
export async function openConsolePage(browser: Browser, origins: string[], errors?: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  if (errors) {
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
  }
  const allowed = [...origins, "blob:", "data:"];
  page.on("request", (request) =>
    expect(
      allowed.some((prefix) => request.url().startsWith(prefix)),
      request.url(),
    ).toBe(true),
  );
  return page;
}

/** Serious and critical axe-core violations on the page as it stands ("rule (impact, nodes)"). */
export async function axeViolations(page: Page): Promise<string[]> {
  // The page's CSP forbids inline scripts (a <script> tag would be refused), so axe runs through the devtools protocol.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }
    ).axe;
    return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, count: v.nodes.length }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}, ${v.count})`);
}
