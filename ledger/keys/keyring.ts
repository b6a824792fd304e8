// The three signing keys a Maestro process holds: event JWS, bearer tokens, checkpoint signed notes.
import { join } from "node:path";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import type { JWK } from "jose";
import { keyFromPrivateJwk, keyPath, loadOrCreateKey, type KeyPurpose, type SigningKey } from "./key-files.ts";

export interface Keyring {
  event: SigningKey;
  token: SigningKey;
  checkpoint: SigningKey;
  /** Retired keys: their public JWKs stay published so old signatures still verify; `key` can introduce a successor. */
  retired: Array<{ purpose: KeyPurpose; jwk: JWK; key: SigningKey }>;
  keysDir: string;
}

const ENV_BY_PURPOSE: Record<KeyPurpose, string> = {
  event: "MAESTRO_EVENT_KEY_FILE",
  token: "MAESTRO_TOKEN_KEY_FILE",
  checkpoint: "MAESTRO_CHECKPOINT_KEY_FILE",
};

export function keysDirFor(dataDir: string): string {
  return process.env.MAESTRO_KEYS_DIR ?? join(dataDir, "keys");
}

export async function loadKeyring(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Keyring> {
  const keysDir = env.MAESTRO_KEYS_DIR ?? join(dataDir, "keys");
  const load = (purpose: KeyPurpose) => loadOrCreateKey(purpose, env[ENV_BY_PURPOSE[purpose]] ?? keyPath(keysDir, purpose));
  const [event, token, checkpoint] = await Promise.all([load("event"), load("token"), load("checkpoint")]);
  return { event, token, checkpoint, retired: await loadRetired(keysDir), keysDir };
}

async function loadRetired(keysDir: string): Promise<Keyring["retired"]> {
  const dir = join(keysDir, "retired");
  if (!existsSync(dir)) return [];
  const out: Keyring["retired"] = [];
  for (const name of readdirSync(dir).sort()) {
    const purpose = name.split("-")[0] as KeyPurpose;
    if (!(purpose in ENV_BY_PURPOSE)) continue;
    const key = await keyFromPrivateJwk(purpose, JSON.parse(readFileSync(join(dir, name), "utf8")) as JWK);
    out.push({ purpose, jwk: key.publicJwk, key });
  }
  return out;
}
