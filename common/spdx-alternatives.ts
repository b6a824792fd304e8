// SPDX licence expressions as alternatives of licence ids, parsed by spdx-expression-parse: what the mediator hands the
// policy for each package, and what the release claim licences-compatible reads from the ledger.
import parseSpdx from "spdx-expression-parse";

type SpdxNode = { license: string; plus?: boolean; exception?: string } | { left: SpdxNode; conjunction: "and" | "or"; right: SpdxNode };

function disjunctive(node: SpdxNode): string[][] {
  if ("license" in node) return [[`${node.license}${node.plus ? "+" : ""}${node.exception ? ` WITH ${node.exception}` : ""}`]];
  const left = disjunctive(node.left);
  const right = disjunctive(node.right);
  if (node.conjunction === "or") return [...left, ...right];
  return left.flatMap((a) => right.map((b) => [...a, ...b]));
}

/** Alternatives of an SPDX expression; [] when it is not one (the policy then treats the licence as unknown). */
export function licenceAlternatives(expression: string): string[][] {
  try {
    return disjunctive(parseSpdx(expression) as SpdxNode);
  } catch {
    return [];
  }
}
