// The mutation report: score, counts by outcome, each survivor with file:line, operator and a one-line diff.
// Score = (killed + timed out) / (killed + timed out + survived); mutants that do not compile and mutants marked
// equivalent are left out of it and listed apart.
import type { MutantResult } from "./run-mutants.ts";

/** 2: `sources_digest` added, so `maestro policy build` can tell a report made for other sources (a stale one). */
export const REPORT_VERSION = 2;

export interface ReportedMutant {
  id: string;
  file: string;
  line: number;
  operator: string;
  diff: string;
}

export interface MutationReport {
  version: typeof REPORT_VERSION;
  /** Digest of the Rego sources mutated ("rego-sha256:…", the bundle revision). */
  revision: string;
  /** Digest of every policy and test file the score depends on ("rego-sha256:…", test files included). */
  sources_digest: string;
  /** Files mutated, relative to the Rego directory. */
  files: string[];
  threshold: number;
  /** null when there was nothing to score (no mutants, e.g. --changed with no policy changes). */
  score: number | null;
  ok: boolean;
  counts: { mutants: number; killed: number; survived: number; timeout: number; not_compiling: number; equivalent: number };
  survivors: ReportedMutant[];
  timeouts: ReportedMutant[];
  not_compiling: (ReportedMutant & { error: string })[];
  /** Marked `# mutate: equivalent`; `killed: true` means the tests do tell it apart, so the marker is wrong. */
  equivalent: (ReportedMutant & { reason: string; killed: boolean })[];
  jobs: number;
  timeout_ms: number;
  duration_ms: number;
}

const reported = (r: MutantResult): ReportedMutant => ({
  id: r.mutant.id,
  file: r.mutant.file,
  line: r.mutant.line,
  operator: r.mutant.operator,
  diff: `${r.mutant.original || "∅"} → ${r.mutant.replacement || "∅"}`,
});

export function buildReport(
  results: MutantResult[],
  meta: {
    revision: string;
    sourcesDigest: string;
    files: string[];
    threshold: number;
    jobs: number;
    timeoutMs: number;
    durationMs: number;
    emptyIsOk: boolean;
  },
): MutationReport {
  const marked = results.filter((r) => r.mutant.equivalent && r.outcome !== "not-compiling");
  const scored = results.filter((r) => !marked.includes(r));
  const of = (outcome: MutantResult["outcome"]) => scored.filter((r) => r.outcome === outcome);
  const killed = of("killed").length;
  const survived = of("survived").length;
  const timeout = of("timeout").length;
  const denominator = killed + timeout + survived;
  const score = denominator === 0 ? null : (killed + timeout) / denominator;
  // A marked mutant the tests kill is not equivalent: the marker is wrong and fails the run until it is removed.
  const wrongMarkers = marked.filter((r) => r.outcome === "killed" || r.outcome === "timeout");
  const ok = (score === null ? meta.emptyIsOk : score >= meta.threshold) && wrongMarkers.length === 0;
  return {
    version: REPORT_VERSION,
    revision: meta.revision,
    sources_digest: meta.sourcesDigest,
    files: meta.files,
    threshold: meta.threshold,
    score,
    ok,
    counts: { mutants: results.length, killed, survived, timeout, not_compiling: of("not-compiling").length, equivalent: marked.length },
    survivors: of("survived").map(reported),
    timeouts: of("timeout").map(reported),
    not_compiling: of("not-compiling").map((r) => ({ ...reported(r), error: r.detail ?? "" })),
    equivalent: marked.map((r) => ({
      ...reported(r),
      reason: r.mutant.equivalent?.reason ?? "",
      killed: r.outcome === "killed" || r.outcome === "timeout",
    })),
    jobs: meta.jobs,
    timeout_ms: meta.timeoutMs,
    duration_ms: meta.durationMs,
  };
}

const percent = (score: number | null): string => (score === null ? "—" : `${(score * 100).toFixed(1)} %`);

/** The table for people: a summary line, then survivors (what to act on), timeouts, equivalents, not compiling. */
export function formatReport(report: MutationReport, verbose = false): string {
  const c = report.counts;
  const lines = [
    `mutation score ${percent(report.score)} (threshold ${percent(report.threshold)}): ${c.killed} killed, ${c.survived} survived, ` +
      `${c.timeout} timed out, ${c.not_compiling} not compiling, ${c.equivalent} marked equivalent — ${c.mutants} mutants of ` +
      `${report.files.length} files in ${(report.duration_ms / 1000).toFixed(1)} s (${report.jobs} jobs)`,
  ];
  const table = <R extends ReportedMutant>(title: string, rows: R[], extra?: (row: R) => string) => {
    if (rows.length === 0) return;
    lines.push("", title);
    const width = Math.max(...rows.map((r) => `${r.file}:${r.line}`.length));
    const opWidth = Math.max(...rows.map((r) => r.operator.length));
    for (const r of rows) {
      const diff = r.diff.length > 100 ? `${r.diff.slice(0, 99)}…` : r.diff;
      lines.push(`  ${`${r.file}:${r.line}`.padEnd(width)}  ${r.operator.padEnd(opWidth)}  ${diff}${extra ? `  ${extra(r)}` : ""}`);
    }
  };
  table("survived (no test fails with this change; write one that does, or mark it equivalent and say why):", report.survivors);
  table("timed out (counted as killed):", report.timeouts);
  const wrong = report.equivalent.filter((e) => e.killed);
  table("marked equivalent but killed by the tests (remove the marker):", wrong);
  if (verbose) {
    table("marked equivalent:", report.equivalent, (r) => `— ${r.reason}`);
    table("not compiling (left out of the score):", report.not_compiling, (r) => `(${r.error})`);
  }
  lines.push(
    "",
    report.ok
      ? "OK"
      : `FAIL: ${report.score === null ? "no mutants to score" : wrong.length > 0 ? "wrong equivalent markers" : "score below threshold"}`,
  );
  return lines.join("\n");
}
