// `maestro release create|publish|list|show`: releases over the HTTP API; artifacts by file or digest, the SBOM from a package-lock.json.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { type Command, parseFlags, printJson, readArgFile, requireFlag, UsageError } from "../command.ts";
import { count, table } from "../format.ts";
import { CLIENT_FLAGS, clientFrom, requirePositional } from "../http-client.ts";

const CONNECT = "[--url URL] [--token TOKEN] [--json]   (MAESTRO_URL, MAESTRO_TOKEN also work)";

interface Artifact {
  name: string;
  digest: { sha256: string };
}

const BY_DIGEST = /^(.+)=sha256:([0-9a-f]{64})$/;

/** NAME=sha256:HEX as given, or a file: its base name and the SHA-256 of its bytes (streamed: artifacts can be large). */
export async function artifactOf(arg: string): Promise<Artifact> {
  const [, name, sha256] = BY_DIGEST.exec(arg) ?? [];
  if (name !== undefined && sha256 !== undefined) return { name, digest: { sha256 } };
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(arg)) hash.update(chunk as Buffer);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new UsageError(
      `--artifact ${arg}: ${code === "ENOENT" ? "no such file (or give NAME=sha256:HEX)" : `cannot read it (${code ?? String(err)})`}`,
    );
  }
  return { name: basename(arg), digest: { sha256: hash.digest("hex") } };
}

/** A package-lock.json becomes the server-built CycloneDX SBOM; a CycloneDX JSON document is uploaded as it is. */
export function sbomOf(file: string): { packageLock: unknown } | { cyclonedx: unknown } {
  let doc: any;
  try {
    doc = JSON.parse(readArgFile(file, `--sbom ${file}`));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--sbom ${file} is not JSON`);
  }
  if (doc?.bomFormat === "CycloneDX") return { cyclonedx: doc };
  if (doc && typeof doc === "object" && "lockfileVersion" in doc) return { packageLock: doc };
  throw new UsageError(`--sbom ${file} is neither a package-lock.json (lockfileVersion) nor a CycloneDX JSON document (bomFormat)`);
}

function describe(r: any): string {
  const sbom = r.sbom ? `SBOM CycloneDX ${r.sbom.specVersion} (${r.sbom.source})` : "no SBOM";
  const state = r.published
    ? `published at ${r.published.at} by ${r.published.by} (ledger index ${r.published.index})`
    : `draft, created by ${r.createdBy} at ${r.createdAt}`;
  return `release ${r.id}: ${r.repository} ${r.version}, ${state}; ${count(r.artifacts.length, "artifact")}, ${sbom}`;
}

export const releaseCreateCommand: Command = {
  name: "release create",
  usage: `
Usage: maestro release create --repository OWNER/REPO --version V --artifact FILE|NAME=sha256:HEX [--artifact …]
         (--runset NAME… | --session ID…) [--id ID] [--sbom package-lock.json|cyclonedx.json] ${CONNECT}

Records a draft release (release.created on the ledger): the artifacts you ship (a FILE is hashed here;
its name is the file's base name), the run-sets or sessions whose work it ships, and an SBOM (a
package-lock.json is turned into CycloneDX by the server). Roles: admin, security, or an agent that a
release.publish grant allows. Then: maestro release publish ID.`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...CLIENT_FLAGS,
        id: { type: "string" },
        repository: { type: "string" },
        version: { type: "string" },
        artifact: { type: "string", multiple: true },
        runset: { type: "string", multiple: true },
        session: { type: "string", multiple: true },
        sbom: { type: "string" },
      },
      releaseCreateCommand,
    );
    if (!values.artifact?.length) throw new UsageError("missing --artifact (a file, or NAME=sha256:HEX; repeatable)");
    if (!values.runset?.length && !values.session?.length)
      throw new UsageError("give --runset or --session (repeatable): a release ships the work of at least one");
    const body = {
      ...(values.id ? { id: values.id } : {}),
      repository: requireFlag(values.repository, "repository"),
      version: requireFlag(values.version, "version"),
      artifacts: await Promise.all(values.artifact.map(artifactOf)),
      ...(values.runset ? { runsets: values.runset } : {}),
      ...(values.session ? { sessions: values.session } : {}),
      ...(values.sbom ? { sbom: sbomOf(values.sbom) } : {}),
    };
    const { release } = await clientFrom(values).post("/v1/releases", body);
    if (values.json) printJson(release);
    else process.stdout.write(`created ${describe(release)}\n  publish with: maestro release publish ${release.id}\n`);
  },
};

export const releasePublishCommand: Command = {
  name: "release publish",
  usage: `
Usage: maestro release publish ID ${CONNECT}

Asks the policy for a release.publish decision (made for the caller as the agent, in the release's
run-set: it needs a grant {agent: <your token's subject>, capability: release.publish, resource:
"OWNER/REPO@VERSION" or a glob}); a hold or any deny refuses it (409 release_blocked, with the
reasons). On allow the server signs the safety case and records release.published.`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, CLIENT_FLAGS, releasePublishCommand, true);
    const id = requirePositional(positionals, "release ID");
    const { release } = await clientFrom(values).post(`/v1/releases/${encodeURIComponent(id)}/publish`, {});
    if (values.json) printJson(release);
    else
      process.stdout.write(
        `published ${describe(release)}\n  evidence: maestro evidence export ${release.id} -o ${release.id}.evidence.json\n`,
      );
  },
};

export const releaseListCommand: Command = {
  name: "release list",
  usage: `
Usage: maestro release list [--state draft|published] ${CONNECT}

Every release, newest first (all pages). Roles: auditor, admin, security.`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...CLIENT_FLAGS, state: { type: "string" } }, releaseListCommand);
    const client = clientFrom(values);
    const releases: any[] = [];
    for (let cursor: string | null = ""; cursor !== null;) {
      const query = new URLSearchParams({ limit: "100" });
      if (cursor) query.set("cursor", cursor);
      if (values.state) query.set("state", values.state);
      const page: { items: any[]; nextCursor: string | null } = await client.get(`/v1/releases?${query}`);
      releases.push(...page.items);
      cursor = page.nextCursor;
    }
    if (values.json) printJson({ releases });
    else if (releases.length === 0) process.stdout.write("no releases\n");
    else {
      process.stdout.write(
        table(
          ["ID", "REPOSITORY", "VERSION", "STATE", "ARTIFACTS", "CREATED"],
          releases.map((r) => [r.id, r.repository, r.version, r.state, String(r.artifacts.length), r.createdAt]),
        ),
      );
    }
  },
};

export const releaseShowCommand: Command = {
  name: "release show",
  usage: `
Usage: maestro release show ID ${CONNECT}

One release: artifacts, SBOM, publication, and what an auditor should check.`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, CLIENT_FLAGS, releaseShowCommand, true);
    const id = requirePositional(positionals, "release ID");
    const shown = await clientFrom(values).get(`/v1/releases/${encodeURIComponent(id)}`);
    if (values.json) return printJson(shown);
    const r = shown.release;
    const out = [
      describe(r),
      "",
      table(
        ["ARTIFACT", "SHA-256"],
        r.artifacts.map((a: Artifact) => [a.name, a.digest.sha256]),
      ).trimEnd(),
    ];
    if (r.runsets.length) out.push("", `run-sets: ${r.runsets.join(", ")}`);
    if (r.sessions.length) out.push(`sessions: ${r.sessions.join(", ")}`);
    out.push("", "to check:", ...shown.auditor.checks.map((c: string) => `  - ${c}`));
    process.stdout.write(`${out.join("\n")}\n`);
  },
};
