// Live progress for `maestro runset run`: a redrawn table on a terminal, one line per change otherwise (always on stderr).
import type { RunsetProgress } from "./run-runset.ts";

export interface ProgressView {
  update(progress: RunsetProgress): void;
  close(): void;
}

export function formatProgressLine(p: RunsetProgress): string {
  const state = p.phase === "agent" ? p.state : p.phase === "finished" ? p.state : p.phase;
  return `${p.agent.padEnd(16)} ${state.padEnd(17)} turns ${String(p.turns).padStart(3)}  tools ${String(p.toolCalls).padStart(3)}  denies ${String(p.denies).padStart(3)}  $${p.spentUsd.toFixed(4)}${p.lastTool ? `  last ${p.lastTool}` : ""}`;
}

export function progressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  const rows = new Map<string, RunsetProgress>();
  if (!stream.isTTY) {
    const lastLine = new Map<string, string>();
    return {
      update(p) {
        const line = formatProgressLine(p);
        if (lastLine.get(p.agent) === line) return;
        lastLine.set(p.agent, line);
        stream.write(`${line}\n`);
      },
      close() {},
    };
  }
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    timer = undefined;
    // Move up over the previous table and rewrite it (ESC[nA, ESC[2K: ECMA-48 cursor up, erase line).
    if (drawn > 0) stream.write(`\x1b[${drawn}A`);
    for (const p of rows.values()) stream.write(`\x1b[2K${formatProgressLine(p)}\n`);
    drawn = rows.size;
  };
  return {
    update(p) {
      rows.set(p.agent, p);
      timer ??= setTimeout(draw, 100);
    },
    close() {
      if (timer) clearTimeout(timer);
      draw();
    },
  };
}
