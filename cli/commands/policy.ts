// `maestro policy build|test|activate|status`: compile Rego to a Wasm bundle with the pinned opa, run opa tests, activate a bundle, show the one in force.
import { readFile } from "node:fs/promises";
import {
  buildBundle,
  buildDefaultBundle,
  DEFAULT_MUTATION_REPORT,
  DEFAULT_OPA_PATH,
  DEFAULT_REGO_DIR,
  readMutationEvidence,
  runPolicyTests,
} from "../../server/index.ts";
import { type Command, parseFlags, printJson, UsageError } from "../command.ts";
import { clientFrom } from "../http-client.ts";
import { itemAt } from "../../common/present.ts";

export const policyBuildCommand: Command = {
  name: "policy build",
  usage: `
Usage: maestro policy build [--out FILE] [--mutation-report FILE | --no-mutation-report] [--signing-key PEM --signing-alg ALG] [--json]

Without --out, rebuilds the committed default bundle policies/bundle/maestro.tar.gz and its
sources.json (the digests the server checks for staleness). With --signing-key the bundle carries
OPA's .signatures.json. Needs the pinned opa in .tools/bin (scripts/bootstrap-opa.sh).

The bundle's manifest records the mutation report's SHA-256, score and threshold (metadata.mutation;
activation ledgers them, and a release's safety case argues from them). --mutation-report (default
policies/mutation-report.json, made by maestro policy mutate --report FILE) must have been made over
every policy file for the sources being built, tests included: a stale or partial report is refused.
--no-mutation-report builds a bundle that records no score (a draft: releases decided by it do not
support the claim policy-mutation-score).`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        out: { type: "string" },
        "mutation-report": { type: "string" },
        "no-mutation-report": { type: "boolean" },
        "signing-key": { type: "string" },
        "signing-alg": { type: "string" },
        json: { type: "boolean" },
      },
      policyBuildCommand,
    );
    if (values["signing-alg"] && !values["signing-key"]) throw new UsageError("--signing-alg needs --signing-key");
    if (values["mutation-report"] === "") throw new UsageError("--mutation-report needs a FILE");
    if (values["mutation-report"] !== undefined && values["no-mutation-report"])
      throw new UsageError("give --mutation-report FILE or --no-mutation-report, not both");
    const signing = values["signing-key"] ? { signingKey: values["signing-key"], signingAlg: values["signing-alg"] ?? "EdDSA" } : {};
    const mutation = values["no-mutation-report"]
      ? null
      : await readMutationEvidence(values["mutation-report"] ?? DEFAULT_MUTATION_REPORT, DEFAULT_REGO_DIR);
    const options = { ...signing, ...(mutation && { metadata: { mutation } }) };
    const result = values.out
      ? await buildBundle({ regoDir: DEFAULT_REGO_DIR, opaPath: DEFAULT_OPA_PATH, outFile: values.out, ...options })
      : await buildDefaultBundle(options);
    if (values.json) printJson({ outFile: result.outFile, digest: result.digest, revision: result.revision, mutation });
    else
      process.stdout.write(
        `built ${result.outFile}\n  digest   ${result.digest}\n  revision ${result.revision}\n` +
          (mutation
            ? `  mutation score ${(mutation.score * 100).toFixed(1)} % (threshold ${(mutation.threshold * 100).toFixed(1)} %), report ${mutation.digest}\n`
            : "  mutation score not recorded (--no-mutation-report)\n"),
      );
  },
};

export const policyTestCommand: Command = {
  name: "policy test",
  usage: `
Usage: maestro policy test [-v] [--threshold 90] [--json]

Runs opa fmt --fail, opa check --strict, opa test and opa test --coverage over policies/rego, then
checks the committed bundle matches the Rego sources. Prints the count of passing tests, the
coverage and every failure; -v (--verbose) prints every test. Exit 0 only if all pass.`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { threshold: { type: "string" }, json: { type: "boolean" }, verbose: { type: "boolean", short: "v" } },
      policyTestCommand,
    );
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 100)) throw new UsageError("--threshold must be 0-100");
    const report = await runPolicyTests({
      threshold,
      verbose: values.verbose,
      log: values.json ? undefined : (line) => process.stdout.write(`${line}\n`),
    });
    if (values.json) printJson(report);
    return report.ok ? 0 : 1;
  },
};

export const policyActivateCommand: Command = {
  name: "policy activate",
  usage: `
Usage: maestro policy activate FILE | --default [--url URL] [--token TOKEN] [--json]

Uploads an OPA bundle (.tar.gz, base64 in JSON) to POST /v1/policy/activate (role security or admin). The server
verifies (signature, when it has a verification key), smoke-tests, stores the bytes and ledgers policy.activated
in one commit, then swaps atomically; a bad bundle is refused and the old one keeps serving. The activated bundle
survives restarts. --default goes back to the committed bundle (ledgered too): a restart alone never does.`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { url: { type: "string" }, token: { type: "string" }, json: { type: "boolean" }, default: { type: "boolean" } },
      policyActivateCommand,
      true,
    );
    if (values.default ? positionals.length !== 0 : positionals.length !== 1)
      throw new UsageError("give exactly one bundle FILE, or --default alone");
    let body: { bundle: string } | { default: true };
    if (values.default) body = { default: true };
    else {
      const file = itemAt(positionals, 0, "positionals");
      const bytes = await readFile(file).catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      body = { bundle: Buffer.from(bytes).toString("base64") };
    }
    const result = await clientFrom(values).post("/v1/policy/activate", body);
    if (values.json) printJson(result);
    else process.stdout.write(`activated ${(result as { digest: string }).digest}${values.default ? " (the committed bundle)" : ""}\n`);
  },
};

export const policyStatusCommand: Command = {
  name: "policy status",
  usage: `
Usage: maestro policy status [--url URL] [--token TOKEN] [--json]

The policy bundle a running server enforces (GET /v1/policy/status): digest, revision, source (default: the
committed bundle; activated: one activated with maestro policy activate; config: --policy-bundle), and the
ledgered activation that put it there (who, when, ledger index, why), and the mutation score its bundle records.`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { url: { type: "string" }, token: { type: "string" }, json: { type: "boolean" } },
      policyStatusCommand,
    );
    const s = (await clientFrom(values).get("/v1/policy/status")) as {
      digest: string;
      revision: string;
      source: string;
      ledgerIndex: number | null;
      activatedBy: { id: string; role?: string } | null;
      activatedAt: string | null;
      reason: string;
      mutation: { score: number; threshold: number; digest: string } | null;
    };
    if (values.json) return void printJson(s);
    const percent = (n: number) => `${(n * 100).toFixed(1)} %`;
    const mutation = s.mutation
      ? `${percent(s.mutation.score)} (threshold ${percent(s.mutation.threshold)}; report ${s.mutation.digest})`
      : "— (built without a mutation report)";
    const by = s.activatedBy ? `${s.activatedBy.id}${s.activatedBy.role ? ` (${s.activatedBy.role})` : ""}` : "—";
    process.stdout.write(
      `digest    ${s.digest}\nrevision  ${s.revision || "—"}\nsource    ${s.source}\nactivated by ${by} at ${s.activatedAt ?? "—"} (ledger index ${s.ledgerIndex ?? "—"})\nreason    ${s.reason}\nmutation  ${mutation}\n`,
    );
  },
};
