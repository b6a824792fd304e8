// Secret detection over one write's text, in memory: secretlint's recommended rule set; a match's text never leaves here.
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { candidateRules } from "./rule-prefilter.ts";

/** Where a rule matched: the rule, the 1-based line, and the match's UTF-16 offsets in the scanned text. */
export interface SecretMatch {
  rule: string;
  line: number;
  start: number;
  end: number;
}

const PRESET_ID = "@secretlint/secretlint-rule-preset-recommend";
// An AWS access key id alone is off by default in secretlint (it names a key, it is not the key); an agent writing one
// into the repository is still a leak worth stopping, and the documentation example key stays allowed by the rule.
const PRESET_RULES = [{ id: "@secretlint/secretlint-rule-aws", options: { enableIDScanRule: true } }];
const RULE_PREFIX = "@secretlint/secretlint-rule-";
// The agent writes this text: a `secretlint-disable` comment in it must not hide the secret next to it, so the preset's
// comment filter, which honours such comments, never runs here.
export const DISABLE_COMMENTS_RULE = "@secretlint/secretlint-rule-filter-comments";
const SCAN_RULES = recommended.rules.filter((rule) => rule.meta.id !== DISABLE_COMMENTS_RULE);
const ALL_RULES = SCAN_RULES.map((rule) => rule.meta.id);
// No `ext`, as before: the gcp rule (a .json parsed whole, a .p12 read from disk at the scanned path) does not run; the
// PEM inside a service-account JSON is the privatekey rule's.
const EXT = "";

/** The preset narrowed to the rules that may report on this text, under the preset's id so rule ids stay the same. */
function configFor(ids: Set<string>) {
  const rules = SCAN_RULES.filter((rule) => ids.has(rule.meta.id));
  const preset: typeof recommended = { ...recommended, rules, create: (context) => rules.forEach((rule) => context.registerRule(rule)) };
  return { rules: [{ id: PRESET_ID, rule: preset, rules: PRESET_RULES }] };
}

/**
 * Runs the rule set over `text` as if it were the file at `path` (some rules look at the file name). secretlint's
 * messages quote the secret, so only the rule id, message id and location are kept: `rule` reads "github/GITHUB_TOKEN".
 */
export async function scanSecrets(path: string, text: string): Promise<SecretMatch[]> {
  // Most writes hold none of the literals any rule needs: then no rule runs (rule-prefilter.ts says why that is exact).
  const ids = candidateRules(ALL_RULES, text, EXT);
  if (ids.size === 0) return [];
  const result = await lintSource({
    source: { filePath: path, content: text, contentType: "text", ext: EXT },
    options: { config: configFor(ids), maskSecrets: true },
  });
  return result.messages
    .filter((m) => m.type === "message")
    .map((m) => ({
      rule: `${m.ruleId.startsWith(RULE_PREFIX) ? m.ruleId.slice(RULE_PREFIX.length) : m.ruleId}/${m.messageId}`,
      line: m.loc.start.line,
      start: m.range[0],
      end: m.range[1],
    }));
}

/**
 * A patch's removed lines are blanked before scanning, keeping line numbers: taking a secret out is not a finding.
 * Both the unified diff and Codex's apply_patch format mark removals with a leading "-" ("---" is a file header).
 */
export function addedText(patch: string): string {
  return patch
    .split("\n")
    .map((line) => (line.startsWith("-") && !line.startsWith("---") ? "" : line))
    .join("\n");
}
