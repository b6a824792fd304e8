// Tool subprocesses get the runner's variables by name only: tokens, API keys and secrets stay behind.
import { describe, expect, it } from "vitest";
import { toolProcessEnv } from "./tool-process-env.ts";

describe("toolProcessEnv", () => {
  it("keeps the allow-listed variables and nothing else", () => {
    const runner = {
      PATH: "/usr/bin",
      HOME: "/home/r",
      LANG: "C.UTF-8",
      LC_ALL: "C",
      TZ: "UTC",
      TMPDIR: "/tmp/r",
      CI: "true",
      MAESTRO_TOKEN: "agent-jwt",
      MAESTRO_ADMIN_TOKEN: "admin-jwt",
      ANTHROPIC_API_KEY: "sk-ant",
      OPENAI_API_KEY: "sk-oa",
      DEPLOY_TOKEN: "deploy",
      NODE_OPTIONS: "--require /x.js",
      GIT_DIR: "/elsewhere/.git",
      npm_config__authToken: "npm",
      HTTPS_PROXY: "http://user:pw@proxy",
      UNSET: undefined,
    };
    expect(toolProcessEnv(runner)).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/r",
      LANG: "C.UTF-8",
      LC_ALL: "C",
      TZ: "UTC",
      TMPDIR: "/tmp/r",
      CI: "true",
    });
  });
});
