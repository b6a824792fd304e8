// The composition root: builds store, keys, ledger, token verifiers, feature services and the mediator in one pass.
import { join } from "node:path";
import type { Kysely } from "kysely";
import type { JWK } from "jose";
import { type Clock, systemClock } from "../common/clock.ts";
import { MaestroError } from "../common/errors.ts";
import { formatVkey } from "../ledger/core/index.ts";
import { loadKeyring } from "../ledger/keys/keyring.ts";
import { type Ledger, openLedger } from "../ledger/open-ledger.ts";
import type { AppendedEntry } from "../ledger/append/ledger-writer.ts";
import { openStore, type Store } from "../ledger/store/database.ts";
import { migrateToLatest } from "../ledger/store/migrate.ts";
import { loadWitnessPolicy } from "../ledger/witness/witness-list.ts";
import { publicKeyCache } from "./auth/key-cache.ts";
import { localTokenVerifier, type TokenVerifier } from "./auth/tokens.ts";
import { oidcVerifiersFromEnv } from "./auth/oidc-verifier.ts";
import { breakglassPolicyInput, BreakglassService } from "./exceptions/breakglass/index.ts";
import { holdPolicyInput, HoldService } from "./exceptions/holds/index.ts";
import { policyWaiverRules, waiverPolicyInput, WaiverService } from "./exceptions/waivers/index.ts";
import type { ServerConfig } from "./config.ts";
import { allMigrations } from "./db/migrations.ts";
import { EntryFeed } from "./feed/entry-feed.ts";
import { Mediator } from "./mediator/mediator.ts";
import type { PolicyInputProvider } from "./mediator/policy-input.ts";
import { loadSalt, secretRedactor } from "./mediator/secret-redaction.ts";
import { contentInspector } from "./content/content-facts.ts";
import { loadActivePolicy, type ActivePolicy } from "./policy/active-policy.ts";
import { createMetrics, type ServerMetrics } from "./metrics/metrics.ts";
import { ReleaseService } from "./releases/release-service.ts";
import { openWebhooks, type Webhooks, type WebhookSettings, webhookSettingsFromEnv } from "./webhooks/index.ts";
import { type AppDb, ledgerTablesOf } from "./db/app-db.ts";

/** Everything one server process holds, built once by `composeServer`; nothing in it is replaced afterwards. */
export interface Services {
  readonly config: ServerConfig;
  readonly clock: Clock;
  readonly store: Store<AppDb>;
  readonly db: Kysely<AppDb>;
  readonly ledger: Ledger<AppDb>;
  /** The checkpoint verifier key in signed-note vkey form. */
  readonly checkpointVkey: string;
  readonly tokenVerifiers: readonly TokenVerifier[];
  /** New ledger entries, for the SSE stream. */
  readonly feed: EntryFeed;
  /** The active policy bundle; swapped atomically on activation. */
  readonly policy: ActivePolicy;
  /** Policy data sources (waivers, holds, break-glass), in the order the mediator asks them. */
  readonly policyInputs: readonly PolicyInputProvider[];
  /** Work done inside each decision's append transaction (e.g. waiver use counts). */
  readonly mediator: Mediator;
  readonly waivers: WaiverService;
  readonly holds: HoldService;
  readonly breakglass: BreakglassService;
  readonly releases: ReleaseService;
  /** Subscriptions, the dispatcher following the ledger, and the deadline clock (started by startServer). */
  readonly webhooks: Webhooks;
  /** Prometheus series served on GET /metrics. */
  readonly metrics: ServerMetrics;
  /** Public event-signing keys, current and retired, for /.well-known/jwks.json. */
  eventJwks(): Promise<JWK[]>;
  close(): Promise<void>;
}

export interface ComposeOptions {
  clock?: Clock;
  webhooks?: Partial<WebhookSettings>;
}

export async function composeServer(config: ServerConfig, options: ComposeOptions = {}): Promise<Services> {
  const clock = options.clock ?? systemClock;
  const store = await openStore<AppDb>({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(store.db, allMigrations);
    // A bad witness list stops the start: serving with fewer witnesses than configured would be silent.
    const witnesses = loadWitnessPolicy(config.witnessesFile, config.witnessQuorum);
    if (!Number.isInteger(config.witnessTimeoutMs) || config.witnessTimeoutMs < 1) {
      throw new MaestroError("invalid_field", "MAESTRO_WITNESS_TIMEOUT_MS must be a positive integer (ms)", {
        field: "MAESTRO_WITNESS_TIMEOUT_MS",
      });
    }
    const keyring = await loadKeyring(config.dataDir);
    const feed = new EntryFeed();
    // The gauges read the ledger only when scraped, by which time it is open (the closure sees the const below).
    const metrics = createMetrics(() => ledger, feed);
    const ledger = await openLedger<AppDb>(
      ledgerTablesOf(store.db),
      keyring,
      {
        origin: config.origin,
        clock,
        onCommit: (entries: AppendedEntry[]) => {
          metrics.committed(entries.length);
          feed.publish(entries);
        },
        onBatch: (b) => metrics.batch(b),
        // Every projection row is its event's fold, applied with the append (ledger/projections).
        projections: true,
        witnesses,
        witnessTimeoutMs: config.witnessTimeoutMs,
        // A fork or a lying witness is an incident, an unreachable one an outage: both go to the log, never silently.
        onWitnessReport: (r) =>
          console.error(JSON.stringify({ level: r.problem === "unreachable" ? "warn" : "error", msg: "witness did not cosign", ...r })),
      },
      ledgerTablesOf(store.writerDb),
    );
    // Key rotations take effect here (this process now signs with the key files' current keys): ledger them, so a
    // verifier's trust follows from its anchors. A forked head refuses appends; the fence already says why.
    if (!ledger.fence.refusal) await ledger.recordKeyEvents({ retire: true });
    const storedKeys = (purpose: "event" | "token") => async () =>
      (await ledger.reader.publicKeys(purpose)).map((row) => JSON.parse(row.public_jwk) as JWK);
    // Token keys come from the key files only (current and retired, re-read on an unknown kid so a rotation is seen
    // without a restart): a row inserted into signing_keys must not let a token signed by its key in.
    const tokenKeys = publicKeyCache(() => tokenKeysFromFiles(config.dataDir), [keyring.token.publicJwk]);
    const eventKeys = publicKeyCache(storedKeys("event"), [keyring.event.publicJwk]);
    const eventJwks = () => eventKeys.keys();
    const checkpointVkey = formatVkey(config.origin, keyring.checkpoint.publicRaw);
    const policy = await loadActivePolicy(config, ledger, store.db);

    // The exception features, then the mediator that asks them: its inputs are fixed from here on.
    const secretSalt = loadSalt(join(keyring.keysDir, "secret-salt"));
    const featureDeps = { db: store.db, writer: ledger.writer, reader: ledger.reader, clock };
    const waivers = new WaiverService(featureDeps, policyWaiverRules(policy.holder));
    const holds = new HoldService(featureDeps);
    const breakglass = new BreakglassService(featureDeps);
    const policyInputs = [waiverPolicyInput(store.db, waivers), holdPolicyInput(holds), breakglassPolicyInput(breakglass)];
    const mediator = new Mediator({
      db: store.db,
      writer: ledger.writer,
      clock,
      policy: () => policy.current(),
      redactor: secretRedactor(secretSalt),
      content: contentInspector(secretSalt),
      providers: policyInputs,
    });
    const releases = new ReleaseService({ db: store.db, ledger, clock, checkpointVkey, mediator, eventJwks });
    const webhooks = openWebhooks({
      db: store.db,
      writer: ledger.writer,
      reader: ledger.reader,
      feed,
      clock,
      settings: webhookSettingsFromEnv(process.env, config.port, options.webhooks),
      expireWaiver: (row, now, trigger) => waivers.expire(row, now, trigger),
    });
    return {
      config,
      clock,
      store,
      db: store.db,
      ledger,
      checkpointVkey,
      tokenVerifiers: [localTokenVerifier((kid) => tokenKeys.keys(kid), clock), ...oidcVerifiersFromEnv(process.env, clock)],
      feed,
      policy,
      policyInputs,
      mediator,
      waivers,
      holds,
      breakglass,
      releases,
      webhooks,
      metrics,
      eventJwks,
      close: async () => {
        await webhooks.stop();
        ledger.checkpointer.stop();
        feed.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The token verification keys the key files hold: the current key and every retired one. */
async function tokenKeysFromFiles(dataDir: string): Promise<JWK[]> {
  const keyring = await loadKeyring(dataDir);
  return [keyring.token.publicJwk, ...keyring.retired.filter((r) => r.purpose === "token").map((r) => r.jwk)];
}
