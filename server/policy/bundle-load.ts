// Reads an OPA Wasm bundle (.tar.gz): /policy.wasm, /data.json, /.manifest and, if configured, checks its signature.
// Bundle layout: https://www.openpolicyagent.org/docs/management-bundles#bundle-file-format
import { createHash } from "node:crypto";
import { MaestroError } from "../../common/errors.ts";
import { SIGNATURES_FILE, type VerificationKey, verifyBundleSignature } from "./bundle-verify.ts";
import { readTarGz } from "./tar.ts";

/** The entrypoints Maestro evaluates; a bundle lacking either is refused. */
export const DECISION_ENTRYPOINT = "maestro/decision";
export const WAIVER_RULES_ENTRYPOINT = "maestro/waiver_rules";

export interface BundleManifest {
  revision?: string;
  roots?: string[];
  wasm?: { entrypoint: string; module: string }[];
  [key: string]: unknown;
}

export interface LoadedBundle {
  /** sha256 of the .tar.gz bytes, "sha256:<hex>": the identity recorded in the ledger. */
  digest: string;
  revision: string;
  manifest: BundleManifest;
  wasm: Uint8Array;
  /** data.json bytes as shipped ("{}" when absent), handed to the policy once. */
  data: Uint8Array;
  /** True when the signature was checked against a configured key. */
  verified: boolean;
  keyId?: string;
  files: string[];
}

export interface BundleLoadOptions {
  /** When set, the bundle must carry a valid OPA signature from this key; unsigned bundles are refused. */
  verificationKey?: VerificationKey;
}

export function bundleDigest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function invalid(message: string): MaestroError {
  return new MaestroError("policy_bundle_invalid", `policy bundle invalid: ${message}`);
}

function parseManifest(bytes: Uint8Array | undefined): BundleManifest {
  if (!bytes) throw invalid("missing /.manifest");
  try {
    const manifest = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) throw new Error("not an object");
    return manifest as BundleManifest;
  } catch (cause) {
    throw new MaestroError("policy_bundle_invalid", "policy bundle invalid: /.manifest is not a JSON object", { cause });
  }
}

// Both entrypoints must be compiled into the same module so one instance serves both.
function wasmModulePath(manifest: BundleManifest): string {
  const modules = new Map((manifest.wasm ?? []).map((w) => [w.entrypoint, String(w.module).replace(/^\/+/, "")]));
  const decision = modules.get(DECISION_ENTRYPOINT);
  if (!decision) throw invalid(`the manifest lists no wasm module for entrypoint ${DECISION_ENTRYPOINT}`);
  if (modules.get(WAIVER_RULES_ENTRYPOINT) !== decision) {
    throw invalid(`entrypoint ${WAIVER_RULES_ENTRYPOINT} must be compiled into ${decision}`);
  }
  return decision;
}

export async function loadBundle(bytes: Uint8Array, options: BundleLoadOptions = {}): Promise<LoadedBundle> {
  const digest = bundleDigest(bytes);
  const files = readTarGz(bytes);
  let keyId: string | undefined;
  if (options.verificationKey) ({ keyId } = await verifyBundleSignature(files, options.verificationKey));
  const manifest = parseManifest(files.get(".manifest"));
  const modulePath = wasmModulePath(manifest);
  const wasm = files.get(modulePath);
  if (!wasm) throw invalid(`missing /${modulePath}`);
  const data = files.get("data.json") ?? new TextEncoder().encode("{}");
  if (typeof manifest.revision !== "string" || manifest.revision === "") throw invalid("the manifest has no revision");
  return {
    digest,
    revision: manifest.revision,
    manifest,
    wasm,
    data,
    verified: options.verificationKey !== undefined,
    ...(keyId === undefined ? {} : { keyId }),
    files: [...files.keys()].filter((n) => n !== SIGNATURES_FILE).sort(),
  };
}
