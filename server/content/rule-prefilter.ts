// Which of secretlint's recommended rules can report on a text: each rule runs only if a literal it needs occurs.
//
// Every pattern of a rule in @secretlint/secretlint-rule-preset-recommend contains a fixed literal (a token's prefix,
// a URL scheme, a PEM header); a text without any of a rule's literals cannot give that rule a report, so the rule is
// not run. One pass over the text finds the literals present. The table is read from the preset's source at the
// version below; on any other version it is not trusted and every rule runs. Unknown rules always run.
import presetPackage from "@secretlint/secretlint-rule-preset-recommend/package.json" with { type: "json" };

/** The preset release the table was read from (module/index.js of that release). */
export const TABLE_VERSION = "13.1.0";

const RULE = "@secretlint/secretlint-rule-";

/** A literal matched exactly, or, for a rule whose pattern has the `i` flag without `u`, in any ASCII case. */
type Literal = string | { caseless: string };

/**
 * For each rule: literals at least one of which every report of the rule contains (the rule's pattern is quoted
 * beside it). Case-sensitive patterns are matched with the same case: the aws rule's own alternatives are listed.
 */
const LITERALS: Record<string, readonly Literal[]> = {
  // /\b(A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\b/ (enableIDScanRule, on here);
  // …(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)…; …(ACCOUNT|account|Account)_?(ID|id|Id)?…
  aws: [
    "A3T",
    "AKIA",
    "AGPA",
    "AIDA",
    "AROA",
    "AIPA",
    "ANPA",
    "ANVA",
    "ASIA",
    "SECRET",
    "secret",
    "Secret",
    "ACCOUNT",
    "account",
    "Account",
  ],
  // /-----BEGIN[ ]?(?:(?:RSA|DSA|EC|OPENSSH|PGP) )?PRIVATE KEY(?: BLOCK)?-----…/
  privatekey: ["PRIVATE KEY"],
  // /https?:\/\/(.{1,256}):x-oauth-basic@github.com\//, /_authToken=([^$].*)/, /(?<!\p{L})npm_[A-Za-z0-9_]{36}…/u
  npm: [":x-oauth-basic@github", "_authToken=", "npm_"],
  // /(?<protocol>(?:https?|ftp|ftps)):\/\/(?<user>…):(?<password>…)@…/
  basicauth: ["://"],
  // /\b(?:xoxb|xoxp|xapp|xoxa|xoxo|xoxr)-…/, /https:\/\/hooks\.slack\.com\/services\/T…/gi
  slack: ["xoxb-", "xoxp-", "xapp-", "xoxa-", "xoxo-", "xoxr-", { caseless: "hooks.slack.com/services/" }],
  // /(?<!\p{L})SG\.\w{1,128}\.…/u
  sendgrid: ["SG."],
  // /(?<!\p{L})(shppa|shpca|shpat|shpss)_…/u
  shopify: ["shppa_", "shpca_", "shpat_", "shpss_"],
  // /(?<!\p{L})(?<prefix>sk_live|sk_test|rk_live|rk_test)_…/u
  stripe: ["sk_live_", "sk_test_", "rk_live_", "rk_test_"],
  // /(?<!\p{L})(?<type>ghp|gho|ghu|ghs|ghr)_…/u, /(?<!\p{L})(?<type>github_pat)_…/u, /(?<!\p{L})(?<type>ghs)_[0-9]{1,20}_…/u
  github: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
  // /(?<!\p{L})glpat-…/u
  gitlab: ["glpat-"],
  // /(?<!\p{L})glc_…/u, /(?<!\p{L})glsa_…/u
  grafana: ["glc_", "glsa_"],
  // /sk-(?:proj|svcacct|admin)-(?:…)T3BlbkFJ(?:…)\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20}/
  openai: ["T3BlbkFJ"],
  // /(?<!\p{L})sk-ant-api0\d-…/u
  anthropic: ["sk-ant-api0"],
  // /(?<!\p{L})gsk_…/u
  groq: ["gsk_"],
  // /(?<!\p{L})hf_…/u
  huggingface: ["hf_"],
  // /(?<!\p{L})lin_api_…/u
  linear: ["lin_api_"],
  // /(?<!\p{L})ntn_…/u
  notion: ["ntn_"],
  // /(?<!\p{L})ops_(ey…)/u
  "1password": ["ops_ey"],
  // /mongodb(?:\+srv)?:\/\/…/gi, /(?:jdbc:)?mysql(?:x)?:\/\/…/gi, /postgres(?:ql)?:\/\/…/gi
  "database-connection-string": [{ caseless: "mongodb" }, { caseless: "mysql" }, { caseless: "postgres" }],
  // /(?<!\p{L})hvs\.…/u, /(?<!\p{L})hvb\.…/u, /(?<!\p{L})hvr\.…/u
  "hashicorp-vault": ["hvs.", "hvb.", "hvr."],
  // /(?<!\p{L})(?<prefix>vcp|vci|vca|vcr|vck)_…/u
  vercel: ["vcp_", "vci_", "vca_", "vcr_", "vck_"],
  // /(?<!\p{L})dapi[A-Fa-f0-9]{32}…/u
  databricks: ["dapi"],
  // /(?<!\p{L})dckr_pat_…/u
  docker: ["dckr_pat_"],
  // /(?<!\p{L})figd_…/u
  figma: ["figd_"],
  // /(?<!\p{L})(?<prefix>cfk|cfut|cfat)_…/u
  cloudflare: ["cfk_", "cfut_", "cfat_"],
  // /(?<!\p{L})tskey-(?<type>[a-z]{2,20})-…/u
  tailscale: ["tskey-"],
};

/** The gcp rule reports only on a source whose `ext` is one of these (it parses the whole text as JSON there). */
const GCP_EXTS = [".json", ".p12"];
const GCP = `${RULE}gcp`;
/** Turns other rules' reports off by `secretlint-disable` comments: it runs whenever another rule does. */
const FILTER_COMMENTS = `${RULE}filter-comments`;

/** Most literal positions looked at; a text with more (made to hit them) is scanned with every rule. */
export const MAX_LITERAL_HITS = 4096;

interface Gate {
  /** A sticky pattern of the literal, tested at a position where some literal may start. */
  at: RegExp;
  rule: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
// An ASCII letter in either case, as a pattern with the `i` flag and without `u` matches it (no other character folds
// to an ASCII letter there), so the literal's hits are exactly the pattern's.
const caseless = (s: string) => [...s].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : escape(c))).join("");
const source = (literal: Literal) => (typeof literal === "string" ? escape(literal) : caseless(literal.caseless));

const GATES: Gate[] = Object.entries(LITERALS).flatMap(([rule, literals]) =>
  literals.map((literal) => ({ at: new RegExp(source(literal), "y"), rule: `${RULE}${rule}` })),
);
// Where any literal starts. The search resumes one character after each hit, and each hit is tested against every
// literal, so overlapping literals and literals that are prefixes of others are all seen.
const ANY_LITERAL = new RegExp([...new Set(GATES.map((g) => g.at.source))].join("|"), "g");

const trusted = presetPackage.version === TABLE_VERSION;

/**
 * The rules (by id) that may report on `text` with source ext `ext`: gated rules whose literal occurs, rules the
 * table does not know, and filter-comments with any of them. `all` lists the preset's rule ids in order.
 */
export function candidateRules(all: readonly string[], text: string, ext: string): Set<string> {
  if (!trusted) return new Set(all);
  const gated = new Set(GATES.map((g) => g.rule));
  const found = new Set(all.filter((id) => !gated.has(id) && id !== GCP && id !== FILTER_COMMENTS));
  if (GCP_EXTS.includes(ext)) found.add(GCP);
  const pending = new Set([...gated].filter((id) => all.includes(id)));
  const search = new RegExp(ANY_LITERAL);
  for (let hits = 0, hit = search.exec(text); pending.size > 0 && hit !== null; hits++, hit = search.exec(text)) {
    if (hits === MAX_LITERAL_HITS) return new Set(all);
    const position = hit.index;
    for (const gate of GATES) {
      if (!pending.has(gate.rule)) continue;
      gate.at.lastIndex = position;
      if (gate.at.test(text)) {
        pending.delete(gate.rule);
        found.add(gate.rule);
      }
    }
    search.lastIndex = position + 1;
  }
  if (found.size > 0 && all.includes(FILTER_COMMENTS)) found.add(FILTER_COMMENTS);
  return found;
}
