// The mapping from upstream tool names to capability + resource, shared by the MCP proxy and the coding-agent hooks.
import { lstatSync, realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, parse, relative, resolve, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import { compileSchema } from "../../common/ajv.ts";
import { MaestroError } from "../../common/errors.ts";
import toolMapSchema from "../../schemas/runset/tool-map.schema.json" with { type: "json" };
import type { Capability } from "../capabilities.ts";
import { sha256Digest } from "../mediator-client/digest.ts";
import { itemAt } from "../../common/present.ts";

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
export function resourceFor(map: ToolMap, tool: MappedTool, args: Record<string, unknown>, cwd?: string): string {
  const resources = resourcesFor(map, tool, args, cwd);
  if (resources.length !== 1)
    throw new MaestroError("invalid_field", `expected one resource, found ${resources.length}`, { field: "resource" });
  return itemAt(resources, 0, "resources");
}

/** Where path arguments lead: `root` bounds them, relative ones start from `cwd` (hooks: the agent's cwd). */
interface PathBase {
  root: string;
  cwd: string;
}

// {arg}, {arg|filter}, and {arg?|relative}: an absent or empty arg means the working directory.
const PLACEHOLDER = /\{([\w.-]+)(\?)?(?:\|([\w-]+))?\}/g;

/**
 * Like resourceFor, but a template that is exactly {arg|patch-files} yields one resource per file the
 * patch touches (Codex apply_patch), each mediated on its own. `cwd` is where the agent resolves
 * relative paths (default: the root).
 */
export function resourcesFor(map: ToolMap, tool: MappedTool, args: Record<string, unknown>, cwd?: string): string[] {
  const root = map.root ?? cwd ?? process.cwd();
  const base: PathBase = { root, cwd: resolve(cwd ?? root) };
  const patchArg = /^\{([\w.-]+)\|patch-files\}$/.exec(tool.resource)?.[1];
  if (patchArg !== undefined) {
    const value = args[patchArg];
    if (typeof value !== "string")
      throw new MaestroError("invalid_field", `argument ${patchArg} is needed to name the resource`, { field: patchArg });
    const files = patchFiles(value);
    if (files.length === 0) throw new MaestroError("invalid_field", "the patch names no files", { field: patchArg });
    return files.map((file) => inRoot(base, file, patchArg));
  }
  return [
    tool.resource.replace(PLACEHOLDER, (_m, name: string, optional: string | undefined, filter: string | undefined) => {
      const value = args[name];
      if (optional && (value === undefined || value === null || value === "")) {
        if (filter !== "relative") throw new MaestroError("invalid_field", `{${name}?} needs the |relative filter`, { field: "resource" });
        return inRoot(base, base.cwd, name);
      }
      if (typeof value !== "string" || value === "")
        throw new MaestroError("invalid_field", `argument ${name} is needed to name the resource`, { field: name });
      return applyFilter(base, value, filter, name, args);
    }),
  ];
}

/** Files in a Codex apply_patch envelope ("*** Add File: p", "*** Update File: p", "*** Delete File: p", "*** Move to: p"). */
export function patchFiles(patch: string): string[] {
  const files = new Set<string>();
  for (const line of patch.split("\n")) {
    const file = /^\*\*\* (?:Add File|Update File|Delete File|Move to): (.+)$/.exec(line.trim())?.[1];
    if (file !== undefined) files.add(file.trim());
  }
  return [...files];
}

function applyFilter(base: PathBase, value: string, filter: string | undefined, name: string, args: Record<string, unknown>): string {
  switch (filter) {
    case undefined:
      return value;
    case "host":
      try {
        return new URL(value).hostname;
      } catch {
        throw new MaestroError("invalid_field", `argument ${name} is not a URL`, { field: name });
      }
    case "relative":
      return inRoot(base, value, name);
    case "glob-dir":
      return globDir(base, value, name, args);
    case "first-word":
      return itemAt(value.trim().split(/\s+/), 0, "words"); // split gives at least one
    default:
      throw new MaestroError("invalid_field", `unknown resource filter |${filter}`, { field: "resource" });
  }
}

/**
 * The directory a glob pattern lists (Claude Code's Glob): its `path` argument (default: the working
 * directory), or, for an absolute pattern, the pattern's literal leading directories. Patterns that
 * could climb out of that directory (`..`, `~`, an absolute alternative in braces) are refused.
 */
function globDir(base: PathBase, pattern: string, name: string, args: Record<string, unknown>): string {
  if (/(?:^|[\\/{,])\.\.(?:$|[\\/},])/.test(pattern) || /^~|[{,]\s*[\\/~]/.test(pattern)) {
    throw new MaestroError("invalid_field", `argument ${name} (${pattern}) may reach outside the directory it searches`, { field: name });
  }
  const path = args.path ?? "";
  if (typeof path !== "string") throw new MaestroError("invalid_field", "argument path is not a string", { field: "path" });
  const searched = inRoot(base, path === "" ? base.cwd : path, "path");
  if (!isAbsolute(pattern)) return searched;
  const parts = pattern.split("/");
  const firstGlob = parts.findIndex((part) => /[*?[\]{}()!+@\\]/.test(part));
  return inRoot(base, firstGlob === -1 ? pattern : parts.slice(0, firstGlob).join("/") || "/", name);
}

/**
 * The resource for a path: where it really leads (symlinks followed), relative to the real root.
 * Throws when it leads outside the root or where it leads cannot be told for sure (fail closed).
 */
function inRoot(base: PathBase, value: string, name: string): string {
  const outside = () => new MaestroError("invalid_field", `argument ${name} (${value}) is outside ${base.root}`, { field: name });
  if (under(resolve(base.root), resolve(base.cwd, value)) === undefined) throw outside();
  const root = realLocation(resolve(base.root));
  // Not path.join: it would fold `link/..` textually, before the symlink is followed.
  const target = realLocation(isAbsolute(value) ? value : `${base.cwd}${sep}${value}`);
  if (root === undefined || target === undefined) {
    throw new MaestroError("invalid_field", `argument ${name} (${value}) cannot be resolved to a real path under ${base.root}`, {
      field: name,
    });
  }
  const rel = under(root, target);
  if (rel === undefined) throw outside();
  return rel;
}

/** `path` relative to `root` with forward slashes ("." for the root itself), or undefined when outside it. */
function under(root: string, path: string): string | undefined {
  const rel = relative(root, path).replaceAll("\\", "/");
  if (rel === "") return ".";
  return rel.startsWith("../") || rel === ".." || isAbsolute(rel) ? undefined : rel;
}

/**
 * Where an absolute path leads: the realpath of its nearest existing ancestor with the rest appended.
 * Undefined when unsure: a dangling symlink, an unreadable or non-directory step, `..` after a missing
 * step, or a path whose textual normalisation (what many tools apply first) leads elsewhere.
 */
function realLocation(path: string): string | undefined {
  const physical = followPath(path);
  return physical !== undefined && physical === followPath(resolve(path)) ? physical : undefined;
}

function followPath(path: string): string | undefined {
  const { root } = parse(path);
  const parts = path.slice(root.length).split(sep === "\\" ? /[\\/]+/ : /\/+/);
  let real = root;
  for (const [i, part] of parts.entries()) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      real = dirname(real);
      continue;
    }
    const next = join(real, part);
    try {
      real = realpathSync.native(next);
    } catch (err) {
      // Only a step that is truly absent (not a dangling link) ends the walk; nothing past it can be a link.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || lstatSync(next, { throwIfNoEntry: false }) !== undefined) return undefined;
      const rest = parts.slice(i + 1).filter((p) => p !== "" && p !== ".");
      return rest.includes("..") ? undefined : join(next, ...rest);
    }
  }
  return real;
}

// Argument names that carry file contents or patch text (Claude Code Write/Edit/MultiEdit/NotebookEdit,
// MCP filesystem and editor tools), compared without case, `_` or `-`.
const CONTENT_ARG = /^(?:contents?|filetext|inserttext|(?:old|new)(?:string|str|text|source|content)|edits?|patch(?:es)?|diff|stdin)$/;
const isContentArg = (key: string) => CONTENT_ARG.test(key.toLowerCase().replace(/[_-]/g, ""));

/**
 * Arguments as ledgered (docs/governance/agents.md): file contents, edits and patch text (content-named
 * fields at any depth, and the argument a |patch-files template reads) become their digest and size
 * whatever their length, as the runner's write_file does; any other value over 1024 characters too.
 */
export function ledgerArgs(args: Record<string, unknown>, tool?: MappedTool): Record<string, unknown> {
  const patchArg = tool && /^\{([\w.-]+)\|patch-files\}$/.exec(tool.resource)?.[1];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    const large = (typeof value === "string" ? value : JSON.stringify(value ?? null)).length > 1024;
    out[key] = key === patchArg || isContentArg(key) || large ? digestOf(value) : withoutContents(value);
  }
  return out;
}

/** Argument names whose text a write puts into a file: Write's content, Edit's new_string, NotebookEdit's new_source, MCP newText. */
const WRITTEN_TEXT = /^(?:contents?|filetext|inserttext|new(?:string|str|text|source|content))$/;

/**
 * What a repository write adds, for the server's in-memory secret and licence scan (POST /v1/mediate `content`): the
 * patch text of a |patch-files tool (flagged so its removed lines are not scanned), else every written-text argument
 * (Edit and MultiEdit's edits included), joined by newlines. Nothing for other capabilities, or when no text is named.
 */
export function writtenContent(args: Record<string, unknown>, tool: MappedTool): { content: string; patchDigest?: string } | undefined {
  if (tool.capability !== "repo.write") return undefined;
  const patchArg = /^\{([\w.-]+)\|patch-files\}$/.exec(tool.resource)?.[1];
  const patch = patchArg === undefined ? undefined : args[patchArg];
  if (typeof patch === "string") return { content: patch, patchDigest: sha256Digest(patch) };
  const texts: string[] = [];
  const collect = (value: unknown, key: string) => {
    if (typeof value === "string" && WRITTEN_TEXT.test(key.toLowerCase().replace(/[_-]/g, ""))) texts.push(value);
    else if (Array.isArray(value)) for (const item of value) collect(item, key);
    else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) collect(v, k);
  };
  for (const [key, value] of Object.entries(args)) collect(value, key);
  return texts.length === 0 ? undefined : { content: texts.join("\n") };
}

function withoutContents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutContents);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isContentArg(k) ? digestOf(v) : withoutContents(v)]));
}

function digestOf(value: unknown): { digest: string; chars: number } {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  return { digest: sha256Digest(text), chars: text.length };
}
