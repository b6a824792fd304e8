// Token subjects compared as people: the key two spellings of one person share, and the subjects refused at sign-in.
import unhomoglyph from "unhomoglyph";
import { MaestroError } from "../../common/errors.ts";

/**
 * The identity separation of duties compares: NFKC, full case folding, default-ignorable code points removed, then the
 * UTS #39 confusable skeleton (https://www.unicode.org/reports/tr39/#Confusable_Detection: NFD, each character to its
 * prototype from confusables.txt, NFD again; the prototype table is the `unhomoglyph` package's copy of confusables.txt)
 * and letter case folded once more, so `ｅｒｉｎ`, `Erin`, `erin\u200B`, `ﬁona`/`fiona`, `0`/`O` and `1`/`l`/`I` meet.
 * Two different people may share a key (`rn` and `m` do): for separation of duties that refuses too much, never too
 * little.
 */
export function personKey(subject: string): string {
  const folded = fold(subject.normalize("NFKC")).normalize("NFKC").replace(IGNORABLE, "").trim();
  return fold(unhomoglyph(folded.normalize("NFD")).normalize("NFD"));
}

/** Whether two token subjects name the same person (a requester approving their own waiver, one approver twice). */
export function samePerson(a: string, b: string): boolean {
  return a === b || personKey(a) === personKey(b);
}

// Full case folding as String#toLowerCase lacks it: upper-casing first turns ß into SS and ﬀ into FF, then lower.
function fold(text: string): string {
  return text.toUpperCase().toLowerCase();
}

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
// Invisible or unprintable: ignorables, controls, format characters, separators (every space), private use,
// surrogates and unassigned code points. A person's subject needs none of them; a look-alike of another does.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Z}\p{Co}\p{Cs}\p{Cn}]/u;

/** Why a subject cannot be a person's name at sign-in, or null when it can. */
export function subjectProblem(subject: string): string | null {
  if (subject.length === 0) return "the subject is empty";
  // Plain printable ASCII is one script (Latin with Common punctuation and digits) and holds nothing invisible.
  if (/^[\x21-\x7e]+$/.test(subject)) return null;
  // Other subjects cost a Script_Extensions test per script per character; an SSO user signs every request with one.
  let answer = checked.get(subject);
  if (answer === undefined) {
    if (checked.size >= CHECKED_LIMIT) checked.clear();
    checked.set(subject, (answer = unicodeProblem(subject)));
  }
  return answer;
}

const CHECKED_LIMIT = 4096;
const checked = new Map<string, string | null>();

function unicodeProblem(subject: string): string | null {
  const hidden = INVISIBLE.exec(subject);
  if (hidden) return `the subject holds an invisible or unprintable character (U+${codePoint(hidden[0])})`;
  if (!singleScript(subject)) return "the subject mixes scripts (UTS #39 highly restrictive), as look-alikes of another person's name do";
  return null;
}

/** How strictly subjects are checked at sign-in: `refuse` (the default) or `off` (MAESTRO_SUBJECT_CHECK=off). */
export type SubjectCheck = "refuse" | "off";

export function subjectCheckFromEnv(env: NodeJS.ProcessEnv = process.env): SubjectCheck {
  const value = env.MAESTRO_SUBJECT_CHECK?.trim() || "refuse";
  if (value !== "refuse" && value !== "off") {
    throw new MaestroError("bad_request", `MAESTRO_SUBJECT_CHECK must be refuse or off, not ${JSON.stringify(value)}`, {
      field: "MAESTRO_SUBJECT_CHECK",
    });
  }
  return value;
}

/** Throws `code` naming the problem when `check` is `refuse` and the subject is not a plain name. */
export function refuseUnsafeSubject(subject: string, check: SubjectCheck, code: "invalid_field" | "unauthenticated"): void {
  if (check === "off") return;
  const problem = subjectProblem(subject);
  if (problem) throw new MaestroError(code, `subject refused: ${problem}`, { field: code === "invalid_field" ? "sub" : undefined });
}

function codePoint(char: string): string {
  return char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
}

// ISO 15924 codes of the scripts Node's regular expressions know (Unicode 16/17), for Script_Extensions lookups.
// Common (Zyyy) and Inherited (Zinh) go with any script, so they are not listed; unassigned (Zzzz) is refused above.
const SCRIPTS = (
  "Adlm Aghb Ahom Arab Armi Armn Avst Bali Bamu Bass Batk Beng Berf Bhks Bopo Brah Brai Bugi Buhd Cakm Cans Cari Cham " +
  "Cher Chrs Copt Cpmn Cprt Cyrl Deva Diak Dogr Dsrt Dupl Egyp Elba Elym Ethi Gara Geor Glag Gong Gonm Goth Gran Grek " +
  "Gujr Gukh Guru Hang Hani Hano Hatr Hebr Hira Hluw Hmng Hmnp Hung Ital Java Kali Kana Kawi Khar Khmr Khoj Kits Knda " +
  "Krai Kthi Lana Laoo Latn Lepc Limb Lina Linb Lisu Lyci Lydi Mahj Maka Mand Mani Marc Medf Mend Merc Mero Miao Mlym " +
  "Modi Mong Mroo Mtei Mult Mymr Nagm Nand Narb Nbat Newa Nkoo Nshu Ogam Olck Onao Orkh Orya Osge Osma Ougr Palm Pauc " +
  "Perm Phag Phli Phlp Phnx Plrd Prti Rjng Rohg Runr Samr Sarb Saur Sgnw Shaw Shrd Sidd Sidt Sind Sinh Sogd Sogo Sora " +
  "Soyo Sund Sunu Sylo Syrc Tagb Takr Tale Talu Taml Tang Tavt Tayo Telu Tfng Tglg Thaa Thai Tibt Tirh Tnsa Todr Tols " +
  "Toto Tutg Ugar Vaii Vith Wara Wcho Xpeo Xsux Yezi Yiii Zanb"
).split(" ");

// A script an older Node does not know is skipped rather than failing every sign-in.
const SCRIPT_TESTS: Array<[string, RegExp]> = SCRIPTS.flatMap((name) => {
  try {
    return [[name, new RegExp(`^\\p{scx=${name}}$`, "u")] as [string, RegExp]];
  } catch {
    return [];
  }
});

// UTS #39 §5.1: Han, Hiragana, Katakana, Hangul and Bopomofo also count as the writing systems that combine them.
const AUGMENT: Record<string, string[]> = {
  Hani: ["Hanb", "Jpan", "Kore"],
  Hira: ["Jpan"],
  Kana: ["Jpan"],
  Hang: ["Kore"],
  Bopo: ["Hanb"],
};

/** The augmented Script_Extensions of one character; null for Common and Inherited ones, which fit any script. */
function scriptsOf(char: string): Set<string> | null {
  const found = new Set<string>();
  for (const [name, test] of SCRIPT_TESTS) {
    if (!test.test(char)) continue;
    found.add(name);
    for (const extra of AUGMENT[name] ?? []) found.add(extra);
  }
  return found.size === 0 ? null : found;
}

/** The resolved script set of UTS #39 §5.1 is non-empty: one script, counting Common and Inherited as any. */
function resolves(chars: string[]): boolean {
  let common: string[] | null = null;
  for (const char of chars) {
    const scripts = scriptsOf(char);
    if (!scripts) continue;
    common = common ? common.filter((s) => scripts.has(s)) : [...scripts];
    if (common.length === 0) return false;
  }
  return true;
}

/** Highly restrictive (UTS #39 §5.2): single script, or Latin beside Japanese, Chinese with Bopomofo, or Korean. */
function singleScript(subject: string): boolean {
  const chars = [...subject];
  if (resolves(chars)) return true;
  const rest = chars.filter((c) => !/\p{scx=Latn}/u.test(c));
  if (!resolves(rest)) return false;
  return rest.some((c) => ["Jpan", "Kore", "Hanb"].some((s) => scriptsOf(c)?.has(s)));
}
