// The prefilter skips only rules that cannot report: the narrowed scan finds exactly what the whole rule set finds.
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import presetPackage from "@secretlint/secretlint-rule-preset-recommend/package.json" with { type: "json" };
import { describe, expect, it } from "vitest";
import { LOOKALIKES, SECRETS } from "../../tests/fixtures/content/secret-corpus.ts";
import { candidateRules, MAX_LITERAL_HITS, TABLE_VERSION } from "./rule-prefilter.ts";
import { DISABLE_COMMENTS_RULE, scanExt, scanSecrets } from "./secret-scan.ts";
import { itemAt } from "../../common/present.ts";

const ALL = recommended.rules.map((rule) => rule.meta.id);
const id = (short: string) => `@secretlint/secretlint-rule-${short}`;

/** Every rule of the preset but the comment filter (secret-scan.ts says why), as one preset: what the scan must equal. */
const scanRules = recommended.rules.filter((rule) => rule.meta.id !== DISABLE_COMMENTS_RULE);
const wholePreset: typeof recommended = {
  ...recommended,
  rules: scanRules,
  create: (context) => scanRules.forEach((r) => context.registerRule(r)),
};

/** The whole rule set, as secret-scan.ts configured it before the prefilter: the reference the narrowed scan must equal. */
async function wholeScan(path: string, text: string) {
  const result = await lintSource({
    source: { filePath: path, content: text, contentType: "text", ext: scanExt(path) },
    options: {
      config: {
        rules: [
          {
            id: "@secretlint/secretlint-rule-preset-recommend",
            rule: wholePreset,
            rules: [{ id: id("aws"), options: { enableIDScanRule: true } }],
          },
        ],
      },
      maskSecrets: true,
    },
  });
  return result.messages
    .filter((m) => m.type === "message")
    .map((m) => ({ rule: `${m.ruleId.slice(id("").length)}/${m.messageId}`, line: m.loc.start.line, start: m.range[0], end: m.range[1] }));
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Deterministic pseudo-random numbers, so a failing text can be reproduced from its index. */
function generator(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    // The high bits: an LCG's low bits repeat with a short period.
    return Math.floor((x / 2147483648) * n);
  };
}

const SOURCE_LINE = "export function handler(request: Request): Response { return new Response(JSON.stringify({ ok: true })); }";
const code = (lines: number) => Array.from({ length: lines }, (_, i) => `${SOURCE_LINE} // ${i}`).join("\n");

describe("rule prefilter", () => {
  it("was read from the installed preset release, and gates every rule in it", () => {
    // A new preset release may change a rule's pattern: re-read each rule's literals from its module/index.js, then
    // move TABLE_VERSION. Until then every rule runs (candidateRules trusts the table only at its version).
    expect(presetPackage.version).toBe(TABLE_VERSION);
    expect(candidateRules(ALL, "", "")).toEqual(new Set());
  });

  it("runs no rule on ordinary source text, and only the rules whose literal occurs otherwise", () => {
    expect(candidateRules(ALL, code(500), "")).toEqual(new Set());
    expect(candidateRules(ALL, `${code(10)}\nconst t = "ghp_";\n`, "")).toEqual(new Set([id("github"), id("filter-comments")]));
    expect(candidateRules(ALL, "see POSTGRESQL://host", "")).toEqual(
      new Set([id("database-connection-string"), id("basicauth"), id("filter-comments")]),
    );
    // Literals that overlap ("Secre[t]skey-") are both seen: the search resumes one character after each hit.
    expect(candidateRules(ALL, "Secretskey-", "")).toEqual(new Set([id("aws"), id("tailscale"), id("filter-comments")]));
    expect(candidateRules(ALL, "{}", ".json")).toEqual(new Set([id("gcp"), id("filter-comments")]));
  });

  it("runs every rule on a text made to hit literals more often than it looks", () => {
    expect(candidateRules(ALL, "npm_".repeat(MAX_LITERAL_HITS + 1), "")).toEqual(new Set(ALL));
  });

  it.each([...SECRETS, ...LOOKALIKES].map((item) => [item.name, item] as const))(
    "finds in the %s what the whole rule set finds, alone and inside 64 KiB of code",
    async (_name, item) => {
      for (const text of [item.content, `${code(300)}\n${item.content}${code(300)}\n`]) {
        expect(await scanSecrets(item.path, text)).toEqual(await wholeScan(item.path, text));
      }
    },
  );

  it("does not let a secretlint-disable comment in the written text hide a secret", async () => {
    for (const item of SECRETS) {
      const alone = await scanSecrets(item.path, item.content);
      expect(alone.length, item.name).toBeGreaterThan(0);
      for (const text of [
        `// secretlint-disable\n${item.content}`,
        `${item.content.trimEnd()} // secretlint-disable-line\n`,
        `// secretlint-disable-next-line\n${item.content}`,
      ]) {
        const found = await scanSecrets(item.path, text);
        // The comment makes a JSON file JSON no more: the gcp rule, which parses the file whole, then has nothing to
        // report (the PEM inside is still the privatekey rule's).
        const stillJson = item.path.endsWith(".json") && parses(text);
        expect(
          found.map((f) => f.rule),
          `${item.name}: ${text.slice(0, 40)}`,
        ).toEqual(alone.map((f) => f.rule).filter((rule) => stillJson || !rule.startsWith("gcp/")));
      }
    }
  });

  it("finds what the whole rule set finds in case variants and under secretlint-disable comments", async () => {
    for (const item of SECRETS) {
      for (const text of [
        item.content.toUpperCase(),
        item.content.toLowerCase(),
        `// secretlint-disable\n${item.content}// secretlint-enable\n${item.content}`,
        `${item.content.trimEnd()} // secretlint-disable-line\n`,
      ]) {
        expect(await scanSecrets(item.path, text)).toEqual(await wholeScan(item.path, text));
      }
    }
  });

  it("finds what the whole rule set finds in texts pieced from every rule's literals, secrets and token alphabets", async () => {
    const pieces = [
      ...SECRETS.map((s) => s.content),
      "AKIA",
      "ASIA",
      "aws_secret_access_key = ",
      "account_id: ",
      "-----BEGIN PRIVATE KEY-----\n",
      "-----END PRIVATE KEY-----",
      "https://",
      "postgres://",
      "MongoDB+srv://",
      "mysql://",
      "user:",
      "p4ssw0rd-x@",
      "db.internal.example.com",
      "_authToken=",
      "npm_",
      "xoxb-",
      "HOOKS.SLACK.COM/services/T",
      "/B",
      "SG.",
      "shpat_",
      "sk_live_",
      "rk_test_",
      "ghp_",
      "ghs_12_",
      "github_pat_",
      "glpat-",
      "glc_",
      "glsa_",
      "sk-proj-",
      "T3BlbkFJ",
      "sk-ant-api03-",
      "gsk_",
      "hf_",
      "lin_api_",
      "ntn_",
      "ops_eyJ",
      "fQ==",
      "hvs.",
      "hvb.",
      "vcp_",
      "dapi",
      "dckr_pat_",
      "figd_",
      "cfk_",
      "tskey-auth-",
      "secretlint-disable-next-line",
      "\n",
      " ",
      ".",
      "_",
      "-",
    ];
    const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    const random = generator(7);
    let withFindings = 0;
    for (let n = 0; n < 400; n++) {
      // A few pieces per text, so a rule seldom runs only because another of its literals happened to be drawn.
      let text = "";
      for (let part = 1 + random(4); part > 0; part--) {
        text += pieces[random(pieces.length)];
        for (let k = random(130); k > 0; k--) text += alphabet[random(alphabet.length)];
      }
      const path = itemAt(["src/a.ts", ".npmrc", "package.json", "config.json"], random(4), "paths");
      const whole = await wholeScan(path, text);
      if (whole.length > 0) withFindings++;
      expect({ n, matches: await scanSecrets(path, text) }).toEqual({ n, matches: whole });
    }
    // The texts are worth comparing only if the rules find things in many of them.
    expect(withFindings).toBeGreaterThan(100);
  });
});
