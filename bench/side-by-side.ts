// Runs one bench script against two versions of the code, alternately (ABBA) in one run, so the shared machine's load falls
// on both alike (prints figures; not a test):
//
//   BENCH_BASE=<commit> node bench/side-by-side.ts bench/ledger.ts [repeats, default 3]
//   BENCH_PICK=<regex>: at the end, the output lines matching it, per side and run (e.g. '^postgres +32 ')
//
// The base is checked out beside this one (git worktree) and this checkout's bench/ directory is copied over its
// bench/: both sides run the same bench code and differ only in the code it measures. The script's own environment
// variables (DATABASE_URL, BENCH_PARTS, BENCH_CONCURRENCY, ...) reach both sides.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { checkoutCommit } from "./support.ts";

const REPO = join(import.meta.dirname, "..");
const [script = "", repeatsText = "3"] = process.argv.slice(2);
if (!script) {
  console.error("usage: BENCH_BASE=<commit> node bench/side-by-side.ts bench/<bench>.ts [repeats]");
  process.exit(2);
}
const repeats = Number(repeatsText);
const pick = process.env.BENCH_PICK ? new RegExp(process.env.BENCH_PICK) : null;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

function run(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // The bench process is the load generator, and it imports its side's code (tokens, keys). Measured on 2 cores,
    // 2026-12-03: with one side's modules loaded, V8's allocation-site pretenuring sometimes moves the HTTP client's
    // short-lived objects to old space, and the same no-op floor row ran at ~10,000/s instead of ~14,500/s, on one
    // side only. Without pretenuring the generator is the same on both sides; the servers it measures are untouched.
    const child = spawn(process.execPath, ["--no-allocation-site-pretenuring", script], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      process.stdout.write(d);
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} in ${dir} exited ${code}`))));
  });
}

const base = checkoutCommit(REPO, process.env.BENCH_BASE ?? "HEAD~1");
const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" }).trim();
const picked: string[] = [];
try {
  rmSync(join(base.dir, "bench"), { recursive: true, force: true });
  cpSync(join(REPO, "bench"), join(base.dir, "bench"), { recursive: true });
  const sides = [
    { name: `before (${base.commit})`, dir: base.dir },
    { name: `after (${head}, this checkout)`, dir: REPO },
  ];
  for (let r = 1; r <= repeats; r++) {
    // ABBA order: a side that runs right after the other inherits what it leaves behind (PostgreSQL writing out and
    // dropping the other's database, a warm or cold page cache); alternating the order spreads that over both.
    for (const side of r % 2 === 1 ? sides : [...sides].reverse()) {
      const header = `${side.name}, run ${r}/${repeats}, load average ${load()}`;
      console.log(`\n### ${header}`);
      const out = await run(side.dir);
      if (pick) for (const line of out.split("\n").filter((l) => pick.test(l))) picked.push(`${side.name} run ${r}: ${line}`);
    }
  }
  if (pick) console.log(`\n## Lines matching ${pick} (load average now ${load()})\n${picked.join("\n")}`);
} finally {
  base.remove();
}
