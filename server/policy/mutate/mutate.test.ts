// The mutation engine on a small policy written for it: each operator's mutants, outcomes, markers, score and --changed.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HAVE_OPA, OPA } from "../test-helpers.ts";
import { changedPolicyFiles } from "./changed-files.ts";
import { mutatePolicies } from "./index.ts";
import { mutateFile } from "./mutate-file.ts";
import { runMutants } from "./run-mutants.ts";

vi.setConfig({ testTimeout: 120_000 });
const run = promisify(execFile);

// Each line exercises operators; the tests below pin some behaviours and deliberately leave others untested.
const POLICY = `package fixture

default allow := false

allow if {
	input.user == "admin"
	count(input.roles) >= 2
}

limit := 3

kind := "big" if input.n > 10

else := "small"

picked := {x | some x in input.xs; x > limit} | {0}

any_flag if {
	some f in input.flags
	f == true
}

first_index if {
	some i
	input.xs[i] == 1
	i > 0
}

# mutate: equivalent string — nothing reads tag's value
tag := "t"

every_positive if {
	every v in input.xs {
		v > 0
	}
}
`;

const TESTS = `package fixture_test

import data.fixture

test_admin_with_two_roles if fixture.allow with input as {"user": "admin", "roles": ["a", "b"]}

test_other_user_denied if not fixture.allow with input as {"user": "bob", "roles": ["a", "b"]}

test_limit if fixture.limit == 3

test_kind if {
	fixture.kind == "big" with input as {"n": 11}
	fixture.kind == "small" with input as {"n": 10}
}
`;

describe.skipIf(!HAVE_OPA)("policy mutation engine", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "maestro-mutate-test-"));
    await writeFile(join(dir, "fixture.rego"), POLICY);
    await writeFile(join(dir, "fixture_test.rego"), TESTS);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("makes each operator's mutants at the AST node, one node per mutant", async () => {
    const { mutants } = await mutateFile(OPA, dir, "fixture.rego");
    const seen = mutants.map((m) => `${m.line} ${m.operator}: ${m.original} → ${m.replacement}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        "3 remove-default: default allow := false → ",
        "3 boolean: false → true",
        '6 drop-expr: input.user == "admin" → true',
        '6 negate-expr: input.user == "admin" → not input.user == "admin"',
        "6 flip-comparison: == → !=",
        '6 string: "admin" → ""',
        "7 flip-comparison: >= → >",
        "7 flip-comparison: >= → <",
        "7 number: 2 → 3",
        "7 number: 2 → 1",
        "12 flip-comparison: > → >=",
        '14 remove-else: else := "small" → ',
        '14 string: "small" → ""',
        "16 flip-set-op: | → &",
        "16 empty-collection: {0} → set()",
        "16 drop-expr: x > limit → true",
        "19 some-to-every: some f in input.flags f == true → every f in input.flags { f == true }",
        "33 every-to-some: every v in input.xs { v > 0 } → some v in input.xs v > 0",
      ]),
    );
    // Every mutant changes the source, and no two mutants are the same file.
    expect(new Set(mutants.map((m) => m.source.toString())).size).toBe(mutants.length);
    // Strings in ref paths (input.user) are field names, not constants: never mutated.
    expect(seen.some((s) => s.includes('"user"'))).toBe(false);
  });

  it("scores the tests: survivors with file:line, compile failures and equivalents apart", async () => {
    const report = await mutatePolicies({ opaPath: OPA, regoDir: dir, jobs: 2, threshold: 0.5 });
    const c = report.counts;
    console.log(JSON.stringify(c));
    expect(c.killed + c.survived + c.timeout + c.not_compiling + c.equivalent).toBe(c.mutants);
    expect(report.score).toBeCloseTo(c.killed / (c.killed + c.survived), 10);
    // Nothing tests any_flag, so dropping its condition survives; the admin check is tested, so its flip is killed.
    expect(report.survivors.map((s) => `${s.file}:${s.line} ${s.operator}`)).toContain("fixture.rego:20 drop-expr");
    expect(report.survivors.some((s) => s.line === 6 && s.operator === "flip-comparison")).toBe(false);
    // Negating the expression that binds i leaves i unsafe: counted apart, with opa's reason.
    expect(report.not_compiling).toContainEqual(
      expect.objectContaining({ line: 25, operator: "negate-expr", error: expect.stringMatching(/unsafe/) }),
    );
    expect(report.equivalent).toEqual([
      expect.objectContaining({ line: 30, operator: "string", reason: "nothing reads tag's value", killed: false }),
    ]);
    expect(report.ok).toBe(report.score! >= 0.5);
    const strict = await mutatePolicies({ opaPath: OPA, regoDir: dir, jobs: 1, threshold: 0.99 });
    expect(strict.ok).toBe(false);
  });

  it("fails a run whose equivalent marker is wrong (the tests kill that mutant)", async () => {
    const wrong = await mkdtemp(join(tmpdir(), "maestro-mutate-wrong-"));
    try {
      await writeFile(join(wrong, "fixture.rego"), POLICY.replace("limit := 3", "# mutate: equivalent — claimed, wrongly\nlimit := 3"));
      await writeFile(join(wrong, "fixture_test.rego"), TESTS);
      const report = await mutatePolicies({ opaPath: OPA, regoDir: wrong, jobs: 2, threshold: 0 });
      expect(report.equivalent.filter((e) => e.killed).map((e) => e.operator)).toEqual(["number", "number"]);
      expect(report.ok).toBe(false);
    } finally {
      await rm(wrong, { recursive: true, force: true });
    }
  });

  it("refuses to score a suite that fails before any mutation", async () => {
    const broken = await mkdtemp(join(tmpdir(), "maestro-mutate-broken-"));
    try {
      await writeFile(join(broken, "fixture.rego"), POLICY);
      await writeFile(join(broken, "fixture_test.rego"), TESTS.replace("fixture.limit == 3", "fixture.limit == 4"));
      await expect(mutatePolicies({ opaPath: OPA, regoDir: broken, jobs: 1 })).rejects.toThrow(/fail before any mutation/);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it("counts a mutant with no answer in time as timed out, after one retry in a new runner", async () => {
    // Mutants that compile (a dropped body expression): only a parse error could be answered within a few milliseconds.
    const mutants = (await mutateFile(OPA, dir, "fixture.rego")).mutants.filter((m) => m.operator === "drop-expr").slice(0, 3);
    expect(mutants.length).toBe(3);
    const results = await runMutants(mutants, { opaPath: OPA, regoDir: dir, jobs: 1, timeoutMs: 1 });
    expect(results.map((r) => r.outcome)).toEqual(["timeout", "timeout", "timeout"]);
  });

  it("names the command that builds a missing mutant-runner", async () => {
    const empty = await mkdtemp(join(tmpdir(), "maestro-mutate-norunner-"));
    try {
      const [mutant] = (await mutateFile(OPA, dir, "fixture.rego")).mutants;
      const options = { opaPath: join(empty, "opa"), regoDir: dir, jobs: 1, timeoutMs: 10_000 };
      await expect(runMutants([mutant!], options)).rejects.toThrow(/mutant-runner is missing: run sh scripts\/bootstrap-opa.sh/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("--changed picks the policy files changed against a git ref, tests left out", async () => {
    const repo = await mkdtemp(join(tmpdir(), "maestro-mutate-git-"));
    try {
      const git = (...args: string[]) => run("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: repo });
      await git("init", "-q", "-b", "main");
      await writeFile(join(repo, "a.rego"), "package a\n\nx := 1\n");
      await writeFile(join(repo, "b.rego"), "package b\n\ny := 1\n");
      await git("add", ".");
      await git("commit", "-qm", "base");
      expect(await changedPolicyFiles(repo, "main")).toEqual([]);
      await writeFile(join(repo, "b.rego"), "package b\n\ny := 2\n");
      await writeFile(join(repo, "c.rego"), "package c\n\nz := 1\n");
      await writeFile(join(repo, "c_test.rego"), "package c_test\n");
      expect(await changedPolicyFiles(repo, "main")).toEqual(["b.rego", "c.rego"]);
      await expect(changedPolicyFiles(repo, "no-such-ref")).rejects.toThrow();
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  });
});
