// Whatever the server writes to its log during each test, through console or straight to the streams: the lines, for
// tests that assert a secret never reaches a log. Call inside a describe; the list is emptied before every test.
import { afterEach, beforeEach, vi } from "vitest";

export function captureServerLogs(): string[] {
  const lines: string[] = [];
  beforeEach(() => {
    lines.length = 0;
    const keep = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    for (const method of ["log", "info", "warn", "error", "debug"] as const) vi.spyOn(console, method).mockImplementation(keep);
    for (const stream of [process.stdout, process.stderr])
      vi.spyOn(stream, "write").mockImplementation((chunk: unknown) => (keep(String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return lines;
}
