// `maestro policy mutate`: mutation testing of the Rego policies — how many deliberate bugs do the policy tests catch?
import { writeFile } from "node:fs/promises";
import { DEFAULT_MUTATION_THRESHOLD, DEFAULT_OPA_PATH, DEFAULT_REGO_DIR, formatReport, mutatePolicies } from "../../server/index.ts";
import { type Command, parseFlags, printJson, UsageError } from "../command.ts";

export const policyMutateCommand: Command = {
  name: "policy mutate",
  usage: `
Usage: maestro policy mutate [FILE...] [--json] [--threshold 0.94] [--jobs N] [--timeout SECONDS]
                             [--changed [--base REF]] [--rego-dir DIR] [--report FILE] [-v]

Makes mutants of the Rego policies on their AST (opa parse): each body expression dropped or negated,
comparison and set operators flipped, constants changed (numbers ± 1, strings, booleans, empty collections),
default rules and else branches removed, some ↔ every. Runs the policy tests against each, --jobs at a time
(default: the core count), each under --timeout (default 10 × the unmutated suite, at least 10 s), in a
mutant-runner per job: OPA's own test runner as a library, stopping at the first failing test.

Score = (killed + timed out) / (killed + timed out + survived). Mutants that do not compile, and mutants on
a line marked "# mutate: equivalent — why" (or "equivalent OPERATOR — why"), are reported apart and left
out of the score; a marked mutant the tests kill fails the run (the marker is wrong). Exit 0 only if the
score is at least --threshold (a fraction, default 0.94).

FILE... (paths relative to the Rego directory, e.g. match.rego) mutates only those files; --changed only policy
files changed against --base (default main), and with none changed it passes.
--report FILE also writes the JSON report (maestro policy build --mutation-report records its digest).
-v lists not-compiling and marked-equivalent mutants too. Needs the pinned opa and mutant-runner (scripts/bootstrap-opa.sh).`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        json: { type: "boolean" },
        threshold: { type: "string" },
        jobs: { type: "string" },
        timeout: { type: "string" },
        changed: { type: "boolean" },
        base: { type: "string" },
        "rego-dir": { type: "string" },
        report: { type: "string" },
        verbose: { type: "boolean", short: "v" },
      },
      policyMutateCommand,
      true,
    );
    const threshold = values.threshold === undefined ? DEFAULT_MUTATION_THRESHOLD : Number(values.threshold);
    if (!(values.threshold === undefined || /^\d*\.?\d+$/.test(values.threshold)) || !(threshold >= 0 && threshold <= 1))
      throw new UsageError("--threshold must be a fraction from 0 to 1 (e.g. 0.94)");
    const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
    if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1 && jobs <= 256))
      throw new UsageError("--jobs must be a whole number from 1 to 256");
    const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeout !== undefined && !(timeout > 0 && timeout <= 3600))
      throw new UsageError("--timeout must be seconds, more than 0 and at most 3600");
    if (values.base !== undefined && !values.changed) throw new UsageError("--base needs --changed");
    if (values.base !== undefined && !/^[\w./@^~-]+$/.test(values.base)) throw new UsageError("--base must be a git ref");

    const report = await mutatePolicies({
      opaPath: DEFAULT_OPA_PATH,
      regoDir: values["rego-dir"] ?? DEFAULT_REGO_DIR,
      threshold,
      jobs,
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      changedAgainst: values.changed ? (values.base ?? "main") : undefined,
      only: positionals.length > 0 ? positionals : undefined,
    });
    if (values.report) await writeFile(values.report, `${JSON.stringify(report, null, 2)}\n`);
    if (values.json) printJson(report);
    else process.stdout.write(`${formatReport(report, values.verbose)}\n`);
    return report.ok ? 0 : 1;
  },
};
