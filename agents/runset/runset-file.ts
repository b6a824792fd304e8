// Reads a run-set file (YAML or JSON), checks it against schemas/runset/runset.schema.json, and resolves its paths.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { compileSchema } from "../../common/ajv.ts";
import { MaestroError } from "../../common/errors.ts";
import runsetSchema from "../../schemas/runset/runset.schema.json" with { type: "json" };
import type { Capability } from "../capabilities.ts";
import type { PriceTable } from "../runner/price-table.ts";
import type { ProviderName } from "../runner/providers.ts";

const checkRunset = compileSchema(runsetSchema);

export interface RunsetGrant {
  capability: Capability;
  resource: string;
  approval?: "none" | "required";
}

export interface RunsetAgent {
  name: string;
  goal: string;
  system?: string;
  provider: ProviderName;
  model: string;
  base_url?: string;
  max_turns?: number;
  max_tokens?: number;
  budget_usd?: number | null;
  code_changing?: boolean;
  tools?: string[];
  grants?: RunsetGrant[];
  secrets?: Record<string, string>;
  tests?: { command: string; timeout_seconds?: number };
  publish_command?: string;
  success?: { tests_pass?: boolean; max_denies?: number };
}

export interface Runset {
  version: 1;
  name: string;
  repo?: string;
  base?: string;
  concurrency?: number;
  budget_usd?: number | null;
  prices?: PriceTable;
  approval?: { timeout_seconds?: number; poll_seconds?: number };
  agents: RunsetAgent[];
}

export interface LoadedRunset extends Runset {
  /** Absolute path of the repository the agents work on. */
  repoPath: string;
}

export function parseRunset(text: string, source: string): Runset {
  let doc: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both.
    doc = parseYaml(text);
  } catch (err) {
    throw new MaestroError("bad_request", `${source} is not valid YAML or JSON: ${(err as Error).message}`, { cause: err });
  }
  const failure = checkRunset(doc);
  if (failure) throw new MaestroError("invalid_field", `${source}: ${failure.message}`, { field: failure.field });
  const runset = doc as Runset;
  const seen = new Set<string>();
  runset.agents.forEach((agent, i) => {
    if (seen.has(agent.name))
      throw new MaestroError("invalid_field", `${source}: agent name "${agent.name}" appears twice`, { field: `/agents/${i}/name` });
    seen.add(agent.name);
  });
  return runset;
}

export async function loadRunset(file: string): Promise<LoadedRunset> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new MaestroError("bad_request", `cannot read run-set file ${file}: ${reason}`, { cause: err });
  }
  const runset = parseRunset(text, file);
  return { ...runset, repoPath: resolve(dirname(resolve(file)), runset.repo ?? ".") };
}

/** The body of POST /v1/runsets: every agent's grants, named by agent, and the run-set cap. */
export function registrationOf(runset: Runset): {
  name: string;
  budget_cap_usd: number | null;
  grants: Array<RunsetGrant & { agent: string }>;
} {
  return {
    name: runset.name,
    budget_cap_usd: runset.budget_usd ?? null,
    grants: runset.agents.flatMap((agent) => (agent.grants ?? []).map((g) => ({ agent: agent.name, ...g }))),
  };
}
