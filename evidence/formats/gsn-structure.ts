// GSN well-formedness beyond what JSON Schema can say: unique ids, known link ends, allowed link types, one root, no cycles.
import { checkSafetyCase } from "./schemas.ts";
import type { SafetyCaseDocument } from "./types.ts";

const SUPPORTED_BY_FROM = new Set(["Goal", "Strategy"]);
const SUPPORTED_BY_TO = new Set(["Goal", "Strategy", "Solution"]);
const IN_CONTEXT_TO = new Set(["Context", "Assumption", "Justification"]);

/** Returns the first problem as a readable sentence, or null when the case is a well-formed GSN argument. */
export function gsnProblem(doc: unknown): string | null {
  const failure = checkSafetyCase(doc);
  if (failure) return `schema: ${failure.message}`;
  const { nodes, links } = doc as SafetyCaseDocument;
  const types = new Map<string, string>();
  for (const n of nodes) {
    if (types.has(n.id)) return `duplicate node id ${n.id}`;
    types.set(n.id, n.type);
  }
  const children = new Map<string, string[]>();
  const supported = new Set<string>();
  for (const l of links) {
    const from = types.get(l.from);
    const to = types.get(l.to);
    if (!from || !to) return `link ${l.from} → ${l.to} names an unknown node`;
    if (!SUPPORTED_BY_FROM.has(from)) return `${l.type} link from a ${from} (${l.from})`;
    if (l.type === "SupportedBy" && !SUPPORTED_BY_TO.has(to)) return `SupportedBy link to a ${to} (${l.to})`;
    if (l.type === "InContextOf" && !IN_CONTEXT_TO.has(to)) return `InContextOf link to a ${to} (${l.to})`;
    if (l.type === "SupportedBy") {
      children.set(l.from, [...(children.get(l.from) ?? []), l.to]);
      supported.add(l.to);
    }
  }
  const roots = nodes.filter((n) => n.type === "Goal" && !supported.has(n.id));
  if (roots.length !== 1) return `expected one top goal, found ${roots.length}`;
  // Depth-first search for a SupportedBy cycle.
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): boolean => {
    if (state.get(id) === 1) return true;
    if (state.get(id) === 2) return false;
    state.set(id, 1);
    for (const c of children.get(id) ?? []) if (visit(c)) return true;
    state.set(id, 2);
    return false;
  };
  if (nodes.some((n) => visit(n.id))) return "SupportedBy links form a cycle";
  for (const n of nodes) {
    if (n.type === "Goal" && n.undeveloped !== true && !children.get(n.id)?.length)
      return `goal ${n.id} has no support and is not marked undeveloped`;
  }
  return null;
}
