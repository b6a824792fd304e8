// Every `maestro` subcommand, in the order `maestro --help` lists them.
import type { Command } from "../command.ts";
import { serveCommand } from "./serve.ts";
import { tokenIssueCommand } from "./token.ts";

export const commands: Command[] = [serveCommand, tokenIssueCommand];
