// Loaded (node --import, through NODE_OPTIONS set by check-every-exchange.ts) into every Node process a test starts:
// one that serves HTTP (`maestro serve`) checks its exchanges against the OpenAPI document as the test process does,
// and appends each problem as a JSON line to the file the test process reads after each test. A process that serves
// nothing only subscribes; the document is compiled on its first exchange. Plain JavaScript, so that a Node without
// type stripping (a system `node` a script finds on PATH) starts as if it were not there.
import { appendFileSync } from "node:fs";
import process from "node:process";

if (process.features.typescript) {
  const { CHILD_OBSERVER, CHILD_PROBLEMS_ENV, observeExchanges } = await import("./exchange-observer.ts");
  const file = process.env[CHILD_PROBLEMS_ENV];
  if (file) {
    const observer = observeExchanges((problems) => appendFileSync(file, problems.map((p) => `${JSON.stringify(p)}\n`).join("")));
    // A vitest started by a test inherits this hook; its own setup file stops it and checks its exchanges itself.
    globalThis[CHILD_OBSERVER] = observer;
  }
}
