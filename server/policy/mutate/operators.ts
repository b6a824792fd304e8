// The mutation operators: each walks a parsed Rego module and proposes source edits at the exact span of an AST node.
// Mutants are made on the AST (which node, which operator) and applied as byte splices at that node's span, so the
// rest of the file, comments included, is untouched and every mutant differs from the original in one node only.
import { type Expr, type Module, refName, type Rule, type SourceText, type Span, type Term } from "./rego-ast.ts";
import { present } from "../../../common/present.ts";

export const OPERATORS = [
  "drop-expr", // a body expression replaced by `true`
  "negate-expr", // `x` becomes `not x`
  "drop-not", // `not x` becomes `x`
  "flip-comparison", // == != < <= > >= swapped for their opposite or boundary neighbour
  "flip-set-op", // | and & (union, intersection) swapped; + and - swapped
  "number", // n becomes n + 1 and n - 1
  "string", // a string literal becomes "" (or "" becomes "mutant")
  "boolean", // true and false swapped
  "empty-collection", // a non-empty array, set or object literal becomes empty
  "remove-default", // a `default` rule removed
  "remove-else", // one `else` branch removed
  "some-to-every", // `some x in xs; rest` becomes `every x in xs { rest }`
  "every-to-some", // `every x in xs { body }` becomes `some x in xs; body`
] as const;

export type Operator = (typeof OPERATORS)[number];

export interface MutantEdit {
  operator: Operator;
  span: Span;
  replacement: string;
}

const COMPARISON_FLIPS: Record<string, string[]> = {
  equal: ["!="],
  neq: ["=="],
  lt: ["<=", ">="],
  lte: ["<", ">"],
  gt: [">=", "<="],
  gte: [">", "<"],
};
const COMPARISON_SYMBOLS: Record<string, string> = { equal: "==", neq: "!=", lt: "<", lte: "<=", gt: ">", gte: ">=" };
const SET_OP_FLIPS: Record<string, [string, string]> = { or: ["|", "&"], and: ["&", "|"], plus: ["+", "-"], minus: ["-", "+"] };
/** Builtins whose string arguments are message wording, not a decision: `concat("", ["hold ", id, ...])`. */
const MESSAGE_BUILTINS = new Set(["concat", "sprintf"]);
/** Expressions that bind variables: dropping or negating them leaves those variables unsafe (never compiles). */
const BINDING_OPERATORS = new Set(["assign", "eq"]);

/** Proposes every mutant of one module. `elseRules` are else branches re-parsed with exact locations (see mutate-file). */
export function proposeMutants(module: Module, source: SourceText): MutantEdit[] {
  const edits: MutantEdit[] = [];
  const walker = new Walker(source, edits);
  for (const rule of module.rules ?? []) walker.rule(rule, true);
  return edits;
}

/** Mutants of else branches only: their body and head value, nothing rule-level. */
export function proposeElseBranchMutants(module: Module, source: SourceText): MutantEdit[] {
  const edits: MutantEdit[] = [];
  const walker = new Walker(source, edits);
  for (const rule of module.rules ?? []) walker.rule(rule, false);
  return edits;
}

/** An else branch's span from its `else` keyword: OPA starts the location at any comment lines above it. */
export function elseSpan(source: SourceText, branch: Rule): Span | null {
  const span = source.span(branch.location);
  if (!span) return null;
  const keyword = /^[ \t]*else\b/m.exec(source.slice(span));
  if (!keyword) return null;
  const skipped = source.slice(span).slice(0, keyword.index + keyword[0].indexOf("else"));
  return { start: span.start + Buffer.byteLength(skipped), end: span.end };
}

/** `some x in xs` (or `some k, v in xs`), the only `some` form that has an `every` counterpart. */
function isSomeIn(symbols: Term[]): boolean {
  const [symbol] = symbols;
  if (symbols.length !== 1 || symbol?.type !== "call") return false;
  const op = (symbol.value as Term[])[0];
  const parts = op?.type === "ref" ? (op.value as Term[]) : [];
  return parts[0]?.value === "internal" && String(parts[1]?.value).startsWith("member_");
}

class Walker {
  private readonly source: SourceText;
  private readonly edits: MutantEdit[];
  /** The current rule's head: a `some` variable used there would be unbound under `every`, so that mutant is not made. */
  private headText = "";

  constructor(source: SourceText, edits: MutantEdit[]) {
    this.source = source;
    this.edits = edits;
  }

  private add(operator: Operator, span: Span | null, replacement: string): void {
    if (span && this.source.slice(span) !== replacement) this.edits.push({ operator, span, replacement });
  }

  rule(rule: Rule, ruleLevel: boolean): void {
    const ruleSpan = this.source.span(rule.location);
    const headSpan = this.source.span(rule.head.location);
    this.headText = headSpan ? this.source.slice(headSpan) : "";
    if (ruleLevel && rule.default) {
      // The location covers only the keyword; the rule ends where its value does.
      const value = this.source.span(rule.head.value?.location);
      if (ruleSpan && value) this.add("remove-default", { start: ruleSpan.start, end: value.end }, "");
    }
    for (const arg of rule.head.args ?? []) this.term(arg, { messageText: false });
    if (rule.head.key) this.term(rule.head.key, { messageText: false });
    if (rule.head.value?.location) this.term(rule.head.value, { messageText: false });
    if (!rule.default) this.body(rule.body, ruleSpan !== null);
    if (ruleLevel) this.elseChain(rule);
  }

  /** Removes each else branch on its own: from its `else` up to the next one (or the end of the chain). */
  private elseChain(rule: Rule): void {
    for (let branch = rule.else; branch; branch = branch.else) {
      const span = elseSpan(this.source, branch);
      const next = branch.else ? elseSpan(this.source, branch.else) : null;
      // The blank lines around a removed branch stay: valid Rego, and the mutant's line is the else's own.
      if (span) this.add("remove-else", { start: span.start, end: next ? next.start : span.end }, "");
    }
  }

  private body(exprs: Expr[], inRule: boolean): void {
    exprs.forEach((expr, i) => this.expr(expr, exprs.slice(i + 1), inRule));
  }

  private expr(expr: Expr, rest: Expr[], inRule: boolean): void {
    if (expr.generated) return;
    const span = this.source.span(expr.location);
    const terms = expr.terms;
    if (!Array.isArray(terms) && "symbols" in terms) {
      if (inRule) this.someToEvery(expr, terms.symbols, rest);
      return;
    }
    if (!Array.isArray(terms) && "body" in terms) {
      this.everyToSome(expr, terms);
      this.body(terms.body, false);
      return;
    }
    const operator = Array.isArray(terms) ? refName(terms[0]) : null;
    if (operator === null || !BINDING_OPERATORS.has(operator)) {
      if (span && this.source.slice(span) !== "true") this.add("drop-expr", span, "true");
      if (expr.negated) {
        const inner = this.source.span((terms as Term).location);
        if (span && inner) this.add("drop-not", span, this.source.slice(inner));
      } else if (span && !expr.with) this.add("negate-expr", span, `not ${this.source.slice(span)}`);
    }
    if (Array.isArray(terms)) this.call(terms, { messageText: false });
    else this.term(terms as Term, { messageText: false });
  }

  private someToEvery(expr: Expr, symbols: Term[], rest: Expr[]): void {
    const span = this.source.span(expr.location);
    const lastRest = this.source.span(rest.at(-1)?.location);
    const firstRest = this.source.span(rest[0]?.location);
    if (!span || !lastRest || !firstRest || !isSomeIn(symbols)) return;
    const decl = this.source.slice(span).replace(/^some\s+/, "");
    const declared = present(decl.split(/\s+in\s+/)[0], "some declaration")
      .split(/[^A-Za-z0-9_]+/)
      .filter((v) => v && v !== "_");
    if (declared.some((v) => new RegExp(`\\b${v}\\b`).test(this.headText))) return;
    const body = this.source.slice({ start: firstRest.start, end: lastRest.end });
    this.add("some-to-every", { start: span.start, end: lastRest.end }, `every ${decl} {\n${body}\n}`);
  }

  private everyToSome(expr: Expr, every: { domain?: Term; body: Expr[] }): void {
    const span = this.source.span(expr.location);
    const bodyStart = this.source.span(every.body[0]?.location);
    const bodyEnd = this.source.span(every.body.at(-1)?.location);
    if (!span || !bodyStart || !bodyEnd) return;
    const head = this.source.slice(span);
    const brace = head.indexOf("{");
    if (brace < 0) return;
    const decl = head.slice("every".length, brace).trim();
    this.add("every-to-some", span, `some ${decl}\n${this.source.slice({ start: bodyStart.start, end: bodyEnd.end })}`);
  }

  /** An operator or builtin call: [operator ref, ...operands]. */
  private call(terms: Term[], context: { messageText: boolean }): void {
    const name = refName(terms[0]);
    const opSpan = this.source.span(terms[0]?.location);
    if (name && opSpan) {
      const text = this.source.slice(opSpan);
      // Both tables name the same six comparisons.
      if (text === COMPARISON_SYMBOLS[name])
        for (const flip of present(COMPARISON_FLIPS[name], `flips of ${name}`)) this.add("flip-comparison", opSpan, flip);
      const setOp = SET_OP_FLIPS[name];
      if (setOp && text === setOp[0]) this.add("flip-set-op", opSpan, setOp[1]);
    }
    const messageText = context.messageText || (name !== null && MESSAGE_BUILTINS.has(name));
    for (const operand of terms.slice(1)) this.term(operand, { messageText });
  }

  private term(term: Term, context: { messageText: boolean }): void {
    const span = this.source.span(term.location);
    switch (term.type) {
      case "number": {
        const value = Number(term.value);
        if (span && String(value) === this.source.slice(span)) {
          this.add("number", span, String(value + 1));
          this.add("number", span, String(value - 1));
        }
        return;
      }
      case "string":
        if (!context.messageText && span && this.source.slice(span).startsWith('"'))
          this.add("string", span, term.value === "" ? '"mutant"' : '""');
        return;
      case "boolean":
        if (span && this.source.slice(span) === String(term.value)) this.add("boolean", span, String(!term.value));
        return;
      case "ref":
        (term.value as Term[]).forEach((part, i) => {
          if (i === 0 || part.type !== "string") this.term(part, context);
        });
        return;
      case "call":
        this.call(term.value as Term[], context);
        return;
      case "array":
      case "set":
        this.collection(term, span, context, (term.value as Term[]) ?? []);
        return;
      case "object":
        this.collection(
          term,
          span,
          context,
          ((term.value as [Term, Term][]) ?? []).map(([, value]) => value),
        );
        return;
      case "arraycomprehension":
      case "setcomprehension": {
        const comp = term.value as { term: Term; body: Expr[] };
        this.term(comp.term, context);
        this.body(comp.body, false);
        return;
      }
      case "objectcomprehension": {
        const comp = term.value as { key: Term; value: Term; body: Expr[] };
        this.term(comp.key, context);
        this.term(comp.value, context);
        this.body(comp.body, false);
        return;
      }
      default:
        return;
    }
  }

  /** Object keys are not mutated (a renamed key is the same as a removed one, which emptying covers); values are. */
  private collection(term: Term, span: Span | null, context: { messageText: boolean }, members: Term[]): void {
    if (members.length > 0 && !context.messageText && span) {
      this.add("empty-collection", span, term.type === "array" ? "[]" : term.type === "set" ? "set()" : "{}");
    }
    for (const member of members) this.term(member, context);
  }
}
