// `maestro token issue`: prints a bearer token (EdDSA JWT) for a role, signed with this data dir's token key.
import { loadOrCreateKey, keyPath } from "../../ledger/keys/key-files.ts";
import { keysDirFor } from "../../ledger/keys/keyring.ts";
import { openStore } from "../../ledger/store/database.ts";
import { migrateToLatest } from "../../ledger/store/migrate.ts";
import { allMigrations, checkTokenSubject, issueToken, parseTtl, ROLES, type Role, subjectCheckFromEnv } from "../../server/index.ts";
import { type Command, parseFlags, printJson, requireFlag, storeFrom, STORE_FLAGS, UsageError } from "../command.ts";

export const tokenIssueCommand: Command = {
  name: "token issue",
  usage: `
Usage: maestro token issue --role ROLE --sub NAME [--ttl 8h] [--data-dir DIR | --database-url URL] [--json]

Roles: ${ROLES.join(", ")}. The token is signed with the token key in DIR/keys (created if absent);
with --database-url its public key is also published there, so every server on that database accepts it.
Works while a server runs on the same data dir. A subject that mixes scripts or holds an invisible character is
refused (MAESTRO_SUBJECT_CHECK=off turns that off); subjects are compared as people (docs/governance/roles.md).`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { ...STORE_FLAGS, role: { type: "string" }, sub: { type: "string" }, ttl: { type: "string" }, json: { type: "boolean" } },
      tokenIssueCommand,
    );
    const role = requireFlag(values.role, "role");
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")}`);
    const sub = requireFlag(values.sub, "sub");
    const ttl = parseTtl(values.ttl ?? "8h");
    // Before any key is created or published: a refused subject leaves nothing behind.
    const check = subjectCheckFromEnv();
    checkTokenSubject(sub, check);
    const { dataDir, databaseUrl } = storeFrom(values);
    const key = await loadOrCreateKey("token", process.env.MAESTRO_TOKEN_KEY_FILE ?? keyPath(keysDirFor(dataDir), "token"));
    if (databaseUrl) {
      const store = await openStore<any>({ databaseUrl });
      try {
        // The full set, so a database a server already migrated is accepted as it is.
        await migrateToLatest(store.db, allMigrations);
        await store.db
          .insertInto("signing_keys")
          .values({ kid: key.kid, purpose: "token", public_jwk: JSON.stringify(key.publicJwk), vkey: null, retired_at: null })
          .onConflict((oc: any) => oc.column("kid").doNothing())
          .execute();
      } finally {
        await store.close();
      }
    }
    const token = await issueToken({ kid: key.kid, privateKey: key.privateKey }, role as Role, sub, ttl, undefined, check);
    if (values.json) printJson({ token, role, sub, expiresIn: ttl });
    else process.stdout.write(`${token}\n`);
  },
};
