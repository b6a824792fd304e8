// Ed25519 private keys as JWK files (0600), created on first start or supplied by path; never stored in the database.
import { generateKeyPairSync, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync, existsSync, renameSync, chmodSync } from "node:fs";
import { join, dirname } from "node:path";
import type { JWK } from "jose";
import { MaestroError } from "../../common/errors.ts";
import type { KeyPurpose } from "../event/key-events.ts";

export type { KeyPurpose };

export interface SigningKey {
  purpose: KeyPurpose;
  /** RFC 7638 JWK thumbprint of the public key. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
  /** The raw 32-byte Ed25519 public key (signed-note vkeys carry it). */
  publicRaw: Uint8Array;
}

export async function keyFromPrivateJwk(purpose: KeyPurpose, jwk: JWK): Promise<SigningKey> {
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.d || !jwk.x) {
    throw new MaestroError("bad_request", `${purpose} key must be an Ed25519 private JWK (kty OKP, crv Ed25519)`);
  }
  const privateKey = createPrivateKey({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" });
  const publicKey = createPublicKey(privateKey);
  const publicJwk: JWK = { kty: "OKP", crv: "Ed25519", x: jwk.x };
  // jose (46 modules) loads when a signing key does: the auditor's commands read public keys only.
  const { calculateJwkThumbprint } = await import("jose");
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    purpose,
    kid,
    privateKey,
    publicKey,
    publicJwk: { ...publicJwk, kid, alg: "EdDSA", use: "sig" },
    publicRaw: new Uint8Array(Buffer.from(jwk.x, "base64url")),
  };
}

export function keyPath(keysDir: string, purpose: KeyPurpose): string {
  return join(keysDir, `${purpose}.key.jwk.json`);
}

/** Reads a key file, or creates it (exclusive create, mode 0600) when it does not exist yet. */
export async function loadOrCreateKey(purpose: KeyPurpose, file: string, create = true): Promise<SigningKey> {
  if (!existsSync(file)) {
    if (!create) throw new MaestroError("not_found", `no ${purpose} key at ${file}`);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync("ed25519");
    try {
      writeFileSync(file, `${JSON.stringify(privateKey.export({ format: "jwk" }))}\n`, { flag: "wx", mode: 0o600 });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(file, "utf8")) as JWK;
  } catch (err) {
    throw new MaestroError("bad_request", `cannot read ${purpose} key ${file}`, { cause: err });
  }
  return keyFromPrivateJwk(purpose, jwk);
}

/** Rotation: the current private key moves to retired/ (its public half stays published); a new one is made. */
export async function rotateKeyFile(purpose: KeyPurpose, file: string): Promise<{ retired: SigningKey; current: SigningKey }> {
  const retired = await loadOrCreateKey(purpose, file, false);
  const retiredDir = join(dirname(file), "retired");
  mkdirSync(retiredDir, { recursive: true, mode: 0o700 });
  renameSync(file, join(retiredDir, `${purpose}-${retired.kid}.key.jwk.json`));
  chmodSync(join(retiredDir, `${purpose}-${retired.kid}.key.jwk.json`), 0o600);
  const current = await loadOrCreateKey(purpose, file, true);
  return { retired, current };
}
