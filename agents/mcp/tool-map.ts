// The mapping from upstream tool names to capability + resource, shared by the MCP proxy and the coding-agent hooks.
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { compileSchema } from "../../common/ajv.ts";
import { MaestroError } from "../../common/errors.ts";
import toolMapSchema from "../../schemas/runset/tool-map.schema.json" with { type: "json" };
import type { Capability } from "../capabilities.ts";
import { sha256Digest } from "../mediator/digest.ts";

const checkToolMap = compileSchema(toolMapSchema);

export interface MappedTool {
  capability: Capability;
  resource: string;
  taints?: boolean;
}

export interface ToolMap {
  runset?: string;
  /** Base for the |relative filter; absent = the consumer's default (proxy: its cwd; hooks: the agent's cwd). */
  root?: string;
  tools: Record<string, MappedTool | { deny: true }>;
}

export function parseToolMap(text: string, source: string, baseDir: string): ToolMap {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new MaestroError("bad_request", `${source} is not valid YAML or JSON`, { cause: err });
  }
  const failure = checkToolMap(doc);
  if (failure) throw new MaestroError("invalid_field", `${source}: ${failure.message}`, { field: failure.field });
  const map = doc as Omit<ToolMap, "root"> & { root?: string };
  return { ...map, root: map.root === undefined ? undefined : resolve(baseDir, map.root) };
}

export async function loadToolMap(file: string): Promise<ToolMap> {
  const text = await readFile(file, "utf8").catch((err) => {
    throw new MaestroError("bad_request", `cannot read tool map ${file}`, { cause: err });
  });
  return parseToolMap(text, file, dirname(resolve(file)));
}

/** Mapped and not marked deny: the only tools the policy could ever allow (the rest are hidden and denied). */
export function mappedTool(map: ToolMap, name: string): MappedTool | undefined {
  const entry = Object.hasOwn(map.tools, name) ? map.tools[name] : undefined;
  return entry && "capability" in entry ? entry : undefined;
}

/** Fills a resource template from the tool's arguments; throws when an argument is missing or escapes the root. */
export function resourceFor(map: ToolMap, tool: MappedTool, args: Record<string, unknown>): string {
  const resources = resourcesFor(map, tool, args);
  if (resources.length !== 1) throw new MaestroError("invalid_field", `expected one resource, found ${resources.length}`, { field: "resource" });
  return resources[0];
}

/**
 * Like resourceFor, but a template that is exactly {arg|patch-files} yields one resource per file the
 * patch touches (Codex apply_patch), each mediated on its own.
 */
export function resourcesFor(map: ToolMap, tool: MappedTool, args: Record<string, unknown>): string[] {
  const patch = /^\{([\w.-]+)\|patch-files\}$/.exec(tool.resource);
  if (patch) {
    const value = args[patch[1]];
    if (typeof value !== "string") throw new MaestroError("invalid_field", `argument ${patch[1]} is needed to name the resource`, { field: patch[1] });
    const files = patchFiles(value);
    if (files.length === 0) throw new MaestroError("invalid_field", "the patch names no files", { field: patch[1] });
    return files.map((file) => applyFilter(map, file, "relative", patch[1]));
  }
  return [
    tool.resource.replace(/\{([\w.-]+)(?:\|([\w-]+))?\}/g, (_m, name: string, filter?: string) => {
      const value = args[name];
      if (typeof value !== "string" || value === "") throw new MaestroError("invalid_field", `argument ${name} is needed to name the resource`, { field: name });
      return applyFilter(map, value, filter, name);
    }),
  ];
}

/** Files in a Codex apply_patch envelope ("*** Add File: p", "*** Update File: p", "*** Delete File: p", "*** Move to: p"). */
export function patchFiles(patch: string): string[] {
  const files = new Set<string>();
  for (const line of patch.split("\n")) {
    const m = /^\*\*\* (?:Add File|Update File|Delete File|Move to): (.+)$/.exec(line.trim());
    if (m) files.add(m[1].trim());
  }
  return [...files];
}

function applyFilter(map: ToolMap, value: string, filter: string | undefined, name: string): string {
  switch (filter) {
    case undefined:
      return value;
    case "host":
      try {
        return new URL(value).hostname;
      } catch {
        throw new MaestroError("invalid_field", `argument ${name} is not a URL`, { field: name });
      }
    case "relative": {
      const root = map.root ?? process.cwd();
      const rel = relative(root, resolve(root, value)).replaceAll("\\", "/");
      if (rel === "") return ".";
      if (rel.startsWith("../") || rel === ".." || isAbsolute(rel)) {
        throw new MaestroError("invalid_field", `argument ${name} (${value}) is outside ${root}`, { field: name });
      }
      return rel;
    }
    case "first-word":
      return value.trim().split(/\s+/)[0];
    default:
      throw new MaestroError("invalid_field", `unknown resource filter |${filter}`, { field: "resource" });
  }
}

/** Arguments as ledgered: any large value (file contents, patches, edit lists) becomes its digest and size. */
export function ledgerArgs(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
    out[key] = text.length > 1024 ? { digest: sha256Digest(text), chars: text.length } : value;
  }
  return out;
}
