// The built-in tools by name, and the check that turns a model's tool_use into a validated, planned call.
import { compileSchema } from "../../common/ajv.ts";
import { MaestroError } from "../../common/errors.ts";
import { fetchUrlTool, publishReleaseTool, readSecretTool } from "./boundary-tools.ts";
import { installPackageTool, runTestsTool } from "./command-tools.ts";
import { applyPatchTool, readFileTool, writeFileTool } from "./repo-tools.ts";
import type { AgentTool } from "./tool.ts";

export const BUILTIN_TOOLS: AgentTool[] = [
  readFileTool,
  writeFileTool,
  applyPatchTool,
  runTestsTool,
  fetchUrlTool,
  installPackageTool,
  readSecretTool,
  publishReleaseTool,
];

export const BUILTIN_TOOL_NAMES = BUILTIN_TOOLS.map((t) => t.name);

const checks = new Map(BUILTIN_TOOLS.map((t) => [t.name, compileSchema(t.inputSchema)]));

export function toolsNamed(names: readonly string[] | undefined): AgentTool[] {
  if (!names) return BUILTIN_TOOLS;
  return names.map((name) => {
    const tool = BUILTIN_TOOLS.find((t) => t.name === name);
    if (!tool)
      throw new MaestroError("invalid_field", `unknown tool "${name}" (known: ${BUILTIN_TOOL_NAMES.join(", ")})`, { field: "tools" });
    return tool;
  });
}

/** Validates model input against the tool's schema; a failure goes back to the model as an error result. */
export function checkToolInput(tool: AgentTool, input: unknown): void {
  const failure = checks.get(tool.name)?.(input);
  if (failure) throw new MaestroError("invalid_field", `${tool.name}: ${failure.message}`, { field: failure.field });
}
