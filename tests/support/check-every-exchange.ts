// Vitest setup file: every HTTP exchange an app built by createApp answers is held to the served OpenAPI document,
// whoever the client is (app.request, fetch over a socket, the CLI or an agent hook in a child process). A mismatch
// fails the test that was running (afterEach), or the file when it came from a beforeAll/afterAll. Servers the tests
// start as child processes (`maestro serve`) check their own exchanges (check-child-exchanges.mjs) and write what they
// find to a file this process reads at the same points.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll } from "vitest";
import { CHILD_OBSERVER, CHILD_PROBLEMS_ENV, type ExchangeObserver, observeExchanges } from "./exchange-observer.ts";

const CHILD_HOOK = fileURLToPath(new URL("./check-child-exchanges.mjs", import.meta.url));

// A vitest started by a test (check-every-exchange.test.ts) inherits the child hook: its exchanges are checked here.
((globalThis as unknown as Record<symbol, unknown>)[CHILD_OBSERVER] as ExchangeObserver | undefined)?.stop();

const problems: string[] = [];
let observer: ExchangeObserver | undefined;
let childProblems: string | undefined;

function start(): void {
  observer = observeExchanges((found) => problems.push(...found));
  childProblems = join(mkdtempSync(join(tmpdir(), "maestro-exchanges-")), "problems.ndjson");
  writeFileSync(childProblems, "");
  process.env[CHILD_PROBLEMS_ENV] = childProblems;
  if (!process.env.NODE_OPTIONS?.includes(CHILD_HOOK)) {
    process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--import=${CHILD_HOOK}`].filter(Boolean).join(" ");
  }
}

function takeChildProblems(): string[] {
  if (!childProblems) return [];
  const lines = readFileSync(childProblems, "utf8").split("\n").filter(Boolean);
  writeFileSync(childProblems, "");
  return lines.map((line) => `(child process) ${JSON.parse(line) as string}`);
}

async function failOnProblems(): Promise<void> {
  await observer?.settled();
  const found = [...problems.splice(0), ...takeChildProblems()];
  if (found.length > 0) throw new Error(`OpenAPI document and server disagree:\n${found.join("\n")}`);
}

beforeAll(start);
afterEach(failOnProblems);
afterAll(async () => {
  try {
    await failOnProblems();
  } finally {
    observer?.stop(); // a worker that runs the next file in this process subscribes anew
    if (childProblems) rmSync(join(childProblems, ".."), { recursive: true, force: true });
  }
});
