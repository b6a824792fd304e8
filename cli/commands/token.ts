// `maestro token issue`: prints a bearer token (EdDSA JWT) for a role, signed with this data dir's token key.
import { loadOrCreateKey, keyPath } from "../../ledger/keys/key-files.ts";
import { keysDirFor } from "../../ledger/keys/keyring.ts";
import { openStore } from "../../ledger/store/database.ts";
import { migrateToLatest } from "../../ledger/store/migrate.ts";
import {
  AGENTS_CLAIM,
  type AgentBinding,
  allMigrations,
  checkTokenSubject,
  issueToken,
  parseTtl,
  ROLES,
  RUNSETS_CLAIM,
  type Role,
  subjectCheckFromEnv,
} from "../../server/index.ts";
import { type Command, parseFlags, printJson, requireFlag, storeFrom, STORE_FLAGS, UsageError } from "../command.ts";

export const tokenIssueCommand: Command = {
  name: "token issue",
  usage: `
Usage: maestro token issue --role ROLE --sub NAME [--ttl 8h] [--agents A,B] [--runsets R1,R2]
                          [--data-dir DIR | --database-url URL] [--json]

Roles: ${ROLES.join(", ")}. An agent token acts only as the agent named by its --sub, unless
--agents lists the agent names it may act as instead (claim ${AGENTS_CLAIM}; a runner's token lists the
run-set's agents); --runsets confines it to those run-sets (claim ${RUNSETS_CLAIM}; default any).
The token is signed with the token key in DIR/keys (created if absent);
with --database-url its public key is also published there, so every server on that database accepts it.
Works while a server runs on the same data dir. A subject that mixes scripts or holds an invisible character is
refused (MAESTRO_SUBJECT_CHECK=off turns that off); subjects are compared as people (docs/governance/roles.md).`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...STORE_FLAGS,
        role: { type: "string" },
        sub: { type: "string" },
        ttl: { type: "string" },
        agents: { type: "string" },
        runsets: { type: "string" },
        json: { type: "boolean" },
      },
      tokenIssueCommand,
    );
    const role = requireFlag(values.role, "role");
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")}`);
    const sub = requireFlag(values.sub, "sub");
    const ttl = parseTtl(values.ttl ?? "8h");
    // Before any key is created or published: a refused subject leaves nothing behind.
    const check = subjectCheckFromEnv();
    checkTokenSubject(sub, check);
    const binding: AgentBinding = { agents: nameList(values.agents, "agents"), runsets: nameList(values.runsets, "runsets") };
    if (role !== "agent" && (binding.agents || binding.runsets)) throw new UsageError("--agents and --runsets are for --role agent only");
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
    const token = await issueToken({ kid: key.kid, privateKey: key.privateKey }, role as Role, sub, ttl, undefined, binding, check);
    if (values.json)
      printJson({
        token,
        role,
        sub,
        expiresIn: ttl,
        ...(binding.agents && { agents: binding.agents }),
        ...(binding.runsets && { runsets: binding.runsets }),
      });
    else process.stdout.write(`${token}\n`);
  },
};

/** "a,b" → ["a", "b"]; the names themselves are checked by issueToken against the call schema's grammar. */
function nameList(flag: string | undefined, name: string): string[] | undefined {
  if (flag === undefined) return undefined;
  const names = flag.split(",").map((n) => n.trim());
  if (names.some((n) => n === "")) throw new UsageError(`--${name} takes comma-separated names, none empty`);
  return names;
}
