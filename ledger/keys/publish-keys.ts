// Publishes the public halves of our keys in the store, so every process (and the JWKS route) sees all of them.
import type { Kysely } from "kysely";
import { formatVkey } from "../core/index.ts";
import type { LedgerTables } from "../store/schema.ts";
import type { Keyring } from "./keyring.ts";

export async function publishKeys(db: Kysely<LedgerTables>, keyring: Keyring, origin: string): Promise<void> {
  const current = [keyring.event, keyring.token, keyring.checkpoint].map((k) => ({
    kid: k.kid,
    purpose: k.purpose,
    public_jwk: JSON.stringify(k.publicJwk),
    vkey: k.purpose === "checkpoint" ? formatVkey(origin, k.publicRaw) : null,
    retired_at: null,
  }));
  const retired = keyring.retired.map((r) => ({
    kid: String(r.jwk.kid),
    purpose: r.purpose,
    public_jwk: JSON.stringify(r.jwk),
    vkey: r.purpose === "checkpoint" ? formatVkey(origin, new Uint8Array(Buffer.from(String(r.jwk.x), "base64url"))) : null,
    retired_at: new Date(),
  }));
  for (const row of [...current, ...retired]) {
    await db
      .insertInto("signing_keys")
      .values(row)
      .onConflict((oc) => oc.column("kid").doUpdateSet(row.retired_at ? { retired_at: row.retired_at } : { retired_at: null }))
      .execute();
  }
}
