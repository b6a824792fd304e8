// The active policy for this process: loads the configured (or committed default) bundle and ledgers every activation.
import { readFile } from "node:fs/promises";
import { MaestroError } from "../common/errors.ts";
import type { Clock } from "../common/clock.ts";
import type { Ledger } from "../ledger/open-ledger.ts";
import type { Principal } from "./auth/roles.ts";
import type { ServerConfig } from "./config.ts";
import type { DecisionPolicy } from "./mediator/types.ts";
import { loadDefaultBundle } from "./policy/default-bundle.ts";
import { PolicyHolder, type ActivationInfo } from "./policy/policy-holder.ts";
import type { VerificationKey } from "./policy/bundle-verify.ts";

export interface PolicyRuntime {
  current(): DecisionPolicy;
  holder: PolicyHolder;
  /** Verifies, smoke-tests and activates a bundle; the `policy.activated` event is durable before it serves. */
  activate(bundleBytes: Uint8Array, actor: Principal): Promise<ActivationInfo>;
}

const POLICY_SUBJECT = { type: "policy", id: "active" };

export async function loadPolicyRuntime(config: ServerConfig, ledger: Ledger, _clock: Clock): Promise<PolicyRuntime> {
  const verificationKey = await readVerificationKey(config.policyVerificationKey);
  const bytes = config.policyBundle ? await readBundleFile(config.policyBundle) : await loadDefaultBundle();
  const holder = await PolicyHolder.create(bytes, { verificationKey });
  await recordStartupActivation(ledger, holder);
  return {
    holder,
    current: () => holder.current,
    activate: (bundleBytes, actor) =>
      holder.activate(bundleBytes, {
        beforeSwap: async (info) => {
          await ledger.writer.append({
            kind: "policy.activated",
            actor: { type: "user", id: actor.sub, role: actor.role },
            subject: POLICY_SUBJECT,
            payload: { ...info },
          });
        },
      }),
  };
}

/** A process starting on a bundle other than the last one ledgered is an activation too. */
async function recordStartupActivation(ledger: Ledger, holder: PolicyHolder): Promise<void> {
  // A ledger refusing writes (a forked head) still starts, to serve reads; its log line already says why.
  if (ledger.fence.refusal) return;
  const history = await ledger.reader.entriesFor("policy.activated", `${POLICY_SUBJECT.type}:${POLICY_SUBJECT.id}`);
  const last = history.at(-1)?.event.payload as { digest?: string; revision?: string } | undefined;
  if (last?.digest === holder.digest) return;
  await ledger.writer.append({
    kind: "policy.activated",
    actor: { type: "service", id: "maestro-server" },
    subject: POLICY_SUBJECT,
    payload: {
      digest: holder.digest,
      revision: holder.revision,
      previousDigest: last?.digest ?? null,
      previousRevision: last?.revision ?? null,
      reason: "startup",
    },
  });
}

async function readBundleFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new MaestroError("bad_request", `cannot read policy bundle ${path}`, { cause: err, field: "policy-bundle" });
  }
}

/**
 * MAESTRO_POLICY_VERIFICATION_KEY: a PEM public key file, or for HS* the shared secret's file;
 * MAESTRO_POLICY_VERIFICATION_ALG (default EdDSA); MAESTRO_POLICY_VERIFICATION_SCOPE and _KEY_ID: the `scope` and
 * `keyid` a bundle's signature must carry (as `opa run --verification-key-id --scope`), none by default.
 */
export async function readVerificationKey(path: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<VerificationKey | undefined> {
  if (!path) return undefined;
  const text = await readFile(path, "utf8").catch((err) => {
    throw new MaestroError("bad_request", `cannot read policy verification key ${path}`, { cause: err });
  });
  const alg = env.MAESTRO_POLICY_VERIFICATION_ALG ?? "EdDSA";
  // A secret file usually ends with a newline that `opa build --signing-key <secret>` never saw.
  const key = alg.startsWith("HS") ? text.replace(/\r?\n$/, "") : text;
  return { key, alg, scope: env.MAESTRO_POLICY_VERIFICATION_SCOPE || undefined, keyId: env.MAESTRO_POLICY_VERIFICATION_KEY_ID || undefined };
}
