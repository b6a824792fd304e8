// Locates the real MCP filesystem server from npm (@modelcontextprotocol/server-filesystem, a devDependency).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export function filesystemServerEntry(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve("@modelcontextprotocol/server-filesystem/package.json");
    return join(dirname(pkg), "dist/index.js");
  } catch {
    throw new Error("@modelcontextprotocol/server-filesystem is not installed: it is a devDependency of these tests (npm install)");
  }
}
