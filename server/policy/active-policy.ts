// The active policy for this process, in one place: the engine in force and its atomic replacement (load, verify,
// smoke-test, then swap: OPA's bundle activation rule, a bundle that fails to load or verify is not activated and the
// previous one keeps serving, https://www.openpolicyagent.org/docs/management-bundles#signing); which bundle a start
// restores (the last activated one, or the configured or committed one); and the ledger event of every activation.
import { readFile } from "node:fs/promises";
import type { Kysely } from "kysely";
import type { LedgerEvent } from "../../ledger/event/envelope.ts";
import type { Ledger } from "../../ledger/open-ledger.ts";
import type { Principal } from "../auth/roles.ts";
import type { ServerConfig } from "../config.ts";
import type { PolicyEvaluator } from "../mediator/types.ts";
import { loadDefaultBundle } from "./default-bundle.ts";
import type { VerificationKey } from "./bundle-verify.ts";
import { loadStoredBundle } from "./stored-bundles.ts";
import { isMaestroError, MaestroError } from "../../common/errors.ts";
import { blankPolicyInput, type PolicyDecision, type PolicyInput, type WaiverRule } from "./decision-types.ts";
import { PolicyEngine, type PolicyEngineOptions } from "./engine.ts";
import type { MutationEvidence } from "./mutation-evidence.ts";
import type { AppDb } from "../db/app-db.ts";

/** Where the running bundle came from: the committed one, an activation (restored at start), or --policy-bundle. */
export type PolicySource = "default" | "activated" | "config";

/** What `maestro policy status` shows: the bundle in force and the ledgered activation that put it there. */
export interface PolicyStatus {
  digest: string;
  revision: string;
  source: PolicySource;
  /** The ledger entry of the activation in force (null only if the ledger refuses writes and none was ledgered). */
  ledgerIndex: number | null;
  activatedBy: { type: string; id: string; role?: string } | null;
  activatedAt: string | null;
  reason: string;
  /** The mutation report the bundle records (score and threshold), null for a bundle built without one. */
  mutation: MutationEvidence | null;
}

export interface ActivePolicy {
  current(): PolicyEvaluator;
  holder: PolicyHolder;
  /** Verifies, smoke-tests and activates a bundle; its bytes and the `policy.activated` event commit together before it serves. */
  activate(bundleBytes: Uint8Array, actor: Principal): Promise<ActivationInfo>;
  /** Goes back to the committed bundle, explicitly and ledgered: a restart alone never does. */
  activateDefault(actor: Principal): Promise<ActivationInfo>;
  status(): PolicyStatus;
}

const POLICY_SUBJECT = { type: "policy", id: "active" };

type Log = (line: Record<string, unknown>) => void;
const logToStderr: Log = (line) => console.error(JSON.stringify(line));

interface Activation {
  index: number;
  event: LedgerEvent;
  payload: { digest?: string; revision?: string; source?: string; reason?: string };
}

export async function loadActivePolicy(
  config: ServerConfig,
  ledger: Ledger<AppDb>,
  db: Kysely<AppDb>,
  log: Log = logToStderr,
): Promise<ActivePolicy> {
  const verificationKey = await readVerificationKey(config.policyVerificationKey);
  const last = await lastActivation(ledger);
  const start = await startupBundle(config, db, last);
  const holder = await PolicyHolder.create(start.bytes, { verificationKey });
  let status = await recordStartup(ledger, holder, start, last);
  log({
    level: "info",
    msg: "policy bundle in force",
    digest: status.digest,
    source: status.source,
    why: start.why,
    ledgerIndex: status.ledgerIndex,
  });

  const activateWith = (bytes: Uint8Array, actor: Principal, source: PolicySource) =>
    holder.activate(bytes, {
      beforeSwap: async (info) => {
        const entry = await ledger.writer.append(
          {
            kind: "policy.activated",
            actor: { type: "user", id: actor.sub, role: actor.role },
            subject: POLICY_SUBJECT,
            payload: { ...info, source },
          },
          // The bytes a restart will run commit with the event naming their digest (the committed bundle needs none):
          // its fold (ledger/projections/policy-folds.ts) stores them under that digest.
          source === "activated" ? { attached: { "policy_bundles.bytes": bytes } } : {},
        );
        status = statusOf(entry.index, entry.event, info, source, source === "default" ? "activated: the committed bundle" : "activated");
      },
    });
  return {
    holder,
    current: () => holder.current,
    activate: (bytes, actor) => activateWith(bytes, actor, "activated"),
    activateDefault: async (actor) => activateWith(await loadDefaultBundle(), actor, "default"),
    status: () => status,
  };
}

async function lastActivation(ledger: Ledger<AppDb>): Promise<Activation | null> {
  const history = await ledger.reader.entriesFor("policy.activated", `${POLICY_SUBJECT.type}:${POLICY_SUBJECT.id}`);
  const last = history.at(-1);
  return last ? { index: last.index, event: last.event, payload: last.event.payload as Activation["payload"] } : null;
}

/**
 * Which bundle a start runs: --policy-bundle when given (the operator named it); else the last activated bundle,
 * from its stored bytes checked against the ledgered digest (refusing to start when they are missing or altered,
 * rather than silently running another policy); else the committed bundle.
 */
async function startupBundle(
  config: ServerConfig,
  db: Kysely<AppDb>,
  last: Activation | null,
): Promise<{ bytes: Uint8Array; source: PolicySource; why: string }> {
  if (config.policyBundle)
    return { bytes: await readBundleFile(config.policyBundle), source: "config", why: `--policy-bundle ${config.policyBundle}` };
  if (last?.payload.source === "activated" && typeof last.payload.digest === "string") {
    const stored = await loadStoredBundle(db, last.payload.digest);
    if ("problem" in stored) {
      throw new MaestroError(
        "policy_bundle_invalid",
        `refusing to start: the last activated policy bundle (ledger index ${last.index}, by ${last.event.actor.id}) cannot be restored: ${stored.problem}; ` +
          "restore its policy_bundles row, or start with --policy-bundle FILE to run a named bundle (ledgered), then activate one",
      );
    }
    return {
      bytes: stored.bytes,
      source: "activated",
      why: `restored: the last activation (ledger index ${last.index}, by ${last.event.actor.id} at ${last.event.time})`,
    };
  }
  const why = !last
    ? "no bundle was ever activated"
    : last.payload.source === undefined
      ? `the last activation (ledger index ${last.index}) predates stored bundles, so only the committed bundle can run`
      : last.payload.source === "config"
        ? `the last start ran a --policy-bundle file (ledger index ${last.index}), not given this time`
        : `the last activation (ledger index ${last.index}) chose the committed bundle`;
  return { bytes: await loadDefaultBundle(), source: "default", why };
}

/** A start on another bundle, or from another source, than the last one ledgered is an activation too. */
async function recordStartup(
  ledger: Ledger<AppDb>,
  holder: PolicyHolder,
  start: { source: PolicySource; why: string },
  last: Activation | null,
): Promise<PolicyStatus> {
  const info = {
    digest: holder.digest,
    revision: holder.revision,
    previousDigest: last?.payload.digest ?? null,
    previousRevision: last?.payload.revision ?? null,
    mutation: holder.current.mutation,
  };
  const unchanged = last?.payload.digest === holder.digest && (last.payload.source ?? "default") === start.source;
  // A ledger refusing writes (a forked head) still starts, to serve reads; its log line already says why.
  if (unchanged || ledger.fence.refusal) {
    return last
      ? statusOf(last.index, last.event, info, start.source, last.payload.reason ?? "activated")
      : {
          digest: info.digest,
          revision: info.revision,
          mutation: info.mutation,
          source: start.source,
          ledgerIndex: null,
          activatedBy: null,
          activatedAt: null,
          reason: start.why,
        };
  }
  const entry = await ledger.writer.append({
    kind: "policy.activated",
    actor: { type: "service", id: "maestro-server" },
    subject: POLICY_SUBJECT,
    payload: { ...info, reason: "startup", source: start.source },
  });
  return statusOf(entry.index, entry.event, info, start.source, `startup: ${start.why}`);
}

function statusOf(
  index: number,
  event: LedgerEvent,
  info: { digest: string; revision: string; mutation: MutationEvidence | null },
  source: PolicySource,
  reason: string,
): PolicyStatus {
  const { type, id, role } = event.actor as { type: string; id: string; role?: string };
  return {
    digest: info.digest,
    revision: info.revision,
    source,
    ledgerIndex: index,
    activatedBy: { type, id, ...(role ? { role } : {}) },
    activatedAt: event.time,
    reason,
    mutation: info.mutation,
  };
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
export async function readVerificationKey(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<VerificationKey | undefined> {
  if (!path) return undefined;
  const text = await readFile(path, "utf8").catch((err) => {
    throw new MaestroError("bad_request", `cannot read policy verification key ${path}`, { cause: err });
  });
  const alg = env.MAESTRO_POLICY_VERIFICATION_ALG ?? "EdDSA";
  // A secret file usually ends with a newline that `opa build --signing-key <secret>` never saw.
  const key = alg.startsWith("HS") ? text.replace(/\r?\n$/, "") : text;
  return {
    key,
    alg,
    scope: env.MAESTRO_POLICY_VERIFICATION_SCOPE || undefined,
    keyId: env.MAESTRO_POLICY_VERIFICATION_KEY_ID || undefined,
  };
}

export interface ActivationInfo {
  digest: string;
  revision: string;
  previousDigest: string;
  previousRevision: string;
  /** What the bundle's manifest records of its mutation report (the release claim policy-mutation-score reads it). */
  mutation: MutationEvidence | null;
}

export interface ActivateOptions {
  /**
   * Runs after the new bundle passed every check and before it serves traffic (e.g. append the ledger event).
   * If it throws, the activation is abandoned and the previous bundle stays active.
   */
  beforeSwap?: (info: ActivationInfo) => void | Promise<void>;
}

// A call nobody is granted: any sane policy must deny it. A bundle that allows it (or errors) is refused.
const SMOKE_INPUT: PolicyInput = blankPolicyInput(
  {
    runset: "smoke-test",
    agent: "smoke-test",
    session: "smoke-test",
    tool: "smoke-test",
    capability: "secrets.read",
    resource: "smoke/test",
    args: {},
  },
  "2000-01-01T00:00:00Z",
);

/** Loads a bundle and proves it evaluates: default-deny holds and waiver rules are well-formed. */
export async function loadAndSmokeTest(bytes: Uint8Array, options: PolicyEngineOptions): Promise<PolicyEngine> {
  let engine: PolicyEngine;
  try {
    engine = await PolicyEngine.load(bytes, options);
  } catch (err) {
    if (isMaestroError(err) && err.code === "policy_bundle_invalid") throw err;
    throw new MaestroError("policy_bundle_invalid", `policy bundle refused: ${(err as Error).message}`, { cause: err });
  }
  const smoke = engine.evaluateDecision(SMOKE_INPUT);
  if (smoke.decision !== "deny" || smoke.reasons.some((r) => r.code === "policy_error")) {
    throw new MaestroError(
      "policy_bundle_invalid",
      `policy bundle refused: smoke evaluation of an ungranted call gave ${smoke.decision} (${smoke.reasons.map((r) => r.code).join(", ")}), expected deny`,
    );
  }
  return engine;
}

export class PolicyHolder {
  #engine: PolicyEngine;
  readonly #options: PolicyEngineOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(engine: PolicyEngine, options: PolicyEngineOptions = {}) {
    this.#engine = engine;
    this.#options = options;
  }

  static async create(bundleBytes: Uint8Array, options: PolicyEngineOptions = {}): Promise<PolicyHolder> {
    return new PolicyHolder(await loadAndSmokeTest(bundleBytes, options), options);
  }

  get current(): PolicyEngine {
    return this.#engine;
  }

  get digest(): string {
    return this.#engine.digest;
  }

  get revision(): string {
    return this.#engine.revision;
  }

  evaluateDecision(input: PolicyInput): PolicyDecision {
    return this.#engine.evaluateDecision(input);
  }

  waiverRules(capability: string): WaiverRule {
    return this.#engine.waiverRules(capability);
  }

  /**
   * Replaces the active bundle. Activations are serialised; on any failure (load, signature, smoke test,
   * beforeSwap) it throws MaestroError "policy_bundle_invalid" (or beforeSwap's error) and keeps the old one.
   */
  activate(bundleBytes: Uint8Array, options: ActivateOptions = {}): Promise<ActivationInfo> {
    const run = this.#queue.then(async () => {
      const next = await loadAndSmokeTest(bundleBytes, this.#options);
      const previous = this.#engine;
      const info: ActivationInfo = {
        digest: next.digest,
        revision: next.revision,
        previousDigest: previous.digest,
        previousRevision: previous.revision,
        mutation: next.mutation,
      };
      await options.beforeSwap?.(info);
      this.#engine = next;
      return info;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
