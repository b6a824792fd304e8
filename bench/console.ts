// Benchmark: the auditor's console in Debian's Chromium (playwright-core) on a published release over 10,000 ledger
// events. Targets: the release page interactive in ≤ 1.5 s, and "Verify in this browser" of the release's evidence
// export (the CLI's verifier on WebCrypto, in a worker) in ≤ 3 s. Chromium's own clock: the page's performance marks
// (maestro:release:interactive, from navigation start; the maestro:verify measure, from the worker's start to its
// verdict, with the export already downloaded), read through Playwright. Each run is a fresh browser context.
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { chromium } from "playwright-core";
import { configFromEnv, createApp, composeServer, issueToken } from "../server/index.ts";
import { RELEASE_ID, seedPublishedRelease } from "./release-seed.ts";
import { itemAt, printTable, tempDir } from "./support.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TARGET = { interactive: 1500, verify: 3000 };

const range = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${Math.round(itemAt(s, 0, "samples"))}–${Math.round(s.at(-1)!)} (median ${Math.round(itemAt(s, Math.floor(s.length / 2), "samples"))})`;
};

async function main(): Promise<void> {
  const tmp = tempDir("maestro-bench-console-");
  const ctx = await composeServer(configFromEnv({ dataDir: tmp.dir, databaseUrl: undefined }));
  const app = createApp(ctx);
  const key = ctx.ledger.keyring.token;
  const sign = (role: "security" | "auditor", sub: string) => issueToken({ kid: key.kid, privateKey: key.privateKey }, role, sub, 3600);
  const { seeded, published } = await seedPublishedRelease(ctx, app, await sign("security", "sec-1"), EVENTS);
  const auditor = await sign("auditor", "aud-1");
  const jwks = JSON.stringify({ keys: await ctx.eventJwks() });
  const http = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => http.once("listening", resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
  const version = browser.version();
  const oneMinuteLoad = () => itemAt(loadavg(), 0, "loadavg()");
  const load = [oneMinuteLoad()];
  const interactive: number[] = [];
  const verify: number[] = [];
  const verifyWithDownload: number[] = [];
  let exportBytes = 0;
  try {
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript((t) => sessionStorage.setItem("maestro.token", t), auditor);
      const page = await context.newPage();
      await page.goto(`${base}/console#/releases/${RELEASE_ID}`);
      await page.getByRole("heading", { name: "Verify in this browser" }).waitFor({ timeout: 30_000 });
      interactive.push(await page.evaluate(() => performance.getEntriesByName("maestro:release:interactive")[0]!.startTime));
      await page.fill("#pinned-key", jwks);
      const clicked = await page.evaluate(() => performance.now());
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith("/bundle")), page.click("#verify")]);
      exportBytes = (await response.request().sizes()).responseBodySize;
      await page
        .locator(".verify-status")
        .getByText(/^(verified|failed)/)
        .waitFor({ timeout: 120_000 });
      const status = (await page.locator(".verify-status").textContent()) ?? "";
      if (!status.startsWith("verified")) throw new Error(`in-browser verification did not pass: ${status}`);
      const { measure, done } = await page.evaluate(() => ({
        measure: performance.getEntriesByName("maestro:verify")[0]!.duration,
        done: performance.getEntriesByName("maestro:verify:done")[0]!.startTime,
      }));
      verify.push(measure);
      verifyWithDownload.push(done - clicked);
      load.push(oneMinuteLoad());
      await context.close();
    }
  } finally {
    await browser.close();
    http.close();
    await ctx.close();
    tmp.remove();
  }
  printTable(`console in Chromium ${version} (${EVENTS} seeded events, embedded store, ${RUNS} runs)`, [
    { step: "seed ledger + publish (setup)", ms: `${Math.round(seeded)} + ${Math.round(published)}` },
    { step: "release page interactive, from navigation start", ms: range(interactive) },
    { step: `verify in the browser (${(exportBytes / 1e6).toFixed(1)} MB export downloaded)`, ms: range(verify) },
    { step: "verify in the browser, click to verdict (with the download)", ms: range(verifyWithDownload) },
  ]);
  const met = (xs: number[], target: number) => (Math.max(...xs) <= target ? "met" : "NOT met");
  console.log(
    `targets: interactive ≤ ${TARGET.interactive} ms ${met(interactive, TARGET.interactive)}; verify ≤ ${TARGET.verify} ms ${met(verify, TARGET.verify)}. ` +
      `Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `load average (1 min) ${Math.min(...load).toFixed(2)}–${Math.max(...load).toFixed(2)}, ${new Date().toISOString().slice(0, 10)}.`,
  );
}

await main();
