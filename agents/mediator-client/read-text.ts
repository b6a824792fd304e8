// The text a tool read, out of whatever shape its result has, for the server's secret scan (issue #24, reads).

/**
 * The text a tool's response holds, for the server's secret scan: Codex's hooks send a string; Claude Code's an object per
 * tool (Read's file content, Bash's stdout and stderr, WebFetch's result); MCP tools a result with text parts. Every string
 * in it, in order, one per line, so a secret is seen whole whatever the shape.
 */
export function readText(response: unknown): string {
  const texts: string[] = [];
  const collect = (value: unknown) => {
    if (typeof value === "string") texts.push(value);
    else if (Array.isArray(value)) for (const item of value) collect(item);
    else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) collect(item);
  };
  collect(response);
  return texts.join("\n");
}
