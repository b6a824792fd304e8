// Server configuration from flags and environment, with the defaults the external contract names.
import { DEFAULT_ORIGIN } from "../ledger/open-ledger.ts";

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  origin: string;
  checkpointIntervalMs: number;
  /** Evidence reads without an auditor token (operator's choice). */
  publicRead: boolean;
  /** Only the transparency-log reads (checkpoint, vkey, tiles) without a token; everything else keeps its roles. */
  publicLog: boolean;
  policyBundle?: string;
  policyVerificationKey?: string;
  /** File of "vkey URL" lines: the C2SP tlog-witness witnesses asked to cosign each checkpoint. */
  witnessesFile?: string;
  /** How many of them must cosign for a checkpoint to count as witnessed (default: all). */
  witnessQuorum?: number;
  witnessTimeoutMs: number;
}

export function configFromEnv(overrides: Partial<ServerConfig> = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const pick = <K extends keyof ServerConfig>(key: K, fallback: ServerConfig[K]): ServerConfig[K] =>
    overrides[key] !== undefined ? (overrides[key] as ServerConfig[K]) : fallback;
  return {
    port: pick("port", Number(env.MAESTRO_PORT ?? 8787)),
    host: pick("host", env.MAESTRO_HOST ?? "127.0.0.1"),
    dataDir: pick("dataDir", env.MAESTRO_DATA_DIR ?? ".maestro"),
    // An explicit databaseUrl key (even undefined) means "exactly this": the embedded store when empty.
    databaseUrl: "databaseUrl" in overrides ? overrides.databaseUrl || undefined : env.DATABASE_URL || undefined,
    origin: pick("origin", env.MAESTRO_LOG_ORIGIN ?? DEFAULT_ORIGIN),
    checkpointIntervalMs: pick("checkpointIntervalMs", Number(env.MAESTRO_CHECKPOINT_INTERVAL_MS ?? 5000)),
    publicRead: pick("publicRead", env.MAESTRO_PUBLIC_READ === "1"),
    publicLog: pick("publicLog", env.MAESTRO_PUBLIC_LOG === "1"),
    policyBundle: pick("policyBundle", env.MAESTRO_POLICY_BUNDLE || undefined),
    policyVerificationKey: pick("policyVerificationKey", env.MAESTRO_POLICY_VERIFICATION_KEY || undefined),
    witnessesFile: pick("witnessesFile", env.MAESTRO_WITNESSES || undefined),
    witnessQuorum: pick("witnessQuorum", env.MAESTRO_WITNESS_QUORUM ? Number(env.MAESTRO_WITNESS_QUORUM) : undefined),
    witnessTimeoutMs: pick("witnessTimeoutMs", Number(env.MAESTRO_WITNESS_TIMEOUT_MS ?? 5000)),
  };
}
