// Secret detection over one write's text, in memory: secretlint's recommended rule set; a match's text never leaves here.
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { secretLintProfiler } from "@secretlint/profiler";
import { candidateRules } from "./rule-prefilter.ts";

// secretlint's profiler is on unless told otherwise: it puts ~24 marks per scan in the process's performance timeline
// and keeps its own copies, none ever cleared. In a server that scans every write, that is a leak the collector pays
// for in ever longer pauses (the tail of a decision's latency). Nothing here reads the profile.
secretLintProfiler.setEnabled(false);

/** Where a rule matched: the rule, the 1-based line, and the match's UTF-16 offsets in the text as given (BOM and all). */
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
const GCP_RULE = "@secretlint/secretlint-rule-gcp";
// secretlint drops a leading byte order mark before any rule runs, so its offsets count from the character after it.
const BOM = 0xfeff;

/**
 * The file extension the rules see: ".json" for a JSON file (the gcp rule then parses it whole for a service-account
 * key), else none. Never ".p12" or any other: for a .p12 the gcp rule reads the file at the scanned path from disk,
 * which here names a file of the server's, not the agent's text.
 */
export function scanExt(path: string): string {
  return path.toLowerCase().endsWith(".json") ? ".json" : "";
}

/** The gcp rule, run on JSON text only: even an extension that slipped past scanExt cannot make it open a file. */
function jsonOnly(rule: (typeof recommended.rules)[number]): (typeof recommended.rules)[number] {
  return {
    ...rule,
    create(context, options) {
      const handlers = rule.create(context, options);
      return { file: (source) => (source.ext === ".json" ? handlers.file?.(source) : undefined) };
    },
  };
}

// The agent writes this text: a `secretlint-disable` comment in it must not hide the secret next to it, so the preset's
// comment filter, which honours such comments, never runs here.
export const DISABLE_COMMENTS_RULE = "@secretlint/secretlint-rule-filter-comments";
const SCAN_RULES = recommended.rules
  .filter((rule) => rule.meta.id !== DISABLE_COMMENTS_RULE)
  .map((rule) => (rule.meta.id === GCP_RULE ? jsonOnly(rule) : rule));
const ALL_RULES = SCAN_RULES.map((rule) => rule.meta.id);
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
  const ext = scanExt(path);
  const ids = candidateRules(ALL_RULES, text, ext);
  if (ids.size === 0) return [];
  const result = await lintSource({
    source: { filePath: path, content: text, contentType: "text", ext },
    // No physical path: the text is the agent's, no file on this machine stands behind it.
    options: { config: configFor(ids), maskSecrets: true, noPhysicFilePath: true },
  });
  const shift = text.charCodeAt(0) === BOM ? 1 : 0;
  return result.messages
    .filter((m) => m.type === "message")
    .map((m) => ({
      rule: `${m.ruleId.startsWith(RULE_PREFIX) ? m.ruleId.slice(RULE_PREFIX.length) : m.ruleId}/${m.messageId}`,
      line: m.loc.start.line,
      start: m.range[0] + shift,
      end: m.range[1] + shift,
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
