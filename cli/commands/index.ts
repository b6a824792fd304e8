// Every `maestro` subcommand, in the order `maestro --help` lists them.
import type { Command } from "../command.ts";
import { serveCommand } from "./serve.ts";
import { tokenIssueCommand } from "./token.ts";
import { waiverCommands } from "./waiver.ts";
import { holdCommands } from "./hold.ts";
import { breakglassCommands } from "./breakglass.ts";
import { runsetRegisterCommand, runsetRunCommand } from "./runset.ts";
import { mcpProxyCommand } from "./mcp-proxy.ts";
import { hookClaudeCodeCommand, hookCodexCommand } from "./hook.ts";
import { ledgerCommands } from "./ledger.ts";
import { keysRotateCommand } from "./keys.ts";
import { evidenceCommands } from "./evidence.ts";
import { policyActivateCommand, policyBuildCommand, policyTestCommand } from "./policy.ts";

export const commands: Command[] = [serveCommand, tokenIssueCommand, policyBuildCommand, policyTestCommand, policyActivateCommand, runsetRegisterCommand, runsetRunCommand, mcpProxyCommand, hookClaudeCodeCommand, hookCodexCommand, ...waiverCommands, ...holdCommands, ...breakglassCommands, ...ledgerCommands, keysRotateCommand, ...evidenceCommands];
