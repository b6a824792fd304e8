// The verifier's trust anchors from the key files (public halves only), read without creating or changing anything.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { JWK } from "jose";
import { formatVkey } from "../core/index.ts";
import { jwkThumbprint } from "../event/key-events.ts";
import { keyPath, type KeyPurpose } from "./key-files.ts";

export interface KeyAnchors {
  /** Event-signing public keys (current and retired) as JWKs with their kid. */
  eventKeys: JWK[];
  /** Checkpoint keys (current and retired) as signed-note vkeys named after the log's origin. */
  checkpointKeys: string[];
  /** The files the keys were read from, for the message that says where trust came from. */
  files: string[];
}

const ENV_BY_PURPOSE: Record<KeyPurpose, string> = {
  event: "MAESTRO_EVENT_KEY_FILE",
  token: "MAESTRO_TOKEN_KEY_FILE",
  checkpoint: "MAESTRO_CHECKPOINT_KEY_FILE",
};

/** The public half of a key file: x only, so a private key never leaves this function. */
function publicX(file: string): string | null {
  try {
    const jwk = JSON.parse(readFileSync(file, "utf8")) as JWK;
    return jwk.kty === "OKP" && jwk.crv === "Ed25519" && typeof jwk.x === "string" ? jwk.x : null;
  } catch {
    return null;
  }
}

/**
 * The event and checkpoint keys of the key files in `keysDir` (and the MAESTRO_*_KEY_FILE overrides): the current
 * ones and those in retired/. Null when there is no event key file: then nothing outside the store anchors trust.
 */
export function readKeyAnchors(keysDir: string, origin: string, env: NodeJS.ProcessEnv = process.env): KeyAnchors | null {
  const found: Array<{ purpose: KeyPurpose; file: string }> = [];
  for (const purpose of ["event", "checkpoint"] as const) {
    const file = env[ENV_BY_PURPOSE[purpose]] ?? keyPath(keysDir, purpose);
    if (existsSync(file)) found.push({ purpose, file });
  }
  const retiredDir = join(keysDir, "retired");
  if (existsSync(retiredDir)) {
    for (const name of readdirSync(retiredDir).sort()) {
      const purpose = name.split("-")[0];
      if (purpose === "event" || purpose === "checkpoint") found.push({ purpose, file: join(retiredDir, name) });
    }
  }
  const anchors: KeyAnchors = { eventKeys: [], checkpointKeys: [], files: [] };
  for (const { purpose, file } of found) {
    const x = publicX(file);
    if (x === null) continue;
    anchors.files.push(file);
    if (purpose === "event") {
      const kid = jwkThumbprint({ crv: "Ed25519", kty: "OKP", x });
      anchors.eventKeys.push({ kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA", use: "sig" });
    } else anchors.checkpointKeys.push(formatVkey(origin, new Uint8Array(Buffer.from(x, "base64url"))));
  }
  return anchors.eventKeys.length > 0 ? anchors : null;
}
