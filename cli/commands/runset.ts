// `maestro runset register FILE` and `maestro runset run FILE`: grants to the server, then every agent through the mediator.
import { httpMediatorFromEnv, DEFAULT_MAESTRO_URL } from "../../agents/mediator-client/http-mediator-client.ts";
import { progressView } from "../../agents/runset/progress-view.ts";
import { type RegisteredRunset, registerRunsetOverHttp } from "../../agents/runset/register-runset.ts";
import { loadRunset, registrationOf, type Runset } from "../../agents/runset/runset-file.ts";
import { runRunset } from "../../agents/runset/run-runset.ts";
import { isMaestroError } from "../../common/errors.ts";
import { checkTokenActsAs } from "../agent-token-check.ts";
import { type Command, parseFlags, printJson, UsageError } from "../command.ts";
import { itemAt } from "../../common/present.ts";

const SERVER_FLAGS = { url: { type: "string" }, json: { type: "boolean" } } as const;

/** A run-set file that cannot be read or is invalid is a usage error (exit 2): exit 1 says an agent failed. */
async function loadRunsetArg(file: string) {
  try {
    return await loadRunset(file);
  } catch (err) {
    if (isMaestroError(err) && (err.code === "bad_request" || err.code === "invalid_field")) {
      throw new UsageError(`${err.message}${err.field ? ` (field ${err.field})` : ""}`);
    }
    throw err;
  }
}

function fileArg(positionals: string[], command: Command): string {
  if (positionals.length !== 1) throw new UsageError(`expected one run-set FILE (see maestro ${command.name} --help)`);
  return itemAt(positionals, 0, "positionals");
}

function adminToken(flag: string | undefined): string {
  const token = flag ?? process.env.MAESTRO_ADMIN_TOKEN;
  if (!token) throw new UsageError("registering needs an admin or security token: --admin-token or MAESTRO_ADMIN_TOKEN");
  return token;
}

/**
 * `runset register` takes its token like every other command (--token, MAESTRO_TOKEN). --admin-token and
 * MAESTRO_ADMIN_TOKEN, its old names, still work (scripts written against them keep running) and say so.
 */
function registerToken(values: { token?: string; "admin-token"?: string }): string {
  if (values.token) return values.token;
  if (values["admin-token"]) {
    process.stderr.write("maestro: --admin-token is deprecated; use --token (or MAESTRO_TOKEN)\n");
    return values["admin-token"];
  }
  if (process.env.MAESTRO_TOKEN) return process.env.MAESTRO_TOKEN;
  if (process.env.MAESTRO_ADMIN_TOKEN) {
    process.stderr.write("maestro: MAESTRO_ADMIN_TOKEN is deprecated; use MAESTRO_TOKEN (or --token)\n");
    return process.env.MAESTRO_ADMIN_TOKEN;
  }
  throw new UsageError(
    "registering needs an admin or security token: --token or MAESTRO_TOKEN (maestro token issue --role security --sub NAME)",
  );
}

/** The server's warnings name grants by their place in the request; people know them by agent, capability and glob. */
function printWarnings(runset: Runset, warnings: RegisteredRunset["warnings"]): void {
  const grants = registrationOf(runset).grants;
  for (const w of warnings) {
    const index = Number(/^\/grants\/(\d+)\//.exec(w.field)?.[1]);
    const grant = grants[index];
    process.stderr.write(`warning: ${grant ? `agent ${grant.agent}: ` : ""}${w.message}\n`);
  }
}

export const runsetRegisterCommand: Command = {
  name: "runset register",
  usage: `
Usage: maestro runset register FILE [--url URL] [--token TOKEN] [--json]

Sends every agent's grants and the run-set budget_usd cap to POST /v1/runsets (ledgered as
runset.registered). Needs an admin or security token: --token or MAESTRO_TOKEN (--admin-token and
MAESTRO_ADMIN_TOKEN still work, deprecated). Server URL: --url, MAESTRO_URL, default ${DEFAULT_MAESTRO_URL}.
A grant that can never match (a network.egress grant "*" stops at the first "."; use "**") is registered
and reported as a warning on stderr (in "warnings" with --json).`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { ...SERVER_FLAGS, token: { type: "string" }, "admin-token": { type: "string" } },
      runsetRegisterCommand,
      true,
    );
    const runset = await loadRunsetArg(fileArg(positionals, runsetRegisterCommand));
    const result = await registerRunsetOverHttp(
      values.url ?? process.env.MAESTRO_URL ?? DEFAULT_MAESTRO_URL,
      registerToken(values),
      runset,
    );
    printWarnings(runset, result.warnings);
    if (values.json) printJson(result);
    else {
      const warned = result.warnings.length
        ? `; ${result.warnings.length === 1 ? "1 grant" : `${result.warnings.length} grants`} can never match (see the warnings above)`
        : "";
      process.stdout.write(`registered run-set ${result.name} (ledger index ${result.ledgerIndex})${warned}\n`);
    }
  },
};

export const runsetRunCommand: Command = {
  name: "runset run",
  usage: `
Usage: maestro runset run FILE [--url URL] [--token TOKEN] [--concurrency N] [--register [--admin-token TOKEN]] [--json]

FILE is YAML or JSON (schemas/runset/runset.schema.json). Each code-changing agent works on its
own branch maestro/<runset>/<agent>-<run> in its own git worktree; at the end its tests run there
(a mediated tests.run call), its changes are committed to the branch and the worktree is removed.
Live progress (turns, tool calls, denies, spend) goes to stderr; --json prints the report on stdout.

  --token         agent token (default MAESTRO_TOKEN), bound to every agent of the run-set:
                  maestro token issue --role agent --sub runner --agents A,B --runsets NAME
  --url           server (MAESTRO_URL, default ${DEFAULT_MAESTRO_URL})
  --register      register the grants first (needs --admin-token or MAESTRO_ADMIN_TOKEN)
Provider keys come from ANTHROPIC_API_KEY / OPENAI_API_KEY and are never ledgered.
Exit 0 when every agent met its success criteria, 1 otherwise.`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        ...SERVER_FLAGS,
        token: { type: "string" },
        concurrency: { type: "string" },
        register: { type: "boolean" },
        "admin-token": { type: "string" },
      },
      runsetRunCommand,
      true,
    );
    const runset = await loadRunsetArg(fileArg(positionals, runsetRunCommand));
    if (values.concurrency !== undefined) {
      const n = Number(values.concurrency);
      if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError("--concurrency must be an integer from 1 to 64");
      runset.concurrency = n;
    }
    const mediator = httpMediatorFromEnv({ url: values.url, token: values.token });
    // One token drives every agent of the run-set, so it must be bound to all of them (docs/governance/roles.md).
    checkTokenActsAs(
      values.token ?? process.env.MAESTRO_TOKEN ?? "",
      runset.agents.map((a) => a.name),
      runset.name,
    );
    if (values.register)
      printWarnings(runset, (await registerRunsetOverHttp(mediator.url, adminToken(values["admin-token"]), runset)).warnings);
    const view = progressView();
    let report;
    try {
      report = await runRunset({ runset, mediator, onProgress: (p) => view.update(p) });
    } finally {
      view.close();
    }
    if (values.json) printJson(report);
    else {
      for (const a of report.agents) {
        const branch = a.branch ? ` branch ${a.branch.branch}${a.branch.changed ? "" : " (no changes)"}` : "";
        process.stdout.write(
          `${a.success ? "ok  " : "FAIL"} ${a.agent}: ${a.state}, tests ${a.tests?.status ?? "not run"}, $${a.spentUsd.toFixed(4)}${branch}${a.error ? ` — ${a.error}` : ""}\n`,
        );
      }
    }
    return report.success ? 0 : 1;
  },
};
