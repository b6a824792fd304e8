// Benchmark: `maestro policy mutate` over the shipped policies against its floor, the same number of unmutated
// `opa test` runs at the same --jobs (what any mutation run must pay). Target: the whole run ≤ 2 min on 2 cores.
// Usage: node bench/policy-mutate.ts [runs=3] [jobs=core count]
import { availableParallelism } from "node:os";
import { DEFAULT_OPA_PATH, DEFAULT_REGO_DIR } from "../server/policy/default-bundle.ts";
import { mutatePolicies } from "../server/policy/mutate/index.ts";
import { opaTest } from "../server/policy/mutate/run-mutants.ts";

const runs = Number(process.argv[2] ?? 3);
const jobs = Number(process.argv[3] ?? availableParallelism());

async function floor(count: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next++ < count) await opaTest(DEFAULT_OPA_PATH, DEFAULT_REGO_DIR, 120_000);
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return performance.now() - started;
}

const rows: Array<{ run: number; mutants: number; score: string; mutateS: number; floorS: number }> = [];
for (let run = 1; run <= runs; run++) {
  const report = await mutatePolicies({ opaPath: DEFAULT_OPA_PATH, regoDir: DEFAULT_REGO_DIR, jobs });
  const floorMs = await floor(report.counts.mutants);
  rows.push({
    run,
    mutants: report.counts.mutants,
    score: report.score === null ? "—" : `${(report.score * 100).toFixed(1)} %`,
    mutateS: report.duration_ms / 1000,
    floorS: floorMs / 1000,
  });
  console.log(
    `run ${run}: ${report.counts.mutants} mutants, score ${rows.at(-1)!.score}, policy mutate ${(report.duration_ms / 1000).toFixed(1)} s, ` +
      `floor (${report.counts.mutants} × opa test, ${jobs} jobs) ${(floorMs / 1000).toFixed(1)} s`,
  );
}
const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} s`;
console.log(`policy mutate: ${range(rows.map((r) => r.mutateS))}; floor: ${range(rows.map((r) => r.floorS))} (${runs} runs, ${jobs} jobs)`);
