// Test-only helpers for server/policy: a tiny ustar writer, opa-built throwaway bundles, and a base policy input.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildBundle } from "./bundle-build.ts";
import type { PolicyInput } from "./decision-types.ts";
import { DEFAULT_OPA_PATH } from "./default-bundle.ts";

export const OPA = process.env.MAESTRO_OPA ?? DEFAULT_OPA_PATH;
export const HAVE_OPA = existsSync(OPA);

export interface TarEntry {
  name: string;
  data?: Uint8Array | string;
  /** ustar typeflag, default "0". */
  type?: string;
  linkname?: string;
}

function header(name: string, size: number, type: string, linkname = ""): Uint8Array {
  const h = new Uint8Array(512);
  const put = (offset: number, text: string) => h.set(new TextEncoder().encode(text), offset);
  put(0, name.slice(0, 100));
  put(100, "0000600\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, `${size.toString(8).padStart(11, "0")}\0`);
  put(136, "00000000000\0");
  put(148, "        ");
  put(156, type);
  put(157, linkname);
  put(257, "ustar\0");
  put(263, "00");
  let sum = 0;
  for (const b of h) sum += b;
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** Writes a .tar.gz; names longer than 100 bytes get a PAX "path" record, as Go's archive/tar does. */
export function writeTarGz(entries: TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const pad = (n: number) => new Uint8Array((512 - (n % 512)) % 512);
  const push = (name: string, data: Uint8Array, type: string, linkname?: string) => {
    parts.push(header(name, data.length, type, linkname), data, pad(data.length));
  };
  for (const entry of entries) {
    const data = typeof entry.data === "string" ? new TextEncoder().encode(entry.data) : (entry.data ?? new Uint8Array());
    if (entry.name.length > 100) {
      const body = ` path=${entry.name}\n`;
      let len = body.length;
      while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
      push("PaxHeaders/x", new TextEncoder().encode(`${len}${body}`), "x");
    }
    push(entry.name, data, entry.type ?? "0", entry.linkname);
  }
  parts.push(new Uint8Array(1024));
  return gzipSync(Buffer.concat(parts));
}

/** Builds a bundle with the opa CLI from the given Rego files into a temp dir; returns its bytes. */
export async function opaBundle(
  files: Record<string, string>,
  options: { signingKey?: string; signingAlg?: string; claims?: object } = {},
): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), "maestro-policy-"));
  const regoDir = join(dir, "rego");
  await mkdir(regoDir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(regoDir, name), text);
  let claimsFile: string | undefined;
  if (options.claims) {
    claimsFile = join(dir, "claims.json");
    await writeFile(claimsFile, JSON.stringify(options.claims));
  }
  const outFile = join(dir, "bundle.tar.gz");
  const { signingKey, signingAlg } = options;
  await buildBundle({ regoDir, outFile, opaPath: OPA, signingKey, signingAlg, claimsFile });
  return readFile(outFile);
}

/** Rego for a throwaway bundle whose maestro/decision is `decisionBody` and whose waiver rules are trivial. */
export function stubPolicy(decisionBody: string): Record<string, string> {
  return {
    "decision.rego": `package maestro.decision\n\n${decisionBody}\n`,
    "waiver_rules.rego": `package maestro.waiver_rules\n\nrule := {"waivable": false, "max_duration_seconds": 0, "approvals_required": 0}\n`,
  };
}

export function baseInput(): PolicyInput {
  return {
    call: {
      runset: "rs-1",
      agent: "coder",
      session: "sess-1",
      tool: "read_file",
      capability: "repo.read",
      resource: "src/app.ts",
      args: { path: "src/app.ts" },
    },
    now: "2025-06-01T12:00:00Z",
    session: { tainted: false, taint_sources: [], secret_sources: [] },
    budget: { spent_usd: 1, cap_usd: 10, estimated_usd: 0.5 },
    grants: [
      { agent: "coder", runset: "*", capability: "repo.*", resource: "src/**", approval: "none" },
      { agent: "coder", runset: "rs-1", capability: "network.egress", resource: "*.npmjs.org", approval: "required" },
      { agent: "releaser", runset: "rs-1", capability: "release.publish", resource: "acme/api@*", approval: "none" },
      { agent: "coder", runset: "rs-1", capability: "secrets.read", resource: "ci/*", approval: "none" },
    ],
    waivers: [],
    holds: [],
    breakglass: [],
  };
}
