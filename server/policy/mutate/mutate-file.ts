// All mutants of one Rego file: parse it, run the operators, re-parse else branches, attach lines, diffs and markers.
import { readFile } from "node:fs/promises";
import { type EquivalentMarker, markerFor, readMarkers } from "./equivalent-markers.ts";
import { elseSpan, type Operator, proposeElseBranchMutants, proposeMutants } from "./operators.ts";
import { parseRego, type Rule, SourceText, type Span } from "./rego-ast.ts";

export interface Mutant {
  /** Stable within one source: file:line:operator:n. */
  id: string;
  /** Path relative to the Rego directory. */
  file: string;
  line: number;
  operator: Operator;
  /** The original node text and what replaced it, on one line each (whitespace runs folded). */
  original: string;
  replacement: string;
  /** The whole mutated file. */
  source: Buffer;
  equivalent: EquivalentMarker | null;
}

export interface FileMutants {
  file: string;
  mutants: Mutant[];
  markers: EquivalentMarker[];
}

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();

export async function mutateFile(opaPath: string, regoDir: string, file: string): Promise<FileMutants> {
  const bytes = await readFile(`${regoDir}/${file}`);
  const source = new SourceText(bytes);
  const module = await parseRego(opaPath, `${regoDir}/${file}`);
  const edits = proposeMutants(module, source);
  const elseSource = elseBranchesOnly(source, module.rules ?? []);
  if (elseSource) edits.push(...proposeElseBranchMutants(await parseRego(opaPath, file, elseSource), source));
  const lineCount = source.lineOf(bytes.length);
  const markers = readMarkers(source, lineCount);
  edits.sort((a, b) => a.span.start - b.span.start);
  const seen = new Set<string>();
  const mutants: Mutant[] = [];
  const perLine = new Map<string, number>();
  for (const edit of edits) {
    const mutated = source.splice(edit.span, edit.replacement);
    const key = mutated.toString("base64");
    if (seen.has(key)) continue;
    seen.add(key);
    const line = source.lineOf(edit.span.start);
    const n = (perLine.get(`${line}:${edit.operator}`) ?? 0) + 1;
    perLine.set(`${line}:${edit.operator}`, n);
    mutants.push({
      id: `${file}:${line}:${edit.operator}:${n}`,
      file,
      line,
      operator: edit.operator,
      original: oneLine(source.slice(edit.span)),
      replacement: oneLine(edit.replacement),
      source: mutated,
      equivalent: markerFor(markers, line, edit.operator) ?? null,
    });
  }
  return { file, mutants, markers };
}

/**
 * OPA gives the expressions of an else branch the branch's own location, so their spans cannot be found. Re-parsing a
 * copy of the file that keeps only the package line and the else branches (the keyword renamed to a rule name of the
 * same length, everything else blanked byte for byte) gives those expressions exact locations in the same rows and
 * columns, which mutate the original file.
 */
function elseBranchesOnly(source: SourceText, rules: Rule[]): Buffer | null {
  const keep: Span[] = [];
  for (const rule of rules) {
    for (let branch = rule.else; branch; branch = branch.else) {
      const span = elseSpan(source, branch);
      const next = branch.else ? elseSpan(source, branch.else) : null;
      if (span) keep.push({ start: span.start, end: next ? next.start : span.end });
    }
  }
  if (keep.length === 0) return null;
  const out = Buffer.from(source.bytes.map((b) => (b === 0x0a ? b : 0x20)));
  const pkg = /^package .*$/m.exec(source.bytes.toString("latin1"));
  if (!pkg) return null;
  source.bytes.copy(out, pkg.index, pkg.index, pkg.index + pkg[0].length);
  for (const span of keep) {
    source.bytes.copy(out, span.start, span.start, span.end);
    out.write("elsx", span.start, "latin1");
  }
  return out;
}
