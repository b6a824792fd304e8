// The Rego AST as `opa parse --format json --json-include locations` gives it, and byte spans of its nodes in the source.
// Locations are 1-based row and byte column plus the node's source text (base64), so a node's span is exact:
// https://www.openpolicyagent.org/docs/cli#opa-parse. A span is used only once the source bytes there equal that text.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { itemAt } from "../../../common/present.ts";

const run = promisify(execFile);

export interface Location {
  row: number;
  col: number;
  text: string;
}

export interface Term {
  type: string;
  value: unknown;
  location?: Location;
}

export interface Expr {
  index: number;
  location?: Location;
  generated?: boolean;
  negated?: boolean;
  terms: Term | Term[] | { symbols: Term[]; location?: Location } | { domain?: Term; key?: Term; value?: Term; body: Expr[] };
  with?: unknown[];
}

export interface RuleHead {
  name?: string;
  args?: Term[];
  key?: Term;
  value?: Term;
  location?: Location;
}

export interface Rule {
  default?: boolean;
  head: RuleHead;
  body: Expr[];
  else?: Rule;
  location?: Location;
}

export interface Module {
  rules?: Rule[];
}

/** Byte offsets [start, end) of a node in the source. */
export interface Span {
  start: number;
  end: number;
}

/** Row/column to byte offsets, built once per source. */
export class SourceText {
  readonly bytes: Buffer;
  private readonly lineStarts: number[] = [0];

  constructor(source: string | Buffer) {
    this.bytes = typeof source === "string" ? Buffer.from(source) : source;
    for (let i = 0; i < this.bytes.length; i++) if (this.bytes[i] === 0x0a) this.lineStarts.push(i + 1);
  }

  /** The node's span, or null when the location is missing or does not match the source (OPA gives some nodes their parent's). */
  span(location: Location | undefined): Span | null {
    if (!location || location.row < 1 || location.row > this.lineStarts.length) return null;
    const text = Buffer.from(location.text, "base64");
    const start = itemAt(this.lineStarts, location.row - 1, "line starts") + location.col - 1;
    const end = start + text.length;
    if (end > this.bytes.length || !this.bytes.subarray(start, end).equals(text)) return null;
    return { start, end };
  }

  slice(span: Span): string {
    return this.bytes.subarray(span.start, span.end).toString();
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (itemAt(this.lineStarts, mid, "line starts") <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  line(row: number): string {
    const start = this.lineStarts[row - 1];
    const next = this.lineStarts[row];
    const end = next === undefined ? this.bytes.length : next - 1;
    return this.bytes.subarray(start, end).toString();
  }

  /** The source with [span) replaced. */
  splice(span: Span, replacement: string): Buffer {
    return Buffer.concat([this.bytes.subarray(0, span.start), Buffer.from(replacement), this.bytes.subarray(span.end)]);
  }
}

/** Parses one Rego file (or the given source, through a scratch file) to its AST with locations, comments left out. */
export async function parseRego(opaPath: string, file: string, source?: Buffer): Promise<Module> {
  const args = ["parse", "--format", "json", "--json-include", "locations,-comments"];
  if (source === undefined) return JSON.parse((await run(opaPath, [...args, file], { maxBuffer: 256 * 1024 * 1024 })).stdout) as Module;
  const dir = await mkdtemp(join(tmpdir(), "maestro-parse-"));
  try {
    await writeFile(join(dir, "source.rego"), source);
    return JSON.parse((await run(opaPath, [...args, join(dir, "source.rego")], { maxBuffer: 256 * 1024 * 1024 })).stdout) as Module;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Is this term a reference to the builtin or operator `name` (e.g. `equal`, `count`)? */
export function refName(term: Term | undefined): string | null {
  if (!term || term.type !== "ref" || !Array.isArray(term.value)) return null;
  const parts = term.value as Term[];
  const [part] = parts;
  if (parts.length !== 1 || part?.type !== "var") return null;
  return String(part.value);
}
