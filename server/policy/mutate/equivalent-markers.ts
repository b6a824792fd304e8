// `# mutate: equivalent — <why>` comments: a person's statement that mutants on a line cannot change any decision.
// The marker sits at the end of the mutated line or alone on the line above it; `equivalent OP[,OP…] — why` limits it
// to those operators. Marked mutants still run and are reported as equivalent with the reason, never dropped silently.
import type { SourceText } from "./rego-ast.ts";
import { present } from "../../../common/present.ts";

export interface EquivalentMarker {
  /** The line whose mutants it covers. */
  line: number;
  /** null: every operator on the line. */
  operators: string[] | null;
  reason: string;
}

const MARKER = /#\s*mutate:\s*equivalent(?:\s+([a-z-]+(?:,[a-z-]+)*))?\s*(?:—|--|-)\s*(\S.*)$/;

export function readMarkers(source: SourceText, lineCount: number): EquivalentMarker[] {
  const markers: EquivalentMarker[] = [];
  for (let row = 1; row <= lineCount; row++) {
    const text = source.line(row);
    const match = MARKER.exec(text);
    if (!match) continue;
    // A comment alone on its line covers the next line; a trailing comment covers its own line.
    const alone = text.trimStart().startsWith("#");
    markers.push({
      line: alone ? row + 1 : row,
      operators: match[1]?.split(",") ?? null,
      reason: present(match[2], "marker reason").trim(),
    });
  }
  return markers;
}

export function markerFor(markers: EquivalentMarker[], line: number, operator: string): EquivalentMarker | undefined {
  return markers.find((m) => m.line === line && (m.operators === null || m.operators.includes(operator)));
}
