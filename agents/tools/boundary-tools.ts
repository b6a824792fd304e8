// Tools that cross the trust boundary: fetch_url (network.egress, taints the session), read_secret (secrets.read), publish_release (release.publish).
import { randomBytes } from "node:crypto";
import { MaestroError } from "../../common/errors.ts";
import { sha256Digest } from "../mediator-client/digest.ts";
import type { AgentTool } from "./tool.ts";

const MAX_FETCH = 100 * 1024;

export const fetchUrlTool: AgentTool<{ url: string }> = {
  name: "fetch_url",
  description: "Fetch an http(s) URL and return its text. Content from the network is untrusted: the session becomes tainted.",
  inputSchema: { type: "object", properties: { url: { type: "string" } }, required: ["url"], additionalProperties: false },
  capability: "network.egress",
  plan(args) {
    const url = parseHttpUrl(args.url);
    // Resource is the host, so grants read like "*.npmjs.org" (the catalogue splits network globs on ".").
    return { resource: url.hostname, args: { url: url.toString() } };
  },
  async run(args, env) {
    const url = parseHttpUrl(args.url);
    const response = await env.fetch(url, { redirect: "manual", signal: AbortSignal.timeout(env.timeoutMs ?? 30_000) });
    const body = (await response.text()).slice(0, MAX_FETCH);
    // Taint is recorded whenever untrusted bytes reached the agent, whatever the status code.
    return {
      status: response.ok ? "ok" : "error",
      content: `HTTP ${response.status}\n${body}`,
      summary: `GET ${url.toString()} → ${response.status} (${body.length} chars)`,
      taint: { source: url.toString() },
    };
  },
};

function parseHttpUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MaestroError("invalid_field", `"${value}" is not a URL`, { field: "url" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new MaestroError("invalid_field", "only http and https URLs can be fetched", { field: "url" });
  url.username = "";
  url.password = "";
  return url;
}

const SECRET_NAME = /^[\w.-]+(\/[\w.-]+)*$/;

export const readSecretTool: AgentTool<{ name: string }> = {
  name: "read_secret",
  description: "Read a named secret (e.g. a deploy token). High risk: denied in tainted sessions.",
  inputSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"], additionalProperties: false },
  capability: "secrets.read",
  plan(args) {
    if (!SECRET_NAME.test(args.name))
      throw new MaestroError("invalid_field", "secret name must be path-like (letters, digits, . _ - and /)", { field: "name" });
    return { resource: args.name, args: { name: args.name } };
  },
  async run(args, env) {
    const value = env.secret(args.name);
    if (value === undefined)
      return { status: "error", content: `secret ${args.name} is not configured`, summary: `secret ${args.name} not configured` };
    // The value goes to the model only; the ledger gets a salted hash, so even a short secret cannot be guessed from it.
    return {
      status: "ok",
      content: value,
      summary: `read secret ${args.name} (value withheld)`,
      digest: `salted:${randomBytes(16).toString("hex")}:${sha256Digest(value)}`,
    };
  },
};

const REPOSITORY = /^[\w.-]+\/[\w.-]+$/;
const VERSION = /^v?\d+\.\d+\.\d+([-+][\w.-]+)?$/;

export const publishReleaseTool: AgentTool<{ repository: string; version: string }> = {
  name: "publish_release",
  description: "Publish a release of owner/repo at a semantic version. High risk: needs a grant and no active hold.",
  inputSchema: {
    type: "object",
    properties: { repository: { type: "string" }, version: { type: "string" } },
    required: ["repository", "version"],
    additionalProperties: false,
  },
  capability: "release.publish",
  plan(args) {
    if (!REPOSITORY.test(args.repository))
      throw new MaestroError("invalid_field", "repository must be owner/repo", { field: "repository" });
    if (!VERSION.test(args.version)) throw new MaestroError("invalid_field", "version must be semantic (1.2.3)", { field: "version" });
    // "owner/repo@version" is the release id holds match on (policies/rego/match.rego).
    return { resource: `${args.repository}@${args.version}`, args: { repository: args.repository, version: args.version } };
  },
  async run(args, env) {
    if (!env.publishCommand)
      return { status: "error", content: "no publish command is configured for this agent", summary: "no publish command configured" };
    const result = await env.exec({
      argv: [env.publishCommand],
      shell: true,
      cwd: env.workdir,
      env: { MAESTRO_RELEASE_REPOSITORY: args.repository, MAESTRO_RELEASE_VERSION: args.version },
      timeoutMs: env.timeoutMs ?? 600_000,
    });
    const ok = result.code === 0 && !result.timedOut;
    return {
      status: ok ? "ok" : "error",
      content: `${ok ? "published" : "publish failed"}\n${result.output}`,
      summary: `publish ${args.repository}@${args.version}: ${ok ? "ok" : "failed"}`,
    };
  },
};
