// The capability vocabulary every agent path (runner, MCP proxy, hooks) speaks: the server's own list, so the two cannot drift.
import { CAPABILITIES, type Capability } from "../server/index.ts";

export { CAPABILITIES, type Capability };

export function isCapability(value: unknown): value is Capability {
  return typeof value === "string" && (CAPABILITIES as readonly string[]).includes(value);
}
