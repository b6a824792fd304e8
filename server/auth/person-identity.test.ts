// People compared as people: the pairs an adversarial trial counted as two approvers, and the subjects refused at sign-in.
import { describe, expect, it } from "vitest";
import { checkTokenSubject } from "./tokens.ts";
import { personKey, samePerson, subjectCheckFromEnv, subjectProblem } from "./person-identity.ts";
import { sameSubject } from "./roles.ts";

describe("samePerson", () => {
  // Issue 14, item 6: each pair approved or counted as two people with plain string (or lower-case) comparison.
  const pairs: Array<[string, string]> = [
    ["ｅｒｉｎ@example.com", "erin@example.com"],
    ["sam", "ｓａｍ"],
    ["sam", "sam\u200B"],
    ["ﬁona", "fiona"],
    ["Erin@Example.com", "erin@example.com"],
    ["ѕam", "sam"], // Cyrillic dze
    ["sаm", "sam"], // Cyrillic a
    ["STRASSE", "straße"],
    ["b0b", "bob"],
    ["wi11", "will"],
    ["e\u0301rin", "érin"], // combining acute vs precomposed
    ["sam\u00AD", "sam"], // soft hyphen
    [" sam ", "sam"],
  ];
  it.each(pairs)("%j and %j are one person", (a, b) => {
    expect(samePerson(a, b)).toBe(true);
    expect(sameSubject(a, b)).toBe(true);
    expect(personKey(a)).toBe(personKey(b));
  });

  it.each([
    ["sam", "pam"],
    ["erin@example.com", "erin@example.org"],
    ["alice", "alicia"],
  ])("%j and %j are two people", (a, b) => {
    expect(samePerson(a, b)).toBe(false);
  });
});

describe("subjectProblem", () => {
  it("accepts plain names in one script, and Latin beside Japanese", () => {
    for (const ok of ["erin@example.com", "José", "Ωμέγα", "李小龍", "山田taro", "ｓａｍ", "user_1:eng"])
      expect(subjectProblem(ok), ok).toBeNull();
  });

  it("refuses mixed scripts and invisible characters", () => {
    expect(subjectProblem("ѕam")).toMatch(/mixes scripts/);
    expect(subjectProblem("pаypal")).toMatch(/mixes scripts/);
    expect(subjectProblem("sam\u200B")).toMatch(/invisible.*U\+200B/);
    expect(subjectProblem("sam\u2060")).toMatch(/invisible/);
    expect(subjectProblem("s am")).toMatch(/invisible.*U\+0020/);
    expect(subjectProblem("sam\u0007")).toMatch(/invisible/);
    expect(subjectProblem("")).toMatch(/empty/);
  });

  it("token issue refuses them with a 400 naming sub, unless MAESTRO_SUBJECT_CHECK=off", () => {
    expect(() => checkTokenSubject("ѕam")).toThrow(expect.objectContaining({ code: "invalid_field", field: "sub" }));
    expect(() => checkTokenSubject("sam\u200B")).toThrow(/invisible/);
    expect(() => checkTokenSubject("José")).not.toThrow();
    expect(() => checkTokenSubject("ѕam", "off")).not.toThrow();
    // The charset still holds with the check off: an invisible character is no letter.
    expect(() => checkTokenSubject("sam\u200B", "off")).toThrow(/letters, digits/);
    expect(subjectCheckFromEnv({})).toBe("refuse");
    expect(subjectCheckFromEnv({ MAESTRO_SUBJECT_CHECK: "off" })).toBe("off");
    expect(() => subjectCheckFromEnv({ MAESTRO_SUBJECT_CHECK: "maybe" })).toThrow(/refuse or off/);
  });
});
